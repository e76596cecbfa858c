// HTTP(S) probe: a request whose status is in the accepted set and whose body matches the regex or digest.
import { createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect as tlsConnect } from 'node:tls';
import type { ProbeOutcome } from '../health/schedule.js';
import type { ProbeTarget } from '../health/watch.js';
import type { HealthCheck } from '../topology/types.js';
import { connectTo, endConnection } from './probe-tcp.js';

/** Largest body read for a body or digest check. */
const MAX_BODY = 1 << 20;

/**
 * Fetches check.http's path from the target and judges the answer. The request runs on a TCP connection of the
 * probe's own (TLS over it for https), ended as every probe's is (endConnection) once the answer is judged.
 */
export function probeHttp(check: HealthCheck, to: ProbeTarget, signal: AbortSignal): Promise<ProbeOutcome> {
  const http = check.http!;
  const tls = check.kind === 'https';
  const needBody = http.body !== undefined || http.digest !== undefined;
  return new Promise((resolve) => {
    const raw = connectTo(to);
    const tlsOptions = { rejectUnauthorized: http.verify, servername: http.sni ?? http.host?.split(':')[0] ?? '' };
    const options = {
      host: to.address,
      port: to.port,
      method: http.method,
      path: http.path,
      signal,
      createConnection: () => (tls ? tlsConnect({ socket: raw, ...tlsOptions }) : raw),
      headers: { 'user-agent': 'lbctl-agent', ...(http.host ? { host: http.host } : {}) },
    };
    const settle = (outcome: ProbeOutcome) => {
      endConnection(raw, to);
      resolve(outcome);
    };
    const req = (tls ? httpsRequest : httpRequest)(options, (res) => {
      const status = res.statusCode ?? 0;
      if (!http.status.includes(status)) return settle({ passed: false, detail: `HTTP ${status}` });
      if (!needBody) return settle({ passed: true, detail: `HTTP ${status}` });
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size <= MAX_BODY) chunks.push(c);
      });
      res.once('error', (err) => settle({ passed: false, detail: err.message }));
      res.once('end', () => {
        const body = Buffer.concat(chunks);
        if (http.digest !== undefined) {
          const digest = createHash('sha256').update(body).digest('hex');
          settle(
            digest === http.digest
              ? { passed: true, detail: `HTTP ${status}, digest matches` }
              : { passed: false, detail: `HTTP ${status}, body digest ${digest.slice(0, 12)}…` },
          );
        } else {
          const ok = new RegExp(http.body!).test(body.toString('utf8'));
          settle({ passed: ok, detail: `HTTP ${status}, body ${ok ? 'matches' : 'does not match'}` });
        }
      });
    });
    req.once('error', (err: NodeJS.ErrnoException) => settle({ passed: false, detail: err.code ?? err.message }));
    req.end();
  });
}
