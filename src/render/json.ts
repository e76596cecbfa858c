// Renders a plan as JSON: the plan value itself, stably formatted.
import type { Plan } from '../plan/types.js';

/** The plan value as indented JSON with a trailing newline. */
export function renderJson(plan: Plan): string {
  return `${JSON.stringify(plan, null, 2)}\n`;
}
