// `npm run bench:fleet`: a live plan of N hosts over SSH with --parallel P, against running `lbctl plan --host` on each
// host one after another. The hosts are a lab's namespaces (network only), each with its own sshd (see
// test/support/ssh-lab.ts); lbctl runs in the lab's router namespace. Prints both wall times, the time per host and
// the ratio. Options: --hosts N (50), --parallel P (10), --name LAB (fleetb). Needs root.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { must, run } from '../support/netns.js';
import { SshLab } from '../support/ssh-lab.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const LBCTL = join(ROOT, 'bin/lbctl');

/** The options, with their defaults. */
function parseArgs(argv: readonly string[]): { hosts: number; parallel: number; lab: string } {
  const args = { hosts: 50, parallel: 10, lab: 'fleetb' };
  for (let i = 0; i < argv.length; i++) {
    const [flag, value] = [argv[i], argv[i + 1]];
    i++;
    if (flag === '--hosts') args.hosts = Number(value);
    else if (flag === '--parallel') args.parallel = Number(value);
    else if (flag === '--name') args.lab = value ?? '';
    else throw new Error(`unknown option ${flag}: use --hosts N, --parallel P or --name LAB`);
  }
  if (!(args.hosts >= 1 && args.parallel >= 1)) throw new Error('--hosts and --parallel take whole numbers of at least 1');
  return args;
}

/** N client hosts on one network, each with a default route through the lab's router: something to plan. */
function topology(n: number): string {
  const hosts = Array.from(
    { length: n },
    (_, i) =>
      `  h${i + 1}: { roles: [client], interfaces: { eth0: { network: fleet, address: 10.77.${Math.floor((i + 1) / 250)}.${((i + 1) % 250) + 1}/16 } }, gateway: 10.77.255.254 }`,
  );
  return `apiVersion: lbctl/v1\nnetworks:\n  fleet: 10.77.0.0/16\nhosts:\n${hosts.join('\n')}\n`;
}

/** Milliseconds `work` took. */
async function timed(work: () => Promise<void>): Promise<number> {
  const start = performance.now();
  await work();
  return performance.now() - start;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const dir = mkdtempSync(join(tmpdir(), 'lbctl-bench-fleet-'));
  const file = join(dir, 'fleet.yaml');
  writeFileSync(file, topology(args.hosts));
  const names = Array.from({ length: args.hosts }, (_, i) => `h${i + 1}`);
  const address = (i: number) => `10.77.${Math.floor((i + 1) / 250)}.${((i + 1) % 250) + 1}`;
  const controller = `lbl-${args.lab}-gw`;
  const ssh = new SshLab();
  try {
    await run([process.execPath, LBCTL, 'lab', 'down', '--name', args.lab]);
    await must([process.execPath, LBCTL, 'lab', 'up', file, '--name', args.lab, '--no-apply']);
    await ssh.prepare();
    for (const [i, name] of names.entries()) await ssh.start(`lbl-${args.lab}-${name}`, address(i), controller);
    const inventory = join(dir, 'inventory.yaml');
    writeFileSync(
      inventory,
      `apiVersion: lbctl/v1\nkind: Inventory\ndefaults:\n  ssh: { config: ${ssh.clientConfig} }\nhosts:\n${names.map((n, i) => `  ${n}: { ssh: { host: "${address(i)}" } }`).join('\n')}\n`,
    );
    const plan = (...extra: string[]) =>
      run(
        [
          'ip',
          'netns',
          'exec',
          controller,
          'env',
          'NO_COLOR=1',
          `TMPDIR=${ssh.tmp}`,
          process.execPath,
          LBCTL,
          'plan',
          file,
          '--inventory',
          inventory,
          '--format',
          'json',
          ...extra,
        ],
        { timeoutMs: 600_000 },
      );
    // Warm-up: the ssh masters exist for both measurements alike (as for an operator's second run).
    const warm = await plan('--all', '--parallel', String(args.parallel));
    if (warm.code !== 0) throw new Error(`plan --all failed: ${warm.stderr}`);
    const together = await timed(async () => {
      const r = await plan('--all', '--parallel', String(args.parallel));
      if (r.code !== 0) throw new Error(r.stderr);
    });
    const oneByOne = await timed(async () => {
      for (const name of names) {
        const r = await plan('--host', name);
        if (r.code !== 0) throw new Error(`${name}: ${r.stderr}`);
      }
    });
    const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
    console.log(
      `fleet plan of ${args.hosts} hosts over SSH (namespaces, one sshd each), this machine's load ${(await run(['cat', '/proc/loadavg'])).stdout.split(' ')[0]}`,
    );
    console.log(`  lbctl plan --all --parallel ${args.parallel}: ${s(together)} (${(together / args.hosts).toFixed(0)} ms per host)`);
    console.log(`  lbctl plan --host H, one host after another: ${s(oneByOne)} (${(oneByOne / args.hosts).toFixed(0)} ms per host)`);
    console.log(`  ratio: ${(oneByOne / together).toFixed(1)}x faster (target >= 5x)`);
  } finally {
    await ssh.stop();
    await run([process.execPath, LBCTL, 'lab', 'down', '--name', args.lab]);
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exitCode = 2;
});
