// What `lab up` checks before it creates anything: root, no lab of that name, tools, and hosts the lab can apply.
import { access } from 'node:fs/promises';
import type { Runner } from '../host/port.js';
import { quoteWord } from '../drivers/sh/quote.js';
import { desiredStates } from '../desired/desired.js';
import { PATHS } from '../desired/paths.js';
import { KEEPALIVED_CONF } from '../desired/vrrp.js';
import type { Topology } from '../topology/types.js';
import { dnsLaunches } from './dns.js';
import { LabError } from './errors.js';
import { FRR_BIN } from './frr.js';
import { DEFAULT_LAB } from './names.js';
import { liveNamespaces } from './namespaces.js';
import type { LabPlan } from './plan.js';
import { readLabState } from './state.js';

/** The reload that enables lbctl's boot unit (src/model/boot.ts). */
const BOOT_RELOAD = 'boot';
const list = (hosts: string[]) => `host${hosts.length === 1 ? '' : 's'} ${hosts.join(', ')}`;

/** IPVS is loaded, or a module apply can load (a stock kernel boots without it: apply's modprobe loads it). */
async function ipvsAvailable(runner: Runner): Promise<boolean> {
  if (
    await access('/proc/net/ip_vs').then(
      () => true,
      () => false,
    )
  )
    return true;
  return (await runner.run(['modprobe', '-n', '-q', 'ip_vs'])).exitCode === 0;
}

/** The command that runs this lab in the VM, as the operator would type it (for the refusal below). */
export function vmCommand(file: string, lab: string): string {
  return `lbctl lab run ${quoteWord(file)}${lab === DEFAULT_LAB ? '' : ` --name ${lab}`} --vm`;
}

/** The refusal of a lab whose directors need IPVS on a kernel without it: names the command that runs it in the VM. */
export function ipvsRefusal(hosts: string[], shownFile: string, lab: string): string {
  return `${list(hosts)} need${hosts.length === 1 ? 's' : ''} IPVS, which this kernel does not have (/proc/net/ip_vs is missing): run the lab in the IPVS VM with \`${vmCommand(shownFile, lab)}\` (up, traffic check or \`-- CMD\`, down), or build the network only with --no-apply; nothing was created`;
}

/** Hosts lbctl apply cannot provision in a namespace of this machine, said in one sentence; null when all can. */
export async function unappliable(t: Topology, plan: LabPlan, shownFile: string, runner: Runner): Promise<string | null> {
  const desired = [...desiredStates(t).values()];
  const ipvs = desired.filter((d) => d.ipvs.length > 0).map((d) => d.host);
  if (ipvs.length > 0 && !(await ipvsAvailable(runner))) return ipvsRefusal(ipvs, shownFile, plan.lab);
  // Enabling the boot unit means nothing to a namespace (it never boots) and the lab applies with --no-reload;
  // the routing daemons' reloads are replaced by the lab's own FRR instance of the host (src/lab/frr.ts), and a
  // zone's reload (rndc) by the lab's dnsmasq, which loads the records file apply wrote (src/lab/dns.ts), and
  // keepalived's by the lab's keepalived instance of a VRRP director (src/lab/keepalived.ts).
  const daemons = (d: (typeof desired)[number]) => {
    const routing = t.hosts.get(d.host)?.routing;
    const served = (path: string) =>
      (routing && path.startsWith(`${routing.configDir}/`)) || path.startsWith(`${PATHS.zones}/`) || path === KEEPALIVED_CONF;
    const ours = new Set(d.files.filter((f) => served(f.path)).flatMap((f) => (f.reload ? [f.reload] : [])));
    return d.reloads.filter((r) => r.name !== BOOT_RELOAD && !ours.has(r.name));
  };
  const reloading = desired.filter((d) => daemons(d).length > 0).map((d) => d.host);
  if (reloading.length > 0) {
    return `${list(reloading)} reload${reloading.length === 1 ? 's' : ''} system services after apply (${[...new Set(desired.flatMap((d) => daemons(d).map((r) => r.argv.join(' '))))].join(', ')}), which would act on this machine instead of the lab: build the network only with --no-apply; nothing was created`;
  }
  return null;
}

/**
 * Throws LabError (having changed nothing) unless the lab can be built, and applied when `apply`; `shownFile` is
 * the topology file as the operator wrote it (named in the refusal).
 */
export async function checkLabUp(t: Topology, plan: LabPlan, apply: boolean, shownFile: string, runner: Runner): Promise<void> {
  if (process.getuid?.() !== 0) throw new LabError('lbctl lab creates network namespaces and must run as root: use sudo', 'not-root');
  const leftovers = await liveNamespaces(runner, plan.lab);
  if ((await readLabState(plan.lab)) !== null || leftovers.length > 0) {
    throw new LabError(
      `lab ${plan.lab} exists already: remove it with \`lbctl lab down --name ${plan.lab}\`, or pick another --name`,
      'unavailable',
    );
  }
  if (!apply) return;
  const problem = await unappliable(t, plan, shownFile, runner);
  if (problem) throw new LabError(problem, 'unavailable');
  if (plan.hosts.some((h) => h.httpPorts.length > 0) && (await runner.run(['busybox', 'true'])).exitCode !== 0) {
    throw new LabError(
      "busybox (the real servers' web server) is not installed: apt-get install busybox; nothing was created",
      'unavailable',
    );
  }
  const routers = plan.hosts.filter((h) => t.hosts.get(h.name)?.routing).map((h) => h.name);
  const frrTools = [`${FRR_BIN}/zebra`, `${FRR_BIN}/ospfd`, '/usr/bin/vtysh'];
  if (
    routers.length > 0 &&
    (
      await Promise.all(
        frrTools.map((f) =>
          access(f).then(
            () => true,
            () => false,
          ),
        ),
      )
    ).includes(false)
  ) {
    throw new LabError(
      `${list(routers)} need${routers.length === 1 ? 's' : ''} FRR (${frrTools.join(', ')}), which is not installed: apt-get install frr (installing does not start it); nothing was created`,
      'unavailable',
    );
  }
  const dns = dnsLaunches(t, plan.hosts).map((d) => d.host.name);
  if (dns.length > 0 && (await runner.run(['dnsmasq', '--version'])).exitCode !== 0) {
    throw new LabError(
      `${list(dns)} need${dns.length === 1 ? 's' : ''} dnsmasq (the lab's DNS server), which is not installed: apt-get install dnsmasq-base; nothing was created`,
      'unavailable',
    );
  }
}
