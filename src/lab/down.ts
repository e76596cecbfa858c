// `lab down`: stops the recorded web servers, agents, DNS servers and FRR instances, deletes every veth and namespace of the lab and its state dir; idempotent.
import { rm, rmdir } from 'node:fs/promises';
import { runChecked, type Runner } from '../host/port.js';
import { processesMarked, stopVerified } from './daemon.js';
import { stopAgent } from './agent.js';
import { stopDns } from './dns.js';
import { LabError } from './errors.js';
import { stopFrr } from './frr.js';
import { stopKeepalived } from './keepalived.js';
import { LAB_ROOT, labDir } from './names.js';
import { allNamespaces, liveNamespaces } from './namespaces.js';
import { runStep } from './run-step.js';
import { stopService } from './services.js';
import { namespaceRemoval, vethRemoval } from './steps.js';
import { readLabRecord } from './state.js';

/** What `lab down` removed. */
export interface DownReport {
  services: number;
  /** FRR instances and DNS servers that were running, recorded or found by their command line. */
  daemons: number;
  namespaces: string[];
  /** Why the lab's record could not be read (the lab was then removed by its prefix and state dir). */
  unreadableRecord?: string;
}

/**
 * Stops every process left whose command line names the lab's state dir (each daemon, web server and apply of a lab
 * does): those started but not yet recorded when `lab up` was killed, or all of them when the record is unreadable.
 */
async function stopUnrecorded(lab: string): Promise<number> {
  const mark = `${labDir(lab)}/`;
  const stopped = await Promise.all((await processesMarked(mark)).map((pid) => stopVerified(pid, mark, 'SIGTERM')));
  return stopped.filter(Boolean).length;
}

/** Names of the veths in a namespace (each deletion also removes its peer, so some may be gone already). */
async function veths(runner: Runner, ns: string): Promise<string[]> {
  const out = (await runChecked(runner, ['ip', '-j', '-n', ns, 'link', 'show', 'type', 'veth'])).stdout.trim();
  return out === '' ? [] : (JSON.parse(out) as { ifname: string }[]).map((l) => l.ifname);
}

/**
 * Removes the lab: the namespaces recorded in its state and every namespace with its prefix
 * (a crashed `lab up` may have recorded nothing). Veths are deleted before their namespaces,
 * because namespace deletion is asynchronous and would leave them behind for a while.
 */
export async function labDown(lab: string, runner: Runner): Promise<DownReport> {
  const record = await readLabRecord(lab);
  const state = 'state' in record ? record.state : null;
  let services = 0;
  for (const s of state?.services ?? []) if (await stopService(lab, s)) services++;
  // Agents first: one stopping later would find FRR gone and decide on that.
  const agents = await Promise.all((state?.agents ?? []).map((a) => stopAgent(lab, a)));
  const stopped = await Promise.all([
    ...(state?.dns ?? []).map((d) => stopDns(lab, d)),
    ...(state?.frr ?? []).map((f) => stopFrr(lab, f)),
    ...(state?.keepalived ?? []).map((k) => stopKeepalived(lab, k)),
  ]);
  const unrecorded = await stopUnrecorded(lab);
  const existing = new Set(await allNamespaces(runner));
  const targets = [...new Set([...(state?.plan.namespaces ?? []), ...(await liveNamespaces(runner, lab))])].filter((ns) =>
    existing.has(ns),
  );
  for (const ns of targets) {
    const links = await veths(runner, ns);
    for (const step of vethRemoval(ns, links)) {
      // A veth goes with its peer: one listed here may have gone with a deleted one's, which is no error.
      const failed = await runStep(runner, step).then(
        () => null,
        (err: Error) => err,
      );
      const left = failed === null ? [] : (await veths(runner, ns)).filter((l) => links.includes(l));
      if (left.length > 0) throw new LabError(`cannot delete ${left.join(', ')} in ${ns}: ${failed?.message ?? ''}`, 'failed');
    }
  }
  for (const step of namespaceRemoval(targets)) await runStep(runner, step);
  await rm(labDir(lab), { recursive: true, force: true });
  await rmdir(LAB_ROOT).catch(() => undefined); // only when no other lab is left in it
  const left = await liveNamespaces(runner, lab);
  if (left.length > 0) throw new LabError(`namespaces of lab ${lab} are still there: ${left.join(', ')}`, 'failed');
  const report: DownReport = { services, daemons: [...agents, ...stopped].filter(Boolean).length + unrecorded, namespaces: targets };
  if ('unreadable' in record) report.unreadableRecord = record.unreadable;
  return report;
}
