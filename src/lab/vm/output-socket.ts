// Collecting (and forwarding) text from qemu's stdio and from the Unix sockets of its serial ports.
import { createServer } from 'node:net';
import type { Readable } from 'node:stream';

/** Accumulates the text read from `stream`, passing each chunk to `onChunk`; returns a getter for it. */
export function collectText(stream: Readable, onChunk?: (chunk: string) => void): () => string {
  let text = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    text += chunk;
    onChunk?.(chunk);
  });
  return () => text;
}

/** A listening socket and the text received on it. */
export interface OutputSocket {
  /** Resolves with everything received, once qemu's connection has closed (or never came, after stop()). */
  text(): Promise<string>;
  /** Stops listening; call it once qemu has exited. */
  stop(): void;
}

/** Listens on the Unix socket `path` for qemu's one connection; each chunk read also goes to `onChunk`. */
export async function listenForOutput(path: string, onChunk: (chunk: string) => void): Promise<OutputSocket> {
  let received = () => '';
  let connected = false;
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const server = createServer((socket) => {
    connected = true;
    received = collectText(socket, onChunk);
    socket.on('close', finish);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, resolve);
  });
  return {
    text: () => finished.then(() => received()),
    stop: () => {
      server.close();
      if (!connected) finish();
    },
  };
}
