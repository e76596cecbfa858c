// The readiness probe's command against the real perl on this machine: a connect from a bound source port to a
// listening port passes, again and again from that one port (the reset leaves no TIME_WAIT behind); the port is the
// one given (a listener holding it fails the probe); a closed port fails with the kernel's reason; and exit statuses
// map to outcomes.
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectArgv, connectOutcome } from '../../../src/drivers/perl/connect.js';

const run = async (argv: string[]) => {
  try {
    const { stdout, stderr } = await promisify(execFile)(argv[0]!, argv.slice(1));
    return { exitCode: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { exitCode: e.code, stdout: e.stdout, stderr: e.stderr };
  }
};

describe('the perl connect probe', () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    server = createServer((s) => s.on('error', () => {}).end());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('connects three times in a row from one source port (the reset leaves nothing behind to block the next)', async () => {
    const argv = connectArgv({
      source: '127.0.0.1',
      sourcePort: 40000 + (process.pid % 20000),
      address: '127.0.0.1',
      port,
      timeoutMs: 2000,
    });
    for (let i = 0; i < 3; i++) expect(connectOutcome(await run(argv))).toEqual({ kind: 'connected' });
  });

  it('binds the source port it is given: one held by a listener fails it', async () => {
    const holder = createServer();
    await new Promise<void>((r) => holder.listen(0, '127.0.0.1', r));
    const held = (holder.address() as { port: number }).port;
    const argv = connectArgv({ source: '127.0.0.1', sourcePort: held, address: '127.0.0.1', port, timeoutMs: 2000 });
    const outcome = connectOutcome(await run(argv));
    await new Promise<void>((r) => holder.close(() => r()));
    expect(outcome).toEqual({ kind: 'failed', reason: expect.stringContaining('Address already in use') });
  });

  it('fails with the kernel reason on a closed port', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const free = (closed.address() as { port: number }).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const argv = connectArgv({ source: '127.0.0.1', sourcePort: 0, address: '127.0.0.1', port: free, timeoutMs: 400 });
    expect(connectOutcome(await run(argv))).toEqual({ kind: 'failed', reason: 'Connection refused' });
  });

  it.each([
    [{ exitCode: 0, stderr: '' }, { kind: 'connected' }],
    [
      { exitCode: 1, stderr: 'Connection timed out\n' },
      { kind: 'failed', reason: 'Connection timed out' },
    ],
    [
      { exitCode: 1, stderr: '' },
      { kind: 'failed', reason: 'perl exited 1' },
    ],
    [{ exitCode: 127, stderr: 'perl: not found' }, { kind: 'no-perl' }],
    [{ exitCode: 2, stderr: "Can't locate IO/Socket/IP.pm" }, { kind: 'no-perl' }],
  ])('reads %j as %j', (result, outcome) => expect(connectOutcome(result)).toEqual(outcome));

  it('passes the timeout in seconds, fractions kept', () => {
    expect(connectArgv({ source: '10.0.0.1', sourcePort: 61000, address: '10.0.0.100', port: 80, timeoutMs: 400 }).slice(3)).toEqual([
      '10.0.0.1',
      '61000',
      '10.0.0.100',
      '80',
      '0.4',
    ]);
  });
});
