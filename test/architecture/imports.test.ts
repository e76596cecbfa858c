// The arrows between the folders of src/ point one way (ARCHITECTURE.md): each folder imports only the folders its row
// allows, pure folders do no I/O, and the folders form no cycle. Edit ALLOWED when the layout changes.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dependencies } from '../support/imports.js';

/**
 * Each top-level folder of src/ (or a file standing in for a future folder, see FOLDER_OF), the folders it may import
 * besides itself, and whether it may do I/O (node's fs, os, net, child processes, execa, process.*).
 */
const ALLOWED = {
  net: { imports: [], io: false }, // addresses and prefixes: the leaf
  model: { imports: ['net'], io: false }, // the value types of a host's state and their keys: the shared vocabulary
  drivers: { imports: ['model', 'net'], io: false }, // one tool's syntax, both ways (ipvs, iproute, sysctl, nft, frr, keepalived, sh)
  observed: { imports: ['drivers', 'model', 'net'], io: false }, // a host's observed state from its captured outputs
  topology: { imports: ['drivers', 'model', 'net'], io: false }, // file → validated Topology
  inventory: { imports: ['topology', 'model', 'net'], io: false }, // how each host of the fleet is reached
  desired: { imports: ['topology', 'drivers', 'model', 'net'], io: false }, // Topology → desired state per host
  health: { imports: ['desired', 'topology', 'model', 'net'], io: false }, // check scheduling and decisions on a fake clock
  import: { imports: ['topology', 'desired', 'drivers', 'observed', 'model', 'net'], io: false }, // keepalived.conf / ipvsadm-save → topology
  plan: { imports: ['desired', 'drivers', 'observed', 'inventory', 'model', 'net'], io: false }, // diff, order, the versioned Plan
  host: { imports: ['plan', 'desired', 'topology', 'inventory', 'drivers', 'observed', 'model', 'net'], io: true }, // the Host port, adapters, use cases
  agent: { imports: ['health', 'host', 'plan', 'desired', 'topology', 'drivers', 'model', 'net'], io: true }, // the health-check daemon: probes, kernel edits
  present: { imports: ['host', 'plan', 'desired', 'topology', 'drivers', 'model', 'net'], io: false }, // human, shell and JSON renderings
  lab: {
    imports: [
      'agent',
      'health',
      'present',
      'host',
      'plan',
      'desired',
      'topology',
      'inventory',
      'import',
      'drivers',
      'observed',
      'model',
      'net',
    ],
    io: true,
  }, // composition
  cli: {
    imports: [
      'agent',
      'health',
      'lab',
      'present',
      'host',
      'plan',
      'desired',
      'topology',
      'inventory',
      'import',
      'drivers',
      'observed',
      'model',
      'net',
    ],
    io: true,
  }, // composition
} as const satisfies Record<string, { imports: readonly string[]; io: boolean }>;

type Folder = keyof typeof ALLOWED;

/** Files of src/ that belong to a folder other than their own (none: the layout is the table). */
const FOLDER_OF: Readonly<Record<string, Folder>> = {};

/** Folder edges that break ALLOWED: none. */
const EXPECTED_VIOLATIONS: readonly (readonly [Folder, Folder])[] = [];

/** Folders on a cycle: none. */
const EXPECTED_CYCLES: readonly (readonly Folder[])[] = [];

const IO_MODULE =
  /^(process|execa|(node:)?(fs|fs\/promises|child_process|net|dgram|dns|os|readline|readline\/promises|worker_threads|http|https))$/;
const SRC = join(import.meta.dirname, '../../src');

/** One import of one file of src/ that its folder's row does not allow. */
interface Violation {
  file: string;
  specifier: string;
  from: Folder;
  to: Folder | 'io';
}

/** The folder a path relative to src/ belongs to. */
function folderOf(path: string): Folder {
  const folder = FOLDER_OF[path] ?? path.split('/')[0] ?? '';
  if (!(folder in ALLOWED)) throw new Error(`src/${path} is in folder "${folder}", which has no row in ALLOWED: add one`);
  return folder as Folder;
}

/** The folder each relative import of `source` (the file at `file`, relative to src/) reaches, keyed by specifier. */
function importedFolders(file: string, source: string): Map<string, Folder> {
  const relatives = dependencies(source).filter((s) => s.startsWith('.'));
  return new Map(relatives.map((s) => [s, folderOf(relative(SRC, resolve(dirname(join(SRC, file)), s)).replace(/\.js$/, '.ts'))]));
}

/** The imports of `source` (the file at `file`, relative to src/) that its folder's row does not allow. */
function violations(file: string, source: string): Violation[] {
  const from = folderOf(file);
  const rule: { imports: readonly Folder[]; io: boolean } = ALLOWED[from];
  const io = rule.io ? [] : dependencies(source).filter((s) => IO_MODULE.test(s));
  return [
    ...[...importedFolders(file, source)]
      .filter(([, to]) => to !== from && !rule.imports.includes(to))
      .map(([specifier, to]) => ({ file, specifier, from, to })),
    ...io.map((specifier) => ({ file, specifier, from, to: 'io' as const })),
  ];
}

/** The folders that lie on a cycle of `edges` ("from to" pairs), grouped as strongly connected components, each sorted. */
function cycles(edges: ReadonlySet<string>): Folder[][] {
  const next = (f: Folder) => (Object.keys(ALLOWED) as Folder[]).filter((t) => t !== f && edges.has(`${f} ${t}`));
  const reach = (f: Folder): Set<Folder> => {
    const seen = new Set<Folder>();
    const walk = (g: Folder): void => {
      for (const t of next(g).filter((t) => !seen.has(t))) {
        seen.add(t);
        walk(t);
      }
    };
    walk(f);
    return seen;
  };
  const groups = new Map<string, Folder[]>();
  for (const f of Object.keys(ALLOWED) as Folder[]) {
    const group = [...reach(f)].filter((t) => reach(t).has(f)).sort();
    if (group.length > 0) groups.set(group.join(' '), group);
  }
  return [...groups.values()];
}

const files = readdirSync(SRC, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
const found = files.flatMap((file) => violations(file, readFileSync(join(SRC, file), 'utf8')));
const expected = new Set(EXPECTED_VIOLATIONS.map(([from, to]) => `${from} ${to}`));

describe('imports between the folders of src/', () => {
  it('reads every folder of src/, and ALLOWED has a row for each and no other', () => {
    expect(new Set(files.map(folderOf))).toEqual(new Set(Object.keys(ALLOWED)));
  });

  it('follow ALLOWED, apart from the EXPECTED_VIOLATIONS the restructure removes', () => {
    const unexpected = found.filter((v) => !expected.has(`${v.from} ${v.to}`));
    expect(
      unexpected.map((v) => `src/${v.file} imports ${v.specifier}: ${v.from} may not import ${v.to === 'io' ? 'I/O modules' : v.to}`),
    ).toEqual([]);
  });

  it.each(EXPECTED_VIOLATIONS.map(([from, to]) => `${from} ${to}`))('EXPECTED_VIOLATIONS: %s still occurs (else drop it)', (edge) => {
    expect(found.some((v) => `${v.from} ${v.to}` === edge)).toBe(true);
  });

  it('ALLOWED has no cycle, so code that follows it has none', () => {
    expect(cycles(new Set(Object.entries(ALLOWED).flatMap(([from, r]) => r.imports.map((to) => `${from} ${to}`))))).toEqual([]);
  });

  it('the folders form no cycle but EXPECTED_CYCLES', () => {
    const edges = new Set(
      files.flatMap((file) =>
        [...importedFolders(file, readFileSync(join(SRC, file), 'utf8')).values()].map((to) => `${folderOf(file)} ${to}`),
      ),
    );
    expect(cycles(edges)).toEqual(EXPECTED_CYCLES);
  });

  it('the check catches what it is for', () => {
    const offending =
      "import { execa } from 'execa';\nimport * as fs from 'node:fs';\nconst h = await import('../../host/port.js');\nimport { z } from 'zod';\nimport { cidr } from '../../net/ip.js';\nimport './parse.js';\nprocess.exit(1);";
    expect(violations('drivers/ipvs/x.ts', offending).map((v) => `${v.specifier} ${v.to}`)).toEqual([
      '../../host/port.js host',
      'execa io',
      'node:fs io',
      'process io',
    ]);
    expect(violations('cli/commands/x.ts', offending)).toEqual([]);
    expect(cycles(new Set(['plan host', 'host present', 'present plan', 'cli plan']))).toEqual([['host', 'plan', 'present']]);
  });
});
