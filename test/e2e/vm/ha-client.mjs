// Guest-side client of ha.sh (plain JavaScript: the guest runs it with node, untranspiled). For each VIP, holds CONNS
// long-lived TCP connections to its echo service (port 7; the real server greets with its name, then echoes lines):
// each sends a numbered line every second and hears it back, so a connection flows only while both directions work
// through whichever director carries it. New connections (send a line, hear it back) start every 50 ms per VIP, in a
// worker thread of their own, so that their timing does not wait behind the long-lived connections' traffic. Once
// every connection flows, runs BEFORE (a shell command, not timed), then KILL (one that kills a director) and keeps
// watching for WATCH seconds. Prints one JSON object, per VIP: the connections established, those still flowing at
// the end (a line sent after the watch heard back within SETTLE_MS, however slow a busy machine is; one reset by a
// real server that does not know it, or stalled, is lost), and for new connections those not answered within
// 1 s after the kill and the time until they were answered so again (ha-prober.mjs).
//   node ha-client.mjs VIP[,VIP...] CONNS WATCH_S KILL [BEFORE]
import { execSync } from 'node:child_process';
import { once } from 'node:events';
import { connect } from 'node:net';
import { clearInterval, setInterval } from 'node:timers';
import { URL } from 'node:url';
import { Worker } from 'node:worker_threads';

const [vipList = '', connsText = '200', watchText = '8', kill = 'true', before = 'true'] = process.argv.slice(2);
const VIPS = vipList.split(',');
const CONNS = Number(connsText);
const WATCH_MS = Number(watchText) * 1000;
const PORT = 7;
const LINE_EVERY_MS = 1000;
const SETTLE_MS = 5000; // after the watch, how long a connection may take to echo a new line
const SETUP_MS = 60_000;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Splits a socket's input into lines; calls `onLine` for each whole one. */
function lines(socket, onLine) {
  let rest = '';
  socket.on('data', (d) => {
    const parts = (rest + d).split('\n');
    rest = parts.pop();
    for (const line of parts) onLine(line);
  });
}

/**
 * One long-lived connection: the real server that greeted it, its client port, when it last heard one of its own
 * lines back (and which), and how it ended (the error's code, or 'closed'), if it did.
 */
function stream(vip) {
  const s = { server: '', port: 0, heard: 0, heardSeq: -1, sent: 0, ended: null, socket: connect({ host: vip, port: PORT }) };
  s.socket.setNoDelay(true);
  s.socket.on('connect', () => {
    s.port = s.socket.localPort;
  });
  lines(s.socket, (line) => {
    if (s.server === '') s.server = line;
    else {
      s.heard = Date.now();
      s.heardSeq = Number(line);
    }
  });
  s.socket.on('error', (e) => {
    s.ended ??= e.code ?? 'error';
  });
  s.socket.on('close', () => {
    s.ended ??= 'closed';
  });
  s.timer = setInterval(() => {
    if (s.ended === null && s.socket.writable && s.server !== '') s.socket.write(`${s.sent++}\n`);
  }, LINE_EVERY_MS);
  return s;
}

const streams = new Map(VIPS.map((vip) => [vip, Array.from({ length: CONNS }, () => stream(vip))]));
const all = [...streams.values()].flat();
const setupStart = Date.now();
const flowing = (s) => s.ended === null && s.heardSeq >= 0;
while (all.some((s) => s.ended === null && !flowing(s)) && Date.now() - setupStart < SETUP_MS) await sleep(50);
const established = new Map([...streams].map(([vip, list]) => [vip, list.filter(flowing)]));

// New connections, in a worker thread (ha-prober.mjs) from now until told to stop.
const prober = new Worker(new URL('./ha-prober.mjs', import.meta.url), { workerData: { vips: VIPS, port: PORT } });
const attempts = once(prober, 'message').then(([list]) => new Map(list));

await sleep(1000);
execSync(before, { stdio: 'inherit', shell: '/bin/bash' });
const killedAt = Date.now();
execSync(kill, { stdio: 'inherit', shell: '/bin/bash' });
await sleep(WATCH_MS);
prober.postMessage('stop');
// A connection survived when a line it sent after the watch came back.
const mark = new Map(all.map((s) => [s, s.sent]));
const alive = (s) => s.ended === null && s.heardSeq >= mark.get(s);
const settleStart = Date.now();
while (all.some((s) => s.ended === null && !alive(s)) && Date.now() - settleStart < SETTLE_MS) await sleep(50);
const tried = await attempts;

/** What one VIP's connections went through. */
function measured(vip) {
  const est = established.get(vip);
  const survived = est.filter(alive).length;
  const after = tried
    .get(vip)
    .filter(([at]) => at >= killedAt)
    .sort((a, b) => a[0] - b[0]);
  const lastFailure = after.filter(([, ok]) => !ok).at(-1);
  const recovered = lastFailure === undefined ? after.find(([, ok]) => ok) : after.find(([at, ok]) => ok && at > lastFailure[0]);
  return {
    established: est.length,
    survived,
    share: est.length === 0 ? 0 : survived / est.length,
    newAttempts: after.length,
    newFailed: after.filter(([, ok]) => !ok).length,
    // ms from the kill until new connections were answered within 1 s again; null: not within the watch.
    recoveryMs: recovered === undefined ? null : lastFailure === undefined ? 0 : recovered[0] - killedAt,
    // New connections work again at the end: the last ten were all answered (however slowly).
    working: after.length >= 10 && after.slice(-10).every(([, , answered]) => answered),
    // The connections that did not survive: client port, real server, how they ended ('stalled': no echo after).
    lost: est.filter((s) => !alive(s)).map((s) => ({ port: s.port, server: s.server, why: s.ended ?? 'stalled' })),
  };
}

console.log(JSON.stringify(Object.fromEntries(VIPS.map((vip) => [vip, measured(vip)]))));
for (const s of all) {
  clearInterval(s.timer);
  s.socket.destroy();
}
process.exit(0);
