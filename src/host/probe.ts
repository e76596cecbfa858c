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

/**
 * Runs every capture command and reads the files lbctl manages: those of `desired`, and `alsoFiles` (files lbctl
 * owns that are no longer desired, so that they can be removed), in one batch. `known`: the facts read just before
 * (with the ledger), so the host is not asked again.
 */
export async function captureHost(
  host: Host,
  desired: HostState,
  alsoFiles: readonly string[] = [],
  known?: HostFacts,
): Promise<HostCaptures> {
  const facts = known ?? (await host.gather({ facts: true })).facts!;
  const outputs: Partial<Record<CaptureName, string>> = {};
  const failures = new Map<CaptureName, string>();
  // IPVS sections are not read without ip_vs: ipvsadm would load it to answer, and there is no table or daemon to read.
  const sections = (Object.entries(CAPTURE_COMMANDS) as [CaptureName, readonly string[]][]).filter(([name]) => {
    const skip = IPVS_SECTIONS.has(name) && facts.ipvs !== 'loaded';
    if (skip) outputs[name] = '';
    return !skip;
  });
  const paths = [...new Set([...desired.files.map((f) => f.path), ...alsoFiles])];
  const { results, files } = await host.gather({
    commands: sections.map(([name, argv]) => (name === 'sysctl' ? sysctlArgv(desired) : argv)),
    files: paths,
  });
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
