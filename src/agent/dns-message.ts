// A minimal DNS message codec for health checks: one question out; rcode and answers (A, AAAA, TXT as text) in.
import { formatIp } from '../net/ip.js';

/** Record type numbers. */
export const DNS_TYPE_CODES: Record<string, number> = { A: 1, NS: 2, CNAME: 5, SOA: 6, PTR: 12, MX: 15, TXT: 16, AAAA: 28, SRV: 33 };

/** Response code names by number. */
const RCODES = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED'];

/** A query for `name` of `type`, with recursion desired, under transaction id `id`. */
export function dnsQuery(id: number, name: string, type: string): Buffer {
  const labels = name
    .replace(/\.$/, '')
    .split('.')
    .filter((l) => l.length > 0);
  const qname = Buffer.concat([...labels.map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l, 'ascii')])), Buffer.from([0])]);
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id, 0);
  header.writeUInt16BE(0x0100, 2);
  header.writeUInt16BE(1, 4);
  const tail = Buffer.alloc(4);
  tail.writeUInt16BE(DNS_TYPE_CODES[type] ?? 1, 0);
  tail.writeUInt16BE(1, 2);
  return Buffer.concat([header, qname, tail]);
}

/** What a response says: its id, rcode name and answers as text (addresses, TXT strings; other types as hex). */
export interface DnsAnswer {
  id: number;
  rcode: string;
  answers: string[];
}

/** Skips a (possibly compressed) name at `offset`; returns the offset after it. */
function skipName(msg: Buffer, offset: number): number {
  let at = offset;
  for (;;) {
    const len = msg.readUInt8(at);
    if (len === 0) return at + 1;
    if ((len & 0xc0) === 0xc0) return at + 2;
    at += len + 1;
  }
}

function rdataText(type: number, data: Buffer): string {
  if (type === 1 && data.length === 4) return [...data].join('.');
  if (type === 28 && data.length === 16) return formatIp({ family: 6, value: BigInt(`0x${data.toString('hex')}`) });
  if (type === 16) {
    const parts: string[] = [];
    for (let i = 0; i < data.length;) {
      const len = data.readUInt8(i);
      parts.push(data.subarray(i + 1, i + 1 + len).toString('utf8'));
      i += len + 1;
    }
    return parts.join('');
  }
  return data.toString('hex');
}

/** Parses a response; throws RangeError on a truncated message. */
export function parseDnsResponse(msg: Buffer): DnsAnswer {
  const id = msg.readUInt16BE(0);
  const flags = msg.readUInt16BE(2);
  const qd = msg.readUInt16BE(4);
  const an = msg.readUInt16BE(6);
  let at = 12;
  for (let i = 0; i < qd; i++) at = skipName(msg, at) + 4;
  const answers: string[] = [];
  for (let i = 0; i < an; i++) {
    at = skipName(msg, at);
    const type = msg.readUInt16BE(at);
    const len = msg.readUInt16BE(at + 8);
    const data = msg.subarray(at + 10, at + 10 + len);
    if (data.length !== len) throw new RangeError('truncated answer');
    answers.push(rdataText(type, data));
    at += 10 + len;
  }
  return { id, rcode: RCODES[flags & 0xf] ?? `RCODE${flags & 0xf}`, answers };
}
