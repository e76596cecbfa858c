// TCP connect probe: healthy when the three-way handshake completes.
import { connect } from 'node:net';
import type { ProbeOutcome } from '../health/schedule.js';

/** Connects to address:port; the socket is closed as soon as it is open. */
export function probeTcp(address: string, port: number, signal: AbortSignal): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    const socket = connect({ host: address, port, signal });
    socket.once('connect', () => {
      socket.destroy();
      resolve({ passed: true, detail: 'connected' });
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve({ passed: false, detail: err.code ?? err.message }));
  });
}
