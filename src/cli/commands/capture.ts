// `lbctl capture FILE --host NAME --out DIR`: writes a host's observed state in the --observed layout.
import { dirname, join } from 'node:path';
import { AGENT_STATE_CAPTURE, defaultStateFile } from '../../agent/state-file.js';
import { localHost } from '../../host/adapters/local.js';
import { makeDirs, writeOutputFile } from '../../host/output-dir.js';
import { readLedger } from '../../host/ledger.js';
import { ownedFiles } from '../../host/ledger-view.js';
import { FILE_MODES, LEDGER_CAPTURE } from '../../host/observed-dir.js';
import { captureHost } from '../../host/probe.js';
import { desiredStates } from '../../desired/desired.js';
import { CAPTURE_FILES, capturedFilePath, type CaptureName } from '../../observed/captures.js';
import { CliError, EXIT } from '../exit-codes.js';
import type { Io } from '../io.js';
import { visible, visibleLines } from '../../present/visible.js';
import { requireTopology } from '../load.js';
import { refusal } from '../refusals.js';

/** Runs capture; writes DIR/HOST/ so that `plan --observed DIR` reads it back. */
export async function captureCommand(file: string, opts: { host: string; out: string; root: string }, io: Io): Promise<number> {
  const desired = desiredStates(await requireTopology(file, io.err)).get(opts.host);
  if (!desired) throw new CliError(`unknown host ${opts.host}`, EXIT.usage);
  const dir = join(opts.out, opts.host);
  // Before probing: an output that cannot be written is found without touching the host.
  await makeDirs(dir, 'capture directory');
  const host = localHost(opts.root);
  // The ledger travels with the captures: a plan from them deletes what lbctl owns, as apply would.
  const ledger = await readLedger(host).catch((err: unknown) => {
    throw refusal(err) ?? err;
  });
  const record = ledger.hosts[opts.host];
  const c = await captureHost(host, desired, ownedFiles(new Set(record?.owned)));
  const put = async (rel: string, content: string) => {
    await makeDirs(dirname(join(dir, rel)), 'capture directory');
    await writeOutputFile(join(dir, rel), content);
  };
  for (const [name, text] of Object.entries(c.outputs) as [CaptureName, string][]) await put(CAPTURE_FILES[name], text);
  for (const [path, f] of Object.entries(c.files)) await put(capturedFilePath(path), f.content);
  await put(
    FILE_MODES,
    Object.entries(c.files)
      .map(([path, f]) => `${(f.mode ?? 0o644).toString(8).padStart(4, '0')} ${path}\n`)
      .join(''),
  );
  const agent = await host.read(defaultStateFile(opts.host));
  if (agent) await put(AGENT_STATE_CAPTURE, agent.content);
  if (record) await put(LEDGER_CAPTURE, `${JSON.stringify({ version: 1, hosts: { [opts.host]: record } }, null, 2)}\n`);
  for (const f of c.failures.values()) io.err(`warning: ${visibleLines(f)}\n`);
  io.out(`captured host ${opts.host} into ${visible(dir)}\n`);
  return EXIT.ok;
}
