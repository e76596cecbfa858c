// Probing a live host: run the capture commands, read the managed files, build the observed state.
import type { HostState } from '../model/state.js';
import { CAPTURE_COMMANDS, CAPTURE_FILES, observedFromCaptures, type CapturedFile, type CaptureName, type ObservedCapture } from '../observed/captures.js';
import type { Host } from './port.js';

/** Raw captures of one host: command outputs by section, managed files by path, and what failed. */
export interface HostCaptures {
  outputs: Partial<Record<CaptureName, string>>;
  files: Record<string, CapturedFile>;
  /** Sections whose command failed, with the operator's explanation. */
  failures: Map<CaptureName, string>;
}

/** Sections a host without IPVS or nftables in its desired state may lack without it mattering. */
function optional(name: CaptureName, desired: HostState): boolean {
  return (
    ((name === 'ipvs' || name === 'ipvsList') && desired.ipvs.length === 0) ||
    (name === 'nft' && desired.nft.length === 0) ||
    (name === 'ipvsDaemon' && (desired.syncDaemons ?? []).length === 0) ||
    (name === 'modules' && desired.modules.length === 0)
  );
}

/**
 * Runs every capture command and reads the files lbctl manages: those of `desired`, and `alsoFiles` (files lbctl
 * owns that are no longer desired, so that they can be removed).
 */
export async function captureHost(host: Host, desired: HostState, alsoFiles: readonly string[] = []): Promise<HostCaptures> {
  const outputs: Partial<Record<CaptureName, string>> = {};
  const failures = new Map<CaptureName, string>();
  for (const [name, argv] of Object.entries(CAPTURE_COMMANDS) as [CaptureName, readonly string[]][]) {
    const r = await host.run(argv);
    if (r.exitCode === 0) outputs[name] = r.stdout;
    else if (optional(name, desired)) outputs[name] = name === 'nft' ? '{"nftables": []}' : '';
    else failures.set(name, `${argv.join(' ')} failed (exit ${r.exitCode}${r.stderr.trim() ? `: ${r.stderr.trim().split('\n')[0]}` : ''}): ${CAPTURE_FILES[name]} not captured`);
  }
  const found: Record<string, CapturedFile> = {};
  for (const path of new Set([...desired.files.map((f) => f.path), ...alsoFiles])) {
    const file = await host.read(path);
    if (file) found[path] = file;
  }
  return { outputs, files: found, failures };
}

/** The observed state of a live host (see captureHost for `alsoFiles`). */
export async function probeHost(host: Host, desired: HostState, alsoFiles: readonly string[] = []): Promise<ObservedCapture> {
  const c = await captureHost(host, desired, alsoFiles);
  const observed = observedFromCaptures(desired.host, c.outputs, c.files, new Set(c.failures.keys()));
  return { state: observed.state, warnings: [...c.failures.values(), ...observed.warnings] };
}
