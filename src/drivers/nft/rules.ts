// The text of the rules lbctl puts in its nftables table, each ending in the comment that identifies it.

/** 32-bit FNV-1a of a text, as 8 hex digits: a short, stable fingerprint. */
export function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

/**
 * A rule with its identity: the comment holds a hash of the rule text, so any change to it is seen when lbctl reads
 * the table back, then a label for people (nft caps comments at 128 bytes).
 */
function identified(rule: string, label: string): string {
  return `${rule} comment "lbctl ${fnv1a(rule)} ${label}"`;
}

/** The postrouting rule of a FullNAT real server: SNAT to `source`, or masquerade when the topology gives none. */
export function snatRule(
  to: { family: 'ip' | 'ip6'; destination: string; transport?: string; port?: number },
  source: string | undefined,
  label: string,
): string {
  const match = [`${to.family} daddr ${to.destination}`];
  if (to.transport !== undefined && to.port !== undefined) match.push(`${to.transport} dport ${to.port}`);
  return identified(`${match.join(' ')} counter ${source === undefined ? 'masquerade' : `snat to ${source}`}`, label);
}

/** One packet flow, as a marking rule matches it: from source:sourcePort to destination:port over transport. */
export interface MarkedFlow {
  family: 'ip' | 'ip6';
  transport: 'tcp' | 'udp';
  source: string;
  sourcePort: number;
  destination: string;
  port: number;
}

/** The output-chain rule that sets `mark` on one flow's packets. */
export function markRule(flow: MarkedFlow, mark: number, label: string): string {
  const { family, transport } = flow;
  const rule =
    `${family} saddr ${flow.source} ${family} daddr ${flow.destination} ` +
    `${transport} sport ${flow.sourcePort} ${transport} dport ${flow.port} meta mark set ${mark}`;
  return identified(rule, label);
}
