// `npm run bench:vm`: lbctl's batched apply against one ipvsadm process per rule, on the IPVS
// kernel of the qemu VM (src/lab/vm/). A director-only topology of 1,000 services × 10 real
// servers (test/bench/topology.ts) is applied from empty, then a 1 % change (the weights of 100
// destinations) and the converged file once more (the fixed cost); the same 11,000 rules are loaded one `ipvsadm` process each (or a fixed
// sample, extrapolated linearly). Prints a table; exits 1 when the ratio is under 20× or a
// table is not what it should be.
//
// Options: --services N (1000), --real-servers N (10), --sample N (rules run one process each; 0: all), --keep.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runInVm } from '../../../src/lab/vm/runner.js';
import { exitWith } from './exit.js';
import { benchSpec, ipvsadmSaveText, topologyYaml, type SpecService } from '../topology.js';

/** The ratio lbctl's batched apply must reach over one process per rule. */
const TARGET_RATIO = 20;
/** Share of destinations the second apply changes. */
const CHANGE_SHARE = 0.01;
const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const JOB = join(REPO, 'test', 'bench', 'vm', 'bench.sh');

/** The spec with the weights of `count` destinations changed, spread evenly over the services. */
function changedWeights(services: readonly SpecService[], count: number): SpecService[] {
  const total = services.reduce((n, s) => n + s.destinations.length, 0);
  const every = Math.floor(total / count);
  let index = 0;
  return services.map((s) => ({
    ...s,
    destinations: s.destinations.map((d) => (index++ % every === 0 ? { ...d, weight: (d.weight % 5) + 1, short: false } : d)),
  }));
}

/** A table's lines, sorted, with -o last (the kernel's ipvsadm-save prints it before -b; the generator after). */
const sorted = (text: string) =>
  text
    .split('\n')
    .filter(Boolean)
    .map((l) => (/ -o\b/.test(l) ? `${l.replace(/ -o\b/, '')} -o` : l))
    .sort()
    .join('\n');
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      services: { type: 'string', default: '1000' },
      'real-servers': { type: 'string', default: '10' },
      sample: { type: 'string', default: '1000' },
      keep: { type: 'boolean', default: false },
    },
  });
  const spec = benchSpec({ services: Number(values.services), realServersPerService: Number(values['real-servers']) });
  const changedCount = Math.round(spec.services.length * Number(values['real-servers']) * CHANGE_SHARE);
  const changed = changedWeights(spec.services, changedCount);
  const rules = ipvsadmSaveText(spec.services).split('\n').filter(Boolean);
  const sample = Number(values.sample) > 0 ? Math.min(Number(values.sample), rules.length) : rules.length;
  const dir = await mkdtemp(join(tmpdir(), 'lbctl-bench-vm-'));
  try {
    await writeFile(join(dir, 'topology.yaml'), topologyYaml(spec));
    await writeFile(join(dir, 'changed.yaml'), topologyYaml({ ...spec, services: changed }));
    await writeFile(join(dir, 'per-rule.txt'), `${rules.slice(0, sample).join('\n')}\n`);
    console.log(
      `bench:vm: ${spec.services.length} services × ${values['real-servers']} real servers = ${rules.length} rules; booting the VM...`,
    );
    const run = await runInVm({
      command: ['bash', JOB, dir],
      resultsDir: dir,
      timeoutMs: 1_800_000,
      onOutput: (_s, chunk) => process.stderr.write(chunk),
    });
    if (run.exitCode !== 0)
      throw new Error(`the guest job failed (${run.exitCode ?? (run.timedOut ? 'timeout' : 'panic')}): ${run.serialLog.slice(-2000)}`);
    const times = new Map(
      (await readFile(join(dir, 'times.txt'), 'utf8'))
        .trim()
        .split('\n')
        .map((l) => l.split(' ') as [string, string])
        .map(([k, v]) => [k, Number(v)]),
    );
    const out = (name: string) => readFile(join(dir, name), 'utf8');
    const problems: string[] = [];
    const processes: Record<string, string> = {};
    for (const [name, expected] of [
      ['from-empty', spec.services],
      ['change', changed],
      ['again', changed],
    ] as const) {
      if (times.get(`${name}-rc`) !== 0)
        problems.push(`lbctl apply (${name}) exited ${times.get(`${name}-rc`)}:\n${await out(`${name}.out`)}`);
      const m = /applied (\d+) change\(s\) with (\d+) process\(es\)/.exec(await out(`${name}.out`));
      processes[name] = m
        ? `${m[1]} changes, ${m[2]} processes`
        : (await out(`${name}.out`)).includes('nothing to do')
          ? 'nothing to do, 0 processes'
          : '?';
      if (sorted(await out(`${name}.save`)) !== sorted(ipvsadmSaveText(expected)))
        problems.push(`after ${name}, ipvsadm-save -n is not the topology's table`);
    }
    if (sorted(await out('per-rule.save')) !== sorted(rules.slice(0, sample).join('\n')))
      problems.push('the per-rule table is not the rules that were run');
    const perRuleMs = times.get('per-rule')!;
    const perRuleAll = (perRuleMs * rules.length) / sample;
    const lbctlMs = times.get('from-empty')!;
    const ratio = perRuleAll / lbctlMs;
    const extrapolated = sample < rules.length ? ` (measured ${sample} rules in ${seconds(perRuleMs)}, extrapolated linearly)` : '';
    console.log('\n| scenario (VM, TCG) | wall | processes / changes |');
    console.log('| --- | --- | --- |');
    console.log(`| lbctl apply from empty (${rules.length} rules) | ${seconds(lbctlMs)} | ${processes['from-empty']} |`);
    console.log(`| lbctl apply, 1 % change (${changedCount} weights) | ${seconds(times.get('change')!)} | ${processes.change} |`);
    console.log(
      `| lbctl apply again, converged (fixed cost: start, parse, probe) | ${seconds(times.get('again')!)} | ${processes.again} |`,
    );
    console.log(
      `| one ipvsadm process per rule (${rules.length} rules) | ${seconds(perRuleAll)}${extrapolated} | ${rules.length} processes |`,
    );
    console.log(
      `\nratio per-rule / lbctl from empty: ${ratio.toFixed(1)}× (target ≥ ${TARGET_RATIO}×); VM run ${seconds(run.durationMs)} in all`,
    );
    if (ratio < TARGET_RATIO) problems.push(`ratio ${ratio.toFixed(1)}× is under ${TARGET_RATIO}×`);
    for (const p of problems) console.error(`bench:vm: ${p}`);
    return problems.length === 0 ? 0 : 1;
  } finally {
    if (values.keep) console.log(`kept ${dir}`);
    else await rm(dir, { recursive: true, force: true });
  }
}

exitWith(main);
