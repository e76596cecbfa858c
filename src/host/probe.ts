// Probing a live host: run the capture commands, read the managed files, build the observed state.
import { sysctlReadManyArgv } from '../drivers/sysctl/argv.js';
import type { HostState } from '../model/state.js';
import {
  CAPTURE_COMMANDS,
  CAPTURE_FILES,
  observedFromCaptures,
  type CapturedFile,
  type CaptureName,
  type ObservedCapture,
} from '../observed/captures.js';
import type { Host, HostFacts } from './port.js';

/** Raw captures of one host: command outputs by section, managed files by path, and what failed. */
export interface HostCaptures {
  outputs: Partial<Record<CaptureName, string>>;
  files: Record<string, CapturedFile>;
  /** Sections whose command failed, with the operator's explanation. */
  failures: Map<CaptureName, string>;
  /** The host's facts, read first (they decide what may be run without changing anything). */
  facts: HostFacts;
}

/**
 * The sysctl read: only the keys lbctl compares (all of them with `sysctl -a` would read thousands of /proc/sys files,
 * seconds in an emulated guest); with none, a read of nothing.
 */
function sysctlArgv(desired: HostState): string[] {
  const keys = Object.keys(desired.sysctls);
  return keys.length === 0 ? ['true'] : sysctlReadManyArgv(keys);
}

/**
 * Sections that read IPVS: ipvsadm loads ip_vs (modprobe) when the kernel does not know IPVS yet, so without the
 * module they are not run (no table, no sync daemon). `ipvsadm -L --daemon` too: it loaded the module on every
 * real server a live plan looked at.
 */
const IPVS_SECTIONS = new Set<CaptureName>(['ipvs', 'ipvsList', 'ipvsDaemon']);

/** Sections a host without IPVS or nftables in its desired state may lack without it mattering. */
function optional(name: CaptureName, desired: HostState): boolean {
  return (
    ((name === 'ipvs' || name === 'ipvsList') && desired.ipvs.length === 0) ||
    (name === 'nft' && desired.nft.length === 0) ||
    (name === 'ipvsDaemon' && (desired.syncDaemons ?? []).length === 0) ||
    (name === 'modules' && desired.modules.length === 0)
  );
}

/** What a probe asks of a host: the capture sections it runs (argv as named in messages), their argv, and the files. */
export interface CaptureRequest {
  sections: [CaptureName, readonly string[]][];
  commands: (readonly string[])[];
  files: string[];
}

/**
 * The commands and files of a probe: every capture command (the IPVS ones only when `ipvsLoaded`: ipvsadm would load
 * ip_vs to answer, and there is no table or daemon) and the files lbctl manages: those of `desired`, and `alsoFiles`
 * (files lbctl owns that are no longer desired, so that they can be removed).
 */
export function captureRequest(desired: HostState, alsoFiles: readonly string[], ipvsLoaded: boolean): CaptureRequest {
  const sections = (Object.entries(CAPTURE_COMMANDS) as [CaptureName, readonly string[]][]).filter(
    ([name]) => ipvsLoaded || !IPVS_SECTIONS.has(name),
  );
  return {
    sections,
    commands: sections.map(([name, argv]) => (name === 'sysctl' ? sysctlArgv(desired) : argv)),
    files: [...new Set([...desired.files.map((f) => f.path), ...alsoFiles])],
  };
}

/**
 * Runs the probe's commands and reads its files (see captureRequest), in one batch. `known`: the facts read just
 * before (with the ledger), so the host is not asked again.
 */
export async function captureHost(
  host: Host,
  desired: HostState,
  alsoFiles: readonly string[] = [],
  known?: HostFacts,
): Promise<HostCaptures> {
  const facts = known ?? (await host.gather({ facts: true })).facts!;
  const failures = new Map<CaptureName, string>();
  const { sections, commands, files: paths } = captureRequest(desired, alsoFiles, facts.ipvs === 'loaded');
  // The IPVS sections not run: no table, no sync daemon.
  const outputs: Partial<Record<CaptureName, string>> = Object.fromEntries(
    [...IPVS_SECTIONS].filter((name) => !sections.some(([n]) => n === name)).map((name) => [name, '']),
  );
  const { results, files } = await host.gather({ commands, files: paths });
  sections.forEach(([name, argv], i) => {
    const r = results[i]!;
    if (r.exitCode === 0) outputs[name] = r.stdout;
    else if (optional(name, desired)) outputs[name] = name === 'nft' ? '{"nftables": []}' : '';
    else
      failures.set(
        name,
        `${argv.join(' ')} failed (exit ${r.exitCode}${r.stderr.trim() ? `: ${r.stderr.trim().split('\n')[0]}` : ''}): ${CAPTURE_FILES[name]} not captured`,
      );
  });
  const found: Record<string, CapturedFile> = {};
  paths.forEach((path, i) => {
    const file = files[i];
    if (file) found[path] = file;
  });
  return { outputs, files: found, failures, facts };
}

/** The observed state of a live host with its facts (see captureHost for `alsoFiles` and `known`). */
export async function probeHost(
  host: Host,
  desired: HostState,
  alsoFiles: readonly string[] = [],
  known?: HostFacts,
): Promise<ObservedCapture & { facts: HostFacts }> {
  const c = await captureHost(host, desired, alsoFiles, known);
  const observed = observedFromCaptures(desired.host, c.outputs, c.files, new Set(c.failures.keys()));
  return { state: observed.state, warnings: [...c.failures.values(), ...observed.warnings], facts: c.facts };
}
