// Where `lbctl plan --observed DIR` takes the current state from: captures with their ledger and agent state. Loaded
// only by those plans (no SSH, no process to run: the live path's modules stay unloaded).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { withAgentDecisions } from '../../agent/overrides.js';
import { AGENT_STATE_CAPTURE, parseState } from '../../agent/state-file.js';
import { DEFAULT_DRAIN_TIMEOUT_SEC, drainPolicy, withRestoredSysctls } from '../../host/ledger-view.js';
import { loadObservedDir } from '../../host/observed-dir.js';
import type { HostState } from '../../model/state.js';
import { planHost } from '../../plan/plan.js';
import type { HostPlan } from '../../plan/types.js';
import type { Topology } from '../../topology/types.js';

/** The plan of a host from its captures, with the ledger and agent state captured beside them: what apply would do. */
export async function planFromCapture(dir: string, topology: Topology, wanted: HostState): Promise<HostPlan> {
  const agent = parseState(await readFile(join(dir, wanted.host, AGENT_STATE_CAPTURE), 'utf8').catch(() => undefined));
  const want = agent ? withAgentDecisions(wanted, topology, agent.saved) : wanted;
  const { observed, record } = await loadObservedDir(dir, want.host, want);
  const drain = drainPolicy(() => record, DEFAULT_DRAIN_TIMEOUT_SEC * 1000);
  return planHost(withRestoredSysctls(want, record), observed.state, new Set(record?.owned), observed.warnings, drain);
}
