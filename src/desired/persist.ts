// Files that make a host's state survive a reboot, or feed daemons: sysctl.d, modules-load.d, ipvsadm rules, routing configs, zone records.
import { renderFrr } from '../drivers/frr/ospf-frr.js';
import { renderQuagga } from '../drivers/frr/ospf-quagga.js';
import type { DnsZone, Routing } from '../topology/types.js';
import type { HostBuilder } from './builder.js';
import { addBootUnit } from './boot.js';
import { generatedHeader, PATHS } from './paths.js';
import { rulesText } from '../drivers/ipvs/rules.js';
import { sysctlConfText } from '../drivers/sysctl/argv.js';
import type { OspfConfig } from '../model/routing.js';

/** Adds sysctl.d, modules-load.d and ipvsadm rules files for what the builder holds so far. */
export function addPersistenceFiles(b: HostBuilder): void {
  const sysctls = b.sysctlEntries();
  if (sysctls.length > 0) {
    b.file({ path: PATHS.sysctl, mode: 0o644, content: generatedHeader('#') + sysctlConfText(sysctls) });
  }
  const modules = b.moduleNames();
  if (modules.length > 0) {
    b.file({ path: PATHS.modules, mode: 0o644, content: generatedHeader('#') + modules.map((m) => `${m}\n`).join('') });
  }
  // ipvsadm-restore reads every line as a rule: this file carries no header comment.
  const services = b.serviceList();
  if (services.length > 0) b.file({ path: PATHS.ipvsadm, mode: 0o644, content: rulesText(services) });
  addBootUnit(b, services.length > 0);
}

/**
 * Default reloads: FRR re-reads frr.conf with `systemctl reload frr` (frr-reload.py, which
 * keeps adjacencies); quagga daemons are restarted one by one, only those whose file changed, zebra first.
 */
export const DEFAULT_RELOADS = {
  frr: ['systemctl', 'reload', 'frr'],
  zebra: ['systemctl', 'restart', 'zebra'],
  ospfd: ['systemctl', 'restart', 'ospfd'],
  ospf6d: ['systemctl', 'restart', 'ospf6d'],
} as const;

/** Adds the routing daemon's config files and their reloads. */
export function addRoutingFiles(b: HostBuilder, routing: Routing, config: OspfConfig): void {
  const owner = routing.flavour === 'frr' ? 'frr' : 'quagga';
  const conf = (name: string, content: string, daemon: keyof typeof DEFAULT_RELOADS, check: boolean) => {
    const reload = routing.reload ? 'routing' : daemon;
    b.file({
      path: `${routing.configDir}/${name}`,
      content,
      mode: 0o640,
      owner,
      group: owner,
      reload,
      ...(check ? { check: 'frr' as const } : {}),
    });
    b.reload({ name: reload, argv: routing.reload ?? [...DEFAULT_RELOADS[daemon]] });
  };
  if (routing.flavour === 'frr') {
    const files = renderFrr(config);
    conf('frr.conf', files.frrConf, 'frr', true);
    conf('daemons', files.daemons, 'frr', false);
  } else {
    const files = renderQuagga(config);
    conf('zebra.conf', files.zebra, 'zebra', true);
    conf('ospfd.conf', files.ospfd, 'ospfd', true);
    // not checked: FRR's vtysh (the checker) rejects quagga's `interface IF area A` under router ospf6
    if (files.ospf6d !== undefined) conf('ospf6d.conf', files.ospf6d, 'ospf6d', false);
  }
}

/** Adds the records file of a DNS zone served by this host (for `$INCLUDE` in the zone), and the zone's reload. */
export function addZoneFile(b: HostBuilder, zone: DnsZone): void {
  const lines = zone.records.flatMap((r) =>
    r.addresses.map((a) => `${r.name}\t${zone.ttl}\tIN\t${a.includes(':') ? 'AAAA' : 'A'}\t${a}\n`),
  );
  const reload = `zone ${zone.name}`;
  b.file({
    path: `${PATHS.zones}/${zone.name}.records`,
    mode: 0o644,
    reload,
    content: `${generatedHeader(';')}$ORIGIN ${zone.name}.\n${lines.join('')}`,
  });
  b.reload({ name: reload, argv: zone.reload });
}
