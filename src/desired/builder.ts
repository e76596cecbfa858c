// Accumulates one host's desired state from several concerns, rejecting contradictions.
import {
  addressKey,
  compareDestinations,
  naturalCompare,
  routeKey,
  serviceKey,
  sortedBy,
  sortedValues,
  sortedWith,
} from '../model/keys.js';
import type {
  Address,
  HostState,
  IpvsService,
  Link,
  ManagedFile,
  NftTable,
  ReadinessProbe,
  Reload,
  Route,
  SyncDaemon,
} from '../model/state.js';

/** The dotted sysctl key of a per-interface setting; dots in interface names become "/" as sysctl(8) expects. */
export function confKey(family: 'ipv4' | 'ipv6', device: string, setting: string): string {
  return `net.${family}.conf.${device.replace(/\./g, '/')}.${setting}`;
}

/** Mutable collector of a host's desired objects; `build()` returns the sorted, plain HostState. */
export class HostBuilder {
  private readonly modules = new Set<string>();
  private readonly sysctls = new Map<string, string>();
  private readonly links = new Map<string, Link>();
  private readonly addresses = new Map<string, Address>();
  private readonly routes = new Map<string, Route>();
  private readonly services = new Map<string, IpvsService>();
  /** serviceList()'s result, until the next service is added. */
  private sortedServices: IpvsService[] | undefined;
  private readonly nft = new Map<string, NftTable>();
  private readonly files = new Map<string, ManagedFile>();
  private readonly reloads = new Map<string, Reload>();
  private readonly ecmp = new Set<string>();
  private readonly readiness: ReadinessProbe[] = [];
  private readonly syncDaemons = new Map<SyncDaemon['role'], SyncDaemon>();
  private readonly floating = new Map<string, Address>();

  constructor(readonly host: string) {}

  module(name: string): void {
    this.modules.add(name);
  }

  sysctl(key: string, value: string): void {
    const had = this.sysctls.get(key);
    if (had !== undefined && had !== value) throw new Error(`host ${this.host}: sysctl ${key} wanted as both ${had} and ${value}`);
    this.sysctls.set(key, value);
  }

  link(link: Link): void {
    this.links.set(link.name, link);
  }

  address(address: Address): void {
    this.addresses.set(addressKey(address), address);
  }

  route(route: Route): void {
    this.routes.set(routeKey(route), route);
  }

  /** Adds a service; the same service from two topology entries merges its destinations. */
  service(service: IpvsService): void {
    this.services.set(serviceKey(service.id), service);
    this.sortedServices = undefined;
  }

  /** A sync daemon; two services wanting one role with different settings are a contradiction. */
  syncDaemon(daemon: SyncDaemon): void {
    const had = this.syncDaemons.get(daemon.role);
    if (had && (had.interface !== daemon.interface || had.syncId !== daemon.syncId)) {
      throw new Error(
        `host ${this.host}: ${daemon.role} sync daemon wanted on ${had.interface} (syncid ${had.syncId}) and ${daemon.interface} (syncid ${daemon.syncId})`,
      );
    }
    this.syncDaemons.set(daemon.role, daemon);
  }

  /** An address VRRP holds on whichever director is master (see HostState.floating). */
  floatingAddress(address: Address): void {
    this.floating.set(addressKey(address), address);
  }

  /** The sync daemons collected so far, by role (for the boot unit). */
  syncDaemonList(): SyncDaemon[] {
    return sortedBy([...this.syncDaemons.values()], (d) => d.role);
  }

  /** Marks a service as active on several directors over ECMP (see HostState.ecmpServices). */
  ecmpService(key: string): void {
    this.ecmp.add(key);
  }

  /** Adds how a rollout proves a real server ready (see HostState.readiness). */
  readinessProbe(probe: ReadinessProbe): void {
    this.readiness.push(probe);
  }

  /** A rule of lbctl's table: in the postrouting NAT chain (`rules`) or the output marking chain (`output`). */
  nftRule(family: NftTable['family'], chain: 'postrouting' | 'output', rule: string): void {
    const table = this.nft.get(family) ?? { family, name: 'lbctl', rules: [], output: [] };
    (chain === 'postrouting' ? table.rules : table.output).push(rule);
    this.nft.set(family, table);
  }

  file(file: ManagedFile): void {
    this.files.set(file.path, file);
  }

  /** Adds a reload; reloads run in the order they were first added (zebra before ospfd). */
  reload(reload: Reload): void {
    this.reloads.set(reload.name, reload);
  }

  /** The sysctls collected so far (for the sysctl.d file). */
  sysctlEntries(): [string, string][] {
    return [...this.sysctls].sort(([a], [b]) => naturalCompare(a, b));
  }

  /** The modules collected so far (for modules-load.d). */
  moduleNames(): string[] {
    return [...this.modules].sort(naturalCompare);
  }

  /** The services collected so far, sorted (for the ipvsadm rules file and the state); sorted once until a service is added. */
  serviceList(): IpvsService[] {
    this.sortedServices ??= sortedValues(this.services).map((s) => ({
      ...s,
      destinations: sortedWith(s.destinations, compareDestinations),
    }));
    return this.sortedServices;
  }

  /** The objects `ip` and `nft` hold, which nothing restores at boot unless lbctl's unit does. */
  volatileObjects(): Pick<HostState, 'links' | 'addresses' | 'routes' | 'nft'> {
    return {
      links: sortedBy([...this.links.values()], (l) => l.name),
      addresses: sortedBy([...this.addresses.values()], addressKey),
      routes: sortedBy([...this.routes.values()], routeKey),
      nft: sortedBy([...this.nft.values()], (t) => t.family).map((t) => ({
        ...t,
        rules: [...t.rules].sort(naturalCompare),
        output: [...t.output].sort(naturalCompare),
      })),
    };
  }

  build(): HostState {
    return {
      host: this.host,
      modules: this.moduleNames(),
      sysctls: Object.fromEntries(this.sysctlEntries()),
      ...this.volatileObjects(),
      ipvs: this.serviceList(),
      files: sortedBy([...this.files.values()], (f) => f.path),
      reloads: [...this.reloads.values()],
      ...(this.syncDaemons.size > 0 ? { syncDaemons: this.syncDaemonList() } : {}),
      ...(this.floating.size > 0 ? { floating: sortedBy([...this.floating.values()], addressKey) } : {}),
      ...(this.ecmp.size > 0 ? { ecmpServices: [...this.ecmp].sort(naturalCompare) } : {}),
      ...(this.readiness.length > 0 ? { readiness: sortedBy(this.readiness, (p) => p.destination) } : {}),
    };
  }
}
