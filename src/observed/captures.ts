// A host's observed state from captured command outputs (the `lbctl capture` directory layout), without I/O.
import { destinationKey, serviceKey, sortedBy } from '../model/keys.js';
import { parseIpvsadmThresholds } from '../drivers/ipvs/parse-list.js';
import type { HostState, Link, ManagedFile } from '../model/state.js';
import { emptyHostState } from '../model/state.js';
import { parseIpAddr, parseIpLink, parseIpRoute, sortRoutes } from '../drivers/iproute/parse.js';
import { parseIpvsadmSaveDetailed } from '../drivers/ipvs/parse-save.js';
import { parseIpvsadmDaemon } from '../drivers/ipvs/parse-daemon.js';
import { parseProcModules } from './modules.js';
import { parseNftTable } from '../drivers/nft/parse.js';
import { parseSysctl } from '../drivers/sysctl/parse.js';

/** The captured outputs, each a file in the capture directory. */
export const CAPTURE_FILES = {
  ipvs: 'ipvsadm-save.txt',
  ipvsList: 'ipvsadm-thresholds.txt',
  addr: 'ip-addr.json',
  link: 'ip-link.json',
  route4: 'ip-route.json',
  route6: 'ip-route6.json',
  sysctl: 'sysctl.txt',
  modules: 'modules.txt',
  nft: 'nft.json',
  ipvsDaemon: 'ipvsadm-daemon.txt',
} as const;

/** Name of one captured output. */
export type CaptureName = keyof typeof CAPTURE_FILES;

/** The command whose stdout each capture file holds, as run on the host (no shell). */
export const CAPTURE_COMMANDS: Record<CaptureName, readonly string[]> = {
  ipvs: ['ipvsadm-save', '-n'],
  ipvsList: ['ipvsadm', '-Ln', '--thresholds'],
  addr: ['ip', '-j', 'addr', 'show'],
  link: ['ip', '-j', '-d', 'link', 'show'],
  route4: ['ip', '-j', '-4', 'route', 'show'],
  route6: ['ip', '-j', '-6', 'route', 'show'],
  sysctl: ['sysctl', '-a'],
  modules: ['cat', '/proc/modules'],
  nft: ['nft', '-j', 'list', 'ruleset'],
  ipvsDaemon: ['ipvsadm', '-L', '--daemon'],
};

/** Where a managed file's captured copy lives in the capture directory: files/<absolute path without leading slash>. */
export function capturedFilePath(path: string): string {
  return `files/${path.replace(/^\/+/, '')}`;
}

/** A managed file's captured content and, when known, its permission bits. */
export interface CapturedFile {
  content: string;
  mode?: number;
}

/** The observed state, and what could not be observed or represented. */
export interface ObservedCapture {
  state: HostState;
  warnings: string[];
}

/**
 * Builds a host's observed state from its captures; a missing capture leaves its section empty, with a warning
 * unless `explained` already names it (a probe whose command failed says why itself).
 */
export function observedFromCaptures(
  host: string,
  files: Partial<Record<CaptureName, string>>,
  managedFiles: Record<string, CapturedFile> = {},
  explained: ReadonlySet<CaptureName> = new Set(),
): ObservedCapture {
  const state = emptyHostState(host);
  const warnings: string[] = [];
  const read = (name: CaptureName, use: (text: string) => void): void => {
    const text = files[name];
    if (text === undefined) {
      if (!explained.has(name)) warnings.push(`${CAPTURE_FILES[name]} is missing: observed state has no ${name} section`);
    } else use(text);
  };
  read('ipvs', (text) => {
    const parsed = parseIpvsadmSaveDetailed(text);
    state.ipvs = parsed.services;
    warnings.push(...parsed.unmodelled.map((u) => `${CAPTURE_FILES.ipvs} ${u}`));
  });
  const list = files.ipvsList;
  if (list !== undefined) {
    const counters = parseIpvsadmThresholds(list);
    state.ipvs = state.ipvs.map((s) => {
      const dests = counters.get(serviceKey(s.id));
      return { ...s, destinations: s.destinations.map((d) => ({ ...d, ...dests?.get(destinationKey(d)) })) };
    });
  } else if (state.ipvs.length > 0) {
    state.unobserved = ['ipvs-thresholds'];
    if (!explained.has('ipvsList')) warnings.push(`${CAPTURE_FILES.ipvsList} is missing: real-server thresholds (-x/-y) are not compared`);
  }
  read('addr', (text) => {
    state.addresses = parseIpAddr(text);
  });
  read('link', (text) => {
    state.links = parseIpLink(text).flatMap((l): Link[] =>
      l.kind === 'ipip' ? [{ name: l.name, kind: 'ipip', up: l.up, mtu: l.mtu }] : [],
    );
  });
  read('route4', (text) => {
    state.routes = sortRoutes([...state.routes, ...parseIpRoute(text, 'inet')]);
  });
  read('route6', (text) => {
    state.routes = sortRoutes([...state.routes, ...parseIpRoute(text, 'inet6')]);
  });
  read('sysctl', (text) => {
    state.sysctls = parseSysctl(text);
  });
  read('modules', (text) => {
    state.modules = parseProcModules(text);
  });
  read('nft', (text) => {
    state.nft = parseNftTable(text);
  });
  // Captures taken before lbctl managed sync daemons lack this file: no daemons seen, and nothing to warn about.
  const daemons = files.ipvsDaemon === undefined ? [] : parseIpvsadmDaemon(files.ipvsDaemon);
  if (daemons.length > 0) state.syncDaemons = daemons;
  state.files = sortedBy(Object.entries(managedFiles), ([path]) => path).map(([path, f]): ManagedFile => ({
    path,
    content: f.content,
    mode: f.mode ?? 0o644,
  }));
  return { state, warnings };
}
