// HTTP(S) probe: a request whose status is in the accepted set and whose body matches the regex or digest.
import { createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { ProbeOutcome } from '../health/schedule.js';
import type { HealthCheck } from '../topology/types.js';

/** Largest body read for a body or digest check. */
const MAX_BODY = 1 << 20;

/** Fetches check.http's path from address:port and judges the answer. */
export function probeHttp(check: HealthCheck, address: string, port: number, signal: AbortSignal): Promise<ProbeOutcome> {
  const http = check.http!;
  const tls = check.kind === 'https';
  const needBody = http.body !== undefined || http.digest !== undefined;
  return new Promise((resolve) => {
    const options = {
      host: address,
      port,
      method: http.method,
      path: http.path,
      signal,
      agent: false,
      headers: { 'user-agent': 'lbctl-agent', ...(http.host ? { host: http.host } : {}) },
      ...(tls ? { rejectUnauthorized: http.verify, servername: http.sni ?? http.host?.split(':')[0] ?? '' } : {}),
    };
    const req = (tls ? httpsRequest : httpRequest)(options, (res) => {
      const status = res.statusCode ?? 0;
      if (!http.status.includes(status)) {
        res.destroy();
        resolve({ passed: false, detail: `HTTP ${status}` });
        return;
      }
      if (!needBody) {
        res.destroy();
        resolve({ passed: true, detail: `HTTP ${status}` });
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size <= MAX_BODY) chunks.push(c);
      });
      res.once('error', (err) => resolve({ passed: false, detail: err.message }));
      res.once('end', () => {
        const body = Buffer.concat(chunks);
        if (http.digest !== undefined) {
          const digest = createHash('sha256').update(body).digest('hex');
          resolve(
            digest === http.digest
              ? { passed: true, detail: `HTTP ${status}, digest matches` }
              : { passed: false, detail: `HTTP ${status}, body digest ${digest.slice(0, 12)}…` },
          );
        } else {
          const ok = new RegExp(http.body!).test(body.toString('utf8'));
          resolve({ passed: ok, detail: `HTTP ${status}, body ${ok ? 'matches' : 'does not match'}` });
        }
      });
    });
    req.once('error', (err: NodeJS.ErrnoException) => resolve({ passed: false, detail: err.code ?? err.message }));
    req.end();
  });
}
