// Reads a host's captured outputs (the `--observed DIR` layout) into its observed state.
import type { HostState } from '../model/state.js';

/** Observed state of HOST from DIR/HOST/ (missing captures count as empty, with a warning). */
export async function loadObservedDir(dir: string, host: string, desired: HostState): Promise<{ state: HostState; warnings: string[] }> {
  void dir; void host; void desired;
  throw new Error('not yet');
}
