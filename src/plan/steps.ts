// How each change is carried out: commands (argument arrays, never shell text) and file writes,
// written by the drivers of the tools they run.
import { addressCommand, ipArgv, linkCommand, routeCommand, type IpCommand } from '../drivers/iproute/argv.js';
import {
  destinationRule,
  ipvsadmArgv,
  serviceRule,
  syncDaemonStartArgv,
  syncDaemonStopArgv,
  type IpvsRule,
} from '../drivers/ipvs/rules.js';
import { nftDeleteTableArgv, nftLoadArgv, nftReplaceScript } from '../drivers/nft/script.js';
import { sysctlWriteArgv } from '../drivers/sysctl/argv.js';
import type { ManagedFile } from '../model/state.js';
import type { Change } from './types.js';

/** One host operation: run a command (with optional stdin), write a file, or remove one. */
export type Step = { op: 'exec'; argv: string[]; stdin?: string } | { op: 'write'; file: ManagedFile } | { op: 'remove'; path: string };

const exec = (argv: string[]): Step => ({ op: 'exec', argv });

/**
 * The ipvsadm rules of an IPVS change (none for other kinds). A real server re-added to keep every ECMP director's
 * list in the same order (`reorder`) is deleted and added again.
 */
export function ipvsRulesOf(c: Change): IpvsRule[] {
  if (c.kind === 'ipvs-service') {
    const s = c.after ?? c.before;
    return s ? [serviceRule(c.action, s)] : [];
  }
  if (c.kind === 'ipvs-destination') {
    const d = c.after ?? c.before;
    if (d === null) return [];
    if (c.reorder && c.action !== 'delete') return [destinationRule('delete', d.service, d), destinationRule('create', d.service, d)];
    return [destinationRule(c.action, d.service, d)];
  }
  return [];
}

/** The ip command of an address change (null for other kinds). */
export function addressCommandOf(c: Change): IpCommand | null {
  if (c.kind !== 'address') return null;
  const a = c.after ?? c.before;
  return a && addressCommand(c.action === 'delete' ? 'del' : 'add', a);
}

/** The steps that carry out one change. */
export function stepsFor(c: Change): Step[] {
  switch (c.kind) {
    case 'module':
      return c.action === 'delete' ? [exec(['modprobe', '-r', c.key])] : [exec(['modprobe', c.key])];
    case 'sysctl':
      return c.after === null ? [] : [exec(sysctlWriteArgv(c.key, c.after))];
    case 'link':
      return [exec(ipArgv(linkCommand(c.key, c.after)))];
    case 'address': {
      const command = addressCommandOf(c);
      return command ? [exec(ipArgv(command))] : [];
    }
    case 'route': {
      if (c.after !== null) return [exec(ipArgv(routeCommand('replace', c.after)))];
      return c.before ? [exec(ipArgv(routeCommand('del', c.before)))] : [];
    }
    case 'ipvs-service':
    case 'ipvs-destination': {
      return ipvsRulesOf(c).map((rule) => exec(ipvsadmArgv(rule)));
    }
    case 'ipvs-sync-daemon': {
      const stop = c.before === null ? [] : [exec(syncDaemonStopArgv(c.before.role))];
      if (c.after === null) return stop;
      return [...stop, exec(syncDaemonStartArgv(c.after))];
    }
    case 'nft-table': {
      if (c.after === null) return c.before ? [exec(nftDeleteTableArgv(c.before))] : [];
      return [{ op: 'exec', argv: nftLoadArgv('-'), stdin: nftReplaceScript(c.after) }];
    }
    case 'file':
      return c.after === null ? [{ op: 'remove', path: c.key }] : [{ op: 'write', file: c.after }];
    case 'reload':
      return c.after === null ? [] : [{ op: 'exec', argv: c.after.argv }];
  }
}
