// What the seed 004 e2e test and the failover benchmark share: a DNS client in pc's namespace that notes each change
// of the answering anycast node, R1's next hops to the VIP, and one failover measured from the moment a node is broken.
import { execa, type ResultPromise } from 'execa';

/** The anycast address of topologies/dns-anycast-ospf.yaml. */
export const ANYCAST_VIP = '6.6.6.6';

/** The namespace of `host` in lab `lab`. */
export const labNs = (lab: string, host: string) => `lbl-${lab}-${host}`;

/** Resolves after `ms`. */
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// A DNS client in pc's namespace: asks the VIP for whoami.lab.test every 10 ms (a fresh id each time, 200 ms
// timeout implied by the next questions) and prints a JSON line each time the answering node changes, with the
// wall-clock time of that answer and of the last answer of the previous node.
const PROBER = `
const dgram = require('node:dgram');
const s = dgram.createSocket('udp4');
const name = Buffer.concat(['whoami', 'lab', 'test'].map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)])));
let id = 0, current = null, lastAt = 0;
s.on('message', (m) => {
  if (m.length < 16 || ((m[6] << 8) | m[7]) === 0) return;
  const ip = [...m.subarray(m.length - 4)].join('.'), now = Date.now();
  if (ip !== current) { console.log(JSON.stringify({ ip, at: now, previousLastAt: lastAt })); current = ip; }
  lastAt = now;
});
setInterval(() => {
  id = (id + 1) & 0xffff;
  const q = Buffer.concat([Buffer.from([id >> 8, id & 255, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0]), name, Buffer.from([0, 0, 1, 0, 1])]);
  s.send(q, 53, '${ANYCAST_VIP}');
}, 10);
`;

/** A change of the answering node: its address, when it first answered, when the previous node last did. */
export interface Change {
  ip: string;
  at: number;
  previousLastAt: number;
}

/** Polls `probe` every 50 ms until `ok` takes its value; throws naming `what` after `ms`. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T>,
  ok: (v: T) => boolean,
  ms: number,
): Promise<{ value: T; ms: number }> {
  const start = Date.now();
  let value = await probe();
  while (!ok(value)) {
    if (Date.now() - start > ms) throw new Error(`${what}: not within ${ms} ms, last seen ${JSON.stringify(value)}`);
    await sleep(50);
    value = await probe();
  }
  return { value, ms: Date.now() - start };
}

/** `dig +short` from `namespace`: the A answer of the VIP to whoami.lab.test, or null on a timeout. */
export async function digWhoami(namespace: string, timeoutSeconds = 1): Promise<string | null> {
  const r = await execa(
    'ip',
    ['netns', 'exec', namespace, 'dig', '+short', `+time=${timeoutSeconds}`, '+tries=1', `@${ANYCAST_VIP}`, 'whoami.lab.test'],
    { reject: false },
  );
  const answer = r.stdout.trim();
  return r.exitCode === 0 && /^[0-9.]+$/.test(answer) ? answer : null;
}

/** The next hops to the VIP in the kernel's table of `namespace`, sorted. */
export async function vipNextHops(namespace: string): Promise<string[]> {
  const out = (await execa('ip', ['-j', '-n', namespace, 'route', 'show', `${ANYCAST_VIP}/32`])).stdout;
  const routes = JSON.parse(out || '[]') as { gateway?: string; nexthops?: { gateway: string }[] }[];
  return routes.flatMap((r) => (r.nexthops ? r.nexthops.map((n) => n.gateway) : r.gateway ? [r.gateway] : [])).sort();
}

/** The running prober and the answer changes it printed so far. */
export class Prober {
  readonly changes: Change[] = [];
  private readonly child: ResultPromise;

  constructor(namespace: string) {
    this.child = execa('ip', ['netns', 'exec', namespace, process.execPath, '-e', PROBER], { reject: false, buffer: false });
    let pending = '';
    this.child.stdout?.on('data', (chunk: Buffer) => {
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) if (line.trim()) this.changes.push(JSON.parse(line) as Change);
    });
  }

  /** The first change after index `from` that `accept` takes, waiting up to `ms`. */
  async next(from: number, accept: (c: Change) => boolean, ms: number): Promise<Change> {
    for (let waited = 0; waited < ms; waited += 5) {
      const found = this.changes.slice(from).find(accept);
      if (found) return found;
      await sleep(5);
    }
    throw new Error(`no such answer within ${ms} ms; answers so far: ${JSON.stringify(this.changes)}`);
  }

  /** Waits until the answers have come from one node for 500 ms (after a repair, the flow may move back). */
  async settled(): Promise<void> {
    await waitFor(
      'answers from one node for 500 ms',
      async () => Date.now() - this.changes.at(-1)!.at,
      (age) => age >= 500,
      10_000,
    );
  }

  /** Breaks the node that answers (`nodeOf` maps an answer to it), waits until another answers: who, and how fast. */
  async failover(nodeOf: (ip: string) => string, breakIt: (node: string) => Promise<unknown>, ms: number): Promise<Failover> {
    await this.settled();
    const from = this.changes.length;
    const victim = nodeOf(this.changes.at(-1)!.ip);
    const t0 = Date.now();
    await breakIt(victim);
    const change = await this.next(from, (c) => nodeOf(c.ip) !== victim, ms);
    return { victim, successor: nodeOf(change.ip), ms: change.at - t0, silentMs: change.at - change.previousLastAt };
  }

  async stop(): Promise<void> {
    this.child.kill('SIGKILL');
    await this.child;
  }
}

/** One failover: the node broken, the one answering next, after how long, and how long nobody answered. */
export interface Failover {
  victim: string;
  successor: string;
  ms: number;
  silentMs: number;
}
