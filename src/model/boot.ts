// A systemd unit that restores at boot what lives only in the kernel: tunl0, VIPs, routes,
// lbctl's nftables table and the IPVS table (sysctls and modules have their own .d files).
import type { HostBuilder } from './builder.js';
import { nftReplaceScript } from './nft.js';
import { generatedHeader, PATHS } from './paths.js';

/** Adds the boot unit (and the nft scripts it loads) when the host has anything volatile; enabling it is its reload. */
export function addBootUnit(b: HostBuilder, hasIpvs: boolean): void {
  const { links, addresses, routes, nft } = b.volatileObjects();
  const exec: string[] = [
    ...links.map((l) => `ip link set dev ${l.name} mtu ${l.mtu} ${l.up ? 'up' : 'down'}`),
    ...addresses.map((a) => `ip addr replace ${a.cidr} dev ${a.device}`),
    ...routes.map((r) => `ip${r.family === 'inet6' ? ' -6' : ''} route replace ${r.destination} via ${r.via}`),
    ...nft.map((t) => `nft -f ${PATHS.nft(t.family)}`),
    ...(hasIpvs ? ['ipvsadm-restore'] : []),
    ...b.syncDaemonList().map((d) => `ipvsadm --start-daemon ${d.role} --mcast-interface ${d.interface} --syncid ${d.syncId}`),
  ];
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
