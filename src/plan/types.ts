// The plan: a versioned value listing the ordered changes that move a host from observed to desired.
import type {
  Address,
  IpvsDestination,
  IpvsService,
  IpvsServiceAttrs,
  IpvsServiceId,
  Link,
  ManagedFile,
  NftTable,
  Reload,
  Route,
  SyncDaemon,
} from '../model/state.js';

/** Version of the plan's JSON shape; bumped on any incompatible change. */
export const PLAN_VERSION = 1;

/** What a change does to an object. */
export type ObjectAction = 'create' | 'update' | 'delete';

/** What a change does: to its object, or `run` for a reload command, run because a file it reads changed. */
export type Action = ObjectAction | 'run';

/** A virtual service without its destinations (those are changes of their own). */
export interface IpvsServiceSpec extends IpvsServiceAttrs {
  id: IpvsServiceId;
}

/** A destination together with the service it belongs to. */
export interface IpvsDestinationSpec extends IpvsDestination {
  service: IpvsServiceId;
}

// The two copies below are literals: a spread or rest copy that adds or drops a key costs V8 some ten times as much,
// which a plan creating 100,000 real servers pays 100,000 times. test/plan/specs.test.ts holds them to every field.

/** A service as its ipvs-service change carries it: without its destinations. */
export function serviceSpec(s: IpvsService): IpvsServiceSpec {
  return { id: s.id, scheduler: s.scheduler, flags: s.flags, persistence: s.persistence, onePacket: s.onePacket };
}

/** A destination as its ipvs-destination change carries it: with its service. */
export function destinationSpec(d: IpvsDestination, service: IpvsServiceId): IpvsDestinationSpec {
  const { address, port, forward, weight, upper, lower, activeConns, inactiveConns } = d;
  return activeConns === undefined && inactiveConns === undefined
    ? { address, port, forward, weight, upper, lower, service }
    : { address, port, forward, weight, upper, lower, activeConns, inactiveConns, service };
}

interface ChangeOf<K extends string, T, A extends Action = ObjectAction> {
  action: A;
  kind: K;
  /** Canonical key of the object (unique within its kind on a host). */
  key: string;
  /** The object as observed (null for create). */
  before: T | null;
  /** The object as desired (null for delete). */
  after: T | null;
  /** Set on the weight-0 update that starts draining a real server before its deletion. */
  drain?: true;
  /** Set on a sysctl update that puts back the value lbctl found (HostState.restoredSysctls): it runs with the deletions. */
  restore?: true;
  /**
   * Set on an update that deletes and re-adds a destination of an ECMP service, after a new one that sorts before
   * it: the kernel's list (which mh builds its table from) stays in address order, the same on every director.
   */
  reorder?: true;
}

/** One change to one object. */
export type Change =
  | ChangeOf<'module', string>
  | ChangeOf<'sysctl', string>
  | ChangeOf<'link', Link>
  | ChangeOf<'address', Address>
  | ChangeOf<'route', Route>
  | ChangeOf<'ipvs-service', IpvsServiceSpec>
  | ChangeOf<'ipvs-destination', IpvsDestinationSpec>
  | ChangeOf<'ipvs-sync-daemon', SyncDaemon>
  | ChangeOf<'nft-table', NftTable>
  | ChangeOf<'file', ManagedFile>
  | ChangeOf<'reload', Reload, 'run'>;

/** The kinds of object lbctl manages. */
export type Kind = Change['kind'];

/** An observed object lbctl does not manage and leaves alone. */
export interface Unmanaged {
  kind: Kind;
  key: string;
}

/** A real server on its way out of a service: weight 0 set by this plan, or waiting for its connections to end. */
export interface Drain {
  /** The destination's change key ("tcp 10.0.0.1:80 10.0.0.11:80"). */
  key: string;
  phase: 'weight-0' | 'connections';
  /** Connections still established (phase "connections"). */
  activeConns: number;
}

/** The plan for one host. */
export interface HostPlan {
  host: string;
  changes: Change[];
  unmanaged: Unmanaged[];
  /** Things the operator should know (missing captures, assumptions, drains), as sentences. */
  warnings: string[];
  /** Drains in progress, as data (also said in `warnings`); absent when there are none. */
  draining?: Drain[];
}

/** The plan for one or more hosts: what `plan --format json` prints. */
export interface Plan {
  version: typeof PLAN_VERSION;
  hosts: HostPlan[];
}

/** Number of changes of each action in a plan. */
export function summarize(changes: readonly Change[]): Record<Action, number> {
  const counts = { create: 0, update: 0, delete: 0, run: 0 };
  for (const c of changes) counts[c.action]++;
  return counts;
}

/** The counts of a host's plan in words ("2 to create, 1 to update, 0 to delete, 1 to run"; no "to run" when none). */
export function summaryLine(changes: readonly Change[]): string {
  const n = summarize(changes);
  return `${n.create} to create, ${n.update} to update, ${n.delete} to delete${n.run ? `, ${n.run} to run` : ''}`;
}
