// The lab's record of what it created (plan, topology file, PIDs of web servers, FRR instances and DNS servers) in its state directory.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LabAgent } from './agent.js';
import type { LabDns } from './dns.js';
import type { LabFrr } from './frr.js';
import { reasonOf } from '../host/errno.js';
import { LabError } from './errors.js';
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
  /** Agents of hosts with checks (absent in records of labs without them). */
  agents?: LabAgent[];
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

/** True when a parsed record has the parts `lab down` and `lab status` rely on. */
function isLabState(value: unknown): value is LabState {
  const v = value as Partial<LabState> | null;
  const list = (x: unknown) => x === undefined || Array.isArray(x);
  return (
    typeof v === 'object' && v !== null && Array.isArray(v.plan?.namespaces) && Array.isArray(v.services) && list(v.frr) && list(v.dns)
  );
}

/** The lab's record: its state, null when there is none (never built, or already removed), or why it cannot be read. */
export type LabRecord = { state: LabState | null } | { unreadable: string };

/** Reads the record; a truncated, empty, edited or misplaced one (a directory) is reported, not thrown. */
export async function readLabRecord(lab: string): Promise<LabRecord> {
  let text: string;
  try {
    text = await readFile(stateFile(lab), 'utf8');
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT' ? { state: null } : { unreadable: `${stateFile(lab)}: ${reasonOf(err)}` };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { unreadable: `${stateFile(lab)} is not JSON (truncated by a crash?)` };
  }
  return isLabState(parsed) ? { state: parsed } : { unreadable: `${stateFile(lab)} is not a lab record` };
}

/** The recorded state, or null when the lab has none; an unreadable record is a LabError that names the way out. */
export async function readLabState(lab: string): Promise<LabState | null> {
  const record = await readLabRecord(lab);
  if ('state' in record) return record.state;
  throw new LabError(
    `the record of lab ${lab} cannot be read: ${record.unreadable}; \`lbctl lab down --name ${lab}\` removes the lab by its namespace prefix`,
    'failed',
  );
}
