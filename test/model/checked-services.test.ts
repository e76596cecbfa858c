import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { desiredStates } from '../../src/desired/desired.js';
import { loadTopology } from '../../src/topology/load.js';

describe('what a service with checks needs on its director', () => {
  it('onFailure remove expires the connections of a removed server (expire_nodest_conn); weight0 lets them finish', () => {
    const text = readFileSync('topologies/dr-web.yaml', 'utf8');
    const sysctls = (yaml: string) => desiredStates(loadTopology('dr-web.yaml', yaml).topology!).get('director')!.sysctls;
    expect(sysctls(text)['net.ipv4.vs.expire_nodest_conn']).toBeUndefined();
    const removing = text.replace(
      '    check: { kind: http, path: /, status: [200] }',
      '    check: { kind: http, path: /, status: [200] }\n    onFailure: remove',
    );
    expect(removing).toContain('onFailure: remove');
    expect(sysctls(removing)['net.ipv4.vs.expire_nodest_conn']).toBe('1');
  });
});
