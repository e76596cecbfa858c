// In-band failure counting (NAT/FullNAT only): the director's connection table shows what clients' connections to
// a real server did. A connection still opening (SYN_RECV) after `unansweredMs`, or reset before it was established
// (SYN_RECV, then CLOSE: under NAT the reset can only be the real server's, a client's leaves SYN_RECV as it is),
// is one failure; `failures` of them within `windowMs` mark the server down, and its check's `rise` passes bring it
// back. Pure: the agent reads the table and passes each sighting in.

/** How a connection looks in the table, as far as counting goes. */
export type ConnPhase = 'opening' | 'established' | 'reset';

/** One connection to the server as one reading of the table shows it. */
export interface ConnSighting {
  /** Identity of the connection (client address:port → VIP:port). */
  key: string;
  phase: ConnPhase;
}

/** The topology's in-band rule of a check. */
export interface InBandRule {
  failures: number;
  windowMs: number;
  unansweredMs: number;
}

/** What counting remembers of one server between readings. */
export interface InBandState {
  /** Connections seen opening: since when, and whether already counted as unanswered. */
  opening: ReadonlyMap<string, { since: number; counted: boolean }>;
  /** When each failure within the window was counted. */
  failures: readonly number[];
}

/** No connection seen yet. */
export function startInBand(): InBandState {
  return { opening: new Map(), failures: [] };
}

/** The state after one reading of the table (every connection to the server in it); `down` when the rule trips. */
export function observeConnections(
  state: InBandState,
  seen: readonly ConnSighting[],
  rule: InBandRule,
  now: number,
): { next: InBandState; failed: string[]; down: boolean } {
  const opening = new Map<string, { since: number; counted: boolean }>();
  const failures = state.failures.filter((at) => now - at < rule.windowMs);
  const failed: string[] = [];
  for (const c of seen) {
    const was = state.opening.get(c.key);
    if (c.phase === 'opening') {
      const since = was?.since ?? now;
      const late = !was?.counted && now - since >= rule.unansweredMs;
      if (late) failed.push(c.key);
      opening.set(c.key, { since, counted: (was?.counted ?? false) || late });
    } else if (c.phase === 'reset' && was && !was.counted) failed.push(c.key);
  }
  failures.push(...failed.map(() => now));
  return { next: { opening, failures }, failed, down: failures.length >= rule.failures };
}
