// Renders plans as shell: the exact commands, one per line, deterministic and runnable by hand.
import { stepsFor, type Step } from '../plan/steps.js';
import { summaryLine, type HostPlan, type Plan } from '../plan/types.js';
import { describeChange } from './describe.js';
import { heredocDelimiter, quoteArgv, quoteWord } from '../drivers/sh/quote.js';
import { visible } from './visible.js';

function withStdin(line: string, stdin: string): string {
  const eof = heredocDelimiter(stdin);
  return `${line} <<'${eof}'\n${stdin}${stdin.endsWith('\n') ? '' : '\n'}${eof}`;
}

/** One step as shell text. */
export function stepToShell(step: Step): string {
  switch (step.op) {
    case 'exec':
      return step.stdin === undefined ? quoteArgv(step.argv) : withStdin(quoteArgv(step.argv), step.stdin);
    case 'remove':
      return quoteArgv(['rm', '-f', '--', step.path]);
    case 'write': {
      const f = step.file;
      const owner = f.owner ? ['-o', f.owner, '-g', f.group ?? f.owner] : [];
      const install = quoteArgv(['install', '-D', '-m', f.mode.toString(8).padStart(4, '0'), ...owner, '/dev/stdin', f.path]);
      return withStdin(install, f.content);
    }
  }
}

/** A shell comment: one line whatever the text holds (a newline in a value would end it and start a command). */
const comment = (text: string) => `# ${visible(text)}`;

function hostToShell(p: HostPlan): string {
  const lines = [comment(`lbctl plan for host ${p.host}: ${summaryLine(p.changes)}`)];
  for (const w of p.warnings) lines.push(comment(`warning: ${w}`));
  for (const c of p.changes) {
    lines.push(comment(describeChange(c)));
    for (const step of stepsFor(c)) lines.push(stepToShell(step));
  }
  for (const u of p.unmanaged) lines.push(comment(`unmanaged, left alone: ${u.kind} ${quoteWord(u.key)}`));
  return lines.join('\n');
}

/** The whole plan as a shell script body (hosts in plan order). */
export function renderShell(plan: Plan): string {
  return `${plan.hosts.map(hostToShell).join('\n\n')}\n`;
}
