// `lab down` after a crash: a truncated or otherwise unreadable lab.json, and daemons started but not yet recorded
// when `lab up` was killed. Code level: the namespace commands go to a fake runner; the daemons are real processes
// whose command lines name the lab's state dir, as every daemon of a lab does.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Runner } from '../../src/host/port.js';
import { running } from '../../src/lab/daemon.js';
import { labDown } from '../../src/lab/down.js';
import { LabError } from '../../src/lab/errors.js';
import { labDir } from '../../src/lab/names.js';
import { readLabRecord, readLabState } from '../../src/lab/state.js';

const LAB = `hostile${process.pid}`;
const DIR = labDir(LAB);
afterEach(() => rmSync(DIR, { recursive: true, force: true }));

/** A machine without any of the lab's namespaces: `ip -j netns list` prints an empty list. */
const noNamespaces: Runner = { run: async () => ({ exitCode: 0, stdout: '[]', stderr: '' }) };

/** A process that runs until killed, with the lab's state dir in its command line (as FRR's unshare and dnsmasq have). */
function markedProcess(): number {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', `${DIR}/frr/r1/etc/frr`], { stdio: 'ignore' });
  return child.pid!;
}

const VALID = JSON.stringify({ file: 't.yaml', plan: { lab: LAB, namespaces: [] }, services: [] });

/** [what, how lab.json is left]: each record `lab down` must survive. */
const UNREADABLE: [string, () => void][] = [
  ['truncated', () => writeFileSync(join(DIR, 'lab.json'), VALID.slice(0, 20))],
  ['empty', () => writeFileSync(join(DIR, 'lab.json'), '')],
  ['[]', () => writeFileSync(join(DIR, 'lab.json'), '[]')],
  ['null', () => writeFileSync(join(DIR, 'lab.json'), 'null')],
  ['services not a list', () => writeFileSync(join(DIR, 'lab.json'), VALID.replace('"services":[]', '"services":7'))],
  ['a directory', () => mkdirSync(join(DIR, 'lab.json'))],
];

describe('lab down with a damaged record', () => {
  it.each(UNREADABLE)('%s lab.json: daemons found by their command line are stopped, the state dir removed', async (_what, damage) => {
    mkdirSync(DIR, { recursive: true });
    damage();
    const pid = markedProcess();
    await expect.poll(() => running(pid)).toBe(true);
    const report = await labDown(LAB, noNamespaces);
    expect(report.unreadableRecord).toContain('lab.json');
    expect(report.daemons).toBe(1);
    expect(await running(pid)).toBe(false);
    expect(existsSync(DIR)).toBe(false);
    await expect(readLabRecord(LAB)).resolves.toEqual({ state: null });
  });

  it.each(UNREADABLE)('%s lab.json: other lab commands say how to get out', async (_what, damage) => {
    mkdirSync(DIR, { recursive: true });
    damage();
    const err = await readLabState(LAB).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LabError);
    expect((err as LabError).message).toContain(`lbctl lab down --name ${LAB}`);
  });

  it('a daemon started but not recorded (lab up killed during start) is stopped with a valid record', async () => {
    mkdirSync(DIR, { recursive: true });
    writeFileSync(join(DIR, 'lab.json'), VALID);
    const pid = markedProcess();
    await expect.poll(() => running(pid)).toBe(true);
    const report = await labDown(LAB, noNamespaces);
    expect(report.unreadableRecord).toBeUndefined();
    expect(report.daemons).toBe(1);
    expect(await running(pid)).toBe(false);
  });
});
