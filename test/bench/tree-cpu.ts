// CPU seconds of process trees, from /proc: what a benchmark's own processes and the daemons it started used, apart
// from whatever else loads the machine.
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc's times (USER_HZ, 100 on Linux). */
const TICKS = 100;

/** One process as /proc/PID/stat and cmdline show it. */
interface Proc {
  pid: number;
  ppid: number;
  /** Its own CPU time and that of its children it has reaped, in ticks. */
  ticks: number;
  cmdline: string;
}

/** Every process now. */
function processes(): Proc[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .flatMap((d) => {
      try {
        const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
        const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        const ticks = [11, 12, 13, 14].reduce((n, i) => n + Number(f[i]), 0);
        const cmdline = readFileSync(`/proc/${d}/cmdline`, 'utf8').replace(/\0/g, ' ');
        return [{ pid: Number(d), ppid: Number(f[1]), ticks, cmdline }];
      } catch {
        return []; // gone meanwhile
      }
    });
}

/** CPU seconds so far of named groups: each the processes below its roots (not below an earlier group's). */
export function groupCpu(groups: Record<string, (p: { pid: number; cmdline: string }) => boolean>): Record<string, number> {
  const all = processes();
  const children = new Map<number, Proc[]>();
  for (const p of all) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p]);
  const taken = new Set<number>();
  const out: Record<string, number> = {};
  for (const [name, isRoot] of Object.entries(groups)) {
    let ticks = 0;
    const walk = (p: Proc): void => {
      if (taken.has(p.pid)) return;
      taken.add(p.pid);
      ticks += p.ticks;
      for (const c of children.get(p.pid) ?? []) walk(c);
    };
    for (const p of all.filter((p) => isRoot(p))) walk(p);
    out[name] = ticks / TICKS;
  }
  return out;
}
