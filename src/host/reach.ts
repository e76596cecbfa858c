// The Host for an inventory entry: this machine, or a machine over SSH.
import type { Reach } from '../inventory/types.js';
import { localHost } from './adapters/local.js';
import { sshHost } from './adapters/ssh.js';
import type { Host } from './port.js';

/** The host `name` as its inventory entry reaches it. */
export function hostFor(name: string, reach: Reach): Host {
  return reach.kind === 'local' ? localHost('/') : sshHost(name, reach.target);
}
