// One-line descriptions of changes and objects, shared by the human and shell renderers.
import type { Change } from '../plan/types.js';

/** The sign of an action in diffs: + create, ~ update, - delete. */
export const SIGN = { create: '+', update: '~', delete: '-' } as const;

function attrs(c: Change): string {
  const v = c.after ?? c.before;
  if (v === null) return '';
  switch (c.kind) {
    case 'sysctl':
      return c.before !== null && c.after !== null ? `${c.before} -> ${c.after}` : `= ${v as string}`;
    case 'link': {
      const l = c.after ?? c.before;
      return l ? `${l.kind} mtu ${l.mtu} ${l.up ? 'up' : 'down'}` : '';
    }
    case 'route': {
      const r = c.after ?? c.before;
      return r ? `via ${r.via}${c.before && c.after ? ` (was via ${c.before.via})` : ''}` : '';
    }
    case 'ipvs-service': {
      const s = c.after ?? c.before;
      if (!s) return '';
      const parts = [`scheduler ${s.scheduler}`];
      if (s.flags.length) parts.push(`flags ${s.flags.join(',')}`);
      if (s.persistence) parts.push(`persistent ${s.persistence.timeout}s mask ${s.persistence.netmask}`);
      if (s.onePacket) parts.push('one-packet');
      return parts.join(', ');
    }
    case 'ipvs-destination': {
      const d = c.after ?? c.before;
      if (!d) return '';
      const parts = [d.forward, `weight ${d.weight}`];
      if (d.upper) parts.push(`upper ${d.upper}`);
      if (d.lower) parts.push(`lower ${d.lower}`);
      if (c.before && c.after) parts.push(`(was ${c.before.forward}, weight ${c.before.weight}${c.before.upper ? `, upper ${c.before.upper}` : ''}${c.before.lower ? `, lower ${c.before.lower}` : ''})`);
      return parts.join(', ');
    }
    case 'nft-table': {
      const t = c.after ?? c.before;
      return t ? `${t.rules.length} rule(s)` : '';
    }
    case 'file': {
      const f = c.after ?? c.before;
      if (!f) return '';
      const mode = (m: number) => m.toString(8).padStart(4, '0');
      const was = c.before && c.after && c.before.mode !== c.after.mode ? ` (was ${mode(c.before.mode)})` : '';
      return `mode ${mode(f.mode)}${was}${f.owner ? ` owner ${f.owner}:${f.group ?? f.owner}` : ''}`;
    }
    default:
      return '';
  }
}

/** "+ ipvs-destination tcp 10.0.0.1:80 10.0.0.11:80  gate, weight 1". */
export function describeChange(c: Change): string {
  const detail = attrs(c);
  const gap = c.kind === 'sysctl' ? ' ' : '  ';
  return `${SIGN[c.action]} ${c.kind} ${c.key}${detail ? `${gap}${detail}` : ''}`;
}
