// The agent's state as operators read it (`lbctl status`, the state file's "view"): every service, real server,
// check, health, last result and last change; every anycast group and whether this node announces it.
import type { HealthEngine } from '../health/engine.js';
import type { WatchedProbe } from '../health/watch.js';
import { endpoint } from '../model/keys.js';

/** One real server as shown. */
export interface MemberView {
  server: string;
  /** The topology's weight and the one the agent set (null: removed; absent: as the topology says). */
  weight: number;
  override?: number | null;
  check?: string;
  health: 'up' | 'down';
  since?: number;
  last?: { passed: boolean; detail: string; at: number; latencyMs: number };
  passed?: number;
  failed?: number;
}

/** The whole view of one host's agent. */
export interface AgentView {
  host: string;
  updatedAt: number;
  edits: number;
  services: { service: string; key: string; sorry: boolean; quorumUp: boolean; members: MemberView[] }[];
  anycast: { group: string; prefix: string; announced: boolean; holdDownMs: number; health: 'up' | 'down'; last?: MemberView['last'] }[];
}

/** A probe as shown: "http 10.0.0.11:80", or through the VIP path "http 10.0.0.100:80 via the VIP path from 10.0.0.5:61234". */
function checkText(p: WatchedProbe): string {
  const { kind, address, port } = p.check;
  if (!p.via?.local) return `${kind} ${endpoint(address, port)}`;
  return `${kind} ${endpoint(p.via.address, p.via.port)} via the VIP path from ${endpoint(p.via.local.address, p.via.local.port)}`;
}

/** The view of the engine now. */
export function agentView(host: string, engine: HealthEngine, now: number): AgentView {
  const saved = engine.snapshot();
  const watch = engine.watching();
  return {
    host,
    updatedAt: now,
    edits: engine.edits,
    services: watch.pools.map((p) => ({
      service: p.service,
      key: p.key,
      sorry: saved.sorry.includes(p.key),
      quorumUp: !saved.quorumDown.includes(p.key),
      members: p.members.map((m): MemberView => {
        const t = m.probe === undefined ? undefined : engine.target(m.probe);
        const overrides = saved.overrides[p.key] ?? {};
        const check = m.probe === undefined ? undefined : watch.probes.get(m.probe);
        return {
          server: m.key,
          weight: m.destination.weight,
          ...(m.key in overrides ? { override: overrides[m.key] ?? null } : {}),
          ...(check ? { check: checkText(check) } : {}),
          health: t?.health ?? 'up',
          ...(t ? { since: t.since, passed: t.passed, failed: t.failed, ...(t.last ? { last: t.last } : {}) } : {}),
        };
      }),
    })),
    anycast: watch.anycast.map((g) => {
      const a = saved.anycast[g.group];
      const t = engine.target(g.probe);
      return {
        group: g.group,
        prefix: g.prefix,
        announced: a?.announced ?? true,
        holdDownMs: a?.holdDownMs ?? g.holdDownMs,
        health: t?.health ?? 'up',
        ...(t?.last ? { last: t.last } : {}),
      };
    }),
  };
}

/** The view as text, one line per real server and anycast group. */
export function formatView(v: AgentView, now: number): string {
  const ago = (t?: number) => (t === undefined ? '' : ` ${Math.round((now - t) / 100) / 10}s ago`);
  const lines = [`agent on ${v.host}: updated${ago(v.updatedAt)}, ${v.edits} kernel edit(s)`];
  for (const s of v.services) {
    lines.push(`service ${s.service} (${s.key})${s.sorry ? ' SORRY SERVER IN' : ''}${s.quorumUp ? '' : ' QUORUM LOST'}`);
    for (const m of s.members) {
      const weight =
        m.override === undefined ? `weight ${m.weight}` : m.override === null ? 'REMOVED' : `weight ${m.override} (topology ${m.weight})`;
      const last = m.last ? `, last ${m.last.passed ? 'pass' : 'FAIL'}: ${m.last.detail} (${m.last.latencyMs} ms)${ago(m.last.at)}` : '';
      lines.push(
        `  ${m.server.padEnd(22)} ${m.health.toUpperCase().padEnd(5)} ${weight}${m.check ? `, ${m.check}` : ', unchecked'}${last}${m.since !== undefined ? `, changed${ago(m.since)}` : ''}`,
      );
    }
  }
  for (const g of v.anycast) {
    const last = g.last ? `, last ${g.last.passed ? 'pass' : 'FAIL'}: ${g.last.detail}${ago(g.last.at)}` : '';
    lines.push(
      `anycast ${g.group} ${g.prefix}: ${g.announced ? 'ANNOUNCED' : 'WITHDRAWN'}, check ${g.health}, hold-down ${g.holdDownMs} ms${last}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
