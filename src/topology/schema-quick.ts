// The schema check of a common topology done by hand, without zod: zod's check of a big file's services (100,000s
// of real servers) costs more than everything else the loader does after the parse, and loading zod is most of a
// small plan's start-up. It accepts only what the schema accepts and returns what the schema would (defaults
// filled in); anything else (a problem, or a part it does not know: routing, ospf, anycast, dns) it leaves to
// zod, whose issues make the diagnostics, so what a user reads never depends on it.
import { SCHED_FLAGS } from '../drivers/ipvs/flags.js';
import { canonicalIp, parseCidr } from '../net/ip.js';
import type { RawTopology } from './schema.js';
import * as schema from './schema-values.js';

type Record_ = Record<string, unknown>;

const isRecord = (v: unknown): v is Record_ => typeof v === 'object' && v !== null && !Array.isArray(v);
const isInt = (v: unknown, min: number, max: number): boolean => Number.isInteger(v) && (v as number) >= min && (v as number) <= max;
const isOptInt = (v: unknown, min: number, max: number): boolean => v === undefined || isInt(v, min, max);
const isOptOf = (v: unknown, values: ReadonlySet<unknown>): boolean => v === undefined || values.has(v);
const isOptBool = (v: unknown): boolean => v === undefined || typeof v === 'boolean';
const isOptText = (v: unknown, re: RegExp): boolean => v === undefined || (typeof v === 'string' && re.test(v));
const isOptLength = (v: unknown, min: number, max: number): boolean =>
  v === undefined || (typeof v === 'string' && v.length >= min && v.length <= max);
const isAddress = (v: unknown): boolean => typeof v === 'string' && canonicalIp(v) !== null;
const isName = (v: unknown): boolean => typeof v === 'string' && schema.NAME_PATTERN.test(v);
const isCidr = (v: unknown): boolean => typeof v === 'string' && v.includes('/') && parseCidr(v) !== null;
const isIfname = (v: string): boolean => schema.IFNAME_PATTERN.test(v) && v !== '.' && v !== '..';
const isDuration = (v: unknown): boolean =>
  (typeof v === 'number' && v >= 0.01 && v <= 3600) || (typeof v === 'string' && schema.DURATION_TEXT.test(v));
const isOptDuration = (v: unknown): boolean => v === undefined || isDuration(v);
const isStatus = (v: unknown): boolean => isInt(v, 100, 599);
const isCommandWord = (v: unknown): boolean => typeof v === 'string' && schema.COMMAND_WORD.test(v);

const setOf = (values: readonly unknown[]): ReadonlySet<unknown> => new Set(values);
const SCHEDULER_SET = setOf(schema.SCHEDULERS);
const METHOD_SET = setOf(schema.METHODS);
const HA_SET = setOf(schema.HA_MODES);
const PROTOCOL_SET = setOf(schema.PROTOCOLS);
const ON_FAILURE_SET = setOf(schema.ON_FAILURE);
const FLAG_SET = setOf(Object.keys(SCHED_FLAGS));
const ROLE_SET = setOf(schema.ROLES);
const CHECK_KIND_SET = setOf(schema.CHECK_KINDS);
const HTTP_METHOD_SET = setOf(schema.HTTP_METHODS);
const DNS_TYPE_SET = setOf(schema.DNS_TYPES);
const DNS_RCODE_SET = setOf(schema.DNS_RCODES);

const SERVICE_KEYS = new Set([
  'vip',
  'port',
  'protocol',
  'fwmark',
  'scheduler',
  'flags',
  'persistence',
  'onePacket',
  'method',
  'directors',
  'ha',
  'realServers',
  'mtu',
  'check',
  'onFailure',
  'sorryServer',
  'quorum',
  'hysteresis',
  'failOpen',
]);
const REAL_SERVER_KEYS = new Set(['host', 'address', 'port', 'weight', 'upper', 'lower', 'check']);
const PERSISTENCE_KEYS = new Set(['timeout', 'netmask']);
const CHECK_KEYS = new Set([
  'kind',
  'interval',
  'timeout',
  'rise',
  'fall',
  'port',
  'address',
  'method',
  'path',
  'status',
  'body',
  'digest',
  'host',
  'sni',
  'verify',
  'name',
  'type',
  'rcode',
  'answer',
  'send',
  'expect',
  'command',
  'inBand',
]);
const IN_BAND_KEYS = new Set(['failures', 'window', 'unanswered']);
const HOST_KEYS = new Set(['roles', 'interfaces', 'gateway', 'routes']);
const INTERFACE_KEYS = new Set(['network', 'address']);
const NETWORK_KEYS = new Set(['prefix', 'pointToPoint']);
const TOP_KEYS = new Set(['apiVersion', 'networks', 'hosts', 'services']);

/** Every key of `o` is one of `keys` (a strict object). */
function onlyKeys(o: Record_, keys: ReadonlySet<string>): boolean {
  for (const key in o) if (!keys.has(key)) return false;
  return true;
}

function isListOf(v: unknown, item: (x: unknown) => boolean, min: number): boolean {
  if (!Array.isArray(v) || v.length < min) return false;
  for (const x of v) if (!item(x)) return false;
  return true;
}

/** A record whose keys pass `key` and whose values pass `value`. */
function isRecordOf(v: unknown, key: (k: string) => boolean, value: (x: unknown) => boolean): v is Record_ {
  if (!isRecord(v)) return false;
  for (const k in v) if (!key(k) || !value(v[k])) return false;
  return true;
}

function isInBand(v: unknown): boolean {
  return isRecord(v) && onlyKeys(v, IN_BAND_KEYS) && isInt(v.failures, 1, 10000) && isOptDuration(v.window) && isOptDuration(v.unanswered);
}

function isCheck(v: unknown): boolean {
  return (
    isRecord(v) &&
    onlyKeys(v, CHECK_KEYS) &&
    isOptOf(v.kind, CHECK_KIND_SET) &&
    isOptDuration(v.interval) &&
    isOptDuration(v.timeout) &&
    isOptInt(v.rise, 1, 100) &&
    isOptInt(v.fall, 1, 100) &&
    isOptInt(v.port, 1, 65535) &&
    (v.address === undefined || isAddress(v.address)) &&
    isOptOf(v.method, HTTP_METHOD_SET) &&
    isOptText(v.path, schema.HTTP_PATH) &&
    (v.status === undefined || isStatus(v.status) || isListOf(v.status, isStatus, 1)) &&
    isOptLength(v.body, 1, 1024) &&
    isOptText(v.digest, schema.DIGEST) &&
    isOptText(v.host, schema.HTTP_HOST) &&
    isOptText(v.sni, schema.SNI_NAME) &&
    isOptBool(v.verify) &&
    isOptText(v.name, schema.DNS_QUERY_NAME) &&
    isOptOf(v.type, DNS_TYPE_SET) &&
    isOptOf(v.rcode, DNS_RCODE_SET) &&
    isOptLength(v.answer, 1, 255) &&
    isOptText(v.send, schema.PAYLOAD) &&
    isOptText(v.expect, schema.PAYLOAD) &&
    (v.command === undefined || isListOf(v.command, isCommandWord, 1)) &&
    (v.inBand === undefined || isInBand(v.inBand))
  );
}

function isRealServer(v: unknown): boolean {
  if (typeof v === 'string') return true;
  return (
    isRecord(v) &&
    onlyKeys(v, REAL_SERVER_KEYS) &&
    (v.host === undefined || isName(v.host)) &&
    (v.address === undefined || isAddress(v.address)) &&
    isOptInt(v.port, 1, 65535) &&
    isOptInt(v.weight, 0, 65535) &&
    isOptInt(v.upper, 0, 2147483647) &&
    isOptInt(v.lower, 0, 2147483647) &&
    (v.check === undefined || v.check === false || isCheck(v.check))
  );
}

function isPersistence(v: unknown): boolean {
  if (isInt(v, 1, 65535)) return true;
  if (!isRecord(v) || !onlyKeys(v, PERSISTENCE_KEYS) || !isInt(v.timeout, 1, 65535)) return false;
  const mask = v.netmask;
  return mask === undefined || isInt(mask, 1, 128) || (typeof mask === 'string' && schema.DOTTED_QUAD.test(mask) && isAddress(mask));
}

function isService(v: unknown): boolean {
  return (
    isRecord(v) &&
    onlyKeys(v, SERVICE_KEYS) &&
    (v.vip === undefined || isAddress(v.vip)) &&
    isOptInt(v.port, 1, 65535) &&
    isOptOf(v.protocol, PROTOCOL_SET) &&
    isOptInt(v.fwmark, 1, 4294967295) &&
    isOptOf(v.scheduler, SCHEDULER_SET) &&
    (v.flags === undefined || isListOf(v.flags, (f) => FLAG_SET.has(f), 0)) &&
    (v.persistence === undefined || isPersistence(v.persistence)) &&
    isOptBool(v.onePacket) &&
    METHOD_SET.has(v.method) &&
    isListOf(v.directors, isName, 1) &&
    isOptOf(v.ha, HA_SET) &&
    isListOf(v.realServers, isRealServer, 1) &&
    isOptInt(v.mtu, 576, 65535) &&
    (v.check === undefined || isCheck(v.check)) &&
    isOptOf(v.onFailure, ON_FAILURE_SET) &&
    (v.sorryServer === undefined || typeof v.sorryServer === 'string') &&
    isOptInt(v.quorum, 1, 2147483647) &&
    isOptInt(v.hysteresis, 0, 2147483647) &&
    isOptInt(v.failOpen, 0, 100)
  );
}

function isInterface(v: unknown): boolean {
  return isRecord(v) && onlyKeys(v, INTERFACE_KEYS) && isName(v.network) && (isCidr(v.address) || isListOf(v.address, isCidr, 1));
}

function isHost(v: unknown): v is Record_ {
  return (
    isRecord(v) &&
    onlyKeys(v, HOST_KEYS) &&
    (v.roles === undefined || isListOf(v.roles, (r) => ROLE_SET.has(r), 0)) &&
    (v.interfaces === undefined || isRecordOf(v.interfaces, isIfname, isInterface)) &&
    (v.gateway === undefined || isAddress(v.gateway)) &&
    (v.routes === undefined || isRecordOf(v.routes, isCidr, isAddress))
  );
}

function isNetwork(v: unknown): boolean {
  return isCidr(v) || (isRecord(v) && onlyKeys(v, NETWORK_KEYS) && isCidr(v.prefix) && isOptBool(v.pointToPoint));
}

/** The host as the schema returns it: `interfaces` defaults to none. */
const withInterfaces = (host: Record_): Record_ => (host.interfaces === undefined ? { ...host, interfaces: {} } : host);

/**
 * The schema's output for a document of the common shape (`topologySchema.parse`), or undefined when the hand check
 * does not accept it: then zod judges it. Services and real servers are the input's own objects, not copies.
 */
export function quickTopology(input: unknown): RawTopology | undefined {
  if (!isRecord(input) || !onlyKeys(input, TOP_KEYS) || input.apiVersion !== schema.API_VERSION) return undefined;
  // The schema's defaults ({}) stand in for a missing key only, not for a null one.
  const networks = input.networks ?? {};
  const services = input.services ?? {};
  if (input.networks === null || input.services === null) return undefined;
  if (!isRecordOf(networks, isName, isNetwork) || !isRecordOf(services, isName, isService)) return undefined;
  if (!isRecordOf(input.hosts, isName, isHost)) return undefined;
  const hosts: Record_ = {};
  for (const name in input.hosts) hosts[name] = withInterfaces(input.hosts[name] as Record_);
  return { apiVersion: schema.API_VERSION, networks, hosts, services, anycast: {} } as RawTopology;
}
