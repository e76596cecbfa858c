// One-line descriptions of changes, shared by the human and shell renderers.
import { nftRuleIdentity } from '../model/keys.js';
import type { Address, IpvsDestination, Link, ManagedFile, NftTable, Reload, Route, SyncDaemon } from '../model/state.js';
import type { Change, IpvsServiceSpec } from '../plan/types.js';
import { visible } from './visible.js';

/** The sign of an action in diffs: + create, ~ update, - delete, > run. */
export const SIGN = { create: '+', update: '~', delete: '-', run: '>' } as const;

const mode = (m: number) => m.toString(8).padStart(4, '0');

/** A short summary of an object's attributes, by kind (its key is printed separately). */
const SUMMARY: { [K in Change['kind']]: (v: never) => string } = {
  module: () => '',
  sysctl: (v: string) => v,
  link: (l: Link) => `${l.kind} mtu ${l.mtu} ${l.up ? 'up' : 'down'}`,
  address: (_a: Address) => '',
  route: (r: Route) => `via ${r.via}`,
  'ipvs-service': (s: IpvsServiceSpec) =>
    [
      `scheduler ${s.scheduler}`,
      s.flags.length ? `flags ${s.flags.join(',')}` : '',
      s.persistence ? `persistent ${s.persistence.timeout}s mask ${s.persistence.netmask}` : '',
      s.onePacket ? 'one-packet' : '',
    ]
      .filter(Boolean)
      .join(', '),
  'ipvs-destination': (d: IpvsDestination) =>
    [d.forward, `weight ${d.weight}`, d.upper ? `upper ${d.upper}` : '', d.lower ? `lower ${d.lower}` : ''].filter(Boolean).join(', '),
  'ipvs-sync-daemon': (d: SyncDaemon) => `on ${d.interface}, syncid ${d.syncId}`,
  'nft-table': (t: NftTable) =>
    t.output.length > 0 ? `${t.rules.length} rule(s), ${t.output.length} marking rule(s)` : `${t.rules.length} rule(s)`,
  file: (f: ManagedFile) => `mode ${mode(f.mode)}`,
  reload: (r: Reload) => r.argv.join(' '),
};

function summary(c: Change, v: unknown): string {
  return (SUMMARY[c.kind] as (v: unknown) => string)(v);
}

/** For nft tables: which rules (by identity) an update adds and removes. */
function nftDelta(c: Change): string {
  if (c.kind !== 'nft-table' || !c.before || !c.after) return '';
  const before = new Set([...c.before.rules, ...c.before.output].map(nftRuleIdentity));
  const after = new Set([...c.after.rules, ...c.after.output].map(nftRuleIdentity));
  const added = [...after].filter((r) => !before.has(r));
  const removed = [...before].filter((r) => !after.has(r));
  return [...added.map((r) => `+ "${r}"`), ...removed.map((r) => `- "${r}"`)].join(', ');
}

/** What the change does to the object's attributes: "now" for create/delete, "new (was old)" for update. */
function detail(c: Change): string {
  if (c.kind === 'sysctl') return c.before !== null && c.after !== null ? `${c.before} -> ${c.after}` : `= ${c.after ?? c.before ?? ''}`;
  if (c.action !== 'update' || c.before === null || c.after === null) return summary(c, c.after ?? c.before);
  const now = summary(c, c.after);
  const was = summary(c, c.before);
  const delta = nftDelta(c);
  const reorder = c.kind === 'ipvs-destination' && c.reorder ? '[re-added after a new real server: mh order]' : '';
  return [now, was !== now ? `(was ${was})` : '', delta ? `[${delta}]` : '', reorder].filter(Boolean).join(' ');
}

/** "+ ipvs-destination tcp 10.0.0.1:80 10.0.0.11:80  gate, weight 1": one line, control characters of values escaped. */
export function describeChange(c: Change): string {
  const text = detail(c);
  const gap = c.kind === 'sysctl' ? ' ' : '  ';
  return visible(`${SIGN[c.action]} ${c.kind} ${c.key}${text ? `${gap}${text}` : ''}`);
}
