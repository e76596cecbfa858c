// How lbctl reaches a host: this machine itself, or over SSH.

/** How to reach a host over SSH (the inventory's `ssh:` entry). */
export interface SshTarget {
  /** Address or name, as ssh takes it (a Host alias of ~/.ssh/config works). */
  host: string;
  user?: string;
  port?: number;
  identityFile?: string;
  /** Run commands through `sudo -n` (non-interactive: a password prompt is an error). */
  sudo?: boolean;
  /** An ssh_config file to use instead of ~/.ssh/config (ssh -F). */
  config?: string;
}

/** One host's reach, resolved from the inventory. */
export type Reach = { kind: 'local' } | { kind: 'ssh'; target: SshTarget };
