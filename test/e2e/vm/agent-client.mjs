// Guest-side client loop of the agent jobs (plain JavaScript: the guest runs it with node, untranspiled): one HTTP
// GET of URL on a new connection every EVERY_MS (or as soon as the previous one ends, if later), each given 1 s,
// until FILE.stop exists. One line per request into FILE: "START_MS END_MS OK ANSWER", OK 1 for a 200 whose body
// (the lab's index.html: the server's name) is ANSWER, else 0 and the error. FILE.done is written at the end.
//   node agent-client.mjs URL FILE EVERY_MS
import { createWriteStream, existsSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';

const [url = '', file = '', everyText = '50'] = process.argv.slice(2);
const EVERY_MS = Number(everyText);
const TIMEOUT_MS = 1000;
const out = createWriteStream(file, { flags: 'a' });

/** One request: [ok, answer]. */
function request() {
  return new Promise((resolve) => {
    let body = '';
    const req = get(url, { agent: false, timeout: TIMEOUT_MS }, (res) => {
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve([res.statusCode === 200, res.statusCode === 200 ? body.trim() : `HTTP-${res.statusCode}`]));
      res.on('error', (err) => resolve([false, err.code ?? 'error']));
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
    req.on('error', (err) => resolve([false, err.code ?? 'error']));
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
while (!existsSync(`${file}.stop`)) {
  const start = Date.now();
  const [ok, answer] = await request();
  const end = Date.now();
  out.write(`${start} ${end} ${ok ? 1 : 0} ${answer.replace(/\s+/g, '_') || '-'}\n`);
  await sleep(Math.max(0, start + EVERY_MS - Date.now()));
}
out.end(() => writeFileSync(`${file}.done`, ''));
