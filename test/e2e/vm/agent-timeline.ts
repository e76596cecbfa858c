// What the agent jobs in the VM recorded (test/e2e/vm/agent-lib.sh), read back on the host: the director's IPVS
// table each time it changed, the client loop's requests, the job's marks and the agent's events, all on the
// guest's wall clock in milliseconds. Shared by agent.test.ts and the keepalived benchmark.
import { readFile } from 'node:fs/promises';
import { parseIpvsadmSave } from '../../../src/drivers/ipvs/parse-save.js';
import { destinationKey } from '../../../src/model/keys.js';

/** The table at one moment: per service ("TCP 203.0.113.10:80"), per destination ("10.10.0.11:8080"), its weight. */
export interface TableAt {
  at: number;
  services: Map<string, Map<string, number>>;
}

/** One request of the client loop: when it started and ended, whether it got a 200, and the body or the error. */
export interface Request {
  start: number;
  end: number;
  ok: boolean;
  answer: string;
}

/** One agent event (its `at` in milliseconds). */
export interface AgentEvent {
  at: number;
  type: string;
  [field: string]: unknown;
}

const lines = async (file: string) => (await readFile(file, 'utf8').catch(() => '')).split('\n').filter(Boolean);

/** "0A0A000B:1F90" → "10.10.0.11:8080". */
function endpoint(hex: string): string {
  const [address = '', port = ''] = hex.split(':');
  const bytes = address.match(/../g)?.map((b) => parseInt(b, 16)) ?? [];
  return `${bytes.join('.')}:${parseInt(port, 16)}`;
}

/** The tables ipvs_watch wrote ("MS TABLE" lines), in order. */
export async function readTables(file: string): Promise<TableAt[]> {
  return (await lines(file)).map((line) => {
    const [at = '', ...rest] = line.split(' ');
    const services = new Map<string, Map<string, number>>();
    let current = new Map<string, number>();
    for (const entry of rest.join(' ').split(';').filter(Boolean)) {
      // a service: "TCP CB00710A:0050"; a destination: "0A0A000B:1F90 Masq 3"
      const [first = '', second = '', third = ''] = entry.split(' ');
      if (/^(TCP|UDP|SCTP|FWM)$/.test(first))
        services.set(`${first} ${first === 'FWM' ? second : endpoint(second)}`, (current = new Map<string, number>()));
      else current.set(endpoint(first), Number(third));
    }
    return { at: Number(at), services };
  });
}

/** The table `ipvsadm-save -n` printed (IPv4), keyed as readTables keys the watch's tables ("FWM" marks in hex, as /proc prints them). */
export function savedTable(text: string): TableAt['services'] {
  const services = new Map<string, Map<string, number>>();
  for (const s of parseIpvsadmSave(text)) {
    const key =
      s.id.protocol === 'fwmark'
        ? `FWM ${s.id.mark.toString(16).toUpperCase().padStart(8, '0')}`
        : `${s.id.protocol.toUpperCase()} ${destinationKey(s.id)}`;
    services.set(key, new Map(s.destinations.map((d) => [destinationKey(d), d.weight])));
  }
  return services;
}

/** A table's services, one line each ("  TCP 203.0.113.10:80: 10.10.0.11:8080 w3, ..."), for failure messages. */
export function showTable(services: TableAt['services'] | undefined): string {
  if (services === undefined) return '  (none)';
  const lines = [...services].map(([key, d]) => `  ${key}: ${[...d].map(([dest, w]) => `${dest} w${w}`).join(', ') || 'no destination'}`);
  return lines.length === 0 ? '  (no service)' : lines.join('\n');
}

/** The client loop's requests, in order. */
export async function readRequests(file: string): Promise<Request[]> {
  return (await lines(file)).map((line) => {
    const [start = '', end = '', ok = '', answer = ''] = line.split(' ');
    return { start: Number(start), end: Number(end), ok: ok === '1', answer };
  });
}

/** The job's marks: what it did, when (the first of a name). */
export async function readMarks(file: string): Promise<Map<string, number>> {
  const marks = new Map<string, number>();
  for (const line of await lines(file)) {
    const [at = '', name = ''] = line.split(' ');
    if (!marks.has(name)) marks.set(name, Number(at));
  }
  return marks;
}

/** The agent's event log. */
export async function readEvents(file: string): Promise<AgentEvent[]> {
  return (await lines(file)).map((line) => {
    const e = JSON.parse(line) as AgentEvent & { at: string };
    return { ...e, at: Date.parse(e.at) };
  });
}

/** A destination's weight in a table (undefined: not in the service). */
export const weightIn = (t: TableAt | undefined, service: string, destination: string) => t?.services.get(service)?.get(destination);

/** The table in force at `at` (the last one seen at or before it). */
export function tableAt(tables: readonly TableAt[], at: number): TableAt | undefined {
  return tables.filter((t) => t.at <= at).at(-1);
}

/** The first table seen after `from` (and before `to`) for which `holds` is true. */
export function firstTable(tables: readonly TableAt[], from: number, holds: (t: TableAt) => boolean, to = Infinity): TableAt | undefined {
  return tables.find((t) => t.at > from && t.at < to && holds(t));
}

/** Requests started within [from, to). */
export const startedWithin = (requests: readonly Request[], from: number, to: number) =>
  requests.filter((r) => r.start >= from && r.start < to);
