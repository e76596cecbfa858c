// What a host must offer before lbctl changes it: root, the tools the plan runs, a kernel with IPVS, room to write.
import type { HostState } from '../model/state.js';
import { LEDGER_PATH } from './ledger.js';
import type { Host } from './port.js';

/** Why a host is not ready: not root, a missing tool or IPVS, or no room to write. */
export type UnpreparedReason = 'not-root' | 'missing' | 'unwritable';

/** A missing prerequisite, said in one sentence with how to get it; nothing was changed. */
export class Unprepared extends Error {
  constructor(
    message: string,
    readonly reason: UnpreparedReason,
  ) {
    super(message);
  }
}

/** The Debian package that ships each tool lbctl runs. */
const PACKAGES: Record<string, string> = {
  ip: 'iproute2',
  sysctl: 'procps',
  modprobe: 'kmod',
  flock: 'util-linux',
  ipvsadm: 'ipvsadm',
  'ipvsadm-save': 'ipvsadm',
  nft: 'nftables',
  vtysh: 'frr',
  keepalived: 'keepalived',
};

/** The tools a host's desired state needs. */
export function toolsFor(desired: HostState): string[] {
  const tools = ['ip', 'sysctl', 'modprobe', 'flock'];
  if (desired.ipvs.length > 0) tools.push('ipvsadm', 'ipvsadm-save');
  if (desired.nft.length > 0) tools.push('nft');
  if (desired.files.some((f) => f.check === 'frr')) tools.push('vtysh');
  if (desired.files.some((f) => f.check === 'keepalived')) tools.push('keepalived');
  return tools;
}

/** The directories an apply writes in, and about how many bytes: its files, their backups and the ledger. */
function writes(desired: HostState): { dirs: string[]; bytes: number } {
  const dirs = [...new Set([LEDGER_PATH, ...desired.files.map((f) => f.path)].map((p) => p.slice(0, p.lastIndexOf('/')) || '/'))];
  const bytes = desired.files.reduce((n, f) => n + 2 * Buffer.byteLength(f.content), 0) + 64 * 1024;
  return { dirs, bytes };
}

/** Checks root, tools, IPVS and room to write; throws Unprepared, having changed nothing. */
export async function preflight(desired: HostState, host: Host, requireRoot: boolean): Promise<void> {
  const facts = await host.facts();
  if (requireRoot && facts.uid !== 0) {
    throw new Unprepared('lbctl apply changes kernel state (IPVS, addresses, sysctls) and must run as root: use sudo', 'not-root');
  }
  const missing = await host.missingTools(toolsFor(desired));
  if (missing.length > 0) {
    const packages = [...new Set(missing.map((t) => PACKAGES[t] ?? t))].join(' ');
    throw new Unprepared(
      `${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not installed on ${host.label}: apt-get install ${packages}; nothing was changed`,
      'missing',
    );
  }
  if (desired.ipvs.length > 0 && facts.ipvs === 'absent') {
    throw new Unprepared(
      `the kernel of ${host.label} has no IPVS (/proc/net/ip_vs is missing and modprobe cannot find ip_vs): boot a kernel with CONFIG_IP_VS ` +
        "(Debian's stock kernel has it), or try the topology in the IPVS VM with `lbctl lab run FILE --vm`; nothing was changed",
      'missing',
    );
  }
  const { dirs, bytes } = writes(desired);
  const problem = await host.unwritable(dirs, bytes);
  if (problem !== null) throw new Unprepared(`cannot write on ${host.label}: ${problem}; nothing was changed`, 'unwritable');
}
