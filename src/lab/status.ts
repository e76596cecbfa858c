// `lab status`: each namespace's addresses and routes, its web servers, DNS server, FRR's OSPF neighbours and routes, its agent,
// and its IPVS table when the kernel has IPVS.
import { access, readFile } from 'node:fs/promises';
import { parseState } from '../agent/state-file.js';
import { formatView } from '../agent/view.js';
import type { LabAgent } from './agent.js';
import type { Runner } from '../host/port.js';
import { DNS_PORT, WHOAMI } from './dns.js';
import { LabError } from './errors.js';
import { labVtysh, type LabFrr } from './frr.js';
import { labPrefix } from './names.js';
import { allNamespaces, liveNamespaces } from './namespaces.js';
import { readLabState, type LabState } from './state.js';

const indent = (text: string) =>
  text
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => `    ${l}\n`)
    .join('');

/** The lab's members: from its record, else (after a crash) from the namespaces with its prefix. */
async function members(lab: string, state: LabState | null, runner: Runner): Promise<{ name: string; namespace: string }[]> {
  if (state) return [...state.plan.hosts, ...(state.plan.router ? [state.plan.router] : [])];
  return (await liveNamespaces(runner, lab)).map((ns) => ({ name: ns.slice(labPrefix(lab).length), namespace: ns }));
}

/** An FRR instance's OSPF neighbours and OSPF routes, as vtysh shows them inside the instance. */
async function frrStatus(f: LabFrr, runner: Runner): Promise<string> {
  const head = `  frr (${f.flavour === 'frr' ? 'frr.conf' : 'quagga-style files'}) pid ${f.pid}`;
  try {
    const shown = await labVtysh(f, ['show ip ospf neighbor', 'show ip route ospf'], runner);
    return `${head}:\n${indent(shown.replace(/^Codes:[\s\S]*?\n\s*\n/m, ''))}`;
  } catch (err) {
    return `${head}: ${(err as Error).message}\n`;
  }
}

/** What a host's agent decided, from its state file. */
async function agentStatus(a: LabAgent): Promise<string> {
  const state = parseState(await readFile(a.stateFile, 'utf8').catch(() => undefined));
  return `  lbctl agent pid ${a.pid}${state ? `:\n${indent(formatView(state.view, Date.now()))}` : ': no state file yet\n'}`;
}

/** A readable report of the lab's hosts; LabError when the lab is not up. */
export async function labStatus(lab: string, runner: Runner): Promise<string> {
  const state = await readLabState(lab);
  const hosts = await members(lab, state, runner);
  if (hosts.length === 0) throw new LabError(`lab ${lab} is not up`, 'usage');
  const existing = new Set(await allNamespaces(runner));
  const ipvs = await access('/proc/net/ip_vs').then(
    () => true,
    () => false,
  );
  let out = state
    ? `lab ${lab}: ${state.file}\n`
    : `lab ${lab}: no record (a crashed lab up?): \`lbctl lab down --name ${lab}\` removes it\n`;
  for (const h of hosts) {
    out += `host ${h.name} (${h.namespace})${existing.has(h.namespace) ? '' : ': namespace missing'}\n`;
    if (!existing.has(h.namespace)) continue;
    out += `  addresses:\n${indent((await runner.run(['ip', '-n', h.namespace, '-br', 'addr', 'show'])).stdout)}`;
    out += `  routes:\n${indent((await runner.run(['ip', '-n', h.namespace, 'route', 'show'])).stdout)}`;
    for (const s of state?.services.filter((x) => x.host === h.name) ?? []) out += `  web server: 0.0.0.0:${s.port} pid ${s.pid}\n`;
    for (const d of state?.dns?.filter((x) => x.host === h.name) ?? [])
      out += `  dns server: ${d.addresses.join(', ')} port ${d.port ?? DNS_PORT} pid ${d.pid} (${WHOAMI} answers ${d.self}${d.zones ? `; zone ${d.zones.join(', ')}` : ''})\n`;
    for (const f of state?.frr?.filter((x) => x.host === h.name) ?? []) out += await frrStatus(f, runner);
    for (const a of state?.agents?.filter((x) => x.host === h.name) ?? []) out += await agentStatus(a);
    if (ipvs) out += `  ipvs:\n${indent((await runner.run(['ip', 'netns', 'exec', h.namespace, 'ipvsadm', '-Ln'])).stdout)}`;
  }
  return out;
}
