// Hostile observed state in shell plans: values captured from a host (sysctl keys, nft rule comments, device names,
// routes, file paths) may hold newlines, CRs, quotes and escape sequences. The shell plan, run by sh with only
// recorders in PATH, must run exactly the commands its steps list, and its comments must stay comments.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { emptyHostState, type HostState } from '../../src/model/state.js';
import { ownedKey } from '../../src/plan/diff.js';
import { makePlan, planHost } from '../../src/plan/plan.js';
import { renderHuman } from '../../src/present/human.js';
import { runShellPlan, seededRandom } from '../support/shell-plan-run.js';

/** Values an attacker with a foothold on a host (or a broken tool) could make lbctl capture. */
const HOSTILE: [raw: string, shown: string][] = [
  ['x\nreboot #', 'x\\nreboot #'],
  ['x\rreboot', 'x\\rreboot'],
  ["x'\nreboot\n'", "x'\\nreboot\\n'"],
  ['x\u2028reboot', 'x\\u2028reboot'],
  ['$(reboot)', '$(reboot)'],
  ['`reboot`', '`reboot`'],
  ['x\x1b[2J\x1b]0;owned\x07', 'x\\x1b[2J\\x1b]0;owned\\x07'],
  ['x\x9b31m', 'x\\x9b31m'],
  ['LBCTL_EOF\nreboot', 'LBCTL_EOF\\nreboot'],
  ['x\x00reboot', 'x\\x00reboot'],
  ['x\u202etoober', 'x\\u202etoober'],
];

/** Where a captured value lands in a plan: an observed state holding it, and the objects lbctl owns there. */
interface Placement {
  where: string;
  observed: (v: string, s: HostState) => void;
  owned: (v: string) => string[];
}

const PLACEMENTS: Placement[] = [
  { where: 'sysctl key (unmanaged)', observed: (v, s) => void (s.sysctls[`net.ipv4.${v}`] = '1'), owned: () => [] },
  { where: 'sysctl value (update)', observed: (v, s) => void (s.sysctls['net.ipv4.ip_forward'] = v), owned: () => [] },
  {
    where: 'nft rule comment (update)',
    observed: (v, s) =>
      void s.nft.push({ family: 'ip', name: 'lbctl', rules: [`ip daddr 10.0.0.5 snat to 10.0.0.1 comment "${v}"`], output: [] }),
    owned: () => [],
  },
  {
    where: 'address device (owned, deleted)',
    observed: (v, s) => void s.addresses.push({ device: v, cidr: '10.0.0.7/32' }),
    owned: (v) => [ownedKey('address', `${v} 10.0.0.7/32`)],
  },
  { where: 'address (unmanaged)', observed: (v, s) => void s.addresses.push({ device: 'lo', cidr: v }), owned: () => [] },
  {
    where: 'route via (owned, deleted)',
    observed: (v, s) => void s.routes.push({ family: 'inet', destination: '10.9.0.0/16', via: v }),
    owned: () => [ownedKey('route', 'inet 10.9.0.0/16')],
  },
  { where: 'module (owned, deleted)', observed: (v, s) => void s.modules.push(v), owned: (v) => [ownedKey('module', v)] },
  {
    where: 'file path (owned, deleted)',
    observed: (v, s) => void s.files.push({ path: `/etc/${v}`, content: '', mode: 0o644 }),
    owned: (v) => [ownedKey('file', `/etc/${v}`)],
  },
  {
    where: 'file content (update)',
    observed: (v, s) => void s.files.push({ path: '/etc/lbctl/x.conf', content: `${v}\n`, mode: 0o644 }),
    owned: () => [],
  },
  {
    where: 'link name (unmanaged)',
    observed: (v, s) => void s.links.push({ name: v, kind: 'ipip', up: true, mtu: 1480 }),
    owned: () => [],
  },
];

/** What lbctl wants on the host: something of each kind the placements touch. */
function desired(): HostState {
  const s = emptyHostState('h');
  s.sysctls['net.ipv4.ip_forward'] = '1';
  s.nft.push({ family: 'ip', name: 'lbctl', rules: ['ip daddr 10.0.0.5 snat to 10.0.0.1 comment "lbctl-1"'], output: [] });
  s.files.push({ path: '/etc/lbctl/x.conf', content: 'wanted\n', mode: 0o644 });
  return s;
}

const tmp = mkdtempSync(join(tmpdir(), 'lbctl-shell-plan-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Characters that mean something to sh, to terminals or to lbctl's own quoting, and a few plain ones. */
const ALPHABET = [...'\n\r\t\x00\x07\x1b\x7f\x85\x9b\u2028\u2029\u202e #;&|<>()$`\'"\\*?[]{}~=%!-x/.', 'LBCTL_EOF', '\nLBCTL_EOF\n'];

/** `count` random hostile values of up to 12 pieces each, from `seed`. */
function randomValues(seed: number, count: number): string[] {
  const next = seededRandom(seed);
  return Array.from({ length: count }, () =>
    Array.from({ length: 1 + Math.floor(next() * 12) }, () => ALPHABET[Math.floor(next() * ALPHABET.length)]).join(''),
  );
}

/** Runs the shell plan of `value` placed as `p` says, in `dir`. */
function runPlan(p: Placement, value: string, dir: string): { ran: string; listed: string; script: string } {
  const observed = emptyHostState('h');
  p.observed(value, observed);
  mkdirSync(dir, { recursive: true });
  return runShellPlan(planHost(desired(), observed, new Set(p.owned(value))), dir);
}

const cases = PLACEMENTS.flatMap((p) => HOSTILE.map(([v]) => [p.where, JSON.stringify(v), p, v] as const));

describe('a shell plan of hostile observed state', () => {
  it.each(cases)('%s = %s: sh runs exactly the listed commands', (_where, _shown, p, value) => {
    const { ran, listed, script } = runPlan(p, value, join(tmp, `${cases.findIndex((c) => c[2] === p && c[3] === value)}`));
    // Every comment line is one line: no control character of a value survives in it.
    for (const line of script.split('\n').filter((l) => l.startsWith('#')))
      expect(line).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028-\u202e]/u);
    expect(ran).toBe(listed);
  });

  it('random values in every placement (seeded): sh runs exactly the listed commands', () => {
    const values = randomValues(20261130, 20);
    values.forEach((value, i) => {
      for (const [j, p] of PLACEMENTS.entries()) {
        const { ran, listed } = runPlan(p, value, join(tmp, `random-${i}-${j}`));
        expect(ran, `${p.where} = ${JSON.stringify(value)}`).toBe(listed);
      }
    });
  }, 120_000);

  it.each(HOSTILE.map(([v, shown]) => [JSON.stringify(v), v, shown] as const))(
    'human output shows %s escaped, never raw',
    (_json, value, shown) => {
      const observed = emptyHostState('h');
      for (const p of PLACEMENTS) p.observed(value, observed);
      const text = renderHuman(
        makePlan([planHost(desired(), observed, new Set(PLACEMENTS.flatMap((p) => p.owned(value))), [`captured ${value}`])]),
      );
      expect(text.split('\n').join('')).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028-\u202e]/u);
      expect(text).toContain(`! captured ${shown}\n`);
      expect(text).toContain(`? unmanaged address lo ${shown} (not in the topology`);
    },
  );
});
