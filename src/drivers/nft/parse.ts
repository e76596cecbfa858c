// Parser of `nft -j list ruleset` output: lbctl's own tables and the identity (comment) of each rule in them.
import { z } from 'zod';
import { sortedBy } from '../../model/keys.js';
import type { NftTable } from '../../model/state.js';
import { checkAs, parseJsonAs } from '../json.js';
import { OUTPUT_CHAIN } from './script.js';

/** The name of the table lbctl owns in each family. */
export const LBCTL_TABLE = 'lbctl';

const SOURCE = 'nft -j list ruleset';
const Table = z.object({ family: z.string(), name: z.string() });
const Rule = z.object({
  family: z.string(),
  table: z.string(),
  chain: z.string().optional(),
  handle: z.number().int(),
  comment: z.string().optional(),
});
// Besides tables and rules: metainfo, chain, set, map, element, flowtable, ... which are not lbctl's concern.
const RulesetSchema = z.object({ nftables: z.array(z.record(z.string(), z.unknown())) });

/**
 * The ip and ip6 tables named lbctl; each rule is its comment ("uncommented rule handle N" if it has none), sorted,
 * in `output` when it is in the output chain, else in `rules`.
 */
export function parseNftTable(json: string): NftTable[] {
  const tables = new Map<string, NftTable>();
  parseJsonAs(SOURCE, json, RulesetSchema).nftables.forEach((item, i) => {
    if (item.table !== undefined) {
      const { family, name } = checkAs(SOURCE, item.table, Table, `$.nftables[${i}].table`);
      if (name === LBCTL_TABLE && (family === 'ip' || family === 'ip6')) tables.set(family, { family, name, rules: [], output: [] });
    }
    if (item.rule !== undefined) {
      const { family, table, chain, handle, comment } = checkAs(SOURCE, item.rule, Rule, `$.nftables[${i}].rule`);
      const into = tables.get(family);
      if (table === LBCTL_TABLE && into)
        (chain === OUTPUT_CHAIN ? into.output : into.rules).push(comment ?? `uncommented rule handle ${handle}`);
    }
  });
  return sortedBy([...tables.values()], (t) => t.family).map((t) => ({
    ...t,
    rules: sortedBy(t.rules, (r) => r),
    output: sortedBy(t.output, (r) => r),
  }));
}
