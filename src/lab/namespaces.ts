// The lab's namespaces as the kernel has them now (ip netns list), whatever was recorded.
import { runChecked, type Runner } from '../host/port.js';
import { labPrefix } from './names.js';

/** Every network namespace name on this machine. */
export async function allNamespaces(runner: Runner): Promise<string[]> {
  const out = (await runChecked(runner, ['ip', '-j', 'netns', 'list'])).stdout.trim();
  return out === '' ? [] : (JSON.parse(out) as { name: string }[]).map((n) => n.name);
}

/** The namespaces whose names carry the lab's prefix (lab names have no "-", so no other lab's match). */
export async function liveNamespaces(runner: Runner, lab: string): Promise<string[]> {
  return (await allNamespaces(runner)).filter((n) => n.startsWith(labPrefix(lab)));
}
