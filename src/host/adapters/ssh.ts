// A host over SSH, through OpenSSH's own client: ~/.ssh/config and ssh-agent apply as they do for the operator,
// BatchMode keeps it from ever asking, and one ControlMaster connection per host carries every command.
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { quoteArgv } from '../../drivers/sh/quote.js';
import type { SshTarget } from '../../inventory/types.js';
import type { Host, Runner } from '../port.js';
import { localRunner } from './exec.js';
import { shellHost } from './shell-host.js';

/** The host cannot be reached or cannot act as needed (ssh fails, sudo asks for a password); nothing was changed. */
export class Unreachable extends Error {}

/** ssh's exit status for its own errors (connection, authentication), as ssh(1) documents. */
const SSH_ERROR = 255;

/** A POSIX shell's exit status for a command it cannot find. */
const COMMAND_NOT_FOUND = 127;

/** Where this user's ControlMaster sockets live (private to the user). */
export function controlDir(): string {
  const dir = join(tmpdir(), `lbctl-ssh-${process.getuid?.() ?? 0}`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}

/** The ssh command line up to (and including) the destination. */
export function sshArgv(target: SshTarget, control: string): string[] {
  return [
    'ssh',
    ...(target.config ? ['-F', target.config] : []),
    '-o',
    'BatchMode=yes',
    '-o',
    'ControlMaster=auto',
    '-o',
    `ControlPath=${join(control, '%C')}`,
    '-o',
    'ControlPersist=60',
    ...(target.port ? ['-p', String(target.port)] : []),
    ...(target.identityFile ? ['-i', target.identityFile] : []),
    ...(target.user ? ['-l', target.user] : []),
    target.host,
  ];
}

/** How a target is named in messages: user@host:port. */
export function describeTarget(t: SshTarget): string {
  return `${t.user ? `${t.user}@` : ''}${t.host}${t.port ? `:${t.port}` : ''}`;
}

/**
 * Host `name` reached over SSH at `target`. No session is spent on checking ssh and sudo up front: when a command fails
 * before any has passed, they are checked then, and Unreachable says which one does not work (nothing ran: ssh or sudo
 * refused before the command).
 */
export function sshHost(name: string, target: SshTarget, local: Runner = localRunner): Host {
  const ssh = sshArgv(target, controlDir());
  // The remote side gets one command line for its login shell: every word quoted, in the C locale.
  const command = (argv: readonly string[]) => [
    ...ssh,
    '--',
    quoteArgv([...(target.sudo ? ['sudo', '-n', '--'] : []), 'env', 'LC_ALL=C', ...argv]),
  ];
  // Whether ssh and sudo work is asked only when a command fails before any has passed: a session saved per host.
  let passed = false;
  let diagnosis: Promise<void> | undefined;
  const diagnose = () =>
    (diagnosis ??= (async () => {
      const r = await local.run([...ssh, '--', 'true']);
      if (r.exitCode === SSH_ERROR)
        throw new Unreachable(
          `cannot reach host ${name} over SSH (${describeTarget(target)}): ${r.stderr.trim() || `ssh exited ${SSH_ERROR}`}; nothing was changed`,
        );
      if (!target.sudo) return;
      const sudo = await local.run([...ssh, '--', 'sudo -n true']);
      if (sudo.exitCode === COMMAND_NOT_FOUND)
        throw new Unreachable(
          `sudo is not installed on host ${name} (${describeTarget(target)}): apt-get install sudo, or connect as root; nothing was changed`,
        );
      if (sudo.exitCode !== 0)
        throw new Unreachable(
          `sudo on host ${name} (${describeTarget(target)}) does not run without a password (${sudo.stderr.trim()}): allow lbctl's commands in sudoers, or connect as root; nothing was changed`,
        );
    })());
  const runner: Runner = {
    async run(argv, options) {
      const r = await local.run(command(argv), options);
      if (r.exitCode === 0) passed = true;
      else if (!passed) await diagnose();
      return r;
    },
  };
  return shellHost({ label: `host ${name} (ssh ${describeTarget(target)})`, runner, command });
}
