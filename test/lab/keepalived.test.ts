// keepalived in labs: which hosts get an instance, and the command that starts one apart from the machine's own.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { keepalivedCommand, keepalivedHosts } from '../../src/lab/keepalived.js';
import { labPlan } from '../../src/lab/plan.js';
import { desiredStates } from '../../src/desired/desired.js';
import { loadTopology } from '../../src/topology/load.js';

const example = (name: string) =>
  loadTopology(`${name}.yaml`, readFileSync(join(import.meta.dirname, '..', '..', 'topologies', `${name}.yaml`), 'utf8')).topology!;

describe('lab keepalived', () => {
  it('runs on the VRRP directors only', () => {
    for (const [name, expected] of [
      ['vrrp-web', ['d1', 'd2']],
      ['ecmp-web', []],
      ['dr-web', []],
    ] as const) {
      const t = example(name);
      expect(
        keepalivedHosts(labPlan(t, 'x').hosts, desiredStates(t)).map((h) => h.name),
        name,
      ).toEqual(expected);
    }
  });

  it("starts VRRP alone, in the director's namespace, in private mount and PID namespaces, on the lab's copy of the config", () => {
    const t = example('vrrp-web');
    const [d1] = keepalivedHosts(labPlan(t, 'vr').hosts, desiredStates(t));
    const argv = keepalivedCommand('vr', d1!);
    expect(argv.slice(0, 12)).toEqual([
      'ip',
      'netns',
      'exec',
      'lbl-vr-d1',
      'unshare',
      '--mount',
      '--pid',
      '--fork',
      '--mount-proc',
      '--kill-child',
      '--propagation',
      'private',
    ]);
    expect(argv.at(-1)).toBe('/run/lbctl-lab/vr/d1/etc/keepalived');
    // The lab dir is below /run, which the instance's tmpfs hides: the config dir is bound elsewhere first.
    const script = argv.at(-3)!.split('\n');
    const bind = script.indexOf('mount --bind "$1" /etc/keepalived');
    const hide = script.findIndex((l) => l.startsWith('mount -t tmpfs') && l.endsWith(' /run'));
    expect(bind).toBeGreaterThan(-1);
    expect(hide).toBeGreaterThan(bind);
    expect(script.join(' ')).toMatch(/keepalived --dont-fork .*--vrrp --use-file \/etc\/keepalived\/keepalived\.conf /);
  });
});
