// Renders plans for people: a coloured diff like `terraform plan` (+ create, ~ update, - delete).
import { summaryLine, type Change, type HostPlan, type Plan } from '../plan/types.js';
import { describeChange } from './describe.js';
import { unifiedDiff } from './text-diff.js';
import { visible, visibleLines } from './visible.js';

/** Colour functions, injected so the renderer stays pure (identity functions for plain text). */
export interface Colors {
  create: (s: string) => string;
  update: (s: string) => string;
  delete: (s: string) => string;
  run: (s: string) => string;
  dim: (s: string) => string;
  bold: (s: string) => string;
}

/** Colours that leave text as it is (NO_COLOR, pipes, golden files). */
export const PLAIN: Colors = { create: (s) => s, update: (s) => s, delete: (s) => s, run: (s) => s, dim: (s) => s, bold: (s) => s };

function fileDiff(c: Change, colors: Colors): string[] {
  if (c.kind !== 'file' || c.action !== 'update' || !c.before || !c.after) return [];
  const diff = unifiedDiff(`${c.key} (now)`, `${c.key} (planned)`, c.before.content, c.after.content);
  return diff
    .split('\n')
    .filter((l) => l !== '')
    .map((raw) => {
      // Lines of a diff: a tab is content, any other control character (the line's own newline is gone) is escaped.
      const l = visibleLines(raw);
      return `      ${l.startsWith('+') ? colors.create(l) : l.startsWith('-') ? colors.delete(l) : colors.dim(l)}`;
    });
}

function hostToHuman(p: HostPlan, colors: Colors): string {
  const head =
    colors.bold(`Host ${visible(p.host)}: `) +
    (p.changes.length === 0 ? 'no changes, the host matches the topology' : summaryLine(p.changes));
  const lines = [head];
  for (const w of p.warnings) lines.push(`  ${colors.update('!')} ${visible(w)}`);
  for (const c of p.changes) {
    lines.push(`  ${colors[c.action](describeChange(c))}`);
    lines.push(...fileDiff(c, colors));
  }
  for (const u of p.unmanaged)
    lines.push(colors.dim(`  ? unmanaged ${u.kind} ${visible(u.key)} (not in the topology, not lbctl's: left alone)`));
  return lines.join('\n');
}

/** The whole plan for people to read. */
export function renderHuman(plan: Plan, colors: Colors = PLAIN): string {
  return `${plan.hosts.map((h) => hostToHuman(h, colors)).join('\n\n')}\n`;
}
