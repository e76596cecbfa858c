// The lab plan as text, for `lbctl lab plan` (the JSON form is the plan itself).
import type { LabHost, LabPlan } from './plan.js';

function hostLines(h: LabHost, kind: string): string {
  const ifaces = h.interfaces.map((i) => `  ${i.name} (${i.network}) ${i.addresses.join(' ')}\n`).join('');
  const routes = [...(h.gateway ? [`default via ${h.gateway}`] : []), ...h.routes.map((r) => `${r.destination} via ${r.via}`)]
    .map((r) => `  route ${r}\n`)
    .join('');
  const web = h.httpPorts.length > 0 ? `  web server on port ${h.httpPorts.join(', ')}\n` : '';
  const dns = h.dnsPorts.length > 0 ? `  DNS responder on udp port ${h.dnsPorts.join(', ')}\n` : '';
  return `${kind} ${h.name} (namespace ${h.namespace})\n${ifaces}${routes}${web}${dns}`;
}

/** One block per host, then the router, the bridges and the veth pairs. */
export function renderLabPlan(plan: LabPlan): string {
  const bridges = plan.bridges.map((b) => `bridge ${b.name} (${b.network}) in ${b.namespace}\n`).join('');
  const links = plan.links
    .map(
      ({ network, ends: [a, b] }) =>
        `veth ${a.namespace}/${a.name} <-> ${b.namespace}/${b.name}${b.bridge ? ` on ${b.bridge}` : ''} (${network})\n`,
    )
    .join('');
  const router = plan.router ? hostLines(plan.router, 'router (ip_forward=1, serves gateways no host has)') : '';
  return `lab ${plan.lab}: ${plan.namespaces.length} namespaces (${plan.prefix}*)\n${plan.hosts.map((h) => hostLines(h, 'host')).join('')}${router}${bridges}${links}`;
}
