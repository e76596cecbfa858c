// `npm run bench`: validate + plan of a 10,000-service × 10-real-server director (100,000 destinations)
// from an empty state, a converged capture and 1 % drift, plus plan of a small example; each scenario
// runs the real CLI (`node bin/lbctl ...`) as a child process. Each plan also runs its reference floor,
// alternating with lbctl in the same loop: for the big plans a naive program doing the same work
// (floor.ts), for the small plan a bare `node -e 0`; lbctl's time and peak memory are reported as ratios to it.
// Prints the figures; exits 1 when a target is missed or a plan is not what the scenario expects.
//
// Options: --services N (10000), --real-servers N (10), --runs N (5), --drift F (0.01),
//          --phases (in-process phase breakdown even when all targets are met), --keep (keep the temp dir).
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { desiredStates } from '../../src/desired/desired.js';
import type { Plan } from '../../src/plan/types.js';
import { loadTopology } from '../../src/topology/load.js';
import { drift, writeCaptureDir } from './captures.js';
import { median, RSS_SOURCE, runNode } from './measure.js';
import { coldPlanPhases, type Phases } from './phases.js';
import { benchSpec, topologyYaml } from './topology.js';

/** Targets of the issue, per scenario. */
const TARGET_SECONDS = 2;
const TARGET_MB = 500;
/** Wall time of a big plan over its naive reference's, and of a small plan over a bare Node start. */
const TARGET_RATIO_BIG = 1.5;
const TARGET_RATIO_SMALL = 2;

interface Args {
  services: number;
  realServers: number;
  runs: number;
  drift: number;
  phases: boolean;
  keep: boolean;
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { services: 10000, realServers: 10, runs: 5, drift: 0.01, phases: false, keep: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const num = () => {
      const v = Number(argv[++i]);
      if (!Number.isFinite(v) || v <= 0) throw new Error(`${a} needs a positive number`);
      return v;
    };
    if (a === '--services') args.services = Math.floor(num());
    else if (a === '--real-servers') args.realServers = Math.floor(num());
    else if (a === '--runs') args.runs = Math.floor(num());
    else if (a === '--drift') args.drift = num();
    else if (a === '--phases') args.phases = true;
    else if (a === '--keep') args.keep = true;
    else throw new Error(`unknown option ${a}`);
  }
  return args;
}

/** What a scenario's output must be; returns the number of changes (null when not a plan) or throws. */
type Check = (stdout: string) => number | null;

interface Scenario {
  name: string;
  argv: string[];
  check: Check;
  /** For the phase breakdown: the plan's inputs. */
  phases?: { file: string; host: string; observed?: string };
  /** The reference floor: node's arguments, the highest ratio allowed (of peak memory too, with `memory`), and its output check. */
  floor?: { argv: string[]; target: number; memory: boolean; check: (stdout: string) => void };
}

interface Row {
  name: string;
  wall: number;
  /** The floor's median wall time and peak memory, and lbctl's wall time, CPU time and peak memory over the floor's. */
  floor?: { wall: number; ratio: number; target: number; cpuRatio: number; peak: number; memRatio: number; memory: boolean };
  peak: number;
  changes: number | null;
  pass: boolean;
}

class BenchFailure extends Error {}

function planOf(stdout: string): Plan {
  return JSON.parse(stdout) as Plan;
}

function changeCount(plan: Plan): number {
  return plan.hosts.reduce((n, h) => n + h.changes.length, 0);
}

function countBy(plan: Plan, action: string, kind: string): number {
  return plan.hosts.reduce((n, h) => n + h.changes.filter((c) => c.action === action && c.kind === kind).length, 0);
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
  if (!existsSync(join(root, 'dist/bundle/main.js')))
    throw new BenchFailure('dist/bundle/main.js (what bin/lbctl runs) is missing: build lbctl first (npm run build)');
  const small = join(root, 'topologies/dr-web.yaml');
  const tmp = await mkdtemp(join(tmpdir(), 'lbctl-bench-'));
  try {
    // --- Inputs -------------------------------------------------------------------------------
    const t0 = process.hrtime.bigint();
    const spec = benchSpec({ services: args.services, realServersPerService: args.realServers });
    const destinations = spec.services.reduce((n, s) => n + s.destinations.length, 0);
    const realServerAddresses = new Set(spec.services.flatMap((s) => s.destinations.map((d) => d.address))).size;
    const bigFile = join(tmp, 'big.yaml');
    const yaml = topologyYaml(spec);
    await writeFile(bigFile, yaml);
    const loaded = loadTopology(bigFile, yaml);
    if (!loaded.topology) {
      const first = loaded.diagnostics
        .slice(0, 5)
        .map((d) => `${d.rule}: ${d.message}`)
        .join('\n  ');
      throw new BenchFailure(`the generated topology is invalid:\n  ${first}`);
    }
    const director = desiredStates(loaded.topology).get(spec.director);
    if (!director) throw new BenchFailure('no desired state for the director');
    const converged = join(tmp, 'converged');
    await writeCaptureDir(converged, spec, director, spec.services);
    const drifted = drift(spec, args.drift);
    const driftDir = join(tmp, 'drift');
    await writeCaptureDir(driftDir, spec, director, drifted.services);
    const genSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;
    const saveSize = (await readFile(join(converged, spec.director, 'ipvsadm-save.txt'))).length;
    console.log(
      `lbctl bench: ${spec.services.length} services × ${args.realServers} real servers = ${destinations} destinations on one director`,
    );
    console.log(
      `  topology ${mb(yaml.length)} (${yaml.split('\n').length - 1} lines), ipvsadm-save.txt ${mb(saveSize)}, ${drifted.expected.size} drifted destinations; generated in ${genSeconds.toFixed(1)} s`,
    );
    console.log(
      `  node ${process.version}, ${args.runs} runs per scenario (median), peak RSS via ${RSS_SOURCE === 'gnu-time' ? 'GNU time %M' : 'process.resourceUsage().maxRSS'}; targets < ${TARGET_SECONDS} s and < ${TARGET_MB} MB`,
    );
    console.log(
      `  floors: big plans <= ${TARGET_RATIO_BIG}x a naive js-yaml + Map + diff program (test/bench/floor.ts), the small plan <= ${TARGET_RATIO_SMALL}x \`node -e 0\`;`,
    );
    console.log(
      '  the targets of the big plans hold on wall time and peak memory, that of the small plan on wall time; the CPU ratio (user + system) is the wall comparison less disturbed by other work on the machine\n',
    );

    // --- Scenarios ----------------------------------------------------------------------------
    const plan = (file: string, ...rest: string[]) => ['bin/lbctl', 'plan', file, ...rest, '--format', 'json'];
    const emptySave = join(tmp, 'empty-ipvsadm-save.txt');
    await writeFile(emptySave, '');
    /** The naive reference of a big plan against a capture (an empty one for --offline), which must count `changes`. */
    const naive = (save: string, changes: number): Scenario['floor'] => ({
      argv: [join(root, 'dist-test/test/bench/floor.js'), bigFile, save],
      target: TARGET_RATIO_BIG,
      memory: true,
      check: (out) => {
        const got = out === '' ? 0 : out.split('\n').length - 1;
        if (got !== changes)
          throw new BenchFailure(`the reference floor counted ${got} IPVS changes, not ${changes}: it no longer does the same work`);
      },
    });
    const saveOf = (dir: string) => join(dir, spec.director, 'ipvsadm-save.txt');
    const scenarios: Scenario[] = [
      {
        name: 'validate (big)',
        argv: ['bin/lbctl', 'validate', bigFile],
        check: (out) => {
          // The real servers are bare addresses under DR: lbctl cannot put the VIP on their lo, and says so once per
          // address (100 shown, the rest counted). Those warnings, and only they, are right for this topology.
          const rules = out.match(/warning\[[a-z0-9-]+\]/g) ?? [];
          const shown = rules.filter((r) => r === 'warning[dr-vip-unmanaged]').length;
          const more = Number(/(\d+) more problem\(s\) not shown/.exec(out)?.[1] ?? 0);
          const others = rules.filter((r) => r !== 'warning[dr-vip-unmanaged]' && r !== 'warning[too-many-problems]');
          if (!out.includes(': valid:') || others.length > 0 || shown + more !== realServerAddresses)
            throw new BenchFailure(
              `validate did not say valid with one dr-vip-unmanaged warning per real-server address (${realServerAddresses}):\n${out.slice(0, 2000)}`,
            );
          return null;
        },
      },
      {
        name: 'plan from empty state (big)',
        argv: plan(bigFile, '--host', spec.director, '--offline'),
        phases: { file: bigFile, host: spec.director },
        floor: naive(emptySave, spec.services.length + destinations),
        check: (out) => {
          const p = planOf(out);
          const dests = countBy(p, 'create', 'ipvs-destination');
          const services = countBy(p, 'create', 'ipvs-service');
          if (dests !== destinations || services !== spec.services.length) {
            throw new BenchFailure(
              `empty-state plan creates ${services} services and ${dests} destinations, not ${spec.services.length} and ${destinations}`,
            );
          }
          return changeCount(p);
        },
      },
      {
        name: 'plan from converged capture (big)',
        argv: plan(bigFile, '--host', spec.director, '--observed', converged),
        phases: { file: bigFile, host: spec.director, observed: converged },
        floor: naive(saveOf(converged), 0),
        check: (out) => {
          const p = planOf(out);
          const host = p.hosts[0];
          if (changeCount(p) !== 0 || (host?.unmanaged.length ?? 0) !== 0) {
            const sample = p.hosts
              .flatMap((h) => [
                ...h.changes.map((c) => `${c.action} ${c.kind} ${c.key}`),
                ...h.unmanaged.map((u) => `unmanaged ${u.kind} ${u.key}`),
              ])
              .slice(0, 10);
            throw new BenchFailure(
              `the plan from the converged capture is not empty: ${changeCount(p)} changes, ${host?.unmanaged.length ?? 0} unmanaged, e.g.\n  ${sample.join('\n  ')}`,
            );
          }
          return 0;
        },
      },
      {
        name: `plan from ${args.drift * 100} % drift (big)`,
        argv: plan(bigFile, '--host', spec.director, '--observed', driftDir),
        phases: { file: bigFile, host: spec.director, observed: driftDir },
        floor: naive(saveOf(driftDir), drifted.expected.size),
        check: (out) => {
          const p = planOf(out);
          const got = new Set(p.hosts.flatMap((h) => h.changes.map((c) => `${c.action} ${c.kind} ${c.key}`)));
          const missing = [...drifted.expected].filter((k) => !got.has(k));
          const extra = [...got].filter((k) => !drifted.expected.has(k));
          if (changeCount(p) !== drifted.expected.size || missing.length > 0 || extra.length > 0) {
            throw new BenchFailure(
              `the drift plan has ${changeCount(p)} changes, expected exactly ${drifted.expected.size}; missing e.g. ${missing.slice(0, 5).join('; ') || '-'}; extra e.g. ${extra.slice(0, 5).join('; ') || '-'}`,
            );
          }
          return changeCount(p);
        },
      },
      {
        name: 'plan dr-web.yaml --all --offline (small)',
        argv: plan(small, '--all', '--offline'),
        floor: { argv: ['-e', '0'], target: TARGET_RATIO_SMALL, memory: false, check: () => undefined },
        check: (out) => {
          const n = changeCount(planOf(out));
          if (n === 0) throw new BenchFailure('the small example plan is empty');
          return n;
        },
      },
    ];

    const rows: Row[] = [];
    const stdoutFile = join(tmp, 'stdout.txt');
    for (const s of scenarios) {
      const walls: number[] = [];
      const cpus: number[] = [];
      const floorWalls: number[] = [];
      const floorCpus: number[] = [];
      const floorPeaks: number[] = [];
      const peaks: number[] = [];
      let changes: number | null = null;
      for (let i = 0; i < args.runs; i++) {
        const r = await runNode(s.argv, { cwd: root, stdoutFile, scratch: tmp });
        if (r.exitCode !== 0) throw new BenchFailure(`${s.name}: lbctl exited ${r.exitCode}\n${r.stderr.slice(0, 4000)}`);
        if (i === 0) changes = s.check(await readFile(stdoutFile, 'utf8'));
        walls.push(r.wallSeconds);
        cpus.push(r.cpuSeconds);
        peaks.push(r.peakMb);
        if (!s.floor) continue;
        const f = await runNode(s.floor.argv, { cwd: root, stdoutFile, scratch: tmp });
        if (f.exitCode !== 0) throw new BenchFailure(`${s.name}: the reference floor exited ${f.exitCode}\n${f.stderr.slice(0, 4000)}`);
        if (i === 0) s.floor.check(await readFile(stdoutFile, 'utf8'));
        floorWalls.push(f.wallSeconds);
        floorCpus.push(f.cpuSeconds);
        floorPeaks.push(f.peakMb);
      }
      const wall = median(walls);
      const peak = median(peaks);
      const floor = s.floor && {
        wall: median(floorWalls),
        ratio: wall / median(floorWalls),
        target: s.floor.target,
        cpuRatio: median(cpus) / median(floorCpus),
        peak: median(floorPeaks),
        memRatio: peak / median(floorPeaks),
        memory: s.floor.memory,
      };
      // A big plan's ratio target holds on wall time and on peak memory alike; a small plan's on wall time.
      const pass =
        wall < TARGET_SECONDS &&
        peak < TARGET_MB &&
        (!floor || (floor.ratio <= floor.target && (!floor.memory || floor.memRatio <= floor.target)));
      rows.push({ name: s.name, wall, ...(floor ? { floor } : {}), peak, changes, pass });
      const times = (w: number[], c: number[]) =>
        `${w.map((x) => x.toFixed(2)).join(' / ')} s (CPU ${c.map((x) => x.toFixed(2)).join(' / ')} s)`;
      const mbs = (m: number[]) => `${m.map((p) => p.toFixed(0)).join(' / ')} MB`;
      const floorNote = floorWalls.length > 0 ? `; floor ${times(floorWalls, floorCpus)}, ${mbs(floorPeaks)}` : '';
      console.error(`  ${s.name}: ${times(walls, cpus)}, ${mbs(peaks)}${floorNote}`);
    }

    // --- Report -------------------------------------------------------------------------------
    const header = [
      'scenario',
      'wall s',
      'floor s',
      'ratio (target)',
      'CPU ratio',
      'peak MB',
      'floor MB',
      'memory ratio',
      'changes',
      'result',
    ];
    const cells = rows.map((r) => [
      r.name,
      r.wall.toFixed(2),
      r.floor ? r.floor.wall.toFixed(2) : '-',
      r.floor ? `${r.floor.ratio.toFixed(2)}x (<= ${r.floor.target})` : '-',
      r.floor ? `${r.floor.cpuRatio.toFixed(2)}x` : '-',
      r.peak.toFixed(0),
      r.floor ? r.floor.peak.toFixed(0) : '-',
      r.floor ? `${r.floor.memRatio.toFixed(2)}x${r.floor.memory ? ` (<= ${r.floor.target})` : ''}` : '-',
      r.changes === null ? '-' : String(r.changes),
      r.pass ? 'pass' : 'FAIL',
    ]);
    const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
    const line = (c: string[]) => c.map((v, i) => (i === 0 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join('  ');
    console.log(`\n${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n${cells.map(line).join('\n')}\n`);

    const failed = rows.filter((r) => !r.pass);
    if (failed.length > 0 || args.phases) {
      console.log(
        failed.length > 0
          ? `${failed.length} scenario(s) missed the targets; where the time goes (one run in a process of its own, garbage collection within):`
          : 'Phase breakdown (one run in a process of its own, garbage collection within):',
      );
      for (const s of scenarios) {
        if (!s.phases) continue;
        const script = join(root, 'dist-test/test/bench/phases.js');
        const phases: Phases = await coldPlanPhases(script, s.phases.file, s.phases.host, s.phases.observed);
        const sum = (pick: (p: Phases[number]) => number) => phases.reduce((n, p) => n + pick(p), 0);
        console.log(`  ${s.name}: ${sum(([, t]) => t).toFixed(2)} s, of which ${sum(([, , gc]) => gc).toFixed(2)} s garbage collection`);
        for (const [name, t, gc] of phases) console.log(`    ${name.padEnd(32)} ${t.toFixed(3).padStart(7)} s  (GC ${gc.toFixed(3)} s)`);
      }
    }
    if (failed.length > 0) {
      console.log(`\nFAIL: ${failed.map((r) => r.name).join(', ')}`);
      return 1;
    }
    console.log('all targets met');
    return 0;
  } finally {
    if (args.keep) console.error(`kept ${tmp}`);
    else await rm(tmp, { recursive: true, force: true });
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(`bench: ${err instanceof BenchFailure ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exitCode = 1;
  },
);
