// `npm run bench:failover`: seed 004's link-down failover, again and again. Brings topologies/dns-anycast-ospf.yaml
// up as a lab (root: network namespaces, FRR, dnsmasq), then per trial takes eth0 of the node answering pc down,
// times until another node answers, brings it up again and waits until R1 has three next hops again. Prints each
// trial (with the dnsnet DR and BDR as R1 saw them before it), then p50 and max; exits 1 when a trial took as long
// as the e2e test's bound (5 s), 2 when it cannot run. Options: --trials N (10), --name LAB (benchfo), --keep,
// --topology FILE (a variant of the seed's topology with the same hosts and addresses).
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { localRunner } from '../../src/host/adapters/exec.js';
import { labVtysh, type LabFrr } from '../../src/lab/frr.js';
import { readLabState } from '../../src/lab/state.js';
import { digWhoami, labNs, Prober, vipNextHops, waitFor } from '../support/anycast-probe.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const LBCTL = join(ROOT, 'bin/lbctl');
const TOPOLOGY = join(ROOT, 'topologies/dns-anycast-ospf.yaml');
/** The bound seed004.test.ts asserts for a link-down failover. */
const BOUND_MS = 5000;

interface Args {
  trials: number;
  lab: string;
  topology: string;
  keep: boolean;
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { trials: 10, lab: 'benchfo', topology: TOPOLOGY, keep: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--trials') {
      args.trials = Number(argv[++i]);
      if (!Number.isInteger(args.trials) || args.trials < 1)
        throw new Error('--trials needs a whole number of at least 1, e.g. --trials 10');
    } else if (a === '--name') args.lab = argv[++i] ?? '';
    else if (a === '--topology') args.topology = resolve(argv[++i] ?? '');
    else if (a === '--keep') args.keep = true;
    else throw new Error(`unknown option ${a}: use --trials N, --name LAB, --topology FILE or --keep`);
  }
  return args;
}

/** Value at quantile q (0..1) of sorted numbers, nearest rank. */
const quantile = (sorted: readonly number[], q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;

const lbctl = (...args: string[]) => execa(process.execPath, [LBCTL, ...args], { reject: false, all: true });

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  if (process.getuid?.() !== 0) {
    console.error('bench:failover needs root: it creates network namespaces and starts FRR and dnsmasq in them');
    return 2;
  }
  const ns = (host: string) => labNs(args.lab, host);
  await lbctl('lab', 'down', '--name', args.lab);
  const t0 = Date.now();
  const up = await lbctl('lab', 'up', args.topology, '--name', args.lab);
  if (up.exitCode !== 0) {
    console.error(`lab up failed (exit ${up.exitCode}):\n${up.all}`);
    return 2;
  }
  let prober: Prober | undefined;
  try {
    const state = (await readLabState(args.lab))!;
    const hostOf = (address: string) => state.dns?.find((d) => d.self === address)?.host ?? `unknown (${address})`;
    const r1 = state.frr!.find((f) => f.host === 'r1') as LabFrr;
    /** R1's view of dnsnet (its eth1): the designated router and its backup. */
    const designated = async () => {
      const json = JSON.parse(await labVtysh(r1, ['show ip ospf interface eth1 json'], localRunner)) as {
        interfaces?: Record<string, { drId?: string; bdrId?: string }>;
      };
      const eth1 = json.interfaces?.eth1;
      return `DR ${eth1?.drId ?? '?'}, BDR ${eth1?.bdrId ?? '?'}`;
    };
    const threeHops = () =>
      waitFor(
        'R1 with three next hops to the VIP',
        () => vipNextHops(ns('r1')),
        (h) => h.length === 3,
        60_000,
      );
    await waitFor(
      'pc answered through the VIP',
      () => digWhoami(ns('pc')),
      (a) => a !== null,
      60_000,
    );
    await threeHops();
    console.log(`lab ${args.lab} up and converged in ${Date.now() - t0} ms; ${args.trials} link-down failovers:`);
    prober = new Prober(ns('pc'));
    await prober.next(0, () => true, 5000);
    const times: number[] = [];
    for (let trial = 1; trial <= args.trials; trial++) {
      const before = await designated();
      const f = await prober.failover(hostOf, (h) => execa('ip', ['-n', ns(h), 'link', 'set', 'eth0', 'down']), 30_000);
      times.push(f.ms);
      await execa('ip', ['-n', ns(f.victim), 'link', 'set', 'eth0', 'up']);
      const back = await threeHops();
      console.log(
        `  trial ${String(trial).padStart(2)}: eth0 of ${f.victim} down (${before}): ${f.successor} answers after ${f.ms} ms (no answer for ${f.silentMs} ms); three next hops again ${back.ms} ms after link up`,
      );
    }
    const sorted = [...times].sort((a, b) => a - b);
    const max = sorted.at(-1)!;
    console.log(`link-down failover over ${times.length} trials: p50 ${quantile(sorted, 0.5)} ms, max ${max} ms (bound ${BOUND_MS} ms)`);
    return max < BOUND_MS ? 0 : 1;
  } finally {
    await prober?.stop();
    if (!args.keep) await lbctl('lab', 'down', '--name', args.lab);
  }
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    console.error(`bench:failover: ${err.message}`);
    process.exit(2);
  },
);
