// How each change is carried out: commands (argument arrays, never shell text) and file writes.
import { destinationArgs, serviceAttrArgs, serviceSelector } from '../model/ipvsadm.js';
import { nftReplaceScript } from '../model/nft.js';
import type { ManagedFile } from '../model/state.js';
import type { Change } from './types.js';

/** One host operation: run a command (with optional stdin), write a file, or remove one. */
export type Step =
  | { op: 'exec'; argv: string[]; stdin?: string }
  | { op: 'write'; file: ManagedFile }
  | { op: 'remove'; path: string };

const exec = (...argv: string[]): Step => ({ op: 'exec', argv });

/** The steps that carry out one change. */
export function stepsFor(c: Change): Step[] {
  switch (c.kind) {
    case 'module':
      return c.action === 'delete' ? [exec('modprobe', '-r', c.key)] : [exec('modprobe', c.key)];
    case 'sysctl':
      return c.after === null ? [] : [exec('sysctl', '-q', '-w', `${c.key}=${c.after}`)];
    case 'link':
      if (c.after === null) return [exec('ip', 'link', 'set', 'dev', c.key, 'down')];
      return [exec('ip', 'link', 'set', 'dev', c.key, 'mtu', String(c.after.mtu), c.after.up ? 'up' : 'down')];
    case 'address': {
      const a = c.after ?? c.before;
      if (a === null) return [];
      return [exec('ip', 'addr', c.action === 'delete' ? 'del' : 'add', a.cidr, 'dev', a.device)];
    }
    case 'route': {
      const fam = (c.after ?? c.before)?.family === 'inet6' ? ['-6'] : [];
      if (c.after === null) return c.before ? [exec('ip', ...fam, 'route', 'del', c.before.destination, 'via', c.before.via)] : [];
      return [exec('ip', ...fam, 'route', 'replace', c.after.destination, 'via', c.after.via)];
    }
    case 'ipvs-service': {
      const s = c.after ?? c.before;
      if (s === null) return [];
      if (c.action === 'delete') return [exec('ipvsadm', '-D', ...serviceSelector(s.id))];
      return [exec('ipvsadm', c.action === 'create' ? '-A' : '-E', ...serviceSelector(s.id), ...serviceAttrArgs(s))];
    }
    case 'ipvs-destination': {
      const d = c.after ?? c.before;
      if (d === null) return [];
      const sel = serviceSelector(d.service);
      const remove = exec('ipvsadm', '-d', ...sel, ...destinationArgs(d).slice(0, 2));
      if (c.action === 'delete') return [remove];
      if (c.reorder) return [remove, exec('ipvsadm', '-a', ...sel, ...destinationArgs(d))];
      return [exec('ipvsadm', c.action === 'create' ? '-a' : '-e', ...sel, ...destinationArgs(d))];
    }
    case 'ipvs-sync-daemon': {
      const stop = c.before === null ? [] : [exec('ipvsadm', '--stop-daemon', c.before.role)];
      if (c.after === null) return stop;
      return [...stop, exec('ipvsadm', '--start-daemon', c.after.role, '--mcast-interface', c.after.interface, '--syncid', String(c.after.syncId))];
    }
    case 'nft-table': {
      if (c.after === null) return c.before ? [exec('nft', 'delete', 'table', c.before.family, c.before.name)] : [];
      return [{ op: 'exec', argv: ['nft', '-f', '-'], stdin: nftReplaceScript(c.after) }];
    }
    case 'file':
      return c.after === null ? [{ op: 'remove', path: c.key }] : [{ op: 'write', file: c.after }];
    case 'reload':
      return c.after === null ? [] : [{ op: 'exec', argv: c.after.argv }];
  }
}
