// The Host port: everything lbctl does to a host goes through this one interface, whether the host is this
// machine, a network namespace, a machine over SSH, or an in-memory fake in tests.
import type { ManagedFile } from '../model/state.js';

/** What a finished command left behind. */
export interface CommandResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** How a command is run: what it reads on stdin. */
export interface RunOptions {
  stdin?: string;
}

/** Runs commands as argument arrays (never through a shell). */
export interface Runner {
  run(argv: readonly string[], options?: RunOptions): Promise<CommandResult>;
}

/** A file as found on the host. */
export interface FoundFile {
  content: string;
  mode: number;
}

/** How a file is replaced or removed: `backup: false` when undoing lbctl's own change leaves no trace. */
export interface FileChangeOptions {
  backup?: boolean;
}

/** File access for probing and applying. */
export interface HostFiles {
  /** The file's content and mode; null when there is none. */
  read(path: string): Promise<FoundFile | null>;
  /** Replaces the file atomically, keeping the old one as PATH.lbctl-backup (unless told not to); follows no link. */
  write(file: ManagedFile, options?: FileChangeOptions): Promise<void>;
  /** Removes the file, keeping it as PATH.lbctl-backup (unless told not to). */
  remove(path: string, options?: FileChangeOptions): Promise<void>;
}

/** Facts about a host that decide whether lbctl may change it, and whether it is the host named. */
export interface HostFacts {
  /** The user lbctl acts as there (0: root). */
  uid: number;
  hostname: string;
  /** IPVS in the kernel: loaded, loadable as a module, or absent. */
  ipvs: 'loaded' | 'loadable' | 'absent';
}

/** What a probe reads in one go: read-only commands, files, and the host's facts when `facts` is set. */
export interface Batch {
  commands?: readonly (readonly string[])[];
  files?: readonly string[];
  facts?: boolean;
}

/** A batch's answers, in the batch's order: each command's result, each file (null when absent), the facts if asked. */
export interface Gathered {
  results: CommandResult[];
  files: (FoundFile | null)[];
  facts?: HostFacts;
}

/** A long-lived command that acts on each line of its stdin as the line comes (`ipvsadm -R`). */
export interface Feed {
  /** Sends text to its stdin. */
  write(text: string): void;
  /** False once the command has exited: a new feed is needed. */
  readonly alive: boolean;
  /** Ends its stdin and waits until it has exited. */
  close(): Promise<void>;
}

/** Releases a lock taken with Host.lock. */
export type Release = () => Promise<void>;

/** One host lbctl acts on: commands, files, the lock, a routing config check, facts. */
export interface Host extends Runner, HostFiles {
  /** How messages name this host ("this machine", "namespace lbl-dr-director", "ssh web1"). */
  readonly label: string;
  /** True when daemons on the host read the files lbctl writes (false below a --root): reloads make sense. */
  readonly live: boolean;
  /** Takes the host's apply lock; throws LockHeld naming the holder when another lbctl has it. */
  lock(what: string): Promise<Release>;
  /** Checks a config's content with its daemon's own parser (FRR, keepalived); the complaint, or null when it passes. */
  checkConfig(file: ManagedFile): Promise<string | null>;
  /** The host's facts (user, hostname, IPVS). */
  facts(): Promise<HostFacts>;
  /** Runs read-only commands and reads files (a probe's), with the facts when asked: a host reached over a network answers in one round trip. */
  gather(batch: Batch): Promise<Gathered>;
  /** The tools of `tools` that the host cannot run. */
  missingTools(tools: readonly string[]): Promise<string[]>;
  /** Why files cannot be written in these directories (missing space, read-only), or null when they can. */
  unwritable(dirs: readonly string[], bytes: number): Promise<string | null>;
  /** Starts a feed (hosts where a long-lived command is cheap to keep: this machine); absent: one command per change. */
  feed?(argv: readonly string[]): Feed;
}

/** Another lbctl holds the host's lock. */
export class LockHeld extends Error {}

/** A command that failed: the argv, its exit code and stderr, kept for the operator. */
export class CommandError extends Error {
  constructor(
    readonly argv: readonly string[],
    readonly result: CommandResult,
    options?: { cause?: unknown },
  ) {
    super(`${argv.join(' ')} exited ${result.exitCode}${result.stderr.trim() ? `: ${result.stderr.trim()}` : ''}`, options);
  }
}

/** Runs a command and throws CommandError unless it exits 0. */
export async function runChecked(runner: Runner, argv: readonly string[], options?: RunOptions): Promise<CommandResult> {
  const result = await runner.run(argv, options);
  if (result.exitCode !== 0) throw new CommandError(argv, result);
  return result;
}

/** Runs the commands one after another (a host where each is as cheap as any other, or a fallback), results in order. */
export async function runOneByOne(runner: Runner, argvs: readonly (readonly string[])[]): Promise<CommandResult[]> {
  const out: CommandResult[] = [];
  for (const argv of argvs) out.push(await runner.run(argv));
  return out;
}

/** Host.gather for a host where each command and read is as cheap as any other: one after another. */
export async function gatherOneByOne(host: Pick<Host, 'run' | 'read' | 'facts'>, batch: Batch): Promise<Gathered> {
  const facts = batch.facts ? await host.facts() : undefined;
  const results = await runOneByOne(host, batch.commands ?? []);
  const files = await Promise.all((batch.files ?? []).map((p) => host.read(p)));
  return { results, files, ...(facts ? { facts } : {}) };
}
