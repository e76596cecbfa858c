// What every director gets for its services' connections, whatever their checks.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { desiredStates } from '../../src/desired/desired.js';
import { loadTopology } from '../../src/topology/load.js';

describe("a director's connection sysctls", () => {
  it.each(['weight0', 'remove'])(
    'onFailure %s: expire_nodest_conn 1, so a reused client port is scheduled afresh off a drained or deleted server',
    (onFailure) => {
      const text = readFileSync('topologies/dr-web.yaml', 'utf8').replace(
        '    check: { kind: http, path: /, status: [200] }',
        `    check: { kind: http, path: /, status: [200] }\n    onFailure: ${onFailure}`,
      );
      expect(text).toContain(`onFailure: ${onFailure}`);
      const sysctls = desiredStates(loadTopology('dr-web.yaml', text).topology!).get('director')!.sysctls;
      expect(sysctls['net.ipv4.vs.expire_nodest_conn']).toBe('1');
    },
  );
});
