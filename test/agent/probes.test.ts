import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dnsQuery, parseDnsResponse } from '../../src/agent/dns-message.js';
import { probeRunner } from '../../src/agent/probes.js';
import type { WatchedProbe } from '../../src/health/watch.js';
import { localRunner } from '../../src/host/adapters/exec.js';
import type { HealthCheck } from '../../src/topology/types.js';

const run = probeRunner(localRunner);
const base = { intervalMs: 500, timeoutMs: 400, rise: 2, fall: 2, address: '127.0.0.1', viaVip: false, path: [] } as const;
const probe = (
  check: Partial<HealthCheck> & Pick<HealthCheck, 'kind' | 'port'>,
  via?: WatchedProbe['via'],
): Promise<{ passed: boolean; detail: string }> =>
  run(
    {
      key: 'k',
      intervalMs: 500,
      timeoutMs: 400,
      server: '127.0.0.1',
      check: { ...base, ...check },
      ...(via ? { via } : {}),
    } as WatchedProbe,
    AbortSignal.timeout(400),
  );

let tcpPort = 0;
let httpPort = 0;
let httpsPort = 0;
let dnsPort = 0;
const closers: (() => void)[] = [];
/** The remote end (address:port) of every connection or datagram the listeners saw, newest last. */
const peers: string[] = [];

/** A DNS responder answering whoami.lab.test TXT with "dns1" and everything else NXDOMAIN. */
function dnsReply(query: Buffer): Buffer {
  const name = 'whoami.lab.test';
  const asked = query.subarray(12, query.length - 4);
  const expected = dnsQuery(0, name, 'TXT').subarray(12, -4);
  const known = asked.equals(expected);
  const header = Buffer.from(query.subarray(0, 12));
  header.writeUInt16BE(known ? 0x8180 : 0x8183, 2);
  header.writeUInt16BE(known ? 1 : 0, 6);
  const question = query.subarray(12);
  if (!known) return Buffer.concat([header, question]);
  const txt = Buffer.from('dns1');
  const answer = Buffer.concat([Buffer.from([0xc0, 12, 0, 16, 0, 1, 0, 0, 0, 60, 0, txt.length + 1, txt.length]), txt]);
  return Buffer.concat([header, question, answer]);
}

beforeAll(async () => {
  const tcp = createServer((s) => {
    peers.push(`${s.remoteAddress}:${s.remotePort}`);
    s.on('error', () => {}).end();
  }).listen(0, '127.0.0.1');
  await new Promise((r) => tcp.once('listening', r));
  tcpPort = (tcp.address() as AddressInfo).port;
  const answer = (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => {
    peers.push(`${req.socket.remoteAddress}:${req.socket.remotePort}`);
    res.statusCode = req.url === '/healthz' ? 200 : 503;
    res.end('all good\n');
  };
  const http = createHttpServer(answer).listen(0, '127.0.0.1');
  await new Promise((r) => http.once('listening', r));
  httpPort = (http.address() as AddressInfo).port;
  const tls = join(import.meta.dirname, '../fixtures/tls');
  const https = createHttpsServer(
    { key: readFileSync(join(tls, 'localhost.key')), cert: readFileSync(join(tls, 'localhost.crt')) },
    answer,
  ).listen(0, '127.0.0.1');
  await new Promise((r) => https.once('listening', r));
  httpsPort = (https.address() as AddressInfo).port;
  const dns = createSocket('udp4');
  dns.on('message', (msg, rinfo) => {
    peers.push(`${rinfo.address}:${rinfo.port}`);
    dns.send(dnsReply(msg), rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => dns.bind(0, '127.0.0.1', r));
  dnsPort = dns.address().port;
  closers.push(
    () => tcp.close(),
    () => http.close(),
    () => https.close(),
    () => dns.close(),
  );
});
afterAll(() => closers.forEach((c) => c()));

describe('checkers', () => {
  it('tcp: connects to a listener, fails on a closed port', async () => {
    expect(await probe({ kind: 'tcp', port: tcpPort })).toEqual({ passed: true, detail: 'connected' });
    expect(await probe({ kind: 'tcp', port: 1 })).toEqual({ passed: false, detail: 'ECONNREFUSED' });
  });

  it('http: status set, body regex and digest', async () => {
    const http = (h: Partial<NonNullable<HealthCheck['http']>>) =>
      probe({ kind: 'http', port: httpPort, http: { method: 'GET', path: '/healthz', status: [200], verify: false, ...h } });
    expect(await http({})).toEqual({ passed: true, detail: 'HTTP 200' });
    expect(await http({ path: '/other' })).toEqual({ passed: false, detail: 'HTTP 503' });
    expect(await http({ path: '/other', status: [200, 503] })).toMatchObject({ passed: true });
    expect(await http({ body: 'all g[o]+d' })).toMatchObject({ passed: true });
    expect(await http({ body: 'broken' })).toMatchObject({ passed: false });
    const digest = (await import('node:crypto')).createHash('sha256').update('all good\n').digest('hex');
    expect(await http({ digest })).toMatchObject({ passed: true });
    expect(await http({ digest: '0'.repeat(64) })).toMatchObject({ passed: false });
  });

  it('https: a self-signed server passes without verify, fails with it', async () => {
    const https = (verify: boolean) =>
      probe({ kind: 'https', port: httpsPort, http: { method: 'GET', path: '/healthz', status: [200], verify } });
    expect(await https(false)).toEqual({ passed: true, detail: 'HTTP 200' });
    expect(await https(true)).toEqual({ passed: false, detail: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
  });

  it('dns: rcode and answer; a silent port times out', async () => {
    const dns = (d: Partial<NonNullable<HealthCheck['dns']>>, port = dnsPort) =>
      probe({ kind: 'dns', port, dns: { name: 'whoami.lab.test', type: 'TXT', rcode: 'NOERROR', ...d } });
    expect(await dns({ answer: 'dns1' })).toEqual({ passed: true, detail: 'NOERROR dns1' });
    expect(await dns({ answer: 'dns2' })).toMatchObject({ passed: false, detail: 'answer dns1' });
    expect(await dns({ name: 'nope.lab.test' })).toEqual({ passed: false, detail: 'rcode NXDOMAIN' });
    expect(await dns({ name: 'nope.lab.test', rcode: 'NXDOMAIN' })).toMatchObject({ passed: true });
    expect(await dns({}, tcpPort)).toMatchObject({ passed: false });
  });

  it('dns codec: reads A and AAAA answers', () => {
    const q = dnsQuery(7, 'a.test', 'A');
    const header = Buffer.from(q.subarray(0, 12));
    header.writeUInt16BE(0x8180, 2);
    header.writeUInt16BE(2, 6);
    const a = Buffer.from([0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 6, 6, 6, 6]);
    const aaaa = Buffer.concat([
      Buffer.from([0xc0, 12, 0, 28, 0, 1, 0, 0, 0, 60, 0, 16]),
      Buffer.from('20010db8000000000000000000000001', 'hex'),
    ]);
    expect(parseDnsResponse(Buffer.concat([header, q.subarray(12), a, aaaa]))).toEqual({
      id: 7,
      rcode: 'NOERROR',
      answers: ['6.6.6.6', '2001:db8::1'],
    });
  });

  it('exec: exit 0 passes, anything else fails, a hang is cut at the timeout', async () => {
    expect(await probe({ kind: 'exec', port: 0, exec: { command: ['true'] } })).toEqual({ passed: true, detail: 'exit 0' });
    expect(await probe({ kind: 'exec', port: 0, exec: { command: ['false'] } })).toMatchObject({ passed: false, detail: 'exit 1' });
    expect(await probe({ kind: 'exec', port: 0, timeoutMs: 200, exec: { command: ['sleep', '5'] } })).toMatchObject({
      passed: false,
      detail: 'timed out',
    });
  });
});

/** A port nothing on 127.0.0.1 uses now (for a probe to bind, as the VIP path's probes bind theirs). */
async function freePort(): Promise<number> {
  const s = createServer().listen(0, '127.0.0.1');
  await new Promise((r) => s.once('listening', r));
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

/** TCP sockets of 127.0.0.1:port in TIME_WAIT (state 06 of /proc/net/tcp). */
function timeWaits(port: number): number {
  const local = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  return readFileSync('/proc/net/tcp', 'utf8')
    .split('\n')
    .filter((l) => l.trim().split(/\s+/)[1] === local && l.trim().split(/\s+/)[3] === '06').length;
}

describe('probes through the VIP path: from the bound source the nft rule marks', () => {
  const http = { method: 'GET', path: '/healthz', status: [200], verify: false };
  const checks: [string, Partial<HealthCheck> & Pick<HealthCheck, 'kind' | 'port'>][] = [
    ['tcp', { kind: 'tcp', port: 1 }],
    ['http', { kind: 'http', port: 1, http }],
    ['https', { kind: 'https', port: 1, http }],
    ['dns', { kind: 'dns', port: 1, dns: { name: 'whoami.lab.test', type: 'TXT', rcode: 'NOERROR' } }],
  ];
  const portOf = { tcp: () => tcpPort, http: () => httpPort, https: () => httpsPort, dns: () => dnsPort } as Record<string, () => number>;

  it.each(checks)(
    '%s: connects to the target (not check.address) from the local address and port, again and again, leaving no TIME_WAIT',
    async (kind, check) => {
      const local = { address: '127.0.0.1', port: await freePort() };
      // check.address is somewhere else: the probe must go where `via` says.
      const via = { address: '127.0.0.1', port: portOf[kind]!(), local };
      for (let i = 0; i < 3; i++) {
        expect(await probe({ ...check, address: '192.0.2.1' }, via)).toMatchObject({ passed: true });
        expect(peers.at(-1)).toBe(`127.0.0.1:${local.port}`);
      }
      if (kind !== 'dns') expect(timeWaits(local.port)).toBe(0);
    },
  );

  it('without a bound source the kernel picks the port, as before', async () => {
    expect(await probe({ kind: 'tcp', port: tcpPort })).toEqual({ passed: true, detail: 'connected' });
    expect(peers.at(-1)).toMatch(/^127\.0\.0\.1:\d+$/);
  });
});
