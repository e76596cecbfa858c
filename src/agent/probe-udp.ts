// UDP probes: a datagram out, the first reply judged (a dns question, or the check's send/expect bytes).
import { createSocket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import type { ProbeOutcome } from '../health/schedule.js';
import type { ProbeTarget } from '../health/watch.js';
import type { HealthCheck } from '../topology/types.js';
import { dnsQuery, parseDnsResponse } from './dns-message.js';

/** Sends `payload` to the target (from its local address and port, when it has them) and judges the first reply. */
function exchange(to: ProbeTarget, payload: Buffer, signal: AbortSignal, judge: (reply: Buffer) => ProbeOutcome): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    const socket = createSocket({ type: isIPv6(to.address) ? 'udp6' : 'udp4', reuseAddr: true, signal });
    const done = (o: ProbeOutcome) => {
      socket.removeAllListeners();
      socket.on('error', () => {});
      if (!signal.aborted) socket.close();
      resolve(o);
    };
    // An abort closes the socket without an error: no reply came in time.
    socket.once('close', () => done({ passed: false, detail: 'no reply' }));
    socket.once('error', (err: NodeJS.ErrnoException) => done({ passed: false, detail: err.code ?? err.message }));
    socket.once('message', (reply) => done(judge(reply)));
    // A connected socket hears the ICMP port unreachable of a stopped server: ECONNREFUSED at once, no timeout.
    const send = () => socket.connect(to.port, to.address, () => socket.send(payload));
    if (to.local) socket.bind(to.local.port, to.local.address, send);
    else send();
  });
}

/** Asks check.dns's question and compares rcode (and answer, when set). */
export function probeDns(check: HealthCheck, to: ProbeTarget, signal: AbortSignal): Promise<ProbeOutcome> {
  const dns = check.dns!;
  const id = Math.floor(Math.random() * 0x10000);
  return exchange(to, dnsQuery(id, dns.name, dns.type), signal, (reply) => {
    try {
      const r = parseDnsResponse(reply);
      if (r.id !== id) return { passed: false, detail: 'reply to another query' };
      if (r.rcode !== dns.rcode) return { passed: false, detail: `rcode ${r.rcode}` };
      if (dns.answer !== undefined && !r.answers.includes(dns.answer))
        return { passed: false, detail: `answer ${r.answers.join(',') || '(none)'}` };
      return { passed: true, detail: `${r.rcode} ${r.answers.join(',')}`.trim() };
    } catch {
      return { passed: false, detail: 'malformed reply' };
    }
  });
}

/** Sends check.udp's bytes; passes on any reply, or on one containing `expect`. */
export function probeUdp(check: HealthCheck, to: ProbeTarget, signal: AbortSignal): Promise<ProbeOutcome> {
  const { send, expect } = check.udp!;
  return exchange(to, Buffer.from(send, 'latin1'), signal, (reply) =>
    expect === undefined || reply.toString('latin1').includes(expect)
      ? { passed: true, detail: `${reply.length} bytes` }
      : { passed: false, detail: 'reply without the expected bytes' },
  );
}
