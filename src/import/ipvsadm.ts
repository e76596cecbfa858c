// `ipvsadm-save` output (with or without -n), or an ipvsadm-restore file, → the IPVS services it sets up.
import { canonicalIp } from '../net/ip.js';
import { parseIpvsadmSaveDetailed } from '../drivers/ipvs/parse-save.js';
import { ParseError } from '../drivers/parse-error.js';
import type { ImportResult } from './report.js';
import { lookupService, type ServicesTable } from './services-file.js';
import { SourceError } from './source-error.js';

/** Options whose value is ADDRESS:PORT, and the protocol their service names are looked up under. */
const ENDPOINT_OPTIONS = new Map([
  ['-t', 'tcp'],
  ['--tcp-service', 'tcp'],
  ['-u', 'udp'],
  ['--udp-service', 'udp'],
  ['--sctp-service', 'sctp'],
]);
const REAL_SERVER = new Set(['-r', '--real-server']);

/** ADDRESS:PORT with a service name for the port resolved to its number; host names are refused (nothing is resolved over the network). */
function numericEndpoint(value: string, protocol: string, services: ServicesTable, fail: (reason: string) => never): string {
  const m = /^(\[[^\]]*\]|[^:]*):([^:]+)$/.exec(value);
  if (m === null) return value;
  const [, host = '', port = ''] = m;
  if (canonicalIp(host.replace(/^\[|\]$/g, '')) === null) {
    fail(`"${host}" is a host name: lbctl does not resolve host names here; dump the table with \`ipvsadm-save -n\` (numeric addresses)`);
  }
  if (/^\d+$/.test(port)) return value;
  const number = lookupService(services, port, protocol);
  if (number === undefined) fail(`service name "${port}" is not in the services table (/etc/services): write its port number`);
  return `${host}:${number}`;
}

/**
 * One line made numeric, as `ipvsadm -R` reads it: everything from a "#" on is a comment, and a
 * leading "ipvsadm" is skipped (ipvsadm's config_stream_read); service names become port numbers.
 */
function numericLine(line: string, services: ServicesTable, fail: (reason: string) => never): string {
  const words = line
    .replace(/(^|\s)#.*$/, '')
    .trim()
    .split(/\s+/)
    .filter((w) => w !== '');
  if (words[0] === 'ipvsadm') words.shift();
  let protocol = 'tcp';
  for (let i = 0; i + 1 < words.length; i++) {
    const option = words[i] ?? '';
    const named = ENDPOINT_OPTIONS.get(option);
    if (named !== undefined) protocol = named;
    if (named !== undefined || REAL_SERVER.has(option)) words[i + 1] = numericEndpoint(words[i + 1] ?? '', protocol, services, fail);
  }
  return words.join(' ');
}

/** Reads an ipvsadm-save dump into services; throws SourceError (file:line) on a line ipvsadm-restore would refuse. */
export function importIpvsadm(file: string, text: string, services: ServicesTable): ImportResult {
  const lines = text.split('\n').map((line, i) =>
    numericLine(line, services, (reason) => {
      throw new SourceError({ file, line: i + 1 }, reason);
    }),
  );
  try {
    const parsed = parseIpvsadmSaveDetailed(lines.join('\n'));
    return {
      services: parsed.services.map((service) => ({ service })),
      notes: parsed.unmodelled.map((u) => ({ kind: 'not-imported', message: `${file} ${u}` })),
    };
  } catch (err) {
    if (err instanceof ParseError && err.line !== null) throw new SourceError({ file, line: err.line }, err.reason);
    throw err;
  }
}
