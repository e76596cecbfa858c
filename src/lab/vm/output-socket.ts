// A Unix socket that collects (and optionally forwards) what qemu writes to one serial port.
import { createServer } from 'node:net';

/** A listening socket and the text received on it. */
export interface OutputSocket {
  /** Resolves with everything received, once qemu's connection has closed (or never came, after stop()). */
  text(): Promise<string>;
  /** Stops listening; call it once qemu has exited. */
  stop(): void;
}

/** Listens on the Unix socket `path` for qemu's one connection; each chunk read also goes to `onChunk`. */
export async function listenForOutput(path: string, onChunk: (chunk: string) => void): Promise<OutputSocket> {
  let received = '';
  let connected = false;
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => { finish = resolve; });
  const server = createServer((socket) => {
    connected = true;
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => { received += chunk; onChunk(chunk); });
    socket.on('close', finish);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, resolve);
  });
  return {
    text: () => finished.then(() => received),
    stop: () => { server.close(); if (!connected) finish(); },
  };
}
