// Worker thread of ha-client.mjs: opens new connections to each VIP's echo service, one every NEW_EVERY_MS per VIP,
// from its start until the client posts 'stop'; then, once every one has ended, posts back per VIP the list of
// [started at, answered within NEW_OK_MS, answered at all].
import { connect } from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';

const NEW_EVERY_MS = 50;
const NEW_OK_MS = 1000; // a new connection answered later than this counts as failed (the ≤ 1 s target)
const NEW_WAIT_MS = 5000; // how long a new connection waits for its answer at all

/** One short connection: resolves with the ms until its line came back, or null (not within NEW_WAIT_MS). */
function probe(vip, port) {
  const start = Date.now();
  return new Promise((resolve) => {
    const socket = connect({ host: vip, port });
    let got = '';
    const done = (ms) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ms);
    };
    const timer = setTimeout(() => done(null), NEW_WAIT_MS);
    socket.on('connect', () => socket.write('ping\n'));
    socket.on('data', (d) => {
      got += d;
      if (got.split('\n').includes('ping')) done(Date.now() - start);
    });
    socket.on('error', () => done(null));
  });
}

const { vips, port } = workerData;
const attempts = new Map(vips.map((vip) => [vip, []]));
const pending = [];
let probing = true;
parentPort.once('message', () => {
  probing = false;
});
while (probing) {
  const at = Date.now();
  for (const vip of vips)
    pending.push(probe(vip, port).then((ms) => attempts.get(vip).push([at, ms !== null && ms <= NEW_OK_MS, ms !== null])));
  await new Promise((r) => setTimeout(r, NEW_EVERY_MS));
}
await Promise.all(pending);
parentPort.postMessage([...attempts]);
