// Guest-side echo server of ha.sh (plain JavaScript, run by node inside a real server's namespace): on port 7, greets
// each connection with NAME (which real server it reached) and echoes every line back. While the port is still held
// (the lab's web server there is stopping), it tries again every 100 ms, for up to 10 s.
//   node ha-echo.mjs NAME
import { createServer } from 'node:net';

const [name = 'unnamed'] = process.argv.slice(2);
const server = createServer((socket) => {
  socket.on('error', () => socket.destroy());
  socket.write(`${name}\n`);
  socket.pipe(socket);
});
let tries = 100;
server.on('error', (e) => {
  if (e.code !== 'EADDRINUSE' || --tries === 0) throw e;
  setTimeout(() => server.listen(7), 100);
});
server.listen(7);
