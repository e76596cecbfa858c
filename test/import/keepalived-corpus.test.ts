// The imported topology of each file is golden (NAME.imported.yaml): regenerate with `LBCTL_UPDATE_GOLDEN=1 npx vitest run test/import`.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { importKeepalived } from '../../src/import/keepalived/import.js';
import { draftTopology, DIRECTOR } from '../../src/import/topology-text.js';
import { desiredStates } from '../../src/desired/desired.js';
import { emptyHostState } from '../../src/model/state.js';
import { keepalivedPart } from '../support/keepalived-part.js';
import { parseIpvsadmSave } from '../../src/drivers/ipvs/parse-save.js';
import { makePlan, planHost } from '../../src/plan/plan.js';
import { renderShell } from '../../src/present/shell.js';
import { loadTopology } from '../../src/topology/load.js';
import { CORPUS, canonicalTable, corpusFile, expectedTable, memoryReader, unimportedLines } from './corpus.js';

const UPDATE = process.env.LBCTL_UPDATE_GOLDEN === '1';
if (UPDATE && process.env.CI) throw new Error('golden files are never regenerated in CI');

/** Checkers the importer turns into checks. */
const IMPORTABLE = /^\s*(HTTP_GET|SSL_GET|TCP_CHECK|DNS_CHECK|UDP_CHECK|PING_CHECK|MISC_CHECK)\b/m;

describe('keepalived.conf corpus (real files from public projects)', () => {
  it('has at least ten files, each citing its source and with an expected table', () => {
    expect(CORPUS.length).toBeGreaterThanOrEqual(10);
    for (const name of CORPUS) {
      expect(corpusFile(name)).toMatch(/^# Source: https:\/\/github\.com\/[^/]+\/[^/]+\/blob\/[0-9a-f]{40}\//);
      expect(expectedTable(name).length).toBeGreaterThan(0);
    }
  });

  describe.each(CORPUS)('%s', (name) => {
    const text = corpusFile(name);
    const result = importKeepalived(name, text, { reader: memoryReader({}) });
    const draft = draftTopology(result, `Imported from ${name}`);
    const loaded = loadTopology('imported.yaml', draft.yaml);

    it('imports into a topology lbctl validates', () => {
      expect(loaded.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      expect(loaded.topology).toBeDefined();
    });

    it("gives the director the IPVS table keepalived builds (read from keepalived's code), and VIP-path services", () => {
      const director = desiredStates(loaded.topology!).get(DIRECTOR);
      expect(canonicalTable(keepalivedPart(director?.ipvs ?? []))).toEqual(expectedTable(name));
    });

    it('plans, on an empty director, the ipvsadm commands that build that table', () => {
      const state = desiredStates(loaded.topology!).get(DIRECTOR)!;
      const director = { ...state, ipvs: keepalivedPart(state.ipvs) };
      const commands = renderShell(makePlan([planHost(director, emptyHostState(DIRECTOR))]))
        .split('\n')
        .filter((l) => /^ipvsadm -[Aa] /.test(l));
      // The shell form quotes IPv6 endpoints ('[2001:db8::1]:80'); ipvsadm-restore lines do not.
      const restore = commands.map((l) => l.slice('ipvsadm '.length).replace(/'([^']*)'/g, '$1'));
      expect(canonicalTable(parseIpvsadmSave(restore.join('\n')))).toEqual(expectedTable(name));
    });

    it("checks the real servers where the file has a checker lbctl can run, with keepalived's timing", () => {
      const checks = loaded.topology!.services.flatMap((s) => s.realServers.flatMap((r) => (r.check ? [r.check] : [])));
      const dropped = draft.notes.some((n) => n.kind === 'not-imported' && IMPORTABLE.test(n.keyword ?? ''));
      if (!IMPORTABLE.test(text)) expect(checks).toEqual([]);
      else if (!dropped) expect(checks.length).toBeGreaterThan(0);
      for (const c of checks) expect(c.rise).toBe(1);
    });

    it('imports the topology and report of its golden file', () => {
      const file = new URL(`../fixtures/import/keepalived/${name.replace(/\.conf$/, '.imported.yaml')}`, import.meta.url);
      if (UPDATE) writeFileSync(file, draft.yaml);
      expect(existsSync(file), `${file.pathname} exists (run with LBCTL_UPDATE_GOLDEN=1 to create it)`).toBe(true);
      expect(draft.yaml).toBe(readFileSync(file, 'utf8'));
    });

    it('reports every keyword it does not import, at its line', () => {
      const covered = (line: number) =>
        draft.notes.some((n) => n.at?.file === name && n.at.line <= line && line <= (n.at.endLine ?? n.at.line));
      expect(unimportedLines(text).filter((line) => !covered(line))).toEqual([]);
    });
  });
});
