// The sh script the guest init runs: the job's environment, working directory and command.
import { quoteArgv, quoteWord } from '../../drivers/sh/quote.js';

/** What the guest runs, with host paths (the host's / is the guest's /). */
export interface JobSpec {
  command: readonly string[];
  cwd: string;
  env: Readonly<Record<string, string>>;
}

/** Renders the job as a sh script that exports env, enters cwd and execs the command. */
export function renderJobScript(job: JobSpec): string {
  if (job.command.length === 0) throw new Error('lbctl VM runner: empty command');
  const exports = Object.entries(job.env).map(([name, value]) => {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
      throw new Error(`lbctl VM runner: invalid environment variable name ${JSON.stringify(name)}`);
    return `export ${name}=${quoteWord(value)}\n`;
  });
  return `${exports.join('')}cd ${quoteWord(job.cwd)} || exit 125\nexec ${quoteArgv(job.command)}\n`;
}
