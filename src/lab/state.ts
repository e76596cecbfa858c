// The lab's record of what it created (plan, topology file, PIDs of web servers, FRR instances and DNS servers) in its state directory.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LabDns } from './dns.js';
import type { LabFrr } from './frr.js';
import type { LabKeepalived } from './keepalived.js';
import { labDir } from './names.js';
import type { LabPlan } from './plan.js';

/** A web server started in a host's namespace. */
export interface LabService {
  host: string;
  port: number;
  pid: number;
}

/** What `lab up` recorded; written before anything is built, so `lab down` can undo a crashed build. */
export interface LabState {
  file: string;
  plan: LabPlan;
  services: LabService[];
  /** FRR instances of routing hosts (absent in records of labs without them). */
  frr?: LabFrr[];
  /** DNS servers of hosts with role dns (absent in records of labs without them). */
  dns?: LabDns[];
  /** keepalived instances of VRRP directors (absent in records of labs without them). */
  keepalived?: LabKeepalived[];
}

const stateFile = (lab: string) => join(labDir(lab), 'lab.json');

/** Writes the state atomically (a crash leaves the old or the new record, never half of one). */
export async function writeLabState(state: LabState): Promise<void> {
  const file = stateFile(state.plan.lab);
  await mkdir(labDir(state.plan.lab), { recursive: true, mode: 0o700 });
  await writeFile(`${file}.tmp`, `${JSON.stringify(state, null, 2)}\n`);
  await rename(`${file}.tmp`, file);
}

/** The recorded state, or null when the lab has none (never built, or already removed). */
export async function readLabState(lab: string): Promise<LabState | null> {
  const text = await readFile(stateFile(lab), 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return null;
    throw err;
  });
  return text === null ? null : (JSON.parse(text) as LabState);
}
