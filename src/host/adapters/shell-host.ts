// A host reached only through commands (over SSH): files, the lock's note, facts and FRR's check as small POSIX sh
// scripts run there. Each script is a constant; paths and values are its positional arguments, never spliced in.
// Writes follow the local adapter's rules: an exclusive temporary beside the target, a hard-link backup, a rename
// (mv -T: the destination is never followed), nothing left behind on failure.
import { CommandError, type CommandResult, type FoundFile, type Host, type HostFacts, type Runner } from '../port.js';
import { runBatched } from './batch.js';
import { LOCK_PATH, takeLock, type LockSite } from './flock.js';

/** Exit status of the scripts below for "not a regular file there". */
const NOT_A_FILE = 3;

/** Prints the file's mode (octal) on the first line, then its content; exit 3 when there is no regular file. */
const READ = '[ -f "$1" ] || exit 3; stat -L -c %a "$1" && cat "$1"';

/** Refuses a path that exists but is no file or link (a directory, FIFO, device): lbctl replaces only files. */
const REFUSE_NON_FILE =
  'if [ -d "$1" ] || { [ -e "$1" ] && [ ! -f "$1" ] && [ ! -L "$1" ]; }; then echo "$1 is not a file: lbctl will not replace it; move it away and apply again" >&2; exit 3; fi';

/** Keeps "$1" (never followed) as "$1.lbctl-backup" when $2 is 1 and there is something to keep. */
const BACKUP =
  'if [ "$2" = 1 ] && { [ -e "$1" ] || [ -L "$1" ]; }; then b=$(mktemp -u "$1.lbctl-XXXXXX") && ln -P "$1" "$b" && mv -fT "$b" "$1.lbctl-backup"; fi';

/** Replaces "$1" with stdin: mode $3, owner $4:$5 (none when $4 is empty); backup as $2 says. */
const WRITE = [
  'set -e',
  'mkdir -p "$(dirname "$1")"',
  REFUSE_NON_FILE,
  't=$(mktemp "$(dirname "$1")/.$(basename "$1").lbctl-XXXXXX")',
  'trap \'rm -f "$t"\' EXIT',
  'cat > "$t"',
  'if [ -n "$4" ]; then chown -h "$4:$5" "$t"; fi',
  'chmod "$3" "$t"',
  BACKUP,
  'mv -fT "$t" "$1"',
].join('\n');

/** Removes "$1"; backup as $2 says. */
const REMOVE = ['set -e', REFUSE_NON_FILE, BACKUP, 'rm -f "$1"'].join('\n');

/** Writes stdin into the existing file "$1" in place (the lock file: renaming it would break the lock), never through a link. */
const WRITE_IN_PLACE = '[ ! -L "$1" ] && cat > "$1"';

/** Prints uid, hostname and IPVS's state, one per line; never loads a module. */
const FACTS =
  'id -u; hostname; if [ -e /proc/net/ip_vs ]; then echo loaded; elif modprobe -n -q ip_vs 2>/dev/null; then echo loadable; else echo absent; fi';

/** Prints each of its arguments that is no command there. */
const MISSING = 'for t; do command -v "$t" >/dev/null 2>&1 || echo "$t"; done';

/** $1 is the bytes needed; for each further directory, the nearest existing one must be writable with room. */
const UNWRITABLE = [
  'need=$1; shift',
  'for d; do',
  '  while [ ! -e "$d" ]; do d=$(dirname "$d"); done',
  '  if [ ! -w "$d" ] || ! touch "$d/.lbctl-probe-$$" 2>/dev/null; then echo "$d is not writable (read-only file system or permissions)"; exit 0; fi',
  '  rm -f "$d/.lbctl-probe-$$"',
  '  free=$(df -Pk "$d" | awk \'NR == 2 { print $4 }\')',
  '  if [ $((free * 1024)) -lt "$need" ]; then echo "$d has $free KiB free; lbctl needs $((need / 1024)) KiB"; exit 0; fi',
  'done',
].join('\n');

/** FRR's parser on stdin, with a private config folder that is removed afterwards. */
const CHECK_FRR =
  'd=$(mktemp -d) || exit 1; trap \'rm -rf "$d"\' EXIT; : > "$d/vtysh.conf"; cat | vtysh --config_dir "$d" -C -f /dev/stdin 2>&1';

/** Room kept free beyond what an apply writes (as the local adapter keeps). */
const SPARE_BYTES = 1 << 20;

const sh = (script: string, ...args: string[]) => ['sh', '-c', script, 'sh', ...args];

/** How a shell-reached host is named and reached. */
export interface ShellSite {
  label: string;
  /** Runs argv there (through ssh, and sudo when asked). */
  runner: Runner;
  /** The local argv that runs argv there: for the lock's long-lived child. */
  command: (argv: readonly string[]) => string[];
}

/** A host reached through `site`, with lbctl's files at their real paths (a live host: daemons are reloaded). */
export function shellHost(site: ShellSite): Host {
  const { runner } = site;
  /** Runs a script there; a failure names the operation and its arguments, not the script's text. */
  const run = async (what: string, argv: string[], stdin?: string) => {
    const r = await runner.run(argv, stdin === undefined ? undefined : { stdin });
    if (r.exitCode !== 0) throw new CommandError([what, ...argv.slice(4)], r);
    return r.stdout;
  };
  /** The file a READ script found (null when there is none). */
  const found = (path: string, r: CommandResult): FoundFile | null => {
    if (r.exitCode === NOT_A_FILE) return null;
    if (r.exitCode !== 0) throw new CommandError(['read', path], r);
    const cut = r.stdout.indexOf('\n');
    return { mode: parseInt(r.stdout.slice(0, cut), 8), content: r.stdout.slice(cut + 1) };
  };
  /** The facts a FACTS script printed. */
  const factsOf = (r: CommandResult): HostFacts => {
    if (r.exitCode !== 0) throw new CommandError(['read the facts of'], r);
    const [uid = '', hostname = '', ipvs = ''] = r.stdout.split('\n');
    return { uid: Number(uid), hostname, ipvs: ipvs === 'loaded' || ipvs === 'loadable' ? ipvs : 'absent' };
  };
  const lockSite = (path: string): LockSite => ({
    path,
    command: site.command,
    unusable: async () => {
      const r = await runner.run(sh('mkdir -p "$(dirname "$1")" && { [ ! -e "$1" ] || [ -f "$1" ]; }', path));
      return r.exitCode === 0 ? null : 'a directory or other non-file';
    },
    readNote: async () => (await runner.run(['cat', path])).stdout,
    writeNote: async (text) => void (await run('note the lock holder in', sh(WRITE_IN_PLACE, path), text)),
  });
  return {
    label: site.label,
    live: true,
    run: (argv, options) => runner.run(argv, options),
    read: async (path) => found(path, await runner.run(sh(READ, path))),
    async gather({ commands = [], files = [], facts = false }) {
      const results = await runBatched(runner, [...(facts ? [sh(FACTS)] : []), ...commands, ...files.map((p) => sh(READ, p))]);
      const read = results.splice(results.length - files.length).map((r, i) => found(files[i]!, r));
      const head = facts ? results.shift()! : undefined;
      return { results, files: read, ...(head ? { facts: factsOf(head) } : {}) };
    },
    async write(file, options) {
      const backup = options?.backup === false ? '0' : '1';
      await run(
        'write',
        sh(WRITE, file.path, backup, file.mode.toString(8), file.owner ?? '', file.group ?? file.owner ?? ''),
        file.content,
      );
    },
    async remove(path, options) {
      await run('remove', sh(REMOVE, path, options?.backup === false ? '0' : '1'));
    },
    lock: (what) => takeLock(lockSite(LOCK_PATH), what),
    async checkConfig(file) {
      const r = await runner.run(sh(CHECK_FRR), { stdin: file.content });
      return r.exitCode === 0 ? null : r.stdout.trim() || r.stderr.trim() || `vtysh -C exited ${r.exitCode}`;
    },
    facts: async () => factsOf(await runner.run(sh(FACTS))),
    async missingTools(tools) {
      return (await run('look for tools on', sh(MISSING, ...tools))).split('\n').filter(Boolean);
    },
    async unwritable(dirs, bytes) {
      const problem = (await run('check room to write on', sh(UNWRITABLE, String(bytes + SPARE_BYTES), ...dirs))).trim();
      return problem === '' ? null : problem;
    },
  };
}
