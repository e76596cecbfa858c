// The agent's state file: where it lives, what it holds, how it is read back (by the agent on restart, status, plan, apply).
import type { SavedState } from '../health/engine.js';
import type { AgentView } from './view.js';

/** Where the agent keeps its state unless told otherwise. */
export const defaultStateFile = (host: string) => `/var/lib/lbctl/agent-${host}.json`;

/** The agent's state file in a captured host directory (`plan --observed DIR` reads DIR/HOST/agent-state.json). */
export const AGENT_STATE_CAPTURE = 'agent-state.json';

/** The state file: what survives a restart, plus the view `lbctl status` prints. */
export interface StateFile {
  saved: SavedState;
  view: AgentView;
}

/** Parses the state file's text; a missing or unreadable one starts afresh (health trusted, nothing overridden). */
export function parseState(text: string | undefined): StateFile | null {
  if (text === undefined) return null;
  try {
    const parsed = JSON.parse(text) as StateFile;
    return parsed.saved?.version === 1 ? parsed : null;
  } catch {
    return null;
  }
}
