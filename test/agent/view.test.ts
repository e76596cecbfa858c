import { describe, expect, it } from 'vitest';
import { metricsText } from '../../src/agent/metrics.js';
import { formatView, type AgentView } from '../../src/agent/view.js';

const VIEW: AgentView = {
  host: 'director',
  updatedAt: 10_000,
  edits: 2,
  services: [
    {
      service: 'web',
      key: 'tcp 192.168.10.100:80',
      sorry: false,
      quorumUp: true,
      members: [
        {
          server: '192.168.10.21:80',
          weight: 3,
          override: 0,
          check: 'http 192.168.10.21:80',
          health: 'down',
          since: 9000,
          last: { passed: false, detail: 'HTTP 503', at: 9500, latencyMs: 3 },
          passed: 10,
          failed: 2,
        },
        { server: '192.168.10.22:80', weight: 2, check: 'http 192.168.10.22:80', health: 'up', since: 0, passed: 12, failed: 0 },
        { server: '192.168.10.23:80', weight: 1, override: null, health: 'down' },
      ],
    },
  ],
  anycast: [{ group: 'dns', prefix: '6.6.6.6/32', announced: false, holdDownMs: 4000, health: 'down' }],
};

describe('agent state as operators see it', () => {
  it('status text: one line per real server with its weight as set, check, health, last result and change', () => {
    expect(formatView(VIEW, 11_000)).toBe(
      [
        'agent on director: updated 1s ago, 2 kernel edit(s)',
        'service web (tcp 192.168.10.100:80)',
        '  192.168.10.21:80       DOWN  weight 0 (topology 3), http 192.168.10.21:80, last FAIL: HTTP 503 (3 ms) 1.5s ago, changed 2s ago',
        '  192.168.10.22:80       UP    weight 2, http 192.168.10.22:80, changed 11s ago',
        '  192.168.10.23:80       DOWN  REMOVED, unchecked',
        'anycast dns 6.6.6.6/32: WITHDRAWN, check down, hold-down 4000 ms',
        '',
      ].join('\n'),
    );
  });

  it('Prometheus text: per-destination state and weight (-1: removed), checks by result, announcements', () => {
    const text = metricsText(VIEW);
    expect(text).toContain('lbctl_agent_destination_up{service="web",server="192.168.10.21:80"} 0');
    expect(text).toContain('lbctl_agent_destination_weight{service="web",server="192.168.10.21:80"} 0');
    expect(text).toContain('lbctl_agent_destination_weight{service="web",server="192.168.10.23:80"} -1');
    expect(text).toContain('lbctl_agent_checks_total{service="web",server="192.168.10.21:80",result="fail"} 2');
    expect(text).toContain('lbctl_agent_check_latency_seconds{service="web",server="192.168.10.21:80"} 0.003');
    expect(text).toContain('lbctl_agent_anycast_announced{group="dns",prefix="6.6.6.6/32"} 0');
    expect(text).toContain('lbctl_agent_kernel_edits_total 2');
    for (const line of text.trim().split('\n')) expect(line).toMatch(/^(# (HELP|TYPE) \w+ .+|\w+(\{[^}]*\})? -?[\d.]+)$/);
  });
});
