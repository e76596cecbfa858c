// An in-memory host that interprets the commands lbctl runs (ipvsadm, ip, sysctl, modprobe, nft)
// and prints what the real tools print when probed, so apply can be tested without a kernel.
// Its ipvsadm reads rules through lbctl's own ipvsadm-save parser and prints its table with lbctl's
// own writer: what makes that sound is test/drivers/ipvs/real-captures.test.ts, which proves the parser
// against real kernel output with hand-written expectations, and test/drivers/ipvs/round-trip.test.ts,
// which proves writer and parser agree on every option. Tests of apply here prove apply, not the parser.
import { rulesText } from '../../src/drivers/ipvs/rules.js';
import { addressKey, destinationKey, endpoint, routeKey, serviceKey } from '../../src/model/keys.js';
import type { Address, IpvsService, ManagedFile, Route } from '../../src/model/state.js';
import { BACKUP_SUFFIX } from '../../src/host/adapters/local-files.js';
import { LEDGER_PATH } from '../../src/host/ledger.js';
import {
  gatherOneByOne,
  LockHeld,
  type Batch,
  type CommandResult,
  type FileChangeOptions,
  type FoundFile,
  type Gathered,
  type Host,
  type HostFacts,
} from '../../src/host/port.js';
import { parseIpvsadmSave } from '../../src/drivers/ipvs/parse-save.js';

const ok = (stdout = ''): CommandResult => ({ exitCode: 0, stdout, stderr: '' });
const fail = (stderr: string, exitCode = 1): CommandResult => ({ exitCode, stdout: '', stderr });

/** True for the commands that only read the host (probes, read-backs). */
function isQuery(argv: readonly string[]): boolean {
  const [cmd, first] = argv;
  if (cmd === 'ipvsadm-save' || cmd === 'cat' || cmd === 'getent') return true;
  if (cmd === 'ipvsadm') return first === '-Ln' || first === '-L';
  if (cmd === 'ip' || cmd === 'nft') return first === '-j';
  if (cmd === 'sysctl') return first === '-a' || first === '-n' || first === '-e';
  if (cmd === 'true') return true;
  return cmd === 'modprobe' && first === '-n';
}

/** Decides whether a command should fail (failure injection); gets the argv and stdin. */
export type FailWhen = (argv: readonly string[], stdin: string | undefined) => boolean;

/** The kernel and file state of a fake host, and a log of what ran. */
export class FakeHost implements Host {
  readonly label = 'fake host';
  /** False models a host below --root: daemons do not read lbctl's files there. */
  live = true;
  /** What facts() reports; IPVS is loaded once ip_vs is (the fake's kernel can load it), unless set to absent. */
  facts_: HostFacts = { uid: 0, hostname: 'fake', ipvs: 'loadable' };
  /** Tools the host lacks. */
  readonly absentTools = new Set<string>();
  /** What unwritable() reports (null: room enough). */
  writeProblem: string | null = null;
  /** FRR's complaint about any routing config (null: every config passes). */
  configProblem: string | null = null;
  /** Who holds the lock, when someone does. */
  lockedBy: string | null = null;
  /** Called before every operation that changes the host (a command that is no query, a file write or removal); may throw to model a crash. */
  beforeChange: (op: string) => void = () => undefined;
  readonly modules = new Set<string>();
  readonly sysctls = new Map<string, string>([
    ['net.ipv4.ip_forward', '0'],
    ['net.ipv4.ip_nonlocal_bind', '0'],
    ['net.ipv4.conf.all.arp_ignore', '0'],
    ['net.ipv4.conf.all.arp_announce', '0'],
    ['net.ipv4.conf.all.rp_filter', '2'],
    ['net.ipv4.conf.all.accept_local', '0'],
  ]);
  readonly addresses = new Map<string, Address>([['lo 127.0.0.1/8', { device: 'lo', cidr: '127.0.0.1/8' }]]);
  readonly routes = new Map<string, Route>();
  readonly ipvs = new Map<string, IpvsService>();
  readonly tunl0 = { up: false, mtu: 1480 };
  /** Established connections per destination ("10.0.0.11:80"), as ipvsadm -Ln shows them. */
  readonly activeConns = new Map<string, number>();
  nft: { family: string; rules: { chain: string; text: string }[] }[] = [];
  readonly files = new Map<string, FoundFile>();
  /** Sysctls that appeared when a module was loaded, with their value then. */
  readonly moduleDefaults = new Map<string, string>();
  readonly log: string[] = [];
  failWhen: FailWhen = () => false;

  constructor(readonly devices: string[] = ['eth0']) {
    for (const d of devices)
      this.sysctls
        .set(`net.ipv4.conf.${d}.arp_ignore`, '0')
        .set(`net.ipv4.conf.${d}.arp_announce`, '0')
        .set(`net.ipv4.conf.${d}.rp_filter`, '2')
        .set(`net.ipv4.conf.${d}.accept_local`, '0');
  }

  /**
   * A comparable snapshot of the host. Modules are left out (lbctl never unloads them), and
   * so are the sysctls a module brought, while they still hold the value they came with.
   */
  snapshot(): string {
    const { ipvs, addresses, routes, tunl0, nft, moduleDefaults, sysctls } = this;
    const kept = [...sysctls].filter(([k, v]) => moduleDefaults.get(k) !== v);
    const files = [...this.files].filter(([path]) => !this.bookkeeping(path));
    const state = { ipvs, addresses, routes, tunl0, nft, sysctls: kept, files };
    return JSON.stringify(state, (_k, v: unknown) => (v instanceof Map ? [...v].sort() : v instanceof Set ? [...v].sort() : v));
  }

  /** True for lbctl's own records on the host (the ledger, backups): not part of what it configures. */
  bookkeeping(path: string): boolean {
    return path === LEDGER_PATH || path.endsWith(BACKUP_SUFFIX);
  }

  async run(argv: readonly string[], options?: { stdin?: string }): Promise<CommandResult> {
    if (!isQuery(argv)) this.beforeChange(argv.join(' '));
    this.log.push(argv.join(' '));
    if (this.failWhen(argv, options?.stdin)) return fail(`injected failure: ${argv.join(' ')}`);
    const [cmd, ...args] = argv;
    switch (cmd) {
      case 'ipvsadm-save':
        return ok(rulesText(this.services()));
      case 'ipvsadm-restore': // Debian's script: ipvsadm -C, then ipvsadm -R
        this.ipvs.clear();
        return this.restore(options?.stdin ?? '');
      case 'ipvsadm':
        return args[0] === '-Ln' ? ok(this.thresholds()) : args[0] === '-R' ? this.restore(options?.stdin ?? '') : this.ipvsadm(args);
      case 'ip':
        return args[0] === '-batch' ? this.ipBatch(options?.stdin ?? '') : this.ip(args);
      case 'sysctl':
        return this.sysctl(args);
      case 'modprobe':
        return this.modprobe(args);
      case 'cat':
        return ok([...this.modules].map((m) => `${m} 16384 0 - Live 0x0000000000000000\n`).join(''));
      case 'nft':
        return this.nftCommand(args, options?.stdin);
      case 'systemctl':
      case 'chown':
      case 'rndc':
      case 'true':
        return ok();
      default:
        return fail(`${cmd}: command not found`, 127);
    }
  }

  private services(): IpvsService[] {
    return [...this.ipvs.values()];
  }

  private thresholds(): string {
    const lines = [
      'IP Virtual Server version 1.2.1 (size=4096)',
      'Prot LocalAddress:Port            Uthreshold Lthreshold ActiveConn InActConn',
      '  -> RemoteAddress:Port',
    ];
    for (const s of this.ipvs.values()) {
      const id = s.id;
      lines.push(
        id.protocol === 'fwmark'
          ? `FWM  ${id.mark}${id.family === 'inet6' ? ' IPv6' : ''} ${s.scheduler}`
          : `${id.protocol.toUpperCase()}  ${endpoint(id.address, id.port)} ${s.scheduler}`,
      );
      for (const d of s.destinations)
        lines.push(`  -> ${endpoint(d.address, d.port)} ${d.upper} ${d.lower} ${this.activeConns.get(endpoint(d.address, d.port)) ?? 0} 0`);
    }
    return `${lines.join('\n')}\n`;
  }

  /** As ipvsadm -R: every line is tried; errors go to stderr; the exit status is the last line's. */
  private restore(text: string): CommandResult {
    let last = ok();
    let stderr = '';
    for (const line of text.split('\n').filter((l) => l.trim())) {
      last = this.ipvsadm(line.trim().split(/\s+/));
      stderr += last.stderr;
    }
    return { ...last, stderr };
  }

  /** Sync daemons as `ipvsadm --start-daemon ROLE --mcast-interface IF --syncid N` left them, by role. */
  readonly syncDaemons = new Map<string, { interface: string; syncId: string }>();

  /** `ipvsadm -L --daemon`, `--start-daemon` and `--stop-daemon`, as the kernel answers them (one daemon per role). */
  private syncDaemon(args: string[]): CommandResult {
    const [op, role = ''] = args;
    if (op === '-L')
      return ok([...this.syncDaemons].map(([r, d]) => `${r} sync daemon (mcast=${d.interface}, syncid=${d.syncId})\n`).join(''));
    if (op === '--stop-daemon') return this.syncDaemons.delete(role) ? ok() : fail('No such process', 2);
    if (this.syncDaemons.has(role)) return fail('File exists', 2);
    this.syncDaemons.set(role, { interface: args[3] ?? '', syncId: args[5] ?? '0' });
    return ok();
  }

  /** Interprets -A/-E/-D/-a/-e/-d by reading the selector and rule through lbctl's own save parser (see the file's head). */
  private ipvsadm(args: string[]): CommandResult {
    if (!this.modules.has('ip_vs')) this.modules.add('ip_vs');
    const [op, ...rest] = args;
    if (op === '-L' || op === '--start-daemon' || op === '--stop-daemon') return this.syncDaemon(args);
    const selLength = rest[0] === '-f' && rest[2] === '-6' ? 3 : 2;
    const sel = rest.slice(0, selLength).join(' ');
    const tail = rest.slice(selLength).join(' ');
    try {
      if (op === '-A' || op === '-E' || op === '-D') {
        const svc = parseIpvsadmSave(`-A ${sel} ${op === '-D' ? '' : tail}\n`)[0]!;
        const key = serviceKey(svc.id);
        const had = this.ipvs.get(key);
        if (op === '-A' && had) return fail('Service already exists');
        if (op !== '-A' && !had) return fail('No such service');
        if (op === '-D') this.ipvs.delete(key);
        else this.ipvs.set(key, { ...svc, destinations: had?.destinations ?? [] });
        return ok();
      }
      if (op === '-a' || op === '-e' || op === '-d') {
        const parsed = parseIpvsadmSave(`-A ${sel}\n-a ${sel} ${tail}\n`)[0]!;
        const svc = this.ipvs.get(serviceKey(parsed.id));
        if (!svc) return fail('Service not defined');
        const dest = parsed.destinations[0]!;
        const key = destinationKey(dest);
        const had = svc.destinations.some((d) => destinationKey(d) === key);
        if (op === '-a' && had) return fail('Destination already exists');
        if (op !== '-a' && !had) return fail('No such destination');
        const others = svc.destinations.filter((d) => destinationKey(d) !== key);
        svc.destinations = op === '-d' ? others : [...others, dest].sort((a, b) => destinationKey(a).localeCompare(destinationKey(b)));
        return ok();
      }
    } catch (error) {
      return fail(`Illegal argument: ${(error as Error).message}`, 2);
    }
    return fail(`unknown ipvsadm command ${op}`, 2);
  }

  /** `ip -batch -`: runs line by line and stops at the first failing one, as ip does. */
  private ipBatch(text: string): CommandResult {
    const lines = text.split('\n').filter((l) => l.trim());
    for (const [i, line] of lines.entries()) {
      if (this.failWhen(['ip', ...line.split(/\s+/)], undefined)) return fail(`injected failure\nCommand failed -:${i + 1}`);
      const r = this.ip(line.trim().split(/\s+/));
      if (r.exitCode !== 0) return fail(`${r.stderr}\nCommand failed -:${i + 1}`);
    }
    return ok();
  }

  private ip(args: string[]): CommandResult {
    const a = args.filter((x) => x !== '-6' && x !== '-4' && x !== '-d');
    if (a[0] === '-j') return ok(this.ipJson(a.slice(1), args.includes('-6') ? 'inet6' : 'inet'));
    const [object, verb, ...rest] = a;
    if (object === 'addr') {
      const [cidr, , dev] = rest;
      const key = `${dev} ${cidr}`;
      if (!this.devices.includes(dev!) && dev !== 'lo' && !(dev === 'tunl0' && this.modules.has('ipip')))
        return fail(`Cannot find device "${dev}"`);
      if (verb === 'add') {
        if (this.addresses.has(key)) return fail('RTNETLINK answers: File exists', 2);
        this.addresses.set(key, { device: dev!, cidr: cidr! });
      } else if (!this.addresses.delete(key)) return fail('RTNETLINK answers: Cannot assign requested address', 2);
      return ok();
    }
    if (object === 'link') {
      const dev = rest[1];
      if (dev !== 'tunl0' || !this.modules.has('ipip')) return fail(`Cannot find device "${dev}"`);
      const mtu = rest.indexOf('mtu');
      if (mtu >= 0) this.tunl0.mtu = Number(rest[mtu + 1]);
      this.tunl0.up = rest.includes('up');
      return ok();
    }
    if (object === 'route') {
      const [dest, , via, metricWord, metric] = rest;
      const route: Route = { family: via!.includes(':') ? 'inet6' : 'inet', destination: dest!, via: via! };
      if (metricWord === 'metric') route.metric = Number(metric);
      if (verb === 'replace') this.routes.set(routeKey(route), route);
      else if (!this.routes.delete(routeKey(route))) return fail('RTNETLINK answers: No such process', 2);
      return ok();
    }
    return fail(`ip: unknown command ${args.join(' ')}`, 255);
  }

  private ipJson(args: string[], family: 'inet' | 'inet6'): string {
    const devices = ['lo', ...this.devices, ...(this.modules.has('ipip') ? ['tunl0'] : [])];
    if (args[0] === 'addr') {
      return JSON.stringify(
        devices.map((ifname, i) => ({
          ifindex: i + 1,
          ifname,
          flags: ['UP'],
          addr_info: [...this.addresses.values()]
            .filter((a) => a.device === ifname)
            .map((a) => {
              const [local, len] = a.cidr.split('/');
              return { family: local!.includes(':') ? 'inet6' : 'inet', local, prefixlen: Number(len) };
            }),
        })),
      );
    }
    if (args[0] === 'link') {
      return JSON.stringify(
        devices.map((ifname, i) => ({
          ifindex: i + 1,
          ifname,
          flags: ifname === 'tunl0' && !this.tunl0.up ? ['NOARP'] : ['UP', 'LOWER_UP'],
          mtu: ifname === 'tunl0' ? this.tunl0.mtu : 1500,
          ...(ifname === 'tunl0' ? { linkinfo: { info_kind: 'ipip' } } : {}),
        })),
      );
    }
    return JSON.stringify(
      [...this.routes.values()]
        .filter((r) => r.family === family)
        .map((r) => ({
          dst: r.destination,
          gateway: r.via,
          dev: 'eth0',
          ...(r.metric === undefined ? {} : { metric: r.metric }),
          flags: [],
        })),
    );
  }

  private sysctl(args: string[]): CommandResult {
    if (args[0] === '-a') return ok([...this.sysctls].map(([k, v]) => `${k} = ${v}\n`).join(''));
    if (args[0] === '-e')
      return ok(
        args
          .slice(1)
          .flatMap((k) => (this.sysctls.has(k) ? [`${k} = ${this.sysctls.get(k)}\n`] : []))
          .join(''),
      );
    if (args[0] === '-n') {
      const value = this.sysctls.get(args[1] ?? '');
      return value === undefined
        ? fail(`sysctl: cannot stat /proc/sys/${(args[1] ?? '').replace(/\./g, '/')}: No such file or directory`, 255)
        : ok(`${value}\n`);
    }
    // -w KEY=VALUE...: each set in order; as procps does, one that cannot be set is reported and the rest still are.
    const missing: string[] = [];
    for (const setting of args.filter((a) => a.includes('='))) {
      const [key = '', value = ''] = setting.split('=');
      if ((key.startsWith('net.ipv4.vs.') && !this.modules.has('ip_vs')) || (key.includes('.tunl0.') && !this.modules.has('ipip')))
        missing.push(`sysctl: cannot stat /proc/sys/${key.replace(/\./g, '/')}: No such file or directory\n`);
      else this.sysctls.set(key, value);
    }
    return missing.length === 0 ? ok() : fail(missing.join(''), 255);
  }

  private modprobe(args: string[]): CommandResult {
    const remove = args[0] === '-r';
    const name = args.at(-1)!;
    if (remove) this.modules.delete(name);
    else this.modules.add(name);
    const provided: [string, string][] =
      name === 'ip_vs'
        ? [
            ['net.ipv4.vs.conntrack', '0'],
            ['net.ipv4.vs.expire_nodest_conn', '0'],
            ['net.ipv4.vs.expire_quiescent_template', '0'],
          ]
        : name === 'ipip'
          ? [
              ['net.ipv4.conf.tunl0.arp_ignore', '0'],
              ['net.ipv4.conf.tunl0.arp_announce', '0'],
              ['net.ipv4.conf.tunl0.rp_filter', '2'],
            ]
          : [];
    for (const [k, v] of provided) {
      if (this.sysctls.has(k)) continue;
      this.sysctls.set(k, v);
      this.moduleDefaults.set(k, v);
    }
    return ok();
  }

  private nftCommand(args: string[], stdin?: string): CommandResult {
    if (args[0] === '-j') {
      const items: unknown[] = [{ metainfo: { version: '1.0.6', json_schema_version: 1 } }];
      for (const t of this.nft) {
        items.push({ table: { family: t.family, name: 'lbctl', handle: 1 } });
        t.rules.forEach((r, i) =>
          items.push({
            rule: {
              family: t.family,
              table: 'lbctl',
              chain: r.chain,
              handle: i + 2,
              expr: [],
              comment: /comment "([^"]*)"/.exec(r.text)?.[1],
            },
          }),
        );
      }
      return ok(JSON.stringify({ nftables: items }));
    }
    if (args[0] === 'delete') {
      this.nft = this.nft.filter((t) => t.family !== args[2]);
      return ok();
    }
    const family = /^table (ip6?) lbctl$/m.exec(stdin ?? '')?.[1] ?? 'ip';
    // Each rule line belongs to the chain opened last.
    let chain = '';
    const rules: { chain: string; text: string }[] = [];
    for (const line of (stdin ?? '').split('\n').map((l) => l.trim())) {
      chain = /^chain (\S+) \{$/.exec(line)?.[1] ?? chain;
      if (line.includes(' comment "')) rules.push({ chain, text: line });
    }
    this.nft = [...this.nft.filter((t) => t.family !== family), { family, rules }];
    return ok();
  }

  async read(path: string): Promise<FoundFile | null> {
    return this.files.get(path) ?? null;
  }

  async write(file: ManagedFile, options?: FileChangeOptions): Promise<void> {
    this.beforeChange(`write ${file.path}`);
    if (this.failWhen(['write', file.path], file.content)) throw new Error(`injected failure: write ${file.path}`);
    this.log.push(`write ${file.path}`);
    this.keepBackup(file.path, options);
    this.files.set(file.path, { content: file.content, mode: file.mode });
  }

  async remove(path: string, options?: FileChangeOptions): Promise<void> {
    this.beforeChange(`remove ${path}`);
    if (this.failWhen(['remove', path], undefined)) throw new Error(`injected failure: remove ${path}`);
    this.log.push(`remove ${path}`);
    this.keepBackup(path, options);
    this.files.delete(path);
  }

  private keepBackup(path: string, options?: FileChangeOptions): void {
    const old = this.files.get(path);
    if (old && options?.backup !== false) this.files.set(path + BACKUP_SUFFIX, old);
  }

  gather(batch: Batch): Promise<Gathered> {
    return gatherOneByOne(this, batch);
  }

  async lock(what: string): Promise<() => Promise<void>> {
    if (this.lockedBy !== null) throw new LockHeld(`another lbctl (${this.lockedBy}) holds the lock`);
    this.lockedBy = what;
    return async () => {
      this.lockedBy = null;
    };
  }

  async checkConfig(): Promise<string | null> {
    return this.configProblem;
  }

  async facts(): Promise<HostFacts> {
    const loaded = this.facts_.ipvs !== 'absent' && this.modules.has('ip_vs');
    return { ...this.facts_, ipvs: loaded ? 'loaded' : this.facts_.ipvs };
  }

  async missingTools(tools: readonly string[]): Promise<string[]> {
    return tools.filter((t) => this.absentTools.has(t));
  }

  async unwritable(): Promise<string | null> {
    return this.writeProblem;
  }

  /** Addresses as `addressKey` strings, for assertions. */
  addressKeys(): string[] {
    return [...this.addresses.values()].map(addressKey).sort();
  }
}
