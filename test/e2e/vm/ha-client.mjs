// Guest-side client of ha.sh (plain JavaScript: the guest runs it with node, untranspiled). Holds CONNS long-lived
// HTTP streams to the VIP (GET /cgi-bin/stream: a line every 200 ms) and opens a new connection every 50 ms; once
// every stream is flowing, runs KILL (a shell command that kills one director) and keeps watching for WATCH seconds.
// Prints one JSON line: streams established and still flowing at the end, and how long after the kill new
// connections failed (the time from the kill to the first success that ends the last run of failures).
//   node ha-client.mjs VIP CONNS WATCH_S KILL
import { execSync } from 'node:child_process';
import { connect } from 'node:net';

const [vip = '', connsText = '200', watchText = '8', kill = 'true'] = process.argv.slice(2);
const CONNS = Number(connsText);
const WATCH_MS = Number(watchText) * 1000;
const STALE_MS = 1500; // a stream silent this long at the end has not survived
const NEW_EVERY_MS = 50;
const NEW_TIMEOUT_MS = 1000;
const SETUP_MS = 30_000;

const request = (path) => `GET ${path} HTTP/1.0\r\nHost: ${vip}\r\n\r\n`;

/** One long-lived stream: when it last received data, and whether it ended (reset, closed, error). */
function stream() {
  const s = { last: 0, ended: false, socket: connect({ host: vip, port: 80 }) };
  s.socket.setNoDelay(true);
  s.socket.on('connect', () => s.socket.write(request('/cgi-bin/stream')));
  s.socket.on('data', () => {
    s.last = Date.now();
  });
  const end = () => {
    s.ended = true;
  };
  s.socket.on('error', end);
  s.socket.on('close', end);
  return s;
}

/** One short connection: resolves true when a whole answer arrived within NEW_TIMEOUT_MS. */
function probe() {
  return new Promise((resolve) => {
    const socket = connect({ host: vip, port: 80 });
    let got = '';
    const done = (ok) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), NEW_TIMEOUT_MS);
    socket.on('connect', () => socket.write(request('/cgi-bin/client')));
    socket.on('data', (d) => {
      got += d;
    });
    socket.on('end', () => done(got.includes('200 OK')));
    socket.on('error', () => done(false));
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const streams = Array.from({ length: CONNS }, stream);
const setupStart = Date.now();
while (streams.some((s) => s.last === 0 && !s.ended) && Date.now() - setupStart < SETUP_MS) await sleep(50);
const established = streams.filter((s) => s.last > 0 && !s.ended);

/** New connections, one every NEW_EVERY_MS: [started at, ok]. */
const attempts = [];
let probing = true;
const prober = (async () => {
  while (probing) {
    const at = Date.now();
    probe().then((ok) => attempts.push([at, ok]));
    await sleep(NEW_EVERY_MS);
  }
})();

await sleep(1000);
const killedAt = Date.now();
execSync(kill, { stdio: 'inherit', shell: '/bin/bash' });
await sleep(WATCH_MS);
probing = false;
await prober;
await sleep(NEW_TIMEOUT_MS + 100);

const now = Date.now();
const survived = established.filter((s) => !s.ended && now - s.last < STALE_MS).length;
const after = attempts.filter(([at]) => at >= killedAt).sort((a, b) => a[0] - b[0]);
const lastFailure = after.filter(([, ok]) => !ok).at(-1);
const recovered = lastFailure === undefined ? after.find(([, ok]) => ok) : after.find(([at, ok]) => ok && at > lastFailure[0]);
console.log(
  JSON.stringify({
    established: established.length,
    survived,
    share: established.length === 0 ? 0 : survived / established.length,
    newAttempts: after.length,
    newFailed: after.filter(([, ok]) => !ok).length,
    // ms from the kill until new connections succeed again; null: they never did within the watch window.
    recoveryMs: recovered === undefined ? null : lastFailure === undefined ? 0 : recovered[0] - killedAt,
  }),
);
for (const s of streams) s.socket.destroy();
process.exit(0);
