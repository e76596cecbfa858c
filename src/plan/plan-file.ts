// The plan file (`lbctl plan --out FILE`, `lbctl apply FILE`): the plan value with, per host, what apply needs to
// carry it out exactly — how to reach the host, who it must be, its desired state — and the fingerprint of the plan
// as it was made, so that apply refuses a host that changed since.
import type { Reach } from '../inventory/types.js';
import type { HostIdentity } from '../desired/identity.js';
import type { HostRoles } from '../desired/roles.js';
import type { HostState } from '../model/state.js';
import { planFingerprint } from './fingerprint.js';
import { PLAN_VERSION, type HostPlan } from './types.js';

/** Marks a plan file and its format's version. */
export const PLAN_FILE_FORMAT = 1;

/** One host of a plan file. */
export interface PlanFileHost {
  plan: HostPlan;
  reach: Reach;
  identity: HostIdentity;
  roles: HostRoles;
  desired: HostState;
  fingerprint: string;
}

/** A saved plan. */
export interface PlanFile {
  lbctlPlanFile: typeof PLAN_FILE_FORMAT;
  version: typeof PLAN_VERSION;
  /** The topology file the plan was made from (for messages). */
  topology: string;
  hosts: PlanFileHost[];
}

/** The plan file of hosts planned from `topology`. */
export function makePlanFile(topology: string, hosts: Omit<PlanFileHost, 'fingerprint'>[]): PlanFile {
  return {
    lbctlPlanFile: PLAN_FILE_FORMAT,
    version: PLAN_VERSION,
    topology,
    hosts: hosts.map((h) => ({ ...h, fingerprint: planFingerprint(h.plan) })),
  };
}

/** True when `text` is (the start of) a plan file rather than a topology. */
export function looksLikePlanFile(text: string): boolean {
  return /^\s*\{\s*"lbctlPlanFile"\s*:/.test(text);
}

/** Parses a plan file; the reason it is not one, or the plan file. */
export function parsePlanFile(text: string): PlanFile | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return `it is not JSON (${(err as Error).message})`;
  }
  const file = value as Partial<PlanFile>;
  if (file.lbctlPlanFile !== PLAN_FILE_FORMAT)
    return `its format is ${JSON.stringify(file.lbctlPlanFile)}, this lbctl reads ${PLAN_FILE_FORMAT}`;
  if (file.version !== PLAN_VERSION) return `its plan version is ${JSON.stringify(file.version)}, this lbctl reads ${PLAN_VERSION}`;
  if (typeof file.topology !== 'string' || !Array.isArray(file.hosts)) return 'it has no topology or hosts';
  const bad = file.hosts.findIndex(
    (h) =>
      typeof h?.fingerprint !== 'string' ||
      typeof h?.plan?.host !== 'string' ||
      typeof h?.desired?.host !== 'string' ||
      typeof h?.reach?.kind !== 'string',
  );
  if (bad >= 0) return `host entry ${bad} is incomplete`;
  return file as PlanFile;
}
