// An OpenSSH server per lab namespace, each in a private mount namespace whose /etc and /var are overlays and whose
// /run is its own: what lbctl writes over SSH lands in the overlay, never in this machine's files, and this
// machine's sshd is not touched. Keys, configs and a recording `systemctl` live in one temporary folder.
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { quoteWord } from '../../src/drivers/sh/quote.js';
import { must, run } from './netns.js';
import { writeScripts } from './wrappers.js';

/** Mounts the overlays and /run, adds the users lbctl's files and the tests need, then runs sshd in the foreground. */
const SERVER = [
  'set -e',
  'dir=$1; ns=$2',
  'mkdir -p "$dir/$ns/etc" "$dir/$ns/etc-work" "$dir/$ns/var" "$dir/$ns/var-work"',
  'mount -t overlay overlay -o "lowerdir=/etc,upperdir=$dir/$ns/etc,workdir=$dir/$ns/etc-work" /etc',
  'mount -t overlay overlay -o "lowerdir=/var,upperdir=$dir/$ns/var,workdir=$dir/$ns/var-work" /var',
  'mount -t tmpfs tmpfs /run',
  'mkdir -p /run/sshd',
  'getent group quagga >/dev/null || groupadd -r quagga',
  'getent passwd quagga >/dev/null || useradd -r -g quagga -d /nonexistent -s /usr/sbin/nologin quagga',
  'getent passwd lbctltest >/dev/null || useradd -d "$dir" -M -p "*" -s /bin/sh lbctltest',
  'exec /usr/sbin/sshd -D -e -f "$dir/sshd_config"',
].join('\n');

/** sshd servers in lab namespaces, and the client configuration that reaches them. */
export class SshLab {
  readonly dir = mkdtempSync(join(tmpdir(), 'lbctl-sshlab-'));
  /** ssh_config for lbctl's inventory (`config:`): the lab's key, no host key prompts. */
  readonly clientConfig = join(this.dir, 'ssh_config');
  /** A file that, once on a host (its own /etc), makes every `systemctl` there fail: a failure to inject. */
  static readonly FAULT = '/etc/lbctl-lab-fault';
  /** Every `systemctl` call the hosts made, one per line ("NS systemctl ARGS"). */
  readonly systemctlLog = join(this.dir, 'systemctl.log');
  /** TMPDIR for lbctl: the sockets of the ssh masters it leaves (ControlPersist) land below it, to be closed. */
  readonly tmp = join(this.dir, 'tmp');
  private readonly servers: number[] = [];

  /** The servers' process ids (sshd, each in its namespace). */
  get pids(): readonly number[] {
    return this.servers;
  }

  /** Keys, configs and the recording systemctl. */
  async prepare(): Promise<void> {
    // sshd reads authorized_keys as the user logging in: the folder must be open to the lab's unprivileged user.
    chmodSync(this.dir, 0o755);
    mkdirSync(this.tmp);
    await must(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-f', join(this.dir, 'id')]);
    await must(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-f', join(this.dir, 'hostkey')]);
    await must(['cp', join(this.dir, 'id.pub'), join(this.dir, 'authorized_keys')]);
    const bin = writeScripts(join(this.dir, 'bin'), {
      systemctl: [
        `[ -e ${SshLab.FAULT} ] && { echo "systemctl $*: failure injected by the test (${SshLab.FAULT})" >&2; exit 1; }`,
        `printf '%s\\n' "$(hostname) systemctl $*" >> ${quoteWord(this.systemctlLog)}`,
      ].join('\n'),
    });
    writeFileSync(
      join(this.dir, 'sshd_config'),
      [
        `HostKey ${join(this.dir, 'hostkey')}`,
        `AuthorizedKeysFile ${join(this.dir, 'authorized_keys')}`,
        'PidFile none',
        'UsePAM no',
        'StrictModes no',
        'PermitRootLogin prohibit-password',
        'LogLevel ERROR',
        `SetEnv PATH=${bin}:/usr/sbin:/usr/bin:/sbin:/bin`,
        '',
      ].join('\n'),
    );
    writeFileSync(
      this.clientConfig,
      [
        'Host *',
        `  IdentityFile ${join(this.dir, 'id')}`,
        '  IdentitiesOnly yes',
        '  User root',
        '  StrictHostKeyChecking no',
        '  UserKnownHostsFile /dev/null',
        '  LogLevel ERROR',
        '  ConnectTimeout 5',
        '',
      ].join('\n'),
    );
  }

  /** Starts sshd in namespace `ns` (listening on all its addresses); resolves once it accepts connections from `from`. */
  async start(ns: string, address: string, from: string): Promise<void> {
    mkdirSync(join(this.dir, ns), { recursive: true });
    const child = spawn(
      'ip',
      ['netns', 'exec', ns, 'unshare', '--mount', '--propagation', 'private', 'sh', '-c', SERVER, 'sh', this.dir, ns],
      { stdio: 'ignore' },
    );
    this.servers.push(child.pid!);
    for (let i = 0; i < 100; i++) {
      const r = await run(['ip', 'netns', 'exec', from, 'ssh', '-F', this.clientConfig, '-o', 'BatchMode=yes', address, 'true']);
      if (r.code === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`sshd in ${ns} does not accept connections on ${address}`);
  }

  /** The control sockets of ssh masters below `tmp`. */
  private masters(): string[] {
    if (!existsSync(this.tmp)) return [];
    return readdirSync(this.tmp, { recursive: true, withFileTypes: true })
      .filter((e) => e.isSocket())
      .map((e) => join(e.parentPath, e.name));
  }

  /** Ends every ssh master lbctl left below `tmp` (ssh -O exit on its socket); returns the sockets still there after 5 s. */
  async closeMasters(): Promise<string[]> {
    for (const socket of this.masters()) await run(['ssh', '-o', `ControlPath=${socket}`, '-O', 'exit', 'lab']);
    for (let i = 0; i < 50 && this.masters().length > 0; i++) await new Promise((resolve) => setTimeout(resolve, 100));
    return this.masters();
  }

  /** Ends lbctl's ssh masters, stops the servers (their sessions and mounts go with them) and removes the folder. */
  async stop(): Promise<void> {
    await this.closeMasters();
    for (const pid of this.servers.splice(0)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
