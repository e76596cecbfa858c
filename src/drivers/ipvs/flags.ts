// IPVS scheduler flags (ipvsadm -b): three bits of the service, named after the scheduler that reads them.

/** Every name ipvsadm -b accepts: the bit it sets and the one scheduler it is reserved for (null: any). */
export const SCHED_FLAGS = {
  'sh-fallback': { bit: 0, scheduler: 'sh' },
  'sh-port': { bit: 1, scheduler: 'sh' },
  'mh-fallback': { bit: 0, scheduler: 'mh' },
  'mh-port': { bit: 1, scheduler: 'mh' },
  'flag-1': { bit: 0, scheduler: null },
  'flag-2': { bit: 1, scheduler: null },
  'flag-3': { bit: 2, scheduler: null },
} as const;

/** A scheduler flag name, as written in a topology or an ipvsadm -b list. */
export type SchedFlag = keyof typeof SCHED_FLAGS;

/** The names ipvsadm-save prints for the three bits, in bit order, per scheduler (print_sched_flags in ipvsadm.c). */
const PRINTED: Readonly<Record<string, readonly [string, string, string]>> = {
  sh: ['sh-fallback', 'sh-port', 'flag-3'],
  mh: ['mh-fallback', 'mh-port', 'flag-3'],
};
const GENERIC = ['flag-1', 'flag-2', 'flag-3'] as const;

/** True for a name ipvsadm -b accepts. */
export function isSchedFlag(name: string): name is SchedFlag {
  return Object.hasOwn(SCHED_FLAGS, name);
}

/**
 * The one canonical form of a service's flags, which desired and observed state both hold:
 * the names ipvsadm-save prints for that scheduler, in bit order, each bit once
 * (so "flag-1" on an sh service is "sh-fallback", and [sh-port, flag-3] stays in that order).
 */
export function canonicalSchedFlags(scheduler: string, flags: readonly SchedFlag[]): string[] {
  const bits = new Set<number>(flags.map((f) => SCHED_FLAGS[f].bit));
  return (PRINTED[scheduler] ?? GENERIC).filter((_, bit) => bits.has(bit));
}
