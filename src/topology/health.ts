// Health checks of the topology: a real server's check is its service's with its own overrides; defaults are
// applied here and every field is checked against the kind it belongs to.
import { canonicalIp } from '../net/ip.js';
import { error, type Diagnostic, type NodePath } from './diagnostics.js';
import type { RawTopology } from './schema.js';
import type { IpvsServiceId } from '../model/state.js';
import type { HealthCheck, Method } from './types.js';

/** A check as written (every field optional). */
export type RawCheck = NonNullable<RawTopology['services'][string]['check']>;

type Duration = NonNullable<RawCheck['interval']>;

/**
 * Shipped defaults. A hard failure is out of the pool after at most: the wait for the next probe (one interval) +
 * (fall - 1) more intervals + one timeout, each interval stretched by the jitter (5 %): 2 × 525 + 400 = 1.45 s,
 * under the 2 s target with room for the kernel edit; a refused connection fails at once (≤ 1.05 s). Two passes
 * in a row to come back keep a single lucky probe from returning a sick server.
 */
export const CHECK_DEFAULTS = { intervalMs: 500, timeoutMs: 400, rise: 2, fall: 2 } as const;

/** In-band counting: failures counted within this window, and how long a connection may stay opening. */
export const IN_BAND_DEFAULTS = { windowMs: 10_000, unansweredMs: 2000 } as const;

/** Anycast hold-down before re-announcing (doubles per flap) and its cap. */
export const HOLD_DOWN_DEFAULTS = { holdDownMs: 2000, holdDownMaxMs: 60000 } as const;

/** Share of a pool failing checks may take out at once, unless the service says otherwise. */
export const DEFAULT_FAIL_OPEN_PERCENT = 50;

/**
 * Numbers reserved for the VIP path of DR/TUN checks (desired/vip-path.ts): slot i of a director's VIP-path probes
 * binds source port `firstPort + i` and is marked `firstMark + i`. The ports lie above Linux's default ephemeral
 * range (32768-60999), so no other connection of the director holds them; the marks ("LB" in the top 16 bits, below
 * 2^31, which ipvsadm-save prints signed) are refused to the topology's own fwmark services.
 */
export const VIP_PATH = { firstPort: 61000, firstMark: 0x4c420000, slots: 65536 - 61000 } as const;

/** True for a firewall mark of the VIP path's range. */
export function isVipPathMark(mark: number): boolean {
  return mark >= VIP_PATH.firstMark && mark < VIP_PATH.firstMark + VIP_PATH.slots;
}

/** Kinds that probe a port, with the port they probe when neither the server nor the check names one. */
const PORT_KINDS: Partial<Record<HealthCheck['kind'], number | undefined>> = {
  tcp: undefined,
  http: 80,
  https: 443,
  dns: 53,
  udp: undefined,
};

/** Fields that belong to some kinds only. */
const KIND_FIELDS: Record<string, readonly HealthCheck['kind'][]> = {
  method: ['http', 'https'],
  path: ['http', 'https'],
  status: ['http', 'https'],
  body: ['http', 'https'],
  digest: ['http', 'https'],
  host: ['http', 'https'],
  sni: ['https'],
  verify: ['https'],
  name: ['dns'],
  type: ['dns'],
  rcode: ['dns'],
  answer: ['dns'],
  send: ['udp'],
  expect: ['udp'],
  command: ['exec'],
};

/** Fields a kind cannot do without. */
const REQUIRED: Partial<Record<HealthCheck['kind'], keyof RawCheck>> = { dns: 'name', udp: 'send', exec: 'command' };

/** Milliseconds of a duration written as seconds or "NNNms"/"NNs". */
export function durationMs(d: Duration): number {
  if (typeof d === 'number') return Math.round(d * 1000);
  return d.endsWith('ms') ? Math.round(Number(d.slice(0, -2))) : Math.round(Number(d.slice(0, -1)) * 1000);
}

/** A check's fields, each with the path it was written at (the service's or the real server's). */
export type PlacedCheck = { [K in keyof RawCheck]?: { value: NonNullable<RawCheck[K]>; at: NodePath } };

/** Places every field of a written check at `path` (the check's own path). */
export function placeCheck(raw: RawCheck | undefined, path: NodePath): PlacedCheck {
  const out: Record<string, { value: unknown; at: NodePath }> = {};
  for (const [key, value] of Object.entries(raw ?? {})) if (value !== undefined) out[key] = { value, at: [...path, key] };
  return out;
}

/** The service's check with a real server's overrides: another kind replaces it, the same kind overrides fields. */
export function overrideCheck(base: PlacedCheck, own: PlacedCheck): PlacedCheck {
  if (own.kind !== undefined && base.kind !== undefined && own.kind.value !== base.kind.value) return own;
  return { ...base, ...own };
}

/** Where the probe goes by default, and whether VIP traffic must be imitated (DR/TUN). */
export interface CheckTarget {
  address: string;
  port: number;
  /** The forwarding method reaches the server with the VIP as destination (dr, tun). */
  vipPath: boolean;
  /** The service the checked server is in; absent for an anycast node's check. */
  service?: { method: Method; protocol: IpvsServiceId['protocol'] };
}

/** Resolves a placed check; problems are reported once per place (several real servers share a service's check). */
export class CheckResolver {
  private readonly seen = new Set<string>();
  readonly diagnostics: Diagnostic[] = [];

  private report(rule: string, at: NodePath, message: string, fix: string): void {
    const key = `${rule} ${at.join('.')}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.diagnostics.push(error(rule, at, message, fix));
  }

  /** The resolved check, or undefined when it is unusable (reported). `at` names the check as a whole. */
  resolve(c: PlacedCheck, at: NodePath, target: CheckTarget): HealthCheck | undefined {
    if (c.kind === undefined) {
      this.report('check-kind-missing', at, 'a check needs a "kind"', `add "kind:" (${Object.keys(PORT_KINDS).join(', ')}, icmp or exec)`);
      return undefined;
    }
    const kind = c.kind.value;
    let ok = true;
    for (const [field, kinds] of Object.entries(KIND_FIELDS)) {
      const placed = c[field as keyof PlacedCheck];
      if (placed !== undefined && !kinds.includes(kind)) {
        this.report(
          'check-field-kind',
          placed.at,
          `"${field}" does not apply to a check of kind ${kind}`,
          `remove it, or use a ${kinds.join('/')} check`,
        );
        ok = false;
      }
    }
    const required = REQUIRED[kind];
    if (required !== undefined && c[required] === undefined) {
      this.report('check-required', c.kind.at, `a check of kind ${kind} needs "${required}"`, `add "${required}:" to the check`);
      ok = false;
    }
    const intervalMs = c.interval ? durationMs(c.interval.value) : CHECK_DEFAULTS.intervalMs;
    const timeoutMs = c.timeout ? durationMs(c.timeout.value) : Math.min(CHECK_DEFAULTS.timeoutMs, intervalMs);
    if (timeoutMs > intervalMs) {
      this.report(
        'check-timeout',
        (c.timeout ?? c.interval)!.at,
        `a check's timeout (${timeoutMs} ms) is longer than its interval (${intervalMs} ms): probes would overlap`,
        'make the timeout at most the interval',
      );
      ok = false;
    }
    if (c.body !== undefined) {
      try {
        new RegExp(c.body.value);
      } catch (err) {
        this.report(
          'check-body-invalid',
          c.body.at,
          `"${c.body.value}" is not a regular expression: ${(err as Error).message}`,
          'write a JavaScript regular expression (escape special characters)',
        );
        ok = false;
      }
      if (c.digest !== undefined) {
        this.report(
          'check-body-digest',
          c.digest.at,
          'a check has both "body" and "digest"',
          'keep one: a regular expression the body matches, or the SHA-256 of the whole body',
        );
        ok = false;
      }
    }
    const port = c.port?.value ?? (target.port > 0 ? target.port : PORT_KINDS[kind]);
    if (kind in PORT_KINDS && port === undefined) {
      this.report(
        'check-port-missing',
        c.kind.at,
        `a check of kind ${kind} has no port to probe (the service is a fwmark service or an anycast prefix)`,
        'add "port:" to the check',
      );
      ok = false;
    }
    if (c.inBand !== undefined && !this.inBandFits(c.inBand.at, target)) ok = false;
    if (!ok) return undefined;
    const address = c.address ? (canonicalIp(c.address.value) ?? c.address.value) : target.address;
    const check: HealthCheck = {
      kind,
      intervalMs,
      timeoutMs,
      rise: c.rise?.value ?? CHECK_DEFAULTS.rise,
      fall: c.fall?.value ?? CHECK_DEFAULTS.fall,
      port: port ?? 0,
      address,
      addressSet: c.address !== undefined,
      viaVip: target.vipPath && c.address === undefined && kind in PORT_KINDS,
      path: at,
    };
    if (kind === 'http' || kind === 'https') {
      const status = c.status?.value ?? 200;
      check.http = {
        method: c.method?.value ?? 'GET',
        path: c.path?.value ?? '/',
        status: Array.isArray(status) ? status : [status],
        verify: c.verify?.value ?? false,
        ...(c.body ? { body: c.body.value } : {}),
        ...(c.digest ? { digest: c.digest.value } : {}),
        ...(c.host ? { host: c.host.value } : {}),
        ...(c.sni ? { sni: c.sni.value } : {}),
      };
    }
    if (kind === 'dns')
      check.dns = {
        name: c.name!.value,
        type: c.type?.value ?? 'A',
        rcode: c.rcode?.value ?? 'NOERROR',
        ...(c.answer ? { answer: c.answer.value } : {}),
      };
    if (kind === 'udp') check.udp = { send: c.send!.value, ...(c.expect ? { expect: c.expect.value } : {}) };
    if (kind === 'exec') check.exec = { command: c.command!.value };
    if (c.inBand) {
      const { failures, window, unanswered } = c.inBand.value;
      check.inBand = {
        failures,
        windowMs: window === undefined ? IN_BAND_DEFAULTS.windowMs : durationMs(window),
        unansweredMs: unanswered === undefined ? IN_BAND_DEFAULTS.unansweredMs : durationMs(unanswered),
      };
    }
    return check;
  }

  /**
   * In-band counting reads the director's connection table: only a NAT/FullNAT director sees the real server's
   * replies, and only TCP has a handshake whose failure shows there.
   */
  private inBandFits(at: NodePath, target: CheckTarget): boolean {
    const service = target.service;
    const refusal: [rule: string, message: string, fix: string] | undefined =
      service === undefined
        ? [
            'check-inband-anycast',
            "an anycast node's check cannot count in-band failures: no director stands between its clients and it",
            'remove "inBand"',
          ]
        : service.method === 'dr' || service.method === 'tun'
          ? [
              'check-inband-method',
              `in-band counting needs the director to see the real server's replies; under ${service.method.toUpperCase()} they go straight to the client, so a connection the server never answered cannot be told from a client that went away (or a spoofed SYN)`,
              'remove "inBand" (the out-of-band check still applies), or use method "nat" or "fullnat"',
            ]
          : service.protocol === 'udp' || service.protocol === 'sctp'
            ? [
                'check-inband-protocol',
                `in-band counting watches TCP handshakes in the connection table; a ${service.protocol.toUpperCase()} service has none`,
                'remove "inBand"',
              ]
            : undefined;
    if (refusal) this.report(refusal[0], at, refusal[1], refusal[2]);
    return refusal === undefined;
  }
}
