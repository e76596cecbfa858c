// Parsers of `ip -j addr show`, `ip -j -d link show` and `ip -j route show` output.
import { z } from 'zod';
import { canonicalIp, formatCidr, networkOf, parseCidr } from '../../net/ip.js';
import { addressKey, routeKey, sortedBy } from '../../model/keys.js';
import { DEFAULT_ROUTE_METRIC, type Address, type Family, type Route } from '../../model/state.js';
import { parseJsonAs } from '../json.js';
import { ParseError } from '../parse-error.js';

/** A network device as `ip -j -d link show` reports it (kind only when -d details were captured). */
export interface ObservedLink {
  name: string;
  kind?: string;
  up: boolean;
  mtu: number;
}

const AddrSchema = z.array(
  z.object({
    ifname: z.string(),
    addr_info: z.array(z.object({ family: z.string(), local: z.string(), prefixlen: z.number().int() })).default([]),
  }),
);

const LinkSchema = z.array(
  z.object({
    ifname: z.string(),
    flags: z.array(z.string()),
    mtu: z.number().int(),
    linkinfo: z.object({ info_kind: z.string().optional() }).optional(),
  }),
);

const RouteSchema = z.array(z.object({ dst: z.string(), gateway: z.string().optional(), metric: z.number().int().min(0).optional() }));

/** Every address of every device (loopback and link-local included: the planner decides), as "addr/prefixlen". */
export function parseIpAddr(json: string): Address[] {
  const source = 'ip -j addr';
  const devices = parseJsonAs(source, json, AddrSchema);
  const addresses = devices.flatMap((device, i) =>
    device.addr_info.map((info, j): Address => {
      // The canonical address and the length as they are: no round trip through numbers (a director has 1,000s of VIPs).
      const address = canonicalIp(info.local);
      const width = address?.includes(':') ? 128 : 32;
      if (address === null || info.prefixlen < 0 || info.prefixlen > width)
        throw new ParseError(source, null, `$[${i}].addr_info[${j}]`, `bad address ${info.local}/${info.prefixlen}`);
      return { device: device.ifname, cidr: `${address}/${info.prefixlen}` };
    }),
  );
  return sortedBy(addresses, addressKey);
}

/** Every device with its kind (linkinfo.info_kind, e.g. "ipip" for tunl0), IFF_UP state and MTU, sorted by name. */
export function parseIpLink(json: string): ObservedLink[] {
  const links = parseJsonAs('ip -j -d link', json, LinkSchema).map((l): ObservedLink => {
    const kind = l.linkinfo?.info_kind;
    return { name: l.ifname, ...(kind === undefined ? {} : { kind }), up: l.flags.includes('UP'), mtu: l.mtu };
  });
  return sortedBy(links, (l) => l.name);
}

/** Routes with a single gateway ("via"), destination "default" or a canonical prefix; others are not lbctl's. */
export function parseIpRoute(json: string, family: Family): Route[] {
  const source = family === 'inet6' ? 'ip -j -6 route' : 'ip -j route';
  const routes = parseJsonAs(source, json, RouteSchema).flatMap((r, i): Route[] => {
    if (r.gateway === undefined) return [];
    const via = canonicalIp(r.gateway);
    const prefix = r.dst === 'default' ? null : parseCidr(r.dst);
    const width = family === 'inet6' ? 6 : 4;
    if (via === null || (r.dst !== 'default' && prefix?.family !== width)) {
      throw new ParseError(source, null, `$[${i}]`, `bad ${family} route ${r.dst} via ${r.gateway}`);
    }
    const route: Route = { family, destination: prefix === null ? 'default' : formatCidr(networkOf(prefix)), via };
    if (r.metric !== undefined && r.metric !== DEFAULT_ROUTE_METRIC[family]) route.metric = r.metric;
    return [route];
  });
  return sortRoutes(routes);
}

/** Routes in HostState order: by route key, then gateway. */
export function sortRoutes(routes: readonly Route[]): Route[] {
  return sortedBy(routes, (r) => `${routeKey(r)} via ${r.via}`);
}
