// Which OSPF settings a routing host gets from the topology.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ospfConfigOf } from '../../src/desired/routing-config.js';
import { loadTopology } from '../../src/topology/load.js';
import type { Topology } from '../../src/topology/types.js';

function topology(file: string): Topology {
  const loaded = loadTopology(file, readFileSync(file, 'utf8'));
  if (!loaded.topology) throw new Error(`${file} is invalid`);
  return loaded.topology;
}

/** "name:priority" of each OSPFv2 and OSPFv3 interface of a host ("-" when the daemon default holds). */
function priorities(t: Topology, host: string): string[] {
  const cfg = ospfConfigOf(t, t.hosts.get(host)!)!;
  return [...cfg.interfaces, ...(cfg.interfaces6 ?? [])].map((i) => `${i.name}:${i.priority ?? '-'}`);
}

describe('OSPF router priority', () => {
  it('keeps anycast nodes out of DR/BDR elections on their links, not on lo, and leaves routers at the default', () => {
    const t = topology('topologies/dns-anycast-ospf6.yaml');
    for (const node of ['dns1', 'dns2', 'dns3']) {
      const all = priorities(t, node);
      expect(
        all.filter((p) => !p.startsWith('lo:')).every((p) => p.endsWith(':0')),
        `${node}: ${all.join(' ')}`,
      ).toBe(true);
      expect(all.filter((p) => p.startsWith('lo:'))).toEqual(['lo:-', 'lo:-']);
    }
    for (const router of ['r1', 'r2'])
      expect(
        priorities(t, router).every((p) => p.endsWith(':-')),
        router,
      ).toBe(true);
  });
});
