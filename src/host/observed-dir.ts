// Reads a host's captured outputs (the `--observed DIR` layout: DIR/HOST/...) into its observed state.
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { reasonOf } from './errno.js';
import { readText, Unreadable } from './read-input.js';
import { emptyHostState, type HostState } from '../model/state.js';
import { parseLedger, type HostRecord } from './ledger.js';
import { ownedFiles } from './ledger-view.js';
import {
  CAPTURE_FILES,
  capturedFilePath,
  observedFromCaptures,
  type CapturedFile,
  type CaptureName,
  type ObservedCapture,
} from '../observed/captures.js';

/** The manifest of captured files' permission bits ("0640 /etc/frr/frr.conf" per line): git keeps no modes. */
export const FILE_MODES = 'file-modes.txt';

/** The host's ledger as captured: what lbctl owns there, so a plan from captures deletes what apply would. */
export const LEDGER_CAPTURE = 'ledger.json';

/** A host's observed state from its captures, and its captured ledger record (when there was one). */
export interface CapturedHost {
  observed: ObservedCapture;
  record?: HostRecord;
}

/** The largest capture file read (`ipvsadm-save -n` of 100,000 services takes about 10 MiB). */
const MAX_CAPTURE_BYTES = 256 * 1024 * 1024;

/** A capture file's text; undefined when absent. Anything but a regular file (a FIFO would block) is Unreadable. */
async function readIfPresent(path: string): Promise<string | undefined> {
  const found = await stat(path).catch((err: NodeJS.ErrnoException) =>
    err.code === 'ENOENT' ? undefined : Promise.reject(new Unreadable(`cannot read capture ${path}: ${reasonOf(err)}`)),
  );
  if (found === undefined) return undefined;
  if (!found.isFile())
    throw new Unreadable(
      `cannot read capture ${path}: it is ${found.isDirectory() ? 'a directory' : 'not a regular file'}; \`lbctl capture\` writes regular files`,
    );
  if (found.size > MAX_CAPTURE_BYTES)
    throw new Unreadable(`cannot read capture ${path}: it is larger than ${MAX_CAPTURE_BYTES >> 20} MiB, more than any host's state takes`);
  return readText(path).catch((err: unknown) => Promise.reject(new Unreadable(`cannot read capture ${path}: ${reasonOf(err)}`)));
}

/** The values of the promises once all have settled; the first rejected, by position, is thrown. */
async function allInOrder<T>(promises: readonly Promise<T>[]): Promise<T[]> {
  const settled = await Promise.allSettled(promises);
  return settled.map((r) => {
    if (r.status === 'rejected') throw r.reason;
    return r.value;
  });
}

/** `--observed DIR` must name a directory: a typo would otherwise plan every host from an empty state. */
export async function requireObservedDir(dir: string): Promise<void> {
  const found = await stat(dir).catch((err: unknown) => Promise.reject(new Unreadable(`cannot read captures ${dir}: ${reasonOf(err)}`)));
  if (!found.isDirectory())
    throw new Unreadable(`cannot read captures ${dir}: it is not a directory (\`lbctl capture --out DIR\` writes DIR/HOST/)`);
}

/** Parses the file-modes manifest into path → mode. */
export function parseFileModes(text: string): Map<string, number> {
  const modes = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^([0-7]{3,4})\s+(\/\S+)$/.exec(line.trim());
    if (m?.[1] && m[2]) modes.set(m[2], parseInt(m[1], 8));
  }
  return modes;
}

/** Observed state of HOST from DIR/HOST/ (a missing capture counts as empty, with a warning), with its ledger record. */
export async function loadObservedDir(dir: string, host: string, desired: HostState): Promise<CapturedHost> {
  const hostDir = join(dir, host);
  const exists = await stat(hostDir).then(
    (s) => s.isDirectory(),
    (err: NodeJS.ErrnoException) =>
      err.code === 'ENOENT' ? false : Promise.reject(new Unreadable(`cannot read captures ${hostDir}: ${reasonOf(err)}`)),
  );
  if (!exists)
    return { observed: { state: emptyHostState(host), warnings: [`no captures for host ${host} in ${dir}: planned from an empty state`] } };
  // Every file is read at once (the reads overlap); a failure is the first by the order below, as if read one by one.
  const captureFiles = Object.entries(CAPTURE_FILES) as [CaptureName, string][];
  const texts = await allInOrder(
    [...captureFiles.map(([, file]) => file), LEDGER_CAPTURE, FILE_MODES].map((file) => readIfPresent(join(hostDir, file))),
  );
  const [ledgerText, modesText] = texts.slice(captureFiles.length);
  const captures: Partial<Record<CaptureName, string>> = {};
  captureFiles.forEach(([name], i) => {
    const text = texts[i];
    if (text !== undefined) captures[name] = text;
  });
  const record = ledgerText === undefined ? undefined : parseLedger(ledgerText, join(hostDir, LEDGER_CAPTURE)).hosts[host];
  const modes = parseFileModes(modesText ?? '');
  const paths = [...new Set([...desired.files.map((f) => f.path), ...ownedFiles(new Set(record?.owned))])];
  const contents = await allInOrder(paths.map((path) => readIfPresent(join(hostDir, capturedFilePath(path)))));
  const files: Record<string, CapturedFile> = {};
  paths.forEach((path, i) => {
    const content = contents[i];
    // Without a recorded mode the file's mode is unknown: do not report it as drift.
    if (content !== undefined)
      files[path] = { content, mode: modes.get(path) ?? desired.files.find((f) => f.path === path)?.mode ?? 0o644 };
  });
  return { observed: observedFromCaptures(host, captures, files), ...(record ? { record } : {}) };
}
