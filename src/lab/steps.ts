// The commands that build a lab plan, in order, as argument arrays (pure); nothing runs in the host's own namespace.
import type { LabHost, LabPlan, VethEnd } from './plan.js';

const isV6 = (cidr: string) => cidr.includes(':');

/** Addresses, bridge port and link state of one veth end. */
function endSteps(end: VethEnd): string[][] {
  const ip = ['ip', '-n', end.namespace];
  return [
    ...(end.bridge ? [[...ip, 'link', 'set', end.name, 'master', end.bridge]] : []),
    // nodad: an IPv6 lab address is usable at once instead of after duplicate detection
    ...end.addresses.map((a) => [...ip, 'addr', 'add', a, 'dev', end.name, ...(isV6(a) ? ['nodad'] : [])]),
    [...ip, 'link', 'set', end.name, 'up'],
  ];
}

/** The default route and static routes of a host. */
function routeSteps(host: LabHost): string[][] {
  const ip = ['ip', '-n', host.namespace, 'route', 'replace'];
  return [
    ...(host.gateway ? [[...ip, 'default', 'via', host.gateway]] : []),
    ...host.routes.map((r) => [...ip, r.destination, 'via', r.via]),
  ];
}

/** The router's forwarding sysctls (IPv6 only when it has IPv6 addresses). */
function forwardingStep(router: LabHost): string[] {
  const v6 = router.interfaces.some((i) => i.addresses.some(isV6));
  return [
    'ip',
    'netns',
    'exec',
    router.namespace,
    'sysctl',
    '-q',
    '-w',
    'net.ipv4.ip_forward=1',
    ...(v6 ? ['net.ipv6.conf.all.forwarding=1'] : []),
  ];
}

/** Every command that builds the lab: namespaces with lo up, bridges, veth pairs, addresses, forwarding, routes. */
export function buildSteps(plan: LabPlan): string[][] {
  return [
    ...plan.namespaces.flatMap((ns) => [
      ['ip', 'netns', 'add', ns],
      ['ip', '-n', ns, 'link', 'set', 'lo', 'up'],
    ]),
    ...plan.bridges.flatMap((b) => [
      ['ip', '-n', b.namespace, 'link', 'add', b.name, 'type', 'bridge'],
      ['ip', '-n', b.namespace, 'link', 'set', b.name, 'up'],
    ]),
    ...plan.links.flatMap(({ ends: [a, b] }) => [
      ['ip', '-n', a.namespace, 'link', 'add', a.name, 'type', 'veth', 'peer', 'name', b.name, 'netns', b.namespace],
      ...endSteps(a),
      ...endSteps(b),
    ]),
    ...(plan.router ? [forwardingStep(plan.router)] : []),
    ...plan.hosts.flatMap(routeSteps),
  ];
}
