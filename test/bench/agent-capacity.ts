// `npm run bench:agent`: the agent's health engine with its real checkers, 10,000 TCP checks at a 1 s interval
// against local listeners (127.0.X.Y on 100 ports, one listener process), for 20 s, at the daemon's concurrency: CPU
// (cores) and RSS of this process (which also builds the state file each second, as the daemon does), then one port
// closes and every health change is timed to its kernel edit (p50/p99).
// Targets (issue 12): < 1 core, < 200 MB, edit p99 < 50 ms. Exits 1 when one is missed.
import { execa } from 'execa';
import { AGENT_SCHEDULE } from '../../src/agent/daemon.js';
import { probeRunner } from '../../src/agent/probes.js';
import { agentView } from '../../src/agent/view.js';
import { emptySaved, HealthEngine, type Edit, type KernelWeights } from '../../src/health/engine.js';
import type { Watch, WatchedPool, WatchedProbe } from '../../src/health/watch.js';
import { localRunner } from '../../src/host/adapters/exec.js';
import type { HealthCheck } from '../../src/topology/types.js';

const PORTS = 100;
const ADDRESSES = 100;
const BASE_PORT = 42000;
const WINDOW_MS = 20_000;

const LISTENER = `
const net = require('node:net');
const servers = [];
for (let p = ${BASE_PORT}; p < ${BASE_PORT + PORTS}; p++) servers.push(net.createServer((s) => s.destroy()).listen(p, '0.0.0.0', 4096));
process.stdin.on('data', () => { servers[0].close(); console.log('closed'); });
console.log('ready');
`;

const percentile = (v: number[], p: number) =>
  [...v].sort((a, b) => a - b)[Math.min(v.length - 1, Math.ceil((p / 100) * v.length) - 1)] ?? NaN;

async function main(): Promise<number> {
  const listener = execa(process.execPath, ['-e', LISTENER], { stdin: 'pipe', buffer: false, reject: false });
  await new Promise<void>((resolve) => listener.stdout.once('data', () => resolve()));
  const probes = new Map<string, WatchedProbe>();
  const pools: WatchedPool[] = [];
  for (let port = 0; port < PORTS; port++) {
    const pool: WatchedPool = {
      service: `s${port}`,
      key: `tcp 10.0.0.1:${port + 1}`,
      id: { protocol: 'tcp', address: '10.0.0.1', port: port + 1 },
      policy: { onFailure: 'weight0', quorum: 0, hysteresis: 0, failOpenPercent: 100 },
      members: [],
    };
    for (let a = 0; a < ADDRESSES; a++) {
      const address = `127.0.${1 + a}.${1 + (port % 250)}`;
      const check: HealthCheck = {
        kind: 'tcp',
        intervalMs: 1000,
        timeoutMs: 800,
        rise: 2,
        fall: 2,
        port: BASE_PORT + port,
        address,
        addressSet: false,
        viaVip: false,
        path: [],
      };
      const key = `${address}:${BASE_PORT + port}`;
      probes.set(key, { key, intervalMs: 1000, timeoutMs: 800, check, server: address });
      pool.members.push({ key, destination: { address, port: port + 1, forward: 'masq', weight: 1, upper: 0, lower: 0 }, probe: key });
    }
    pools.push(pool);
  }
  const watch: Watch = { probes, pools, anycast: [] };
  const kernel: KernelWeights = new Map(pools.map((p) => [p.key, new Map(p.members.map((m) => [m.key, 1]))]));
  const changedAt = new Map<string, number>();
  const latencies: number[] = [];
  const engine = new HealthEngine(
    {
      clock: {
        now: () => performance.now(),
        after: (ms, fn) => {
          const t = setTimeout(fn, ms);
          return () => clearTimeout(t);
        },
      },
      probe: probeRunner(localRunner),
      apply: async (edits: readonly Edit[]) => {
        const now = performance.now();
        for (const e of edits) if (e.kind === 'weight') latencies.push(now - (changedAt.get(`${e.destination.address}`) ?? now));
      },
      otherAnnouncers: async () => 1,
      event: (e) => {
        if (e.type === 'health') changedAt.set(String(e.target).split(' ')[1]!.split(':')[0]!, performance.now());
      },
    },
    emptySaved(),
    kernel,
    AGENT_SCHEDULE,
  );
  engine.load(watch);
  await new Promise((r) => setTimeout(r, 3000));
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let rss = 0;
  const sampler = setInterval(() => (rss = Math.max(rss, process.memoryUsage().rss)), 500);
  // What the daemon writes to its state file each second (the write itself left out).
  let stateBytes = 0;
  const saver = setInterval(() => {
    stateBytes = JSON.stringify({ saved: engine.snapshot(), view: agentView('director', engine, Date.now()) }).length;
  }, 1000);
  await new Promise((r) => setTimeout(r, WINDOW_MS));
  const cpu = process.cpuUsage(cpu0);
  const cores = (cpu.user + cpu.system) / 1000 / (performance.now() - t0);
  let probesRun = 0;
  let probesFailed = 0;
  for (const key of probes.keys()) {
    probesRun += (engine.target(key)?.passed ?? 0) + (engine.target(key)?.failed ?? 0);
    probesFailed += engine.target(key)?.failed ?? 0;
  }
  listener.stdin.write('close\n');
  // Every check of the closed port goes down (fall 2): wait for all their edits, at most 15 s on a loaded machine.
  for (let waited = 0; latencies.length < ADDRESSES && waited < 15_000; waited += 100) await new Promise((r) => setTimeout(r, 100));
  clearInterval(sampler);
  clearInterval(saver);
  await engine.stop();
  listener.kill();
  const rssMb = rss / 2 ** 20;
  const p99 = percentile(latencies, 99);
  console.log(
    `agent capacity: ${probes.size} TCP checks at 1 s, ${probesRun} probes in ${((WINDOW_MS + 3000) / 1000).toFixed(0)} s (${probesFailed} failed)`,
  );
  console.log(
    `  CPU ${cores.toFixed(2)} core(s) (target < 1), peak RSS ${rssMb.toFixed(0)} MB (target < 200), state file ${(stateBytes / 2 ** 20).toFixed(1)} MB/s`,
  );
  console.log(
    `  health change → kernel edit: ${latencies.length} edits, p50 ${percentile(latencies, 50).toFixed(2)} ms, p99 ${p99.toFixed(2)} ms (target < 50)`,
  );
  return cores < 1 && rssMb < 200 && p99 < 50 && latencies.length === ADDRESSES ? 0 : 1;
}

process.exitCode = await main();
