// The agent's kernel edits: an IPVS edit goes as a line to one long-lived `ipvsadm -R` and counts as done once
// /proc/net/ip_vs shows it, with no command started; one that does not show in time is made again as a command (whose
// refusal is the error), as is every edit on a host without a feed, every anycast edit, and every edit when the file
// is absent; a feed that died is started again. A /proc/net/ip_vs without the edit's service (the kernel cut the read
// short) proves nothing: ipvsadm-save -n tells instead.
import { describe, expect, it } from 'vitest';
import { KernelEditor } from '../../src/agent/kernel.js';
import type { Edit } from '../../src/health/engine.js';
import type { PollClock } from '../../src/host/poll-clock.js';
import { CommandError, type Feed, type Host } from '../../src/host/port.js';

const SERVICE = { protocol: 'tcp', address: '10.0.0.100', port: 80 } as const;
const destination = (weight: number) => ({ address: '10.0.0.11', port: 80, forward: 'masq', weight, upper: 0, lower: 0 }) as const;
const weight0: Edit = { kind: 'weight', service: SERVICE, destination: destination(0) };
const LINE = '-e -t 10.0.0.100:80 -r 10.0.0.11:80 -m -w 0\n';

/** /proc/net/ip_vs with the service and its one destination at `weight`, as the kernel prints it. */
const proc = (weight: number) =>
  [
    'IP Virtual Server version 1.2.1 (size=4096)',
    'Prot LocalAddress:Port Scheduler Flags',
    '  -> RemoteAddress:Port Forward Weight ActiveConn InActConn',
    'TCP  0A000064:0050 rr',
    `  -> 0A00000B:0050      Masq    ${weight}      0          0`,
    '',
  ].join('\n');

/** /proc/net/ip_vs as Linux 6.1 can cut it short beside another namespace's services: without the edit's service. */
const procCut = () =>
  ['IP Virtual Server version 1.2.1 (size=4096)', 'Prot LocalAddress:Port Scheduler Flags', 'TCP  0A000065:0050 rr', ''].join('\n');

/** ipvsadm-save -n of the service and its one destination at `weight`. */
const saved = (weight: number) => `-A -t 10.0.0.100:80 -s rr\n-a -t 10.0.0.100:80 -r 10.0.0.11:80 -m -w ${weight}\n`;

/**
 * A host whose kernel holds the destination at weight 1; `onLine` decides what a fed line does to it, `cut` makes
 * /proc/net/ip_vs lack the service, `saves` is what ipvsadm-save -n shows of it (the kernel's table, or nothing).
 */
function host(
  options: {
    feed?: boolean;
    proc?: boolean;
    cut?: boolean;
    saves?: 'table' | 'nothing';
    onLine?: (line: string) => number | null;
    refuse?: boolean;
  } = {},
) {
  const state = { weight: 1, commands: [] as string[], fed: [] as string[], feeds: 0, alive: true };
  const feed = (): Feed => {
    state.feeds++;
    state.alive = true;
    return {
      write: (text) => {
        state.fed.push(text);
        const w = (options.onLine ?? (() => 0))(text);
        if (w !== null) state.weight = w;
      },
      get alive() {
        return state.alive;
      },
      close: async () => void (state.alive = false),
    };
  };
  const target: Pick<Host, 'run' | 'read' | 'feed'> = {
    run: async (argv) => {
      state.commands.push(argv.join(' '));
      if (argv[0] === 'ipvsadm-save') return { exitCode: 0, stdout: options.saves === 'table' ? saved(state.weight) : '', stderr: '' };
      return argv[0] === 'ipvsadm' && options.refuse
        ? { exitCode: 2, stdout: '', stderr: 'refused' }
        : { exitCode: 0, stdout: '', stderr: '' };
    },
    read: async (path) =>
      path === '/proc/net/ip_vs' && options.proc !== false ? { content: options.cut ? procCut() : proc(state.weight), mode: 0o444 } : null,
    ...(options.feed === false ? {} : { feed }),
  };
  return { target, state };
}

/** A clock that moves on when slept on. */
function fakeClock(): PollClock & { slept: number } {
  const clock = { t: 0, slept: 0 };
  return Object.assign(clock, {
    now: () => clock.t,
    sleep: async (ms: number) => {
      clock.t += ms;
      clock.slept += ms;
    },
  });
}

describe('KernelEditor', () => {
  it('feeds an IPVS edit to ipvsadm -R and takes it as done when /proc/net/ip_vs shows it: no command', async () => {
    const { target, state } = host();
    const clock = fakeClock();
    await new KernelEditor(target, clock).apply([weight0]);
    expect(state).toMatchObject({ weight: 0, fed: [LINE], commands: [], feeds: 1 });
    expect(clock.slept).toBe(0);
  });

  it('makes an edit that does not show within 250 ms again as a command, whose refusal is the error', async () => {
    const { target, state } = host({ onLine: () => null, refuse: true });
    const clock = fakeClock();
    await expect(new KernelEditor(target, clock).apply([weight0])).rejects.toBeInstanceOf(CommandError);
    expect(state.commands).toEqual(['ipvsadm -e -t 10.0.0.100:80 -r 10.0.0.11:80 -m -w 0']);
    expect(clock.slept).toBe(250);
  });

  it('makes it as a command at once when /proc/net/ip_vs cannot be read as the kernel writes it', async () => {
    const { target, state } = host();
    const read = target.read;
    target.read = async (path) => ({ ...(await read(path))!, content: 'TCP  nonsense\n' });
    const clock = fakeClock();
    await new KernelEditor(target, clock).apply([weight0]);
    expect(state.commands).toHaveLength(1);
    expect(clock.slept).toBe(0);
  });

  it('asks ipvsadm-save -n when /proc/net/ip_vs lacks the service, and takes the edit as done when it shows it', async () => {
    const { target, state } = host({ cut: true, saves: 'table' });
    const clock = fakeClock();
    await new KernelEditor(target, clock).apply([weight0]);
    expect(state).toMatchObject({ weight: 0, fed: [LINE], commands: ['ipvsadm-save -n'] });
    expect(clock.slept).toBe(0);
  });

  it('keeps asking ipvsadm-save -n until the edit shows, once /proc/net/ip_vs lacked the service', async () => {
    let lines = 0;
    const { target, state } = host({ cut: true, saves: 'table', onLine: () => null });
    const run = target.run;
    // The fed line lands after the first two reads of ipvsadm-save.
    target.run = async (argv, input) => {
      if (argv[0] === 'ipvsadm-save' && ++lines === 3) state.weight = 0;
      return run(argv, input);
    };
    const clock = fakeClock();
    await new KernelEditor(target, clock).apply([weight0]);
    expect(state.commands).toEqual(['ipvsadm-save -n', 'ipvsadm-save -n', 'ipvsadm-save -n']);
    expect(clock.slept).toBe(4);
  });

  it('makes the edit as a command when neither /proc/net/ip_vs nor ipvsadm-save -n shows the service', async () => {
    const { target, state } = host({ cut: true, saves: 'nothing', onLine: () => null });
    const clock = fakeClock();
    await new KernelEditor(target, clock).apply([weight0]);
    expect(state.commands).toEqual(['ipvsadm-save -n', 'ipvsadm -e -t 10.0.0.100:80 -r 10.0.0.11:80 -m -w 0']);
    expect(clock.slept).toBe(0);
  });

  it.each([
    ['without a feed on the host', { feed: false }],
    ['without /proc/net/ip_vs', { proc: false }],
  ])('runs a command per edit %s, without waiting', async (_what, options) => {
    const { target, state } = host(options);
    const clock = fakeClock();
    await new KernelEditor(target, clock).apply([weight0]);
    expect(state.commands).toEqual(['ipvsadm -e -t 10.0.0.100:80 -r 10.0.0.11:80 -m -w 0']);
    expect(clock.slept).toBe(0);
  });

  it('runs anycast edits as commands', async () => {
    const { target, state } = host();
    await new KernelEditor(target, fakeClock()).apply([{ kind: 'withdraw', group: 'dns', prefix: '6.6.6.6/32' }]);
    expect(state.fed).toEqual([]);
    expect(state.commands).toEqual(['ip addr flush dev lo to 6.6.6.6/32']);
  });

  it('starts the feed ahead of the first edit when asked, and uses it then', async () => {
    const { target, state } = host();
    const editor = new KernelEditor(target, fakeClock());
    editor.start();
    expect(state.feeds).toBe(1);
    await editor.apply([weight0]);
    expect(state).toMatchObject({ feeds: 1, fed: [LINE], commands: [] });
  });

  it('keeps one feed for many edits, and starts another when it died', async () => {
    const { target, state } = host({ onLine: (line) => Number(/-w (\d+)/.exec(line)![1]) });
    const editor = new KernelEditor(target, fakeClock());
    await editor.apply([weight0, { ...weight0, destination: destination(3) }]);
    expect(state).toMatchObject({ weight: 3, feeds: 1, commands: [] });
    state.alive = false;
    await editor.apply([weight0]);
    expect(state).toMatchObject({ weight: 0, feeds: 2, commands: [] });
    await editor.close();
    expect(state.alive).toBe(false);
  });
});
