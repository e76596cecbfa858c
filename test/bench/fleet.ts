// `npm run bench:fleet`: a live plan of N hosts over SSH with --parallel P, against running `lbctl plan --host` on each
// host one after another. The hosts are a lab's namespaces (network only), each with its own sshd (see
// test/support/ssh-lab.ts); lbctl runs in the lab's router namespace. Prints both wall times, the time per host, the
// CPU per host (lbctl with its ssh clients, the ssh masters, the sshds) and the ratio; and the first run's, which
// opens the ssh connections. Options: --hosts N (50), --parallel P (10), --name LAB (fleetb), --compare LBCTL (another
// build's bin/lbctl: its plan --all measured too, in the same run). Needs root.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sshArgv } from '../../src/host/adapters/ssh.js';
import { must, run } from '../support/netns.js';
import { SshLab } from '../support/ssh-lab.js';
import { groupCpu } from './tree-cpu.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const LBCTL = join(ROOT, 'bin/lbctl');

/** The options, with their defaults. */
function parseArgs(argv: readonly string[]): { hosts: number; parallel: number; lab: string; compare?: string } {
  const args: { hosts: number; parallel: number; lab: string; compare?: string } = { hosts: 50, parallel: 10, lab: 'fleetb' };
  for (let i = 0; i < argv.length; i++) {
    const [flag, value] = [argv[i], argv[i + 1]];
    i++;
    if (flag === '--hosts') args.hosts = Number(value);
    else if (flag === '--parallel') args.parallel = Number(value);
    else if (flag === '--name') args.lab = value ?? '';
    else if (flag === '--compare') args.compare = resolve(value ?? '');
    else throw new Error(`unknown option ${flag}: use --hosts N, --parallel P, --name LAB or --compare LBCTL`);
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

/** What one way of planning cost: wall milliseconds, CPU seconds by group, and the machine's busy share meanwhile. */
interface Cost {
  wallMs: number;
  cpu: Record<string, number>;
  /** Of all this machine's cores, the busy share (every process, other work included). */
  busy: number;
}

/** Busy and total jiffies of all cores so far (/proc/stat). */
function machineJiffies(): { busy: number; total: number } {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.split(/\s+/).slice(1).map(Number);
  const total = cpu.reduce((a, b) => a + b, 0);
  return { busy: total - (cpu[3] ?? 0) - (cpu[4] ?? 0), total };
}

/** What `work` cost, with the CPU of `groups` (see groupCpu; the benchmark's own CPU is taken out of `lbctl`). */
async function measured(groups: Parameters<typeof groupCpu>[0], work: () => Promise<void>): Promise<Cost> {
  const [self0, cpu0, m0, start] = [process.cpuUsage(), groupCpu(groups), machineJiffies(), performance.now()];
  await work();
  const [wallMs, cpu1, m1] = [performance.now() - start, groupCpu(groups), machineJiffies()];
  const self = process.cpuUsage(self0);
  const cpu = Object.fromEntries(Object.entries(cpu1).map(([k, v]) => [k, v - (cpu0[k] ?? 0)]));
  cpu.lbctl = (cpu.lbctl ?? 0) - (self.user + self.system) / 1e6;
  return { wallMs, cpu, busy: (m1.busy - m0.busy) / (m1.total - m0.total) };
}

/** Costs added up (the machine's busy share weighted by wall time). */
function added(costs: readonly Cost[]): Cost {
  const wallMs = costs.reduce((n, c) => n + c.wallMs, 0);
  const cpu: Record<string, number> = {};
  for (const c of costs) for (const [k, v] of Object.entries(c.cpu)) cpu[k] = (cpu[k] ?? 0) + v;
  return { wallMs, cpu, busy: costs.reduce((n, c) => n + c.busy * c.wallMs, 0) / wallMs };
}

/** One way's figures as a line: wall time, per host, CPU per host by group. */
function costLine(what: string, c: Cost, hosts: number): string {
  const total = Object.values(c.cpu).reduce((a, b) => a + b, 0);
  const groups = Object.entries(c.cpu)
    .map(([k, v]) => `${k} ${((v / hosts) * 1000).toFixed(0)}`)
    .join(', ');
  return (
    `  ${what}: ${(c.wallMs / 1000).toFixed(1)} s (${(c.wallMs / hosts).toFixed(0)} ms per host); ` +
    `CPU ${total.toFixed(1)} s = ${((total / hosts) * 1000).toFixed(0)} ms per host (${groups}); ` +
    `${(total / (c.wallMs / 1000)).toFixed(2)} cores busy with it, the machine ${(c.busy * 100).toFixed(0)}% busy`
  );
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
    const planWith = (lbctl: string, ...extra: string[]) =>
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
          lbctl,
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
    const plan = (...extra: string[]) => planWith(LBCTL, ...extra);
    // lbctl and its ssh clients, the ssh masters (detached from lbctl), the sshds: CPU seconds of each.
    const groups = {
      sshd: (p: { pid: number }) => ssh.pids.includes(p.pid),
      masters: (p: { cmdline: string }) => p.cmdline.startsWith('ssh: ') && p.cmdline.includes(ssh.tmp),
      lbctl: (p: { pid: number }) => p.pid === process.pid,
    };
    // The first run opens every ssh connection (key exchange, authentication, a master per host): measured apart. The
    // masters then exist for both measurements alike (as for an operator's second run).
    const cold = await measured(groups, async () => {
      const r = await plan('--all', '--parallel', String(args.parallel));
      if (r.code !== 0) throw new Error(`plan --all failed: ${r.stderr}`);
    });
    const together = await measured(groups, async () => {
      const r = await plan('--all', '--parallel', String(args.parallel));
      if (r.code !== 0) throw new Error(r.stderr);
    });
    const compare = args.compare;
    const other = compare
      ? await measured(groups, async () => {
          const r = await planWith(compare, '--all', '--parallel', String(args.parallel));
          if (r.code !== 0) throw new Error(r.stderr);
        })
      : undefined;
    // One after another takes longer than ssh keeps an idle master (ControlPersist 60 s): each host's master is used
    // (untimed) just before its plan, so both ways find the masters up.
    const control = join(ssh.tmp, readdirSync(ssh.tmp)[0]!);
    const oneByOne: Cost[] = [];
    for (const [i, name] of names.entries()) {
      await must(['ip', 'netns', 'exec', controller, ...sshArgv({ host: address(i), config: ssh.clientConfig }, control), 'true']);
      oneByOne.push(
        await measured(groups, async () => {
          const r = await plan('--host', name);
          if (r.code !== 0) throw new Error(`${name}: ${r.stderr}`);
        }),
      );
    }
    const sequential = added(oneByOne);
    console.log(
      `fleet plan of ${args.hosts} hosts over SSH (namespaces, one sshd each) on ${availableParallelism()} cores, load ${(await run(['cat', '/proc/loadavg'])).stdout.split(' ')[0]}; CPU ms per host by group`,
    );
    console.log(costLine(`lbctl plan --all --parallel ${args.parallel}, first run (new ssh connections)`, cold, args.hosts));
    console.log(costLine(`lbctl plan --all --parallel ${args.parallel}`, together, args.hosts));
    console.log(costLine('lbctl plan --host H, one host after another', sequential, args.hosts));
    if (other) console.log(costLine(`${compare} plan --all --parallel ${args.parallel}`, other, args.hosts));
    console.log(`  ratio: ${(sequential.wallMs / together.wallMs).toFixed(1)}x faster (target >= 5x)`);
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
