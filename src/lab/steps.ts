// The commands that build a lab plan, in order (pure); nothing runs in the host's own namespace. Most go to
// `ip -batch` per namespace: a lab of 7 hosts is ~15 processes instead of ~60, which is most of building one on a
// slow machine (an emulated VM starts each process in about 70 ms).
import type { LabHost, LabPlan, VethEnd } from './plan.js';

/** One command that builds part of a lab: its argv, and the ip commands it reads on stdin when it is `ip -batch -`. */
export interface BuildStep {
  argv: string[];
  batch?: string[];
}

const isV6 = (cidr: string) => cidr.includes(':');

/** A word ip's batch reader takes as one argument: no spacing, quotes, backslash or comment sign. */
const BATCH_WORD = /^[^\s"'\\#]+$/;

/**
 * `ip [-n NS] -batch -` running these ip commands (argument lists without the leading `ip`); none when empty. With
 * `force`, ip goes on past a failing line (and still exits non-zero): for removals, where a line may find its object
 * gone already.
 */
function batch(namespace: string | null, commands: string[][], force = false): BuildStep[] {
  if (commands.length === 0) return [];
  const lines = commands.map((words) => {
    const bad = words.find((w) => !BATCH_WORD.test(w));
    if (bad !== undefined) throw new Error(`lab: ${JSON.stringify(bad)} cannot be a word of an ip batch`);
    return words.join(' ');
  });
  return [{ argv: ['ip', ...(force ? ['-force'] : []), ...(namespace === null ? [] : ['-n', namespace]), '-batch', '-'], batch: lines }];
}

/** Deletes these veths of a namespace in one process; a veth deleted with its peer is no error. */
export function vethRemoval(namespace: string, veths: readonly string[]): BuildStep[] {
  return batch(
    namespace,
    veths.map((v) => ['link', 'del', v]),
    true,
  );
}

/** Deletes these namespaces in one process. */
export function namespaceRemoval(namespaces: readonly string[]): BuildStep[] {
  return batch(
    null,
    namespaces.map((ns) => ['netns', 'del', ns]),
    true,
  );
}

/** Bridge port, addresses and link state of one veth end, in its namespace. */
function endCommands(end: VethEnd): string[][] {
  return [
    ...(end.bridge ? [['link', 'set', end.name, 'master', end.bridge]] : []),
    // nodad: an IPv6 lab address is usable at once instead of after duplicate detection
    ...end.addresses.map((a) => ['addr', 'add', a, 'dev', end.name, ...(isV6(a) ? ['nodad'] : [])]),
    ['link', 'set', end.name, 'up'],
  ];
}

/** The default route and static routes of a host, in its namespace. */
function routeCommands(host: LabHost): string[][] {
  return [
    ...(host.gateway ? [['route', 'replace', 'default', 'via', host.gateway]] : []),
    ...host.routes.map((r) => ['route', 'replace', r.destination, 'via', r.via]),
  ];
}

/** The router's forwarding sysctls (IPv6 only when it has IPv6 addresses). */
function forwardingStep(router: LabHost): BuildStep {
  const v6 = router.interfaces.some((i) => i.addresses.some(isV6));
  return {
    argv: [
      'ip',
      'netns',
      'exec',
      router.namespace,
      'sysctl',
      '-q',
      '-w',
      'net.ipv4.ip_forward=1',
      ...(v6 ? ['net.ipv6.conf.all.forwarding=1'] : []),
    ],
  };
}

/**
 * Every command that builds the lab: the namespaces; in each, lo up, its bridges and the veth pairs made from it
 * (the peer goes to the other namespace); the router's forwarding; then in each, once every veth exists, the ends'
 * bridge ports, addresses and link state, and the routes.
 */
export function buildSteps(plan: LabPlan): BuildStep[] {
  return [
    ...batch(
      null,
      plan.namespaces.map((ns) => ['netns', 'add', ns]),
    ),
    ...plan.namespaces.flatMap((ns) =>
      batch(ns, [
        ['link', 'set', 'lo', 'up'],
        ...plan.bridges
          .filter((b) => b.namespace === ns)
          .flatMap((b) => [
            ['link', 'add', b.name, 'type', 'bridge'],
            ['link', 'set', b.name, 'up'],
          ]),
        ...plan.links
          .filter(({ ends: [a] }) => a.namespace === ns)
          .map(({ ends: [a, b] }) => ['link', 'add', a.name, 'type', 'veth', 'peer', 'name', b.name, 'netns', b.namespace]),
      ]),
    ),
    ...(plan.router ? [forwardingStep(plan.router)] : []),
    ...plan.namespaces.flatMap((ns) =>
      batch(ns, [
        ...plan.links.flatMap(({ ends }) => ends.filter((e) => e.namespace === ns)).flatMap(endCommands),
        ...plan.hosts.filter((h) => h.namespace === ns).flatMap(routeCommands),
      ]),
    ),
  ];
}
