// The agent's hands on the kernel, through the Host port: the smallest ipvsadm edit per decision, the anycast
// prefix on lo (ospfd announces what lo holds, so removing it withdraws both), and the reads made at start.
import { addressCommand, addressFlushCommand, ipArgv } from '../drivers/iproute/argv.js';
import { parseIpvsadmSave } from '../drivers/ipvs/parse-save.js';
import { destinationRule, ipvsadmArgv } from '../drivers/ipvs/rules.js';
import { destinationKey, serviceKey } from '../model/keys.js';
import type { Edit, KernelWeights } from '../health/engine.js';
import { runChecked, type Runner } from '../host/port.js';

/** What each destination edit is to ipvsadm. */
const RULE_ACTION = { weight: 'update', add: 'create', remove: 'delete' } as const;

/** The argv of one edit, written by the tools' own drivers. */
export function editArgv(edit: Edit): string[] {
  switch (edit.kind) {
    case 'weight':
    case 'add':
    case 'remove':
      return ipvsadmArgv(destinationRule(RULE_ACTION[edit.kind], edit.service, edit.destination));
    case 'announce':
      return ipArgv(addressCommand('replace', { device: 'lo', cidr: edit.prefix }));
    case 'withdraw':
      // Idempotent: a prefix already gone (an agent restarted mid-withdrawal, an operator's hand) is withdrawn.
      return ipArgv(addressFlushCommand({ device: 'lo', cidr: edit.prefix }));
  }
}

/** Applies edits one command each, in order; the first refusal stops and throws CommandError. */
export async function applyEdits(runner: Runner, edits: readonly Edit[]): Promise<void> {
  for (const edit of edits) await runChecked(runner, editArgv(edit));
}

/** Every destination's weight in the kernel now (ipvsadm-save -n), by service key and destination key. */
export async function readKernelWeights(runner: Runner): Promise<KernelWeights> {
  const r = await runner.run(['ipvsadm-save', '-n']);
  const out: KernelWeights = new Map();
  if (r.exitCode !== 0) return out;
  for (const s of parseIpvsadmSave(r.stdout)) out.set(serviceKey(s.id), new Map(s.destinations.map((d) => [destinationKey(d), d.weight])));
  return out;
}

/** The addresses on lo now ("6.6.6.6/32"), to know which anycast prefixes this node announces. */
export async function loopbackAddresses(runner: Runner): Promise<Set<string>> {
  const r = await runner.run(['ip', '-j', 'addr', 'show', 'dev', 'lo']);
  if (r.exitCode !== 0) return new Set();
  const links = JSON.parse(r.stdout || '[]') as { addr_info?: { local: string; prefixlen: number }[] }[];
  return new Set(links.flatMap((l) => (l.addr_info ?? []).map((a) => `${a.local}/${a.prefixlen}`)));
}

/**
 * Routers other than `routerId` whose router LSA carries `prefix` as a stub network, from the OSPF database
 * (`show ip ospf database router`: one block per LSA, "Advertising Router: X" and "(Link ID) Net: A" — "Net Address: A"
 * in older FRR — then "(Link Data) Network Mask: M").
 */
export function countAnnouncers(database: string, prefix: string, routerId: string): number {
  const [address] = prefix.split('/');
  const routers = new Set<string>();
  for (const block of database.split(/\n\s*LS age:/)) {
    const router = /Advertising Router: (\S+)/.exec(block)?.[1];
    if (router === undefined || router === routerId) continue;
    if (
      new RegExp(
        `\\(Link ID\\) Net(?: Address)?: ${address!.replaceAll('.', '\\.')}\\s*\\n\\s*\\(Link Data\\) Network Mask: 255\\.255\\.255\\.255`,
      ).test(block)
    )
      routers.add(router);
  }
  return routers.size;
}

/**
 * Other announcers of `prefix` now, asked of the local FRR through `vtysh` (its argv: ["vtysh"], or a prefix that
 * enters a lab's FRR instance); unknown (vtysh failing) counts as none, so nothing is withdrawn.
 */
export async function otherAnnouncers(runner: Runner, vtysh: readonly string[], prefix: string, routerId: string): Promise<number> {
  const r = await runner.run([...vtysh, '-c', 'show ip ospf database router']);
  return r.exitCode === 0 ? countAnnouncers(r.stdout, prefix, routerId) : 0;
}
