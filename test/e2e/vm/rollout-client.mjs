// Guest-side client of rollout.sh (plain JavaScript: the guest runs it with node, untranspiled). LOOPS loops, each
// one request after another to http://VIP/ (a new connection each: the web servers close after answering), until
// the file STOP appears, MAX requests were made or MAX_S seconds passed. A request fails when no whole "200" answer
// came within TIMEOUT_MS (a SYN the director sent to a real server without the VIP is dropped: the client waits for
// its retransmissions). Each request is appended to OUT as it ends, one JSON line: [started at (ms since the
// epoch), duration ms, answering server or null, error or null, the client's port (to find the request in the
// director's connection table)]. READY (a file) is created after the first answers.
//   node rollout-client.mjs VIP OUT STOP READY
import { appendFileSync, existsSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';

const [vip = '', out = '', stop = '', ready = ''] = process.argv.slice(2);
const LOOPS = 2;
const TIMEOUT_MS = 2000;
const PAUSE_MS = 200; // the emulated guest's CPU is shared with the rollout: a few requests a second per loop
const MAX = 5000;
const MAX_S = 240;

/** One request: resolves to [server, null, port] on a 200 answer, [null, why, port] otherwise. */
function request() {
  return new Promise((resolve) => {
    const socket = connect({ host: vip, port: 80 });
    let got = '';
    const done = (server, error) => {
      clearTimeout(timer);
      const port = socket.localPort ?? null;
      socket.destroy();
      resolve([server, error, port]);
    };
    const timer = setTimeout(() => done(null, `no answer within ${TIMEOUT_MS} ms`), TIMEOUT_MS);
    socket.on('connect', () => socket.write(`GET / HTTP/1.0\r\nHost: ${vip}\r\n\r\n`));
    socket.on('data', (d) => {
      got += d;
    });
    socket.on('end', () => {
      const ok = /^HTTP\/1\.[01] 200 /.test(got);
      done(ok ? got.slice(got.indexOf('\r\n\r\n') + 4).trim() : null, ok ? null : `answered: ${got.split('\r\n')[0] || 'nothing'}`);
    });
    socket.on('error', (err) => done(null, err.code ?? err.message));
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const started = Date.now();
let made = 0;
let answered = 0;

async function loop() {
  while (!existsSync(stop) && made < MAX && Date.now() - started < MAX_S * 1000) {
    made++;
    const at = Date.now();
    const [server, error, port] = await request();
    appendFileSync(out, `${JSON.stringify([at, Date.now() - at, server, error, port])}\n`);
    if (server !== null && ++answered === 2 * LOOPS) writeFileSync(ready, '');
    await sleep(PAUSE_MS);
  }
}

await Promise.all(Array.from({ length: LOOPS }, loop));
