// `lbctl agent`: reads the topology, the kernel and its last state file before changing anything, then runs the
// health engine; edits go through the Host port; SIGHUP or a change of the file reloads without losing health.
import { appendFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { startAnnouncement } from '../health/anycast.js';
import { emptySaved, HealthEngine, type HealthEvent } from '../health/engine.js';
import type { ScheduleOptions } from '../health/schedule.js';
import { watchFor } from '../health/watch.js';
import type { Host } from '../host/port.js';
import type { Topology } from '../topology/types.js';
import { watchFileChanges } from './file-watch.js';
import { readConnections, sightingsByProbe } from './in-band.js';
import { KernelEditor, loopbackAddresses, otherAnnouncers, readKernelWeights } from './kernel.js';
import { metricsText } from './metrics.js';
import { probeRunner } from './probes.js';
import { parseState, type StateFile } from './state-file.js';
import { agentView } from './view.js';

/** How the agent spreads its probes: at most 64 at once, intervals jittered by 5 %. */
export const AGENT_SCHEDULE: ScheduleOptions = { concurrency: 64, jitter: 0.05, random: Math.random };

/** How the agent runs. */
export interface AgentOptions {
  file: string;
  host: string;
  stateFile: string;
  /** JSON lines of events are appended here (absent: to stdout). */
  events?: string;
  /** host:port of the Prometheus endpoint. */
  metrics?: string;
  /** The vtysh argv (a lab enters its FRR instance first). */
  vtysh: string[];
  /** Reads and validates the topology (throws on an invalid one: a reload keeps the running one). */
  load: () => Promise<Topology>;
  /** Called once the first state is written (systemd readiness). */
  ready: () => Promise<void>;
}

/** Runs the agent until SIGTERM/SIGINT; resolves with the exit code. */
export async function runAgent(host: Host, options: AgentOptions): Promise<number> {
  let topology = await options.load();
  const previous = parseState((await host.read(options.stateFile))?.content);
  const kernel = await readKernelWeights(host);
  const saved = previous?.saved ?? emptySaved();
  // An anycast group is announced exactly when its prefix is on lo now: the kernel is the truth, and a state file
  // written just before a crash may be one edit behind it (the edit is made first, then recorded).
  const lo = await loopbackAddresses(host);
  for (const g of watchFor(topology, options.host).anycast) {
    const had = saved.anycast[g.group];
    const onLo = lo.has(g.prefix);
    // Recorded as announced but off lo: the withdrawal was the edit not yet recorded, made just now, so the
    // hold-down runs from here before the prefix is announced again (a stale "up" would re-announce at once).
    const withdrawnUnrecorded = had?.announced === true && !onLo;
    saved.anycast[g.group] = had
      ? { ...had, announced: onLo, ...(withdrawnUnrecorded ? { since: Date.now(), returned: false } : {}) }
      : startAnnouncement(g, Date.now(), onLo);
  }
  const routerId = () => topology.hosts.get(options.host)?.routing?.routerId ?? '';
  // Event lines are appended one after another, so the file keeps their order and a failed append is reported.
  let appending = Promise.resolve();
  const log = (e: HealthEvent) => {
    const line = `${JSON.stringify({ ...e, at: new Date(e.at).toISOString() })}\n`;
    const file = options.events;
    if (file === undefined) process.stdout.write(line);
    else
      appending = appending
        .then(() => appendFile(file, line))
        .catch((err: Error) => {
          process.stderr.write(`lbctl agent: cannot append to ${file}: ${err.message}\n`);
        });
  };
  const clock = {
    now: () => Date.now(),
    after: (ms: number, fn: () => void) => {
      const t = setTimeout(fn, ms);
      return () => clearTimeout(t);
    },
  };
  let writing = Promise.resolve();
  let dirty = false;
  const editor = new KernelEditor(host);
  editor.start();
  const engine: HealthEngine = new HealthEngine(
    {
      clock,
      probe: probeRunner(host),
      apply: (edits) => editor.apply(edits),
      otherAnnouncers: (prefix) => otherAnnouncers(host, options.vtysh, prefix, routerId()),
      event: (e) => {
        log(e);
        if (e.type !== 'reload') save();
      },
    },
    saved,
    kernel,
    AGENT_SCHEDULE,
  );
  // State is written after the edits it records, at most one write in flight (a burst of events makes one write).
  function save(): void {
    if (dirty) return;
    dirty = true;
    writing = writing.then(async () => {
      await engine.settled();
      dirty = false;
      const state: StateFile = { saved: engine.snapshot(), view: agentView(options.host, engine, Date.now()) };
      await host.write({ path: options.stateFile, content: `${JSON.stringify(state)}\n`, mode: 0o644 }, { backup: false });
    });
  }
  engine.load(watchFor(topology, options.host));
  save();
  const periodic = setInterval(save, 1000);
  // In-band counting: the connection table is read every 500 ms while some check has an in-band rule.
  let reading = false;
  const inBand = setInterval(() => {
    const watch = engine.watching();
    if (reading || ![...watch.probes.values()].some((p) => p.check.inBand)) return;
    reading = true;
    void readConnections(host)
      .then((conns) => engine.observeConnections(sightingsByProbe(watch, conns)))
      .catch((err: unknown) => log({ at: Date.now(), type: 'read-failed', error: `in-band: ${(err as Error).message}` }))
      .finally(() => (reading = false));
  }, 500);
  await writing;
  let server: Server | undefined;
  if (options.metrics) {
    const [address, port] = splitHostPort(options.metrics);
    server = createServer((req, res) => {
      res.setHeader('content-type', 'text/plain; version=0.0.4');
      res.end(metricsText(agentView(options.host, engine, Date.now())));
    }).listen(port, address);
  }
  const reload = async () => {
    try {
      topology = await options.load();
      engine.load(watchFor(topology, options.host));
    } catch (err) {
      log({ at: Date.now(), type: 'reload', error: (err as Error).message });
    }
  };
  const stopWatching = watchFileChanges(options.file, () => void reload());
  process.on('SIGHUP', () => void reload());
  await options.ready();
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  stopWatching();
  clearInterval(periodic);
  clearInterval(inBand);
  server?.close();
  await engine.stop();
  await editor.close();
  save();
  await writing;
  return 0;
}

/** "127.0.0.1:9469" → address and port. */
function splitHostPort(text: string): [string, number] {
  const at = text.lastIndexOf(':');
  const port = Number(text.slice(at + 1));
  if (at < 0 || !Number.isInteger(port) || port < 1 || port > 65535)
    throw new Error(`--metrics ${text}: write ADDRESS:PORT, e.g. 127.0.0.1:9469`);
  return [text.slice(0, at).replace(/^\[|\]$/g, ''), port];
}
