import { describe, expect, it } from 'vitest';
import type { Plan } from '../../src/plan/types.js';
import { renderJson } from '../../src/present/json.js';

describe('renderJson', () => {
  it.each<[string, Plan]>([
    ['no hosts', { version: 1, hosts: [] }],
    ['a host without changes', { version: 1, hosts: [{ host: 'a', changes: [], unmanaged: [], warnings: [] }] }],
    [
      'hosts with changes, unmanaged objects and warnings',
      {
        version: 1,
        hosts: [
          {
            host: 'd',
            changes: [
              { action: 'create', kind: 'module', key: 'ip_vs', before: null, after: 'ip_vs' },
              {
                action: 'update',
                kind: 'link',
                key: 'tunl0',
                before: { name: 'tunl0', kind: 'ipip', up: false, mtu: 1500 },
                after: { name: 'tunl0', kind: 'ipip', up: true, mtu: 1480 },
              },
            ],
            unmanaged: [{ kind: 'address', key: 'lo 192.0.2.1/32' }],
            warnings: ['a "quoted" warning'],
          },
          { host: 'e', changes: [], unmanaged: [], warnings: ['x'] },
        ],
      },
    ],
    [
      'changes spanning several batches',
      {
        version: 1,
        hosts: [
          {
            host: 'big',
            changes: Array.from({ length: 4501 }, (_, i) => ({
              action: 'create' as const,
              kind: 'module' as const,
              key: `m${i}`,
              before: null,
              after: `m${i}`,
            })),
            unmanaged: [],
            warnings: [],
          },
        ],
      },
    ],
  ])('streams exactly JSON.stringify(plan, null, 2): %s', (_name, plan) => {
    expect(renderJson(plan)).toBe(`${JSON.stringify(plan, null, 2)}\n`);
  });
});
