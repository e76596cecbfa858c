// Observed-state capture directories (the `--observed DIR` layout, DIR/HOST/...) for the benchmark's director.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { HostState } from '../../src/model/state.js';
import { CAPTURE_FILES, capturedFilePath } from '../../src/observed/captures.js';
import { FILE_MODES } from '../../src/host/observed-dir.js';
import { destinationChangeKey, ipvsadmSaveText, type BenchSpec, type SpecService } from './topology.js';

const addrInfo = (family: 'inet' | 'inet6', local: string, prefixlen: number, label?: string) => ({
  family,
  local,
  prefixlen,
  scope: local.startsWith('127.') || local === '::1' ? 'host' : 'global',
  ...(label ? { label } : {}),
  valid_life_time: 4294967295,
  preferred_life_time: 4294967295,
});

/** Writes DIR/HOST/ with every capture of a director converged to `spec`, its kernel table given by `services`. */
export async function writeCaptureDir(dir: string, spec: BenchSpec, desired: HostState, services: readonly SpecService[]): Promise<void> {
  const host = join(dir, spec.director);
  await mkdir(host, { recursive: true });
  const put = (name: string, text: string) => writeFile(join(host, name), text);
  const vips = [...new Set(spec.services.map((s) => s.vip))];
  await put(CAPTURE_FILES.ipvs, ipvsadmSaveText(services));
  await put(
    CAPTURE_FILES.addr,
    JSON.stringify([
      {
        ifindex: 1,
        ifname: 'lo',
        flags: ['LOOPBACK', 'UP', 'LOWER_UP'],
        mtu: 65536,
        addr_info: [addrInfo('inet', '127.0.0.1', 8, 'lo'), addrInfo('inet6', '::1', 128)],
      },
      {
        ifindex: 2,
        ifname: 'eth0',
        flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'],
        mtu: 1500,
        addr_info: [addrInfo('inet', spec.directorAddress, 16, 'eth0'), ...vips.map((v) => addrInfo('inet', v, 32, 'eth0'))],
      },
    ]),
  );
  await put(
    CAPTURE_FILES.link,
    JSON.stringify([
      { ifindex: 1, ifname: 'lo', flags: ['LOOPBACK', 'UP', 'LOWER_UP'], mtu: 65536, link_type: 'loopback' },
      { ifindex: 2, ifname: 'eth0', flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'], mtu: 1500, link_type: 'ether' },
    ]),
  );
  await put(
    CAPTURE_FILES.route4,
    JSON.stringify([
      { dst: 'default', gateway: spec.gateway, dev: 'eth0', flags: [] },
      { dst: spec.network, dev: 'eth0', protocol: 'kernel', scope: 'link', prefsrc: spec.directorAddress, flags: [] },
    ]),
  );
  await put(CAPTURE_FILES.route6, '[]');
  const sysctls = { 'net.ipv4.ip_forward': '0', 'net.ipv4.conf.all.rp_filter': '2', 'net.ipv4.vs.conntrack': '0', ...desired.sysctls };
  await put(
    CAPTURE_FILES.sysctl,
    Object.entries(sysctls)
      .map(([k, v]) => `${k} = ${v}\n`)
      .join(''),
  );
  const modules = [...desired.modules, 'nf_conntrack', 'nf_defrag_ipv4', 'nf_defrag_ipv6', 'libcrc32c'];
  await put(CAPTURE_FILES.modules, modules.map((m) => `${m} 12288 1 - Live 0x0000000000000000\n`).join(''));
  await put(
    CAPTURE_FILES.nft,
    JSON.stringify({ nftables: [{ metainfo: { version: '1.0.6', release_name: 'Lester Gooch #5', json_schema_version: 1 } }] }),
  );
  for (const f of desired.files) {
    const path = join(host, capturedFilePath(f.path));
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, f.content);
  }
  await put(FILE_MODES, desired.files.map((f) => `0${f.mode.toString(8)} ${f.path}\n`).join(''));
}

/** A drifted copy of the kernel table and the changes lbctl must plan for it ("update KEY" / "create KEY"). */
export interface Drift {
  services: SpecService[];
  expected: Set<string>;
}

/**
 * Drifts `fraction` of all destinations, spread evenly: half get another weight (an update each),
 * half are missing from the kernel table (a create each). Everything else stays converged.
 */
export function drift(spec: BenchSpec, fraction: number): Drift {
  const all = spec.services.flatMap((s) => s.destinations.map((d) => ({ s, d })));
  const count = Math.round(all.length * fraction);
  const step = all.length / count;
  const touched = new Map<string, 'update' | 'create'>();
  for (let n = 0; n < count; n++) {
    const { s, d } = all[Math.floor(n * step)]!;
    touched.set(destinationChangeKey(s, d), n % 2 === 0 ? 'update' : 'create');
  }
  const services = spec.services.map((s) => ({
    ...s,
    destinations: s.destinations.flatMap((d) => {
      const action = touched.get(destinationChangeKey(s, d));
      if (action === 'create') return [];
      return action === 'update' ? [{ ...d, weight: d.weight + 10 }] : [d];
    }),
  }));
  return { services, expected: new Set([...touched].map(([key, action]) => `${action} ipvs-destination ${key}`)) };
}
