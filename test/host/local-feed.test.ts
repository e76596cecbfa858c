// The local feed against real processes: each line written reaches the command while it runs (not at the end),
// close ends its stdin and waits for it, and a command that cannot start leaves a dead feed rather than a crash.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localFeed } from '../../src/host/adapters/exec.js';

const until = async (what: () => Promise<boolean>, ms = 5000) => {
  for (const end = Date.now() + ms; Date.now() < end;) {
    if (await what()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('not in time');
};

describe('localFeed', () => {
  let dir: string;
  beforeAll(async () => (dir = await mkdtemp(join(tmpdir(), 'lbctl-feed-'))));
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('hands each line to the running command as it is written; close waits for its exit', async () => {
    const out = join(dir, 'lines');
    const feed = localFeed(['sh', '-c', `while read -r l; do echo "$l" >> '${out}'; done`]);
    const lines = () => readFile(out, 'utf8').catch(() => '');
    feed.write('one\n');
    await until(async () => (await lines()) === 'one\n');
    feed.write('two\n');
    await until(async () => (await lines()) === 'one\ntwo\n');
    expect(feed.alive).toBe(true);
    await feed.close();
    expect(feed.alive).toBe(false);
  });

  it('is dead, not thrown, when the command cannot start or has exited', async () => {
    const missing = localFeed(['lbctl-no-such-command']);
    await until(async () => !missing.alive);
    missing.write('ignored\n');
    const quits = localFeed(['true']);
    await until(async () => !quits.alive);
    quits.write('after the end\n');
    expect([missing.alive, quits.alive]).toEqual([false, false]);
  });
});
