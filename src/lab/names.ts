// Names of a lab's namespaces, state directory and derived interfaces (pure).
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LabError } from './errors.js';

/** The lab name used when --name is not given. */
export const DEFAULT_LAB = 'lab';
/** Where labs keep their state (a tmpfs: nothing survives a reboot, nor should it). */
export const LAB_ROOT = '/run/lbctl-lab';
/** This checkout's lbctl: what provisions each host inside its namespace, and what a lab's VM job runs. */
export const LBCTL = fileURLToPath(new URL('../../bin/lbctl', import.meta.url));
/** Linux's limit on interface names (IFNAMSIZ - 1). */
export const IFNAME_MAX = 15;

/** A lab name with no "-", so that `lbl-<lab>-` never prefixes another lab's namespaces. */
export function checkLabName(lab: string): string {
  if (!/^[A-Za-z0-9_]{1,32}$/.test(lab)) throw new LabError(`lab name "${lab}" must be 1-32 letters, digits or "_" (no "-")`, 'usage');
  return lab;
}

/** The prefix every namespace of the lab starts with. */
export function labPrefix(lab: string): string {
  return `lbl-${lab}-`;
}

/** The namespace of a topology host, or of the lab's "sw" (switch) and "gw" (router) namespaces. */
export function namespaceOf(lab: string, member: string): string {
  return `${labPrefix(lab)}${member}`;
}

/** The lab's state directory. */
export function labDir(lab: string): string {
  return join(LAB_ROOT, lab);
}

/** Hands out interface names unique within one namespace, each at most 15 characters. */
export class NameAllocator {
  private readonly used: Set<string>;

  /** `reserved`: names already present in the namespace (e.g. lo). */
  constructor(reserved: string[] = ['lo']) {
    this.used = new Set(reserved);
  }

  /** `preferred` when it fits and is free, else `fallback` (which must be unique by construction). */
  take(preferred: string, fallback: string): string {
    const name = preferred.length <= IFNAME_MAX && !this.used.has(preferred) ? preferred : fallback;
    if (name.length > IFNAME_MAX || this.used.has(name))
      throw new Error(`cannot name interface ${preferred}: ${name} is taken or too long`);
    this.used.add(name);
    return name;
  }
}
