// The built-in traffic check of `lab run`: from a client of the lab (the topology's host with role client, else the
// lab's gateway router), asks each anycast DNS prefix who answers, asks each zone server for the zone's names, and
// sends HTTP requests to every TCP service's VIP:port and DNS queries to every UDP service's, printing which real
// server answered each; true when every answer is what the topology says it should be.
import type { Runner } from '../host/port.js';
import type { Service, Topology } from '../topology/types.js';
import { sleep } from './daemon.js';
import { absoluteName, bare, DNS_PORT, single, WHOAMI } from './dns.js';
import type { LabHost } from './plan.js';
import type { LabState } from './state.js';

/** How the check runs. */
export interface CheckOptions {
  /** Requests (HTTP or DNS) per service (12: two rounds of weights 3/2/1). */
  requests: number;
  /** How long an anycast prefix may take to answer at all (OSPF converging after `lab up`). */
  anycastWaitMs: number;
  /** Polled between steps: the check stops early (failing) once it is true (an interrupt). */
  stopped?: () => boolean;
}

export const DEFAULT_CHECK: CheckOptions = { requests: 12, anycastWaitMs: 90_000 };

/** One result line: passed or not. */
interface Verdict {
  ok: boolean;
  line: string;
}

const mark = (ok: boolean) => (ok ? 'ok' : 'FAILED');
const hostPort = (ip: string, port: number) => (ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`);

/** Who sends the check's traffic: the first host with role client, else the gateway router; null when neither exists. */
export function checkClient(t: Topology, state: LabState): LabHost | null {
  return state.plan.hosts.find((h) => t.hosts.get(h.name)?.roles.includes('client')) ?? state.plan.router;
}

/** Marker curl writes after each request it got an answer to, with the HTTP status (not starting with @: -w @FILE reads a file). */
const MARK = '=lbctl-http';

/** The answers of one curl run: [server name, client address it saw] of each request answered 200, and how many were. */
export function parseAnswers(stdout: string): { answers: [string, string][]; other: number } {
  const answers: [string, string][] = [];
  let other = 0;
  let body: string[] = [];
  for (const line of stdout.split('\n')) {
    const m = new RegExp(`^${MARK} (\\d{3})$`).exec(line);
    if (!m) {
      body.push(line);
      continue;
    }
    if (m[1] === '200') answers.push([body[0]?.trim() ?? '', body[1]?.trim() ?? '']);
    else other++;
    body = [];
  }
  return { answers, other };
}

/** What the real servers answered: [server name, client address it saw (empty when it cannot tell)] per answered request. */
interface Answers {
  answers: [string, string][];
  /** Requests answered with an error (an HTTP status other than 200). */
  other: number;
  /** The last line of the client's error output. */
  error: string;
}

/** `requests` HTTP requests to VIP:port (one curl, one connection each), answered by /cgi-bin/client. */
async function askHttp(vip: string, port: number, client: LabHost, requests: number, runner: Runner): Promise<Answers> {
  const url = `http://${hostPort(vip, port)}/cgi-bin/client`;
  const urls = Array.from({ length: requests }, (_, i) => `${url}?${i + 1}`);
  const r = await runner.run([
    'ip',
    'netns',
    'exec',
    client.namespace,
    'curl',
    '-sS',
    '-g',
    '--noproxy',
    '*',
    '--connect-timeout',
    '2',
    '--max-time',
    '3',
    '-H',
    'Connection: close',
    '-w',
    `${MARK} %{http_code}\n`,
    ...urls,
  ]);
  return { ...parseAnswers(r.stdout), error: r.stderr.trim().split('\n').at(-1) ?? '' };
}

/** `requests` DNS queries for WHOAMI's TXT record (the answering server's name) to VIP:port over UDP, one dig each. */
async function askDns(vip: string, port: number, client: LabHost, requests: number, runner: Runner): Promise<Answers> {
  const answers: [string, string][] = [];
  let error = '';
  for (let i = 0; i < requests; i++) {
    const name = (await dig(client, vip, [[WHOAMI, 'TXT']], runner, 1, port)).map(
      (l) => l.split(/\s+/).at(-1)?.replace(/^"|"$/g, '') ?? '',
    )[0];
    if (name === undefined) error = `query ${i + 1} got no answer`;
    else answers.push([name, '']);
  }
  return { answers, other: 0, error };
}

/** `requests` requests to the service's VIP:port from the client: HTTP for TCP, DNS for UDP; each answer must come from its own real servers. */
async function checkService(s: Service, client: LabHost, requests: number, runner: Runner): Promise<Verdict> {
  const id = s.id;
  const head = `service ${s.name}`;
  if ((id.protocol !== 'tcp' && id.protocol !== 'udp') || s.vip === undefined)
    return { ok: true, line: `${head}: not checked (only TCP and UDP services with a VIP are)` };
  const ask = id.protocol === 'tcp' ? askHttp : askDns;
  const { answers, other, error } = await ask(s.vip, id.port, client, requests, runner);
  const counts = new Map<string, number>();
  for (const [name] of answers) counts.set(name, (counts.get(name) ?? 0) + 1);
  const own = s.realServers.flatMap((rs) => (rs.host ? [rs.host] : []));
  const names = [...own.filter((n) => counts.has(n)), ...[...counts.keys()].filter((n) => !own.includes(n))];
  const strangers = [...counts.keys()].filter((n) => !own.includes(n));
  const seen = [...new Set(answers.map(([, a]) => a).filter((a) => a !== ''))];
  const ok = answers.length === requests && strangers.length === 0;
  const problems = [
    ...(answers.length < requests
      ? [`${requests - answers.length} not answered${other > 0 ? ` (${other} with an HTTP error)` : ''}${error ? `: ${error}` : ''}`]
      : []),
    ...(strangers.length > 0 ? [`${strangers.join(', ')} ${strangers.length === 1 ? 'is' : 'are'} no real server of ${s.name}`] : []),
  ];
  const tally = names.map((n) => `${n} ${counts.get(n)}`).join(', ') || 'nobody';
  const saw = seen.length > 0 ? `; the servers saw client ${seen.join(', ')}` : '';
  const what = id.protocol === 'tcp' ? 'requests' : 'DNS queries';
  return {
    ok,
    line: `${head} ${hostPort(s.vip, id.port)} (${s.scheduler}, ${s.method}) from ${client.name}, ${requests} ${what}: ${tally}${saw}${problems.length > 0 ? `; ${problems.join('; ')}` : ''}: ${mark(ok)}`,
  };
}

/** dig from the client's namespace; the answer section's lines (empty on no answer). */
async function dig(client: LabHost, server: string, questions: string[][], runner: Runner, tries = 2, port = DNS_PORT): Promise<string[]> {
  const r = await runner.run([
    'ip',
    'netns',
    'exec',
    client.namespace,
    'dig',
    `@${server}`,
    '-p',
    String(port),
    '+noall',
    '+answer',
    '+time=1',
    `+tries=${tries}`,
    ...questions.flat(),
  ]);
  return r.stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith(';'));
}

/** Each single-address anycast prefix with a lab DNS server behind it: who answers whoami.lab.test, once OSPF has converged. */
async function checkAnycast(t: Topology, state: LabState, client: LabHost, opts: CheckOptions, runner: Runner): Promise<Verdict[]> {
  const servers = new Map((state.dns ?? []).map((d) => [d.self, d.host]));
  const out: Verdict[] = [];
  for (const group of t.anycast.filter((g) => single(g.prefix) && g.nodes.some((n) => state.dns?.some((d) => d.host === n)))) {
    const vip = bare(group.prefix);
    const started = Date.now();
    let answer: string | undefined;
    while (answer === undefined && Date.now() - started < opts.anycastWaitMs && !opts.stopped?.()) {
      answer = (await dig(client, vip, [[WHOAMI, group.prefix.includes(':') ? 'AAAA' : 'A']], runner, 1)).map(
        (l) => l.split(/\s+/).at(-1) ?? '',
      )[0];
      if (answer === undefined) await sleep(500);
    }
    const node = answer === undefined ? undefined : servers.get(answer);
    const ok = node !== undefined && group.nodes.includes(node);
    const after = `${((Date.now() - started) / 1000).toFixed(1)} s`;
    const what =
      answer === undefined ? `no answer within ${after}` : `answered by ${node ?? 'an unknown server'} (${answer}) after ${after}`;
    out.push({ ok, line: `anycast ${group.name} ${vip} from ${client.name}: ${WHOAMI} ${what}: ${mark(ok)}` });
  }
  return out;
}

/** Each zone server: every name of the zone, compared with the topology's records (one dig per server). */
async function checkZones(t: Topology, state: LabState, client: LabHost, runner: Runner): Promise<Verdict[]> {
  const out: Verdict[] = [];
  for (const zone of t.zones) {
    const expected = new Map<string, string[]>();
    for (const r of zone.records) {
      const name = absoluteName(r.name, zone.name);
      expected.set(name, [...(expected.get(name) ?? []), ...r.addresses]);
    }
    const questions = [...expected].flatMap(([name, addrs]) =>
      [...new Set(addrs.map((a) => (a.includes(':') ? 'AAAA' : 'A')))].map((type) => [name, type]),
    );
    for (const server of (state.dns ?? []).filter((d) => d.zones?.includes(zone.name))) {
      const address = server.addresses[0] ?? server.self;
      const got = new Map<string, string[]>();
      for (const line of await dig(client, address, questions, runner)) {
        const [owner = '', , , type = '', value = ''] = line.split(/\s+/);
        if (type !== 'A' && type !== 'AAAA') continue;
        const name = owner.replace(/\.$/, '');
        got.set(name, [...(got.get(name) ?? []), value]);
      }
      const same = (a: string[] = [], b: string[] = []) => a.length === b.length && [...a].sort().join() === [...b].sort().join();
      const wrong = [...expected].filter(([name, addrs]) => !same(got.get(name), addrs)).map(([name]) => name);
      const ok = wrong.length === 0;
      out.push({
        ok,
        line: `zone ${zone.name} on ${server.host} (@${address}) from ${client.name}: ${expected.size - wrong.length} of ${expected.size} names answered with the topology's records${ok ? '' : ` (wrong: ${wrong.join(', ')})`}: ${mark(ok)}`,
      });
      for (const [name] of expected) out.push({ ok: true, line: `  ${name}: ${(got.get(name) ?? []).join(' ') || 'no answer'}` });
    }
  }
  return out;
}

/** Runs the check, printing one line per result; true when everything answered as the topology says. */
export async function labCheck(
  t: Topology,
  state: LabState,
  runner: Runner,
  log: (line: string) => void,
  opts: CheckOptions = DEFAULT_CHECK,
): Promise<boolean> {
  const client = checkClient(t, state);
  if (client === null) {
    log('check: the topology has no host with role client and the lab no gateway router: nothing to send traffic from');
    return false;
  }
  let ok = true;
  let checked = 0;
  const report = (vs: Verdict[]) => {
    for (const v of vs) {
      log(`check: ${v.line}`);
      ok &&= v.ok;
    }
    checked += vs.length;
  };
  report(await checkAnycast(t, state, client, opts, runner));
  if (!opts.stopped?.()) report(await checkZones(t, state, client, runner));
  for (const s of t.services) if (!opts.stopped?.()) report([await checkService(s, client, opts.requests, runner)]);
  if (opts.stopped?.()) {
    log('check: interrupted');
    return false;
  }
  if (checked === 0) log('check: nothing to check: the topology has no services, no anycast DNS and no zones');
  log(`check: ${ok ? 'passed' : 'FAILED'}`);
  return ok;
}
