// Web servers of a lab's real servers: busybox httpd in the host's namespace, answering GET with the host's name
// (and /cgi-bin/client with the name and the client address the server sees).
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { quoteWord } from '../drivers/sh/quote.js';
import { logTail, spawnDetached, stopVerified, waitReady } from './daemon.js';
import { labDir } from './names.js';
import type { LabHost } from './plan.js';
import type { LabService } from './state.js';

/** How long httpd may take to listen: seconds when many processes start at once in a slow (emulated) VM. */
const START_TIMEOUT_MS = 30_000;

/** True when the process's network namespace has a TCP socket listening on `port`. */
async function listening(pid: number, port: number): Promise<boolean> {
  const tcp = await readFile(`/proc/${pid}/net/tcp`, 'utf8').catch(() => '');
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  return tcp.split('\n').some((l) => l.includes(`:${hex} 00000000:0000 0A`));
}

/** Starts one detached httpd for `host` on 0.0.0.0:port and waits until it listens; the lab dir keeps its www dir and log. */
export async function startHttpd(lab: string, host: LabHost, port: number): Promise<LabService> {
  const dir = join(labDir(lab), host.name);
  const www = join(dir, 'www');
  const log = join(dir, `httpd-${port}.log`);
  await mkdir(www, { recursive: true });
  await writeFile(join(www, 'index.html'), `${host.name}\n`);
  // /cgi-bin/client: the host's name, then the client address this server sees (DR/TUN/NAT: the client's; FullNAT: the director's)
  await mkdir(join(www, 'cgi-bin'), { recursive: true });
  await writeFile(
    join(www, 'cgi-bin', 'client'),
    `#!/bin/sh\nprintf 'Content-Type: text/plain\\r\\n\\r\\n%s\\n%s\\n' ${quoteWord(host.name)} "$REMOTE_ADDR"\n`,
    { mode: 0o755 },
  );
  const pid = await spawnDetached(
    ['ip', 'netns', 'exec', host.namespace, 'busybox', 'httpd', '-f', '-p', `0.0.0.0:${port}`, '-h', www],
    log,
  );
  const service = { host: host.name, port, pid };
  if (await waitReady(pid, () => listening(pid, port), START_TIMEOUT_MS)) return service;
  await stopService(lab, service);
  throw new Error(`busybox httpd for ${host.name} on port ${port} did not start:\n${await logTail(log)}`);
}

/** Stops a recorded web server, only if that PID is still this lab's httpd (PIDs are reused); true when it was running. */
export function stopService(lab: string, service: LabService): Promise<boolean> {
  return stopVerified(service.pid, `${labDir(lab)}/`, 'SIGTERM');
}
