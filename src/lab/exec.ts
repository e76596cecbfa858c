// `lab exec HOST -- CMD...`: runs a command in a lab host's namespace with the terminal's stdio; on a routing host
// inside its FRR instance's private mount and PID namespaces too, where vtysh reaches the host's daemons.
import { access } from 'node:fs/promises';
import { execa } from 'execa';
import { LabError } from './errors.js';
import { inFrr } from './frr.js';
import { namespaceOf } from './names.js';
import { readLabState } from './state.js';

/** Runs `argv` in the namespace of `host` (a topology host, "gw" or "sw") and returns its exit code. */
export async function labExec(lab: string, host: string, argv: string[]): Promise<number> {
  const ns = namespaceOf(lab, host);
  if (
    !(await access(`/run/netns/${ns}`).then(
      () => true,
      () => false,
    ))
  )
    throw new LabError(`lab ${lab} has no host ${host} (no namespace ${ns}): see \`lbctl lab status --name ${lab}\``, 'usage');
  const frr = (await readLabState(lab))?.frr?.find((f) => f.host === host);
  const [file = 'ip', ...args] = (frr && (await inFrr(frr))) || ['ip', 'netns', 'exec', ns];
  const r = await execa(file, [...args, ...argv], { stdio: 'inherit', reject: false });
  return r.exitCode ?? 1;
}
