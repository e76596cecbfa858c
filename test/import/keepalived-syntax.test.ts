import { describe, expect, it } from 'vitest';
import { importKeepalived } from '../../src/import/keepalived/import.js';
import { preprocess } from '../../src/import/keepalived/preprocess.js';
import { SourceError } from '../../src/import/source-error.js';
import { rulesText as ipvsadmRules } from '../../src/drivers/ipvs/rules.js';
import { CORPUS, corpusFile, memoryReader } from './corpus.js';

/** The lines keepalived's reader would hand on: words joined by spaces, braces on their own. */
function lines(text: string, files: Record<string, string> = {}, configId?: string): string[] {
  const options = configId === undefined ? { reader: memoryReader(files) } : { reader: memoryReader(files), configId };
  return preprocess('/etc/keepalived/keepalived.conf', text, options).segments.map((s) =>
    s.kind === 'words' ? s.words.map((w) => w.text).join(' ') : s.kind === 'open' ? '{' : '}',
  );
}

/** The SourceError an import throws, as "line:col: reason". */
function failure(text: string, files: Record<string, string> = {}): string {
  try {
    importKeepalived('k.conf', text, { reader: memoryReader(files) });
  } catch (err) {
    if (err instanceof SourceError) return `${err.at.file}:${err.at.line}:${err.at.col ?? ''}: ${err.reason}`;
    throw err;
  }
  return 'no error';
}

describe('keepalived.conf reading, as lib/parser.c reads it', () => {
  it('drops # and ! comments outside quotes, keeps \\# and quoted ones, splits braces off', () => {
    expect(lines('a 1 # c\n  b "x # y" ! c\nc \\#d\nvirtual_server 1.2.3.4 80 { weight 1 }\n')).toEqual([
      'a 1',
      'b x # y',
      'c #d',
      'virtual_server 1.2.3.4 80',
      '{',
      'weight 1',
      '}',
    ]);
  });

  it('keeps "@ID" lines of the given config id, drops others, and inverts with "@^ID"', () => {
    const text = '@high a 1\n@low a 2\n@^high b 3\n@^low b 4\nc 5\n';
    expect(lines(text, {}, 'high')).toEqual(['a 1', 'b 4', 'c 5']);
    expect(lines(text, {}, 'low')).toEqual(['a 2', 'b 3', 'c 5']);
  });

  it('without a config id, reads "@ID" lines as keepalived on a host matching none, and says so', () => {
    const r = preprocess('k.conf', '@high a 1\n@^high b 2\n', { reader: memoryReader({}) });
    expect(r.segments).toHaveLength(1);
    expect(r.notes[0]).toMatchObject({ kind: 'adjusted', keyword: '@', at: { file: 'k.conf', line: 1 } });
  });

  it('substitutes $NAME and ${NAME}, multi-line definitions, and leaves undefined names alone', () => {
    const text =
      '$VIP=10.0.0.1\n$RS=real_server 10.0.1.1 80 { \\\n  weight 2 \\\n}\nvirtual_server $VIP 80 {\n${RS}\nx ${VIP}:$NOPE $_HASH\n}\n';
    expect(lines(text)).toEqual([
      'virtual_server 10.0.0.1 80',
      '{',
      'real_server 10.0.1.1 80',
      '{',
      'weight 2',
      '}',
      'x 10.0.0.1:$NOPE',
      '}',
    ]);
  });

  it('includes files matching a glob, relative to the including file, in glob order', () => {
    const files = {
      '/etc/keepalived/conf.d/b.conf': 'b 2\n',
      '/etc/keepalived/conf.d/a.conf': 'a 1\ninclude ../last.conf\n',
      '/etc/keepalived/last.conf': 'z 9\n',
    };
    expect(lines('include conf.d/*.conf\nincluder /abs/none*.conf\nend\n', files)).toEqual(['a 1', 'z 9', 'b 2', 'end']);
  });

  it('places words in included files at their own file:line:col', () => {
    const r = preprocess('/k/main.conf', 'include sub.conf\n', { reader: memoryReader({ '/k/sub.conf': '\n  lb_algo   rr\n' }) });
    const seg = r.segments[0];
    expect(seg?.kind === 'words' ? seg.words.map((w) => w.at) : []).toEqual([
      { file: '/k/sub.conf', line: 2, col: 3 },
      { file: '/k/sub.conf', line: 2, col: 13 },
    ]);
  });

  it.each([
    ['virtual_server 1.2.3.4 80 {\n  protocol "TCP\n}\n', 'k.conf:2:12: unterminated quote'],
    ['a 1\n  }\n', 'k.conf:2:3: "}" closes no block'],
    ['virtual_server 1.2.3.4 80 {\n  real_server 10.0.0.1 80 {\n}\n', 'k.conf:1:1: the block of "virtual_server" is never closed'],
    ['{\n}\n', 'k.conf:1:1: "{" opens a block without a keyword'],
    ['~SEQ(i, 1, 3) x $i\n', 'k.conf:1:1: ~SEQ loops are not supported'],
  ])('refuses %j at file:line:col', (text, message) => {
    expect(failure(text)).toContain(message);
  });

  it('refuses a file that includes itself, instead of looping', () => {
    expect(failure('include k.conf\n', { 'k.conf': 'include k.conf\n' })).toContain('includes nest deeper than 32 files');
  });

  it('places notes in the file each keyword came from, included or not', () => {
    const r = importKeepalived('/k/a.conf', 'include b.conf\nvirtual_server 10.0.0.1 80 {\n protocol TCP\n}\n', {
      reader: memoryReader({ '/k/b.conf': 'virtual_server_group G {\n 10.0.0.2 80\n}\n' }),
    });
    expect(ipvsadmRules(r.services.map((s) => s.service))).toBe('');
    expect(r.notes.map((n) => `${n.at?.file}:${n.at?.line} ${n.keyword}`)).toEqual([
      '/k/a.conf:2 virtual_server',
      '/k/b.conf:1 virtual_server_group',
    ]);
  });
});

describe('keepalived.conf cut anywhere', () => {
  it.each(CORPUS)('%s: every prefix imports or fails with a SourceError, never anything else', (name) => {
    const lines = corpusFile(name).split('\n');
    for (let n = 0; n <= lines.length; n++) {
      const text = lines.slice(0, n).join('\n');
      try {
        importKeepalived(name, text, { reader: memoryReader({}) });
      } catch (err) {
        expect(err).toBeInstanceOf(SourceError);
      }
    }
  });
});
