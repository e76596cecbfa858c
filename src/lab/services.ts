// Web servers of a lab's real servers: busybox httpd in the host's namespace, answering GET with the host's name
// (and /cgi-bin/client with the name and the client address the server sees).
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { labDir } from './names.js';
import type { LabHost } from './plan.js';
import type { LabService } from './state.js';

/** How long httpd may take to listen: seconds when many processes start at once in a slow (emulated) VM. */
const START_TIMEOUT_MS = 30_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** The process's command line, or null when it is gone (a zombie's is empty). */
const alive = (pid: number) => readFile(`/proc/${pid}/cmdline`, 'utf8').then((c) => c || null, () => null);
/**
 * True while the process exists and is no zombie. Not its cmdline: that reads empty for a moment
 * in the middle of execve (ip netns exec → busybox), which a slow VM makes long enough to hit.
 */
const running = (pid: number) => readFile(`/proc/${pid}/stat`, 'utf8').then((stat) => !/^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2)), () => false);
const signal = (pid: number, sig: NodeJS.Signals) => {
  try {
    process.kill(pid, sig);
  } catch {
    // it ended on its own meanwhile
  }
};

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
  await writeFile(join(www, 'cgi-bin', 'client'), `#!/bin/sh\nprintf 'Content-Type: text/plain\\r\\n\\r\\n%s\\n%s\\n' '${host.name.replace(/'/g, `'\\''`)}' "$REMOTE_ADDR"\n`, { mode: 0o755 });
  // An opened file stream is handed to the child as its descriptor (no pipe), so this process can exit while httpd runs on.
  const out = createWriteStream(log, { flags: 'a' });
  await once(out, 'open');
  const child = execa('ip', ['netns', 'exec', host.namespace, 'busybox', 'httpd', '-f', '-p', `0.0.0.0:${port}`, '-h', www], {
    detached: true, stdin: 'ignore', stdout: out, stderr: out, reject: false,
  });
  child.unref();
  out.close();
  const pid = child.pid;
  if (pid === undefined) throw new Error(`cannot start busybox httpd for ${host.name}: ${(await child).message}`);
  for (let waited = 0; waited < START_TIMEOUT_MS; waited += 50) {
    if (await listening(pid, port)) return { host: host.name, port, pid };
    if (!(await running(pid))) break;
    await sleep(50);
  }
  await stopService(lab, { host: host.name, port, pid });
  throw new Error(`busybox httpd for ${host.name} on port ${port} did not start: ${(await readFile(log, 'utf8').catch(() => '')).trim() || 'no output'}`);
}

/** Stops a recorded web server, only if that PID is still this lab's httpd (PIDs are reused); true when it was running. */
export async function stopService(lab: string, service: LabService): Promise<boolean> {
  const cmdline = await alive(service.pid);
  if (cmdline === null || !cmdline.includes(`${labDir(lab)}/`)) return false;
  signal(service.pid, 'SIGTERM');
  for (let waited = 0; waited < 2000 && (await alive(service.pid)) !== null; waited += 50) await sleep(50);
  if ((await alive(service.pid)) !== null) signal(service.pid, 'SIGKILL');
  return true;
}
