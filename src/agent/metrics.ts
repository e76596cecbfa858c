// The Prometheus text exposition of the agent: per-destination state and weight, check results and latency.
import type { AgentView } from './view.js';

const label = (v: string) => v.replaceAll('\\', '\\\\').replaceAll('"', '\\"');

/** The view as Prometheus text format 0.0.4. */
export function metricsText(v: AgentView): string {
  const out = [
    '# HELP lbctl_agent_destination_up 1 when the real server passes its check (rise/fall applied).',
    '# TYPE lbctl_agent_destination_up gauge',
    '# HELP lbctl_agent_destination_weight The weight the agent keeps in the kernel (-1: removed).',
    '# TYPE lbctl_agent_destination_weight gauge',
    '# HELP lbctl_agent_checks_total Probes run, by result.',
    '# TYPE lbctl_agent_checks_total counter',
    '# HELP lbctl_agent_check_latency_seconds Duration of the last probe.',
    '# TYPE lbctl_agent_check_latency_seconds gauge',
  ];
  for (const s of v.services) {
    for (const m of s.members) {
      const l = `service="${label(s.service)}",server="${label(m.server)}"`;
      out.push(`lbctl_agent_destination_up{${l}} ${m.health === 'up' ? 1 : 0}`);
      out.push(`lbctl_agent_destination_weight{${l}} ${m.override === undefined ? m.weight : (m.override ?? -1)}`);
      if (m.passed !== undefined)
        out.push(
          `lbctl_agent_checks_total{${l},result="pass"} ${m.passed}`,
          `lbctl_agent_checks_total{${l},result="fail"} ${m.failed ?? 0}`,
        );
      if (m.last) out.push(`lbctl_agent_check_latency_seconds{${l}} ${m.last.latencyMs / 1000}`);
    }
  }
  out.push('# HELP lbctl_agent_anycast_announced 1 when this node announces the prefix.', '# TYPE lbctl_agent_anycast_announced gauge');
  for (const g of v.anycast)
    out.push(`lbctl_agent_anycast_announced{group="${label(g.group)}",prefix="${label(g.prefix)}"} ${g.announced ? 1 : 0}`);
  out.push(
    '# HELP lbctl_agent_kernel_edits_total Kernel edits made since start.',
    '# TYPE lbctl_agent_kernel_edits_total counter',
    `lbctl_agent_kernel_edits_total ${v.edits}`,
  );
  return `${out.join('\n')}\n`;
}
