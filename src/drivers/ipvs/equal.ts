// THE equality of IPVS objects: what makes a service or a real server "the same" to the kernel.
// The planner (diff) and the executor's read-back both decide with these; nothing else compares IPVS values.
import type { IpvsDestination, IpvsServiceAttrs } from '../../model/state.js';

/** True when two services' editable attributes (ipvsadm -E: -s, -b, -p/-M, -o) are the same. */
export function serviceAttrsEqual(a: IpvsServiceAttrs, b: IpvsServiceAttrs): boolean {
  return (
    a.scheduler === b.scheduler &&
    a.onePacket === b.onePacket &&
    a.flags.length === b.flags.length &&
    a.flags.every((f, i) => f === b.flags[i]) &&
    a.persistence?.timeout === b.persistence?.timeout &&
    a.persistence?.netmask === b.persistence?.netmask
  );
}

/**
 * True when two real servers' editable attributes (ipvsadm -e: method, -w, -x, -y) are the same;
 * thresholds count only when the observation could see them (ipvsadm-save never prints -x/-y).
 */
export function destinationAttrsEqual(a: IpvsDestination, b: IpvsDestination, thresholdsSeen: boolean): boolean {
  return a.forward === b.forward && a.weight === b.weight && (!thresholdsSeen || (a.upper === b.upper && a.lower === b.lower));
}
