// What a rollout across hosts says, for people (each event as it happens, where every host stands at the end and how
// to go on) and as JSON.
import type { RolloutEvent, RolloutReport } from '../host/rollout.js';

/** One event as a log line: "12:00:01.234 web1 prepare: done (3 change(s))". */
export function eventLine(e: RolloutEvent): string {
  const detail = { start: 'start', ready: `ready: ${e.detail}`, done: `done (${e.detail})`, failed: `FAILED: ${e.detail}` }[e.state];
  return `${e.at.toISOString().slice(11, 23)} ${e.host} ${e.step}: ${detail}`;
}

/**
 * One event as a JSON line (`apply --events FILE`): when, which host and step, what happened, for a step done (or a
 * director's ready) the changes it applied in order, each as action, kind and key (with `drain` on a real server's
 * weight-0 update, the weight on a destination's), and for ready each real server's proof.
 */
export function eventJson(e: RolloutEvent): string {
  const applied = e.applied?.map((c) => ({
    action: c.action,
    kind: c.kind,
    key: c.key,
    ...(c.drain ? { drain: true } : {}),
    ...(c.kind === 'ipvs-destination' && c.after ? { weight: c.after.weight } : {}),
  }));
  const { at, host, step, state, detail, readiness } = e;
  return `${JSON.stringify({ at: at.toISOString(), host, step, state, detail, ...(applied ? { applied } : {}), ...(readiness ? { readiness } : {}) })}\n`;
}

/** The report for people: where every host stands, and how to go on after a failure (`again`: the command to rerun). */
export function rolloutText(report: RolloutReport, again: string): string {
  const lines = report.hosts.map((h) => {
    switch (h.state) {
      case 'converged':
        return `${h.host}: converged (${h.changes} change(s))`;
      case 'unchanged':
        return `${h.host}: matches the topology (no changes)`;
      case 'prepared':
        return `${h.host}: prepared (${h.changes} change(s)); its removals wait for the rest of the rollout`;
      case 'failed':
        return `${h.host}: FAILED at ${h.step}: ${h.reason}`;
      case 'not-started':
        return `${h.host}: not started (untouched)`;
    }
  });
  const tail = report.ok
    ? 'every host converged'
    : `stopped at the first failure; fix it and run \`${again}\` again: finished hosts show no changes and the rollout goes on from where it stopped`;
  return `${lines.join('\n')}\n${tail}\n`;
}

/** The report as JSON: per host its standing, and for a failure the step and why. */
export function rolloutJson(report: RolloutReport): string {
  const json = {
    ok: report.ok,
    hosts: report.hosts.map(({ host, state, ...rest }) => ({
      host,
      state,
      ...('reason' in rest ? { step: rest.step, reason: rest.reason } : rest),
    })),
  };
  return `${JSON.stringify(json, null, 2)}\n`;
}
