// What a host must offer before lbctl changes it: root, the tools the plan runs, a kernel with IPVS.
import { access, constants } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import type { HostState } from '../model/state.js';
import type { Runner } from './runner.js';

/** A missing prerequisite, said in one sentence with how to get it. */
export class Unprepared extends Error {
  constructor(message: string, readonly reason: 'not-root' | 'missing') {
    super(message);
  }
}

/** The Debian package that ships each tool lbctl runs. */
const PACKAGES: Record<string, string> = {
  ip: 'iproute2', sysctl: 'procps', modprobe: 'kmod', ipvsadm: 'ipvsadm', 'ipvsadm-save': 'ipvsadm', 'ipvsadm-restore': 'ipvsadm', nft: 'nftables', vtysh: 'frr',
};

async function onPath(tool: string): Promise<boolean> {
  for (const dir of (process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin').split(delimiter)) {
    if (await access(join(dir, tool), constants.X_OK).then(() => true, () => false)) return true;
  }
  return false;
}

/** The tools a host's desired state needs. */
export function toolsFor(desired: HostState): string[] {
  const tools = ['ip', 'sysctl', 'modprobe'];
  if (desired.ipvs.length > 0) tools.push('ipvsadm', 'ipvsadm-save', 'ipvsadm-restore');
  if (desired.nft.length > 0) tools.push('nft');
  if (desired.files.some((f) => f.check === 'frr')) tools.push('vtysh');
  return tools;
}

/** Checks root, tools and IPVS; throws Unprepared, having changed nothing. `asRoot` is false when files go below --root. */
export async function preflight(desired: HostState, runner: Runner, asRoot: boolean): Promise<void> {
  if (asRoot && process.getuid?.() !== 0) {
    throw new Unprepared('lbctl apply changes kernel state (IPVS, addresses, sysctls) and must run as root: use sudo', 'not-root');
  }
  const missing: string[] = [];
  for (const tool of toolsFor(desired)) if (!(await onPath(tool))) missing.push(tool);
  if (missing.length > 0) {
    const packages = [...new Set(missing.map((t) => PACKAGES[t] ?? t))].join(' ');
    throw new Unprepared(`${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not installed: apt-get install ${packages}; nothing was changed`, 'missing');
  }
  if (desired.ipvs.length > 0) {
    const loaded = await access('/proc/net/ip_vs').then(() => true, () => false);
    const loadable = loaded || (await runner.run(['modprobe', '-n', '-q', 'ip_vs'])).exitCode === 0;
    if (!loadable) {
      throw new Unprepared('this kernel has no IPVS (/proc/net/ip_vs is missing and modprobe cannot find ip_vs): boot a kernel with CONFIG_IP_VS (Debian\'s stock kernel has it), or use `lbctl lab --vm`; nothing was changed', 'missing');
    }
  }
}
