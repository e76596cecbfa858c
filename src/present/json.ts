// Renders a plan as JSON: the plan value itself, stably formatted (2-space indent).
import type { Plan } from '../plan/types.js';

/** Indents every line but the first of a JSON text by `pad`. */
const indent = (json: string, pad: string) => json.replace(/\n/g, `\n${pad}`);

/**
 * Changes per JSON.stringify call: large enough to stay native, small enough that each string (~110 KB) stays under
 * V8's large-object size; megabyte strings live in the large-object space until a full collection, and a
 * 100,000-change plan's 62 MB of them raised its peak memory by some 25 MB.
 */
const BATCH = 200;

const OPEN = '{\n  "hosts": [\n    {\n      "changes": [\n';
const CLOSE = '\n      ]\n    }\n  ]\n}';

/** Changes formatted as elements of plan.hosts[i].changes: stringified inside a wrapper of that depth, which is then cut away. */
function changesAtDepth(changes: readonly unknown[]): string {
  const text = JSON.stringify({ hosts: [{ changes }] }, null, 2);
  return text.slice(OPEN.length, text.length - CLOSE.length);
}

/**
 * The plan as JSON, piece by piece: exactly JSON.stringify(plan, null, 2) plus a newline, but
 * a 100,000-change plan never has to exist as one string.
 */
export function* renderJsonChunks(plan: Plan): Generator<string> {
  yield `{\n  "version": ${plan.version},\n  "hosts": [`;
  for (const [h, host] of plan.hosts.entries()) {
    const { changes, ...rest } = host;
    const others = indent(JSON.stringify(rest, null, 2), '    ').slice(1, -1);
    yield `${h === 0 ? '' : ','}\n    {\n      "host": ${JSON.stringify(host.host)},\n      "changes": ${changes.length === 0 ? '[]' : '['}`;
    for (let i = 0; i < changes.length; i += BATCH) yield `${i === 0 ? '' : ','}\n${changesAtDepth(changes.slice(i, i + BATCH))}`;
    yield `${changes.length === 0 ? '' : '\n      ]'},${others.replace(/^\n\s*"host": [^\n]*,/, '')}}`;
  }
  yield `${plan.hosts.length === 0 ? '' : '\n  '}]\n}\n`;
}

/** The plan value as indented JSON with a trailing newline. */
export function renderJson(plan: Plan): string {
  return [...renderJsonChunks(plan)].join('');
}
