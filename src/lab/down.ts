// `lab down`: stops the recorded web servers, DNS servers and FRR instances, deletes every veth and namespace of the lab and its state dir; idempotent.
import { rm, rmdir } from 'node:fs/promises';
import { runChecked, type Runner } from '../host/port.js';
import { stopDns } from './dns.js';
import { LabError } from './errors.js';
import { stopFrr } from './frr.js';
import { stopKeepalived } from './keepalived.js';
import { LAB_ROOT, labDir } from './names.js';
import { allNamespaces, liveNamespaces } from './namespaces.js';
import { stopService } from './services.js';
import { readLabState } from './state.js';

/** What `lab down` removed. */
export interface DownReport {
  services: number;
  /** FRR instances and DNS servers that were running. */
  daemons: number;
  namespaces: string[];
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
  const state = await readLabState(lab);
  let services = 0;
  for (const s of state?.services ?? []) if (await stopService(lab, s)) services++;
  const stopped = await Promise.all([...(state?.dns ?? []).map((d) => stopDns(lab, d)), ...(state?.frr ?? []).map((f) => stopFrr(lab, f)), ...(state?.keepalived ?? []).map((k) => stopKeepalived(lab, k))]);
  const existing = new Set(await allNamespaces(runner));
  const targets = [...new Set([...(state?.plan.namespaces ?? []), ...(await liveNamespaces(runner, lab))])].filter((ns) => existing.has(ns));
  for (const ns of targets) {
    for (const link of await veths(runner, ns)) {
      const r = await runner.run(['ip', '-n', ns, 'link', 'del', link]);
      if (r.exitCode !== 0 && (await veths(runner, ns)).includes(link)) throw new LabError(`cannot delete ${link} in ${ns}: ${r.stderr.trim()}`, 'failed');
    }
  }
  for (const ns of targets) await runChecked(runner, ['ip', 'netns', 'del', ns]);
  await rm(labDir(lab), { recursive: true, force: true });
  await rmdir(LAB_ROOT).catch(() => undefined); // only when no other lab is left in it
  const left = await liveNamespaces(runner, lab);
  if (left.length > 0) throw new LabError(`namespaces of lab ${lab} are still there: ${left.join(', ')}`, 'failed');
  return { services, daemons: stopped.filter(Boolean).length, namespaces: targets };
}
