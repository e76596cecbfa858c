// The topology file's schema (zod): what an operator may write, with short forms and defaults.
// Values that reach command lines or files are constrained here, so hostile input never gets further.
import { z } from 'zod';
import { SCHED_FLAGS, type SchedFlag } from '../drivers/ipvs/flags.js';
import { canonicalIp, parseCidr } from '../net/ip.js';
import {
  API_VERSION,
  CHECK_KINDS,
  COMMAND_WORD,
  DIGEST,
  DNS_QUERY_NAME,
  DNS_RCODES,
  DNS_TYPES,
  DOTTED_QUAD,
  DURATION_TEXT,
  FLAVOURS,
  HA_MODES,
  HTTP_HOST,
  HTTP_METHODS,
  HTTP_PATH,
  IFNAME_PATTERN,
  METHODS,
  NAME_PATTERN,
  ON_FAILURE,
  PAYLOAD,
  PROTOCOLS,
  ROLES,
  SCHEDULERS,
  SNI_NAME,
} from './schema-values.js';

/** The issue code of schema refinements, carried in zod's params so diagnostics keep the rule id. */
const rule = (id: string, message: string) => ({ message, params: { rule: id } });

/** A string matching a pattern; a mismatch is reported under the given rule id. */
const pattern = (re: RegExp, id: string, message: string) => z.string().refine((s) => re.test(s), rule(id, message));

const name = pattern(NAME_PATTERN, 'name-invalid', 'a name starts with a letter and holds only letters, digits, "-" and "_" (at most 63)');

const ifname = pattern(
  IFNAME_PATTERN,
  'interface-invalid',
  'an interface name is 1-15 letters, digits, "_", "." or "-" and does not start with "." or "-"',
).refine((s) => s !== '.' && s !== '..', rule('interface-invalid', 'an interface name may not be "." or ".."'));

const address = z.string().refine((s) => canonicalIp(s) !== null, rule('address-invalid', 'not an IPv4 or IPv6 address'));

const cidr = z
  .string()
  .refine((s) => s.includes('/') && parseCidr(s) !== null, rule('prefix-invalid', 'not an address/length prefix such as 10.0.0.0/24'));

const ipv4 = z
  .string()
  .refine((s) => DOTTED_QUAD.test(s) && canonicalIp(s) !== null, rule('address-invalid', 'not an IPv4 address (dotted quad)'));

const port = z.number().int().min(1).max(65535);
const area = z.union([z.string(), z.number().int().min(0).max(4294967295)]).describe('OSPF area: dotted quad (0.0.0.2) or number (2)');
const seconds = z.number().int().min(1).max(65535);

const interfaceSpec = z.strictObject({
  network: name.describe('the network (key of `networks`) this interface is attached to'),
  address: z.union([cidr, z.array(cidr).min(1)]).describe('address/prefix, or a list of them'),
});

const ospfInterface = z.strictObject({
  cost: z.number().int().min(1).max(65535).optional(),
  passive: z.boolean().optional(),
  pointToPoint: z.boolean().optional(),
  hello: seconds.optional(),
  dead: seconds.optional(),
  retransmit: seconds.optional(),
});

const ospfTimers = z.strictObject({
  hello: seconds.optional().describe('hello-interval on every OSPF interface (s)'),
  dead: seconds.optional().describe('dead-interval on every OSPF interface (s)'),
  retransmit: seconds.optional().describe('retransmit-interval (s)'),
  spfThrottle: z
    .tuple([z.number().int().min(0).max(600000), z.number().int().min(0).max(600000), z.number().int().min(0).max(600000)])
    .optional()
    .describe('timers throttle spf DELAY INITIAL-HOLD MAX-HOLD (ms)'),
  lsaThrottle: z.number().int().min(0).max(5000).optional().describe('timers throttle lsa all (ms)'),
  lsaMinArrival: z.number().int().min(0).max(600000).optional().describe('timers lsa min-arrival (ms)'),
  pointToPoint: z.boolean().optional().describe('ip ospf network point-to-point on every OSPF interface'),
});

const password = pattern(/^[!-~]{1,64}$/, 'password-invalid', 'a routing password is 1-64 printable characters without spaces');

const argv = z.array(pattern(COMMAND_WORD, 'command-invalid', 'a command word may hold only letters, digits and _@%+=:,./-')).min(1);

const routing = z.strictObject({
  flavour: z.enum(FLAVOURS).default('frr').describe('quagga: zebra.conf + ospfd.conf; frr: frr.conf + daemons'),
  routerId: ipv4.optional().describe('OSPF router-id; defaults to the first interface address'),
  password: password.optional().describe('vty password written to the configs (quagga style)'),
  maximumPaths: z.number().int().min(1).max(64).optional().describe('ECMP paths (maximum-paths)'),
  networks: z.record(cidr, area).optional().describe('prefix: area, e.g. "10.211.55.0/24": 0.0.0.0'),
  interfaces: z.record(ifname, ospfInterface).optional(),
  timers: ospfTimers.optional(),
  configDir: pattern(/^\/[A-Za-z0-9_./-]*$/, 'path-invalid', 'an absolute path of letters, digits and _./-')
    .refine((s) => !s.split('/').includes('..'), rule('path-invalid', 'a path may not contain ".."'))
    .optional()
    .describe('where the routing configs go (quagga: /etc/quagga, frr: /etc/frr)'),
  reload: argv.optional().describe('command that makes the daemons read the new configs'),
});

const host = z.strictObject({
  roles: z.array(z.enum(ROLES)).optional(),
  interfaces: z.record(ifname, interfaceSpec).default({}),
  gateway: address.optional().describe('default gateway; lbctl manages the default route when set'),
  routes: z.record(cidr, address).optional().describe('static routes lbctl manages: "10.21.0.0/24": 10.20.0.1'),
  routing: routing.optional(),
});

const network = z.union([
  cidr,
  z.strictObject({
    prefix: cidr,
    pointToPoint: z.boolean().optional().describe('a two-host link (a veth pair in labs)'),
  }),
]);

/** A duration: seconds as a number (0.5), or text with a unit ("500ms", "2s"). */
const duration = z.union([
  z.number().min(0.01).max(3600),
  pattern(DURATION_TEXT, 'duration-invalid', 'a duration is seconds (0.5) or a number with "ms" or "s" ("500ms")'),
]);

/** Bytes sent or expected by a udp check, as text (printable, no control characters). */
const payload = pattern(PAYLOAD, 'payload-invalid', 'a payload is 1-512 printable ASCII characters');

/** A health check: every field optional here, so that a real server can override some; kinds are checked on resolve. */
const check = z.strictObject({
  kind: z.enum(CHECK_KINDS).optional().describe('tcp, http, https, dns, udp, icmp or exec'),
  interval: duration.optional().describe('time between probes (default 500ms)'),
  timeout: duration.optional().describe('time a probe may take (default 400ms; at most the interval)'),
  rise: z.number().int().min(1).max(100).optional().describe('passing probes in a row before a server is up (default 2)'),
  fall: z.number().int().min(1).max(100).optional().describe('failing probes in a row before a server is down (default 2)'),
  port: port.optional().describe("probe this port instead of the real server's"),
  address: address.optional().describe("probe this address instead of the real server's (DR/TUN: skips the VIP path)"),
  method: z.enum(HTTP_METHODS).optional().describe('http(s): request method (default GET)'),
  path: pattern(HTTP_PATH, 'http-path-invalid', 'an HTTP path starts with "/" and holds no spaces')
    .optional()
    .describe('http(s): request path (default /)'),
  status: z
    .union([z.number().int().min(100).max(599), z.array(z.number().int().min(100).max(599)).min(1)])
    .optional()
    .describe('http(s): accepted status codes (default 200)'),
  body: z.string().min(1).max(1024).optional().describe('http(s): a regular expression the body must match'),
  digest: pattern(DIGEST, 'digest-invalid', "a digest is the body's SHA-256 in 64 lowercase hex digits")
    .optional()
    .describe('http(s): SHA-256 of the expected body'),
  host: pattern(HTTP_HOST, 'http-host-invalid', 'a Host header is a DNS name, optionally with :port')
    .optional()
    .describe('http(s): Host header'),
  sni: pattern(SNI_NAME, 'http-host-invalid', 'an SNI name is a DNS name').optional().describe('https: TLS server name'),
  verify: z.boolean().optional().describe('https: verify the certificate (default false)'),
  name: pattern(DNS_QUERY_NAME, 'dns-name-invalid', 'not a DNS name').optional().describe('dns: name to ask for'),
  type: z.enum(DNS_TYPES).optional().describe('dns: record type (default A)'),
  rcode: z.enum(DNS_RCODES).optional().describe('dns: expected response code (default NOERROR)'),
  answer: z.string().min(1).max(255).optional().describe('dns: an answer that must be present (A/AAAA: the address)'),
  send: payload.optional().describe('udp: bytes to send'),
  expect: payload.optional().describe('udp: bytes the reply must contain'),
  command: argv.optional().describe('exec: command argv, run without a shell; exit 0 is healthy'),
  inBand: z
    .strictObject({
      failures: z.number().int().min(1).max(10000).describe('failed client connections that mark the server down'),
      window: duration.optional().describe('within this time (default 10s)'),
      unanswered: duration.optional().describe('a connection still opening after this long failed (default 2s)'),
    })
    .optional()
    .describe("NAT/FullNAT TCP: count clients' failed connections in the director's connection table"),
});

/** A sorry server: an address or a host, optionally with :port, as a real server is written. */
const sorryServer = z.string().describe('added when no real server is healthy: host or address, optionally with :port');

const realServer = z.union([
  z.string().describe('host name or address, optionally with :port'),
  z.strictObject({
    host: name.optional(),
    address: address.optional(),
    port: port.optional(),
    weight: z.number().int().min(0).max(65535).optional(),
    upper: z.number().int().min(0).max(2147483647).optional(),
    lower: z.number().int().min(0).max(2147483647).optional(),
    check: z
      .union([check, z.literal(false)])
      .optional()
      .describe("fields that differ from the service's check, or false for none"),
  }),
]);

const persistence = z.union([
  seconds,
  z.strictObject({ timeout: seconds, netmask: z.union([ipv4, z.number().int().min(1).max(128)]).optional() }),
]);

const service = z.strictObject({
  vip: address.optional(),
  port: port.optional(),
  protocol: z.enum(PROTOCOLS).optional(),
  fwmark: z.number().int().min(1).max(4294967295).optional(),
  scheduler: z.enum(SCHEDULERS).optional().describe('IPVS scheduler (default wlc, as ipvsadm; mh with ha: ecmp)'),
  flags: z
    .array(z.enum(Object.keys(SCHED_FLAGS) as [SchedFlag]))
    .optional()
    .describe('scheduler flags (ipvsadm -b)'),
  persistence: persistence.optional(),
  onePacket: z.boolean().optional().describe('one-packet scheduling (ipvsadm -o): UDP services with method dr or tun only'),
  method: z.enum(METHODS),
  directors: z.array(name).min(1),
  ha: z
    .enum(HA_MODES)
    .optional()
    .describe('several directors: ecmp (all active, VIP announced by OSPF) or vrrp (one master on a shared L2)'),
  realServers: z.array(realServer).min(1),
  mtu: z.number().int().min(576).max(65535).optional().describe('tun: MTU of tunl0 on real servers (default 1480)'),
  check: check.optional().describe('health check of every real server (lbctl agent)'),
  onFailure: z.enum(ON_FAILURE).optional().describe('weight0 (default: connections finish) or remove'),
  sorryServer: sorryServer.optional(),
  quorum: z.number().int().min(1).max(2147483647).optional().describe('healthy weight below which the service is down'),
  hysteresis: z
    .number()
    .int()
    .min(0)
    .max(2147483647)
    .optional()
    .describe('quorum is lost below quorum-hysteresis, regained at quorum+hysteresis'),
  failOpen: z
    .number()
    .int()
    .min(0)
    .max(100)
    .optional()
    .describe('percent of the pool that failing checks may take out at once (default 50)'),
});

const anycast = z.strictObject({
  prefix: cidr,
  nodes: z.array(name).min(1),
  area: area.optional(),
  cost: z.number().int().min(1).max(65535).optional(),
  hello: seconds.optional(),
  dead: seconds.optional(),
  check: check.optional().describe('check of the local service; on failure the node withdraws the prefix'),
  holdDown: duration.optional().describe('wait after rise before announcing again; doubles per flap (default 2s)'),
  holdDownMax: duration.optional().describe('cap of the doubling hold-down (default 60s)'),
});

/** The longest zone name: ZONE.records is a file name, and file names have at most 255 bytes. */
const MAX_ZONE_NAME = 255 - '.records'.length;

const dnsRecords = z.record(
  pattern(
    /^(@|\*|[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)(\.[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*$/,
    'dns-name-invalid',
    'not a DNS owner name (labels of at most 63 characters)',
  ).refine((s) => s.length <= 253, rule('dns-name-invalid', 'a DNS name is at most 253 characters (RFC 1035)')),
  z.array(z.string()).min(1).describe('addresses, service names or anycast names'),
);

// Zone names are LDH labels (RFC 1123): no label starts or ends with "-", so no zone name can pass for an option
// of the reload command (`rndc reload ZONE`) or of anything else it reaches.
const zoneName = pattern(
  /^([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.?$/,
  'dns-name-invalid',
  'not a zone name: dot-separated labels of letters, digits and "-", none starting or ending with "-" (at most 63 each)',
).refine(
  (s) => s.replace(/\.$/, '').length <= MAX_ZONE_NAME,
  rule(
    'dns-name-invalid',
    `a zone name is at most ${MAX_ZONE_NAME} characters (RFC 1035 allows 253; its records file, ZONE.records, must fit a 255-byte file name)`,
  ),
);

const zone = z.strictObject({
  ttl: seconds.optional(),
  servers: z.array(name).optional().describe('hosts that get the zone file'),
  reload: argv.optional().describe('how the name server re-reads the zone (default: rndc reload ZONE)'),
  records: dnsRecords,
});

/** The whole topology file as written (before short forms are expanded). */
export const topologySchema = z.strictObject({
  apiVersion: z.literal(API_VERSION),
  networks: z.record(name, network).default({}),
  hosts: z.record(name, host),
  ospf: ospfTimers.optional().describe('OSPF timers for every routing host (a host may override)'),
  services: z.record(name, service).default({}),
  anycast: z.record(name, anycast).default({}),
  dns: z.strictObject({ zones: z.record(zoneName, zone) }).optional(),
});

/** The topology as parsed by the schema, short forms still in place. */
export type RawTopology = z.output<typeof topologySchema>;
