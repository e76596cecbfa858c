// Proves `lbctl import keepalived` against keepalived itself: in the IPVS VM, Debian's keepalived runs each
// corpus file (every checker replaced by one that passes, so every real server is up) and the IPVS table it
// builds must equal the table lbctl plans for the imported topology.
// On by default, off with LBCTL_VM_TESTS=0 (needs keepalived and the VM's host packages).
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { desiredStates } from '../../../src/desired/desired.js';
import { parseIpvsadmSave } from '../../../src/drivers/ipvs/parse-save.js';
import { keepalivedPart } from '../../support/keepalived-part.js';
import { importKeepalived } from '../../../src/import/keepalived/import.js';
import { DIRECTOR, draftTopology } from '../../../src/import/topology-text.js';
import { runInVm, type VmResult } from '../../../src/lab/vm/runner.js';
import { loadTopology } from '../../../src/topology/load.js';
import { CORPUS, canonicalTable, corpusFile, expectedTable, memoryReader } from '../../import/corpus.js';
import { expectJobCompleted } from './job-outcome.js';

const ENABLED = process.env.LBCTL_VM_TESTS !== '0';
if (!ENABLED) console.log('VM e2e tests skipped: LBCTL_VM_TESTS=0 was set; unset it to boot the IPVS kernel under qemu');

const JOB = join(import.meta.dirname, 'keepalived-import.sh');
const CHECKERS = /\b(HTTP_GET|SSL_GET|TCP_CHECK|DNS_CHECK|SMTP_CHECK|UDP_CHECK|MISC_CHECK|PING_CHECK|BFD_CHECK|FILE_CHECK)\s*\{/g;

/** Index just past the `}` closing the block whose `{` is at `open` (comments, `#` or `!` to the line's end, skipped). */
function blockEnd(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const ch = text[i];
    if (ch === '#' || ch === '!') i = text.indexOf('\n', i) === -1 ? text.length : text.indexOf('\n', i);
    else if (ch === '{') depth++;
    else if (ch === '}' && --depth === 0) return i + 1;
  }
  throw new Error('unbalanced braces');
}

/**
 * The corpus file as the VM runs it: every checker replaced by a MISC_CHECK of /bin/true (so keepalived brings
 * every real server up, alpha or not, and keeps it up), and no ha_suspend (no VRRP runs here).
 */
function withPassingCheckers(text: string): string {
  let out = '';
  let at = 0;
  for (const m of text.matchAll(CHECKERS)) {
    if (m.index < at) continue; // a checker keyword inside a replaced block
    const open = m.index + m[0].length - 1;
    // A generous timeout: under emulation a busy guest can take seconds to start /bin/true.
    out += `${text.slice(at, m.index)}MISC_CHECK {\n      misc_path /bin/true\n      misc_timeout 300\n    }`;
    at = blockEnd(text, open);
  }
  out += text.slice(at);
  return out.replace(/^\s*ha_suspend\b.*$/gm, '');
}

/** The director's IPVS table in the topology `lbctl import keepalived` makes of a corpus file. */
function importedTable(name: string) {
  const result = importKeepalived(name, corpusFile(name), { reader: memoryReader({}) });
  const loaded = loadTopology('imported.yaml', draftTopology(result, `Imported from ${name}`).yaml);
  return canonicalTable(keepalivedPart(desiredStates(loaded.topology!).get(DIRECTOR)?.ipvs ?? []));
}

describe.skipIf(!ENABLED)("lbctl import keepalived against keepalived's own IPVS table (qemu VM)", () => {
  let results: string;
  let run: VmResult;

  beforeAll(async () => {
    results = await mkdtemp(join(tmpdir(), 'lbctl-vm-keepalived-'));
    for (const name of CORPUS) {
      const job = join(results, name.replace(/\.conf$/, ''));
      await mkdir(job);
      await writeFile(join(job, 'keepalived.conf'), withPassingCheckers(corpusFile(name)));
      const want = expectedTable(name).reduce((n, s) => n + s.destinations.length, 0);
      await writeFile(join(job, 'want'), `${want}\n`);
    }
    run = await runInVm({ command: ['bash', JOB, results], resultsDir: results, timeoutMs: 300_000 });
    console.log(`VM keepalived job: ${run.durationMs} ms from prepare to qemu exit\n${run.stdout}`);
  }, 360_000);
  afterAll(() => rm(results, { recursive: true, force: true }));

  it('runs the job to completion', () => expectJobCompleted(run));

  it.each(CORPUS)("%s: keepalived's table equals the imported topology's", async (name) => {
    const job = join(results, name.replace(/\.conf$/, ''));
    const built = canonicalTable(parseIpvsadmSave(await readFile(join(job, 'ipvsadm-save.txt'), 'utf8')));
    const log = await readFile(join(job, 'keepalived.log'), 'utf8').catch(() => '(no log)');
    expect(built, `keepalived's log:\n${log.slice(-3000)}`).toEqual(importedTable(name));
    expect(built).toEqual(expectedTable(name));
  });
});
