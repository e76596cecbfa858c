// keepalived's checkers → lbctl health checks: timing of check_api.c/check_data.c (validate_check_config) and the
// keywords of check_http.c, check_tcp.c, check_dns.c, check_udp.c, check_misc.c and check_ping.c.
import { canonicalIp } from '../../net/ip.js';
import type { RawCheck } from '../../topology/health.js';
import { CHECK_DEFAULTS_OF, CHECKER_KEYWORD_REASON, DNS_TYPES_OF_KEEPALIVED } from './keywords.js';
import { arg, rest, type Statement } from './syntax.js';

/** A note about a statement of a checker. */
export type CheckerNote = (kind: 'not-imported' | 'adjusted', s: Statement, message: string) => void;

/** Inheritable settings a checker takes from its real server or virtual server, as written, with where from. */
export type Inherited = Map<string, { value: string; from: string }>;

/** Where a checker probes unless connect_ip/connect_port say otherwise: the real server as configured. */
export interface CheckerTarget {
  address: string;
  port: number;
  /** The virtual server's delay_loop (s): misc_timeout's default. */
  vsDelayLoop: number;
}

/** Checkers lbctl has a kind for. */
const KINDS: Record<string, NonNullable<RawCheck['kind']>> = {
  HTTP_GET: 'http',
  SSL_GET: 'https',
  TCP_CHECK: 'tcp',
  DNS_CHECK: 'dns',
  UDP_CHECK: 'udp',
  PING_CHECK: 'icmp',
  MISC_CHECK: 'exec',
};

/** Checker keywords read here (timing) or by the kind's own fields. */
const HANDLED = new Set(
  'delay_loop connect_timeout retry nb_get_retry delay_before_retry misc_timeout url virtualhost enable_sni sni_name type name payload require_reply min_reply_length max_reply_length misc_path'.split(
    ' ',
  ),
);

/** Longest interval and most failures the topology takes. */
const MAX_INTERVAL = 3600;
const MAX_FALL = 100;

/** A command word lbctl's exec check accepts (the topology's argv rule). */
const WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** The last line of a block with this keyword (keepalived: the last one wins). */
const lastOf = (block: readonly Statement[] | undefined, k: string): Statement | undefined =>
  [...(block ?? [])].reverse().find((c) => c.keyword.text === k);

/** read_timer: seconds, decimals allowed; undefined when it is none. */
function seconds(text: string | undefined): number | undefined {
  return text !== undefined && /^\d+(\.\d+)?$/.test(text) ? Number(text) : undefined;
}

/** Whether a keyword starts a checker lbctl can import. */
export function importableChecker(keyword: string): boolean {
  return keyword in KINDS;
}

/** Bytes of a keepalived hex string ("0a0b", "0a 0b") as printable text; undefined when it is not hex or not printable. */
function hexText(text: string): string | undefined {
  const hex = text.replace(/\s+/g, '');
  if (!/^([0-9a-fA-F]{2})+$/.test(hex)) return undefined;
  const out = hex.replace(/../g, (h) => String.fromCharCode(parseInt(h, 16)));
  return /^[ -~]{1,512}$/.test(out) ? out : undefined;
}

/** The accepted status codes of a url block (status_code_handler: codes and ranges); keepalived's default is 200-299. */
function statusCodes(s: Statement | undefined, note: CheckerNote): number[] {
  const codes = new Set<number>();
  for (const w of s?.args ?? []) {
    const m = /^(\d{3})(?:-(\d{3}))?$/.exec(w.text);
    const min = Number(m?.[1]);
    const max = Number(m?.[2] ?? m?.[1]);
    if (m === null || min < 100 || max > 599 || min > max) note('adjusted', s!, `"${w.text}" is not a status code: keepalived ignores it`);
    else for (let c = min; c <= max; c++) codes.add(c);
  }
  if (codes.size === 0) for (let c = 200; c <= 299; c++) codes.add(c);
  return [...codes].sort((a, b) => a - b);
}

/** Whether keepalived's (PCRE) regex reads the same as a JavaScript one, as far as compiling it tells. */
function jsRegex(text: string): boolean {
  try {
    new RegExp(text);
    return text.length >= 1 && text.length <= 1024;
  } catch {
    return false;
  }
}

/** HTTP_GET/SSL_GET: the first url's path, status codes, regex and virtual host; the rest is noted. */
function httpFields(s: Statement, inherited: Inherited, check: RawCheck, note: CheckerNote): boolean {
  const urls = (s.block ?? []).filter((c) => c.keyword.text === 'url');
  const url = urls.find((u) => (u.block ?? []).some((c) => c.keyword.text === 'path'));
  if (url === undefined) {
    note('adjusted', s, 'no url with a path: keepalived drops the checker');
    return false;
  }
  for (const other of urls.filter((u) => u !== url))
    note('not-imported', other, 'lbctl checks one path per real server: keepalived fetches every url in turn, all must pass');
  let host = inherited.get('virtualhost')?.value;
  let sni: string | undefined;
  let enableSni = false;
  for (const c of s.block ?? []) {
    const k = c.keyword.text;
    if (k === 'virtualhost') host = arg(c, 0);
    else if (k === 'enable_sni') enableSni = arg(c, 0) !== 'false' && arg(c, 0) !== 'no';
    else if (k === 'sni_name') sni = arg(c, 0);
  }
  for (const c of url.block ?? []) {
    const k = c.keyword.text;
    if (k === 'path') {
      if (/^\/[!-~]*$/.test(arg(c, 0) ?? '')) check.path = arg(c, 0)!;
      else {
        note('not-imported', c, `path "${rest(c)}" is not one lbctl can request (it starts with "/" and holds no spaces)`);
        return false;
      }
    } else if (k === 'virtualhost') host = arg(c, 0);
    else if (k === 'regex') {
      if (jsRegex(rest(c))) check.body = rest(c);
      else note('not-imported', c, "not a regular expression JavaScript reads (lbctl's `body`, at most 1024 characters): no body check");
    } else if (k === 'digest')
      note(
        'not-imported',
        c,
        "keepalived's digest is the MD5 of the body, lbctl's the SHA-256: the check tests the status codes only; write the SHA-256 as `digest:`",
      );
    else if (k !== 'status_code') note('not-imported', c, CHECKER_KEYWORD_REASON.get(k) ?? 'a url setting lbctl has no equivalent for');
  }
  check.status = statusCodes(lastOf(url.block, 'status_code'), note);
  if (host !== undefined) {
    if (/^[A-Za-z0-9.-]{1,253}(:\d{1,5})?$/.test(host)) check.host = host;
    else note('not-imported', s, `virtualhost "${host}" is not a DNS name: lbctl sends the real server's address as Host`);
  }
  const name = sni ?? (enableSni ? host : undefined);
  if (check.kind === 'https' && name !== undefined && /^[A-Za-z0-9.-]{1,253}$/.test(name)) check.sni = name;
  return true;
}

/** misc_path as keepalived splits it (words, "quoted" words) → argv; undefined when a word is one lbctl refuses. */
function argvOf(text: string): string[] | undefined {
  const words = [...text.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3] ?? '');
  return words.length > 0 && words.every((w) => WORD.test(w)) ? words : undefined;
}

/** The value of a keyword a check cannot do without, read by `parse`; undefined (noted: [when missing, when unreadable]) otherwise. */
function required<T>(
  s: Statement,
  keyword: string,
  parse: (text: string) => T | undefined,
  note: CheckerNote,
  why: readonly [string, string],
): T | undefined {
  const line = lastOf(s.block, keyword);
  const value = line === undefined ? undefined : parse(rest(line));
  if (value === undefined) note('not-imported', line ?? s, line === undefined ? why[0] : why[1]);
  return value;
}

/** Kind-specific keywords of DNS_CHECK, UDP_CHECK and MISC_CHECK; false when the checker cannot be expressed. */
function otherFields(s: Statement, check: RawCheck, note: CheckerNote): boolean {
  const find = (k: string) => lastOf(s.block, k);
  if (check.kind === 'dns') {
    const type = (arg(find('type') ?? s, 0) ?? 'SOA').toUpperCase();
    const name = find('name') === undefined ? '' : arg(find('name')!, 0);
    check.type = DNS_TYPES_OF_KEEPALIVED.includes(type) ? (type as RawCheck['type']) : 'SOA';
    if (name === undefined || !/^([A-Za-z0-9_-]{1,63}\.)*[A-Za-z0-9_-]{1,63}\.?$/.test(name)) {
      note(
        'not-imported',
        find('name') ?? s,
        `lbctl's dns check asks for a name: keepalived asks for "${name ?? ''}" (the root when empty)`,
      );
      return false;
    }
    check.name = name;
  } else if (check.kind === 'udp') {
    const send = required(s, 'payload', hexText, note, [
      "lbctl's udp check sends a payload: keepalived sends an empty datagram here",
      'the payload is not printable text: lbctl sends printable ASCII only',
    ]);
    if (send === undefined) return false;
    check.send = send;
    const reply = find('require_reply');
    if (reply === undefined)
      note('adjusted', s, 'keepalived passes unless an ICMP error comes back; lbctl needs a reply (add require_reply to say so)');
    else if (reply.args.length > 0) {
      const expect = hexText(rest(reply));
      if (expect === undefined) note('not-imported', reply, 'the expected reply is not printable text: lbctl passes on any reply');
      else {
        check.expect = expect;
        note('adjusted', reply, 'keepalived matches the start of the reply, lbctl anywhere in it');
      }
    }
    for (const k of ['min_reply_length', 'max_reply_length'])
      if (find(k) !== undefined) note('not-imported', find(k)!, 'reply length limits have no lbctl equivalent');
  } else if (check.kind === 'exec') {
    const command = required(s, 'misc_path', argvOf, note, [
      'a MISC_CHECK without misc_path: keepalived drops it',
      'lbctl runs a command without a shell, each word of letters, digits and _@%+=:,./- only: write a script that does this',
    ]);
    if (command === undefined) return false;
    check.command = command;
  }
  return true;
}

/**
 * One importable checker as a topology check, with keepalived's timing: interval = delay_loop, timeout =
 * connect_timeout (MISC_CHECK: misc_timeout, default the virtual server's delay_loop), fall = retry + 1 (keepalived
 * marks a server down after the first failure and `retry` more), rise 1 (one success brings it back). Undefined when
 * the checker cannot be expressed (noted).
 */
export function checkOf(s: Statement, inherited: Inherited, target: CheckerTarget, note: CheckerNote): RawCheck | undefined {
  const kind = KINDS[s.keyword.text];
  if (kind === undefined) return undefined;
  const own: Inherited = new Map(inherited);
  const block = s.block ?? [];
  for (const c of block) {
    const k = c.keyword.text === 'nb_get_retry' ? 'retry' : c.keyword.text;
    if (['delay_loop', 'connect_timeout', 'retry', 'delay_before_retry', 'misc_timeout'].includes(k))
      own.set(k, { value: arg(c, 0) ?? '', from: 'the checker' });
  }
  const defaults = CHECK_DEFAULTS_OF(s.keyword.text);
  const value = (k: string, fallback: number): number => {
    const v = own.get(k);
    return (v === undefined ? undefined : seconds(v.value)) ?? fallback;
  };
  let interval = value('delay_loop', 60);
  let timeout = kind === 'exec' ? value('misc_timeout', target.vsDelayLoop) : value('connect_timeout', 5);
  const retry = value('retry', defaults.retry);
  const beforeRetry = value('delay_before_retry', defaults.delayBeforeRetry ?? interval);
  if (interval > MAX_INTERVAL) {
    note('adjusted', s, `delay_loop ${interval} s is longer than lbctl's longest interval: ${MAX_INTERVAL} s`);
    interval = MAX_INTERVAL;
  }
  if (timeout > interval) {
    note('adjusted', s, `the timeout (${timeout} s) is longer than delay_loop (${interval} s): lbctl's timeout is at most the interval`);
    timeout = interval;
  }
  if (retry + 1 > MAX_FALL) note('adjusted', s, `retry ${retry}: lbctl's fall is at most ${MAX_FALL}`);
  if (retry > 0 && beforeRetry !== interval)
    note(
      'adjusted',
      s,
      `keepalived retries ${beforeRetry} s after a failure (delay_before_retry), lbctl probes every interval (${interval} s): a dead server is out after about ${Math.round(retry * interval + timeout)} s, not ${Math.round(retry * beforeRetry + timeout)} s`,
    );
  const check: RawCheck = { kind, interval, timeout: Math.max(timeout, 0.01), rise: 1, fall: Math.min(retry + 1, MAX_FALL) };
  for (const c of block) {
    const k = c.keyword.text;
    if (k === 'connect_ip') {
      const ip = canonicalIp(arg(c, 0) ?? '');
      if (ip === null) note('adjusted', c, `"${arg(c, 0) ?? ''}" is not an address: keepalived ignores it`);
      else if (ip !== target.address) check.address = ip;
    } else if (k === 'connect_port') {
      const port = /^\d+$/.test(arg(c, 0) ?? '') ? Number(arg(c, 0)) : 0;
      if (port >= 1 && port <= 65535) check.port = port;
      else note('adjusted', c, `"${arg(c, 0) ?? ''}" is not a port: keepalived ignores it`);
    } else {
      const reason = CHECKER_KEYWORD_REASON.get(k);
      if (reason !== undefined) note('not-imported', c, reason);
      else if (!HANDLED.has(k)) note('adjusted', c, `not a ${s.keyword.text} keyword: keepalived reports it and ignores it`);
    }
  }
  if (check.port === undefined && target.port > 0 && kind !== 'icmp' && kind !== 'exec') check.port = target.port;
  const ok = kind === 'http' || kind === 'https' ? httpFields(s, own, check, note) : otherFields(s, check, note);
  return ok ? check : undefined;
}
