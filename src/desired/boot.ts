// A systemd unit that restores at boot what lives only in the kernel: tunl0, VIPs, routes,
// lbctl's nftables table and the IPVS table (sysctls and modules have their own .d files).
import type { HostBuilder } from './builder.js';
import { addressCommand, ipArgv, linkCommand, routeCommand } from '../drivers/iproute/argv.js';
import { syncDaemonStartArgv, TABLE_RESTORE_ARGV } from '../drivers/ipvs/rules.js';
import { nftLoadArgv, nftReplaceScript } from '../drivers/nft/script.js';
import { generatedHeader, PATHS } from './paths.js';

/** Adds the boot unit (and the nft scripts it loads) when the host has anything volatile; enabling it is its reload. */
export function addBootUnit(b: HostBuilder, hasIpvs: boolean): void {
  const { links, addresses, routes, nft } = b.volatileObjects();
  // The same command builders as apply's steps; the words are plain (addresses, device names, paths),
  // so joined by spaces they are valid ExecStart lines.
  const exec: string[] = [
    ...links.map((l) => ipArgv(linkCommand(l.name, l))),
    ...addresses.map((a) => ipArgv(addressCommand('replace', a))),
    ...routes.map((r) => ipArgv(routeCommand('replace', r))),
    ...nft.map((t) => nftLoadArgv(PATHS.nft(t.family))),
    ...(hasIpvs ? [[...TABLE_RESTORE_ARGV]] : []),
    ...b.syncDaemonList().map(syncDaemonStartArgv),
  ].map((argv) => argv.join(' '));
  if (exec.length === 0) return;
  for (const t of nft) b.file({ path: PATHS.nft(t.family), mode: 0o644, content: generatedHeader('#') + nftReplaceScript(t) });
  const unit = [
    '[Unit]',
    'Description=lbctl: restore load-balancing state (tunnels, VIPs, routes, SNAT, IPVS) at boot',
    'After=network-online.target systemd-modules-load.service systemd-sysctl.service',
    'Wants=network-online.target',
    '',
    '[Service]',
    'Type=oneshot',
    'RemainAfterExit=yes',
    ...(hasIpvs ? [`StandardInput=file:${PATHS.ipvsadm}`] : []),
    ...exec.map((e) => `ExecStart=${e}`),
    '',
    '[Install]',
    'WantedBy=multi-user.target',
  ];
  b.file({ path: PATHS.bootUnit, mode: 0o644, reload: 'boot', content: `${generatedHeader('#')}${unit.join('\n')}\n` });
  b.reload({ name: 'boot', argv: ['systemctl', 'enable', 'lbctl.service'] });
}
