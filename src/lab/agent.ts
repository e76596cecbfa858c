// lbctl agent on a lab's hosts that have checks, as production runs it: one process per host in its namespace,
// started after FRR (it asks FRR's OSPF database through vtysh inside the instance) and the DNS servers.
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { logTail, spawnDetached, stopVerified, waitReady } from './daemon.js';
import { inFrr, type LabFrr } from './frr.js';
import { LBCTL, labDir } from './names.js';
import type { LabHost } from './plan.js';

/** An agent a lab started. */
export interface LabAgent {
  host: string;
  pid: number;
  /** Its state file (what `lbctl status --state-file` reads) and event log. */
  stateFile: string;
  events: string;
}

/** The lab's files of a host's agent. */
export const agentFiles = (lab: string, host: string) => ({
  stateFile: join(labDir(lab), host, 'agent.json'),
  events: join(labDir(lab), host, 'agent-events.jsonl'),
  log: join(labDir(lab), host, 'agent.log'),
});

/** Starts a host's agent and waits for its first state file. */
export async function launchAgent(lab: string, file: string, host: LabHost, frr: LabFrr | undefined): Promise<LabAgent> {
  const files = agentFiles(lab, host.name);
  const vtysh = frr ? [...((await inFrr(frr)) ?? []), 'vtysh'] : ['vtysh'];
  const argv = [
    'ip',
    'netns',
    'exec',
    host.namespace,
    process.execPath,
    LBCTL,
    'agent',
    file,
    '--host',
    host.name,
    '--state-file',
    files.stateFile,
    '--events',
    files.events,
    '--vtysh',
    vtysh.join(' '),
  ];
  const pid = await spawnDetached(argv, files.log);
  const agent = { host: host.name, pid, stateFile: files.stateFile, events: files.events };
  if (
    await waitReady(
      pid,
      () =>
        access(files.stateFile).then(
          () => true,
          () => false,
        ),
      30_000,
    )
  )
    return agent;
  await stopAgent(lab, agent);
  throw new Error(`lbctl agent for ${host.name} did not start:\n${await logTail(files.log)}`);
}

/** Stops a recorded agent, only while its PID is still this lab's agent; true when it was running. */
export function stopAgent(lab: string, agent: LabAgent): Promise<boolean> {
  return stopVerified(agent.pid, `${labDir(lab)}/`, 'SIGTERM');
}
