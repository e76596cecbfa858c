// The schema check of a topology whose services all have the common shape, done by hand: zod's check of a big
// file's services (100,000s of real servers) costs more than everything else the loader does after the parse.
// It accepts only what the schema accepts; anything else (a problem, or a field it does not know, such as
// health checks) goes to zod, whose issues make the diagnostics, so what a user reads never depends on it.
import { SCHED_FLAGS } from '../drivers/ipvs/flags.js';
import { canonicalIp } from '../net/ip.js';
import { HA_MODES, METHODS, NAME_PATTERN, SCHEDULERS, topologySchema, type RawTopology } from './schema.js';

type RawService = RawTopology['services'][string];

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isInt = (v: unknown, min: number, max: number): boolean => Number.isInteger(v) && (v as number) >= min && (v as number) <= max;
const isOptInt = (v: unknown, min: number, max: number): boolean => v === undefined || isInt(v, min, max);
const isOptOf = (v: unknown, values: ReadonlySet<unknown>): boolean => v === undefined || values.has(v);
const isOptBool = (v: unknown): boolean => v === undefined || typeof v === 'boolean';
const isAddress = (v: unknown): boolean => typeof v === 'string' && canonicalIp(v) !== null;
const isName = (v: unknown): boolean => typeof v === 'string' && NAME_PATTERN.test(v);

const SCHEDULER_SET = new Set<unknown>(SCHEDULERS);
const METHOD_SET = new Set<unknown>(METHODS);
const HA_SET = new Set<unknown>(HA_MODES);
const PROTOCOL_SET = new Set<unknown>(['tcp', 'udp', 'sctp']);
const ON_FAILURE_SET = new Set<unknown>(['weight0', 'remove']);
const FLAG_SET = new Set<unknown>(Object.keys(SCHED_FLAGS));

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
  'onFailure',
  'quorum',
  'hysteresis',
  'failOpen',
]);
const REAL_SERVER_KEYS = new Set(['host', 'address', 'port', 'weight', 'upper', 'lower']);
const PERSISTENCE_KEYS = new Set(['timeout', 'netmask']);

/** Every key of `o` is one of `keys` (a strict object). */
function onlyKeys(o: Record<string, unknown>, keys: ReadonlySet<string>): boolean {
  for (const key in o) if (!keys.has(key)) return false;
  return true;
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
    isOptInt(v.lower, 0, 2147483647)
  );
}

function isPersistence(v: unknown): boolean {
  if (isInt(v, 1, 65535)) return true;
  if (!isRecord(v) || !onlyKeys(v, PERSISTENCE_KEYS) || !isInt(v.timeout, 1, 65535)) return false;
  const mask = v.netmask;
  return mask === undefined || isInt(mask, 1, 128) || (typeof mask === 'string' && /^\d+\.\d+\.\d+\.\d+$/.test(mask) && isAddress(mask));
}

function isListOf(v: unknown, item: (x: unknown) => boolean, min: number): boolean {
  if (!Array.isArray(v) || v.length < min) return false;
  for (const x of v) if (!item(x)) return false;
  return true;
}

function isCommonService(v: unknown): v is RawService {
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
    isOptOf(v.onFailure, ON_FAILURE_SET) &&
    isOptInt(v.quorum, 1, 2147483647) &&
    isOptInt(v.hysteresis, 0, 2147483647) &&
    isOptInt(v.failOpen, 0, 100)
  );
}

/** The document's services when every one has the common shape and passes the schema (an empty map: none given). */
function commonServices(input: Record<string, unknown>): Record<string, RawService> | undefined {
  // The schema's default ({}) stands in for a missing `services:` only, not for a null one.
  const services = input.services === undefined ? {} : input.services;
  if (!isRecord(services)) return undefined;
  for (const name in services) if (!NAME_PATTERN.test(name) || !isCommonService(services[name])) return undefined;
  return services as Record<string, RawService>;
}

/**
 * The schema's verdict on a document (`topologySchema.safeParse`), with the common services checked by hand and
 * the rest of the document by zod. The services are the input's own objects, not copies: nothing changes them.
 */
export function parseTopologySchema(input: unknown): ReturnType<typeof topologySchema.safeParse> {
  const services = isRecord(input) ? commonServices(input) : undefined;
  if (services !== undefined) {
    const rest = topologySchema.safeParse({ ...(input as Record<string, unknown>), services: {} });
    if (rest.success) return { success: true, data: { ...rest.data, services } };
  }
  return topologySchema.safeParse(input);
}
