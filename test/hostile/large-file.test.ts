// Files over 1 MiB with problems are placed by searching the text for each key of a problem's path, not by a second,
// positioned parse. The search must land where the positioned parse would.
import { describe, expect, it } from 'vitest';
import { loadTopology } from '../../src/topology/load.js';
import { locate, parseSource } from '../../src/topology/source.js';

/** A valid topology of `n` FullNAT services (real servers by address: no warning), about 180 bytes each, in block and flow style. */
function services(n: number): string {
  const lines = [
    'apiVersion: lbctl/v1',
    'networks: { lan: 10.0.0.0/8 }',
    'hosts:',
    '  d: { interfaces: { eth0: { network: lan, address: 10.0.0.1/8 } } }',
    'services:',
  ];
  for (let i = 0; i < n; i++) {
    lines.push(
      `  s${i}:`,
      `    vip: 10.${100 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`,
      '    port: 80',
      '    scheduler: wrr',
      '    method: fullnat',
      '    directors: [d]',
      `    realServers: [{ address: 10.1.${(i >> 8) & 255}.${i & 255}, port: 80, weight: 2 }]`,
    );
  }
  return `${lines.join('\n')}\n`;
}

const BASE = services(7000);

/** [what, the text with one problem]: a bad value, an unknown key (placed at the key), a bad value in a flow mapping. */
const CASES: [string, string][] = [
  [
    'a bad scheduler',
    BASE.replace(
      '  s5000:\n    vip: 10.100.19.136\n    port: 80\n    scheduler: wrr',
      '  s5000:\n    vip: 10.100.19.136\n    port: 80\n    scheduler: wrrr',
    ),
  ],
  ['an unknown key', BASE.replace('  s6001:\n', '  s6001:\n    colour: blue\n')],
  [
    'a weight out of range in a flow mapping',
    BASE.replace(
      'realServers: [{ address: 10.1.16.0, port: 80, weight: 2 }]',
      'realServers: [{ address: 10.1.16.0, port: 80, weight: 70000 }]',
    ),
  ],
  ['a port out of range', BASE.replace('  s6999:\n    vip: 10.100.27.87\n    port: 80', '  s6999:\n    vip: 10.100.27.87\n    port: 0')],
];

describe('problems of a large file', () => {
  it('the base file is over 1 MiB and valid', () => {
    expect(BASE.length).toBeGreaterThan(1 << 20);
    expect(loadTopology('big.yaml', BASE).diagnostics).toEqual([]);
  });

  it('stays valid with thousands of warnings, some shown (DR real servers by address)', () => {
    const r = loadTopology('big.yaml', BASE.replaceAll('method: fullnat', 'method: dr'));
    expect(r.topology).toBeDefined();
    expect(r.diagnostics.map((d) => `${d.severity}[${d.rule}]`)).toEqual([
      'warning[too-many-problems]',
      ...Array<string>(100).fill('warning[dr-vip-unmanaged]'),
    ]);
  });

  it.each(CASES)(
    '%s is placed where the positioned parse places it',
    (_what, text) => {
      expect(text).not.toBe(BASE);
      const { diagnostics } = loadTopology('big.yaml', text);
      expect(diagnostics).toHaveLength(1);
      const d = diagnostics[0]!;
      const { source } = parseSource('big.yaml', text);
      expect(d.position).toEqual(locate(source, d.path, d.atKey === true));
    },
    60_000,
  );
});
