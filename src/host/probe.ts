// Probing a live host: run the capture commands, read the managed files, build the observed state.
import type { HostState } from '../model/state.js';
import { CAPTURE_COMMANDS, CAPTURE_FILES, observedFromCaptures, type CapturedFile, type CaptureName, type ObservedCapture } from '../observed/captures.js';
import type { HostFiles } from './files.js';
import type { Runner } from './runner.js';

/** Raw captures of one host: command outputs by section, managed files by path, and what failed. */
export interface HostCaptures {
  outputs: Partial<Record<CaptureName, string>>;
  files: Record<string, CapturedFile>;
  failures: string[];
}

/** Sections a host without IPVS or nftables in its desired state may lack without it mattering. */
function optional(name: CaptureName, desired: HostState): boolean {
  return (
    ((name === 'ipvs' || name === 'ipvsList') && desired.ipvs.length === 0) ||
    (name === 'nft' && desired.nft.length === 0) ||
    (name === 'modules' && desired.modules.length === 0)
  );
}

/** Runs every capture command and reads the files lbctl manages (those of `desired`). */
export async function captureHost(runner: Runner, files: HostFiles, desired: HostState): Promise<HostCaptures> {
  const outputs: Partial<Record<CaptureName, string>> = {};
  const failures: string[] = [];
  for (const [name, argv] of Object.entries(CAPTURE_COMMANDS) as [CaptureName, readonly string[]][]) {
    const r = await runner.run(argv);
    if (r.exitCode === 0) outputs[name] = r.stdout;
    else if (optional(name, desired)) outputs[name] = name === 'nft' ? '{"nftables": []}' : '';
    else failures.push(`${argv.join(' ')} failed (exit ${r.exitCode}${r.stderr.trim() ? `: ${r.stderr.trim().split('\n')[0]}` : ''}): ${CAPTURE_FILES[name]} not captured`);
  }
  const found: Record<string, CapturedFile> = {};
  for (const f of desired.files) {
    const file = await files.read(f.path);
    if (file) found[f.path] = file;
  }
  return { outputs, files: found, failures };
}

/** The observed state of a live host. */
export async function probeHost(runner: Runner, files: HostFiles, desired: HostState): Promise<ObservedCapture> {
  const c = await captureHost(runner, files, desired);
  const observed = observedFromCaptures(desired.host, c.outputs, c.files);
  return { state: observed.state, warnings: [...c.failures, ...observed.warnings.filter((w) => !c.failures.some((f) => f.includes(w.split(' ')[0] ?? '')))] };
}
