// The keepalived.conf corpus of test/fixtures/import/keepalived/ and helpers to read it.
import { readdirSync, readFileSync } from 'node:fs';
import { parseIpvsadmSave } from '../../src/drivers/ipvs/parse-save.js';
import { destinationKey, serviceKey, sortedBy } from '../../src/model/keys.js';
import type { IpvsService } from '../../src/model/state.js';
import type { ConfigReader } from '../../src/import/keepalived/preprocess.js';

const DIR = new URL('../fixtures/import/keepalived/', import.meta.url);

/** A fixture's text. */
export function corpusFile(name: string): string {
  return readFileSync(new URL(name, DIR), 'utf8');
}

/** Every keepalived.conf of the corpus. */
export const CORPUS = readdirSync(DIR)
  .filter((f) => f.endsWith('.conf'))
  .sort();

/** Services sorted by key, real servers by key: the order-free form of an IPVS table. */
export function canonicalTable(services: readonly IpvsService[]): IpvsService[] {
  return sortedBy(services, (s) => serviceKey(s.id)).map((s) => ({ ...s, destinations: sortedBy(s.destinations, destinationKey) }));
}

/** The table a fixture's .expected.txt holds (ipvsadm-save -n lines; "#" lines explain it). */
export function expectedTable(conf: string): IpvsService[] {
  const text = corpusFile(conf.replace(/\.conf$/, '.expected.txt'));
  return canonicalTable(
    parseIpvsadmSave(
      text
        .split('\n')
        .filter((l) => !l.startsWith('#'))
        .join('\n'),
    ),
  );
}

/** A reader over an in-memory file set (globs: exact names, or "*" within a directory). */
export function memoryReader(files: Record<string, string>): ConfigReader {
  return {
    read: (path) => {
      const text = files[path];
      if (text === undefined) throw new Error(`no file ${path}`);
      return text;
    },
    glob: (pattern) => {
      const re = new RegExp(
        `^${pattern
          .split('*')
          .map((p) => p.replace(/[.?+^$()[\]{}|\\]/g, '\\$&'))
          .join('[^/]*')}$`,
      );
      return Object.keys(files)
        .filter((f) => re.test(f))
        .sort();
    },
  };
}

/** Keywords whose meaning the importer carries into the topology. */
const IMPORTED = new Set([
  'virtual_server',
  'virtual_server_group',
  'real_server',
  'lb_algo',
  'lvs_sched',
  'lb_kind',
  'lvs_method',
  'persistence_timeout',
  'persistence_granularity',
  'protocol',
  'weight',
  'ops',
  'flag-1',
  'flag-2',
  'flag-3',
  'sh-port',
  'sh-fallback',
  'mh-port',
  'mh-fallback',
  'ip_family',
  'uthreshold',
  'lthreshold',
  // health checks, the pool and VRRP (ha: vrrp)
  ...['HTTP_GET', 'SSL_GET', 'TCP_CHECK', 'DNS_CHECK', 'UDP_CHECK', 'PING_CHECK', 'MISC_CHECK'],
  ...['delay_loop', 'connect_timeout', 'retry', 'nb_get_retry', 'delay_before_retry', 'misc_timeout', 'connect_ip', 'connect_port'],
  ...['url', 'path', 'status_code', 'regex', 'virtualhost', 'type', 'name', 'payload', 'require_reply', 'misc_path'],
  ...['inhibit_on_failure', 'sorry_server', 'quorum', 'hysteresis', 'interface', 'virtual_ipaddress'],
]);

/**
 * Lines (1-based) holding a keyword the importer does not carry over, found without the importer:
 * comments stripped, braces tracked; lines inside a virtual_server_group or virtual_ipaddress are entries (imported;
 * a VRRP address that is no VIP is checked by the unit tests).
 */
export function unimportedLines(text: string): number[] {
  const out: number[] = [];
  const stack: string[] = [];
  let last = '';
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/[#!].*$/, '').trim();
    for (const part of line.split(/([{}])/)) {
      const words = part
        .trim()
        .split(/\s+/)
        .filter((w) => w !== '');
      if (part === '{') stack.push(last);
      else if (part === '}') stack.pop();
      else if (words.length > 0) {
        last = words[0] ?? '';
        const inGroup = ['virtual_server_group', 'virtual_ipaddress'].includes(stack[stack.length - 1] ?? '');
        if (!inGroup && !IMPORTED.has(last) && !out.includes(i + 1)) out.push(i + 1);
      }
    }
  });
  return out;
}
