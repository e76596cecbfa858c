// keepalived.conf as keepalived's own reader (lib/parser.c, read_line) sees it: comments, "@id" line prefixes,
// $PARAM definitions and substitution, include files; then split into words and braces, each placed at file:line:col.
import type { ImportNote, SourceAt } from '../report.js';
import { SourceError } from '../source-error.js';

/** How the importer reads included files (the CLI passes the file system; tests pass a map). */
export interface ConfigReader {
  /** The text of a file. */
  read(path: string): string;
  /** The files a glob pattern (absolute) matches, sorted as glob(3) sorts them. */
  glob(pattern: string): string[];
}

/** A word of a configuration line, quotes removed, where it was written. */
export interface Word {
  text: string;
  at: SourceAt;
}

/** A line's words between braces, or a brace. */
export type Segment = { kind: 'words'; words: Word[] } | { kind: 'open' | 'close'; at: SourceAt };

/** What the preprocessor needs besides the text. */
export interface PreprocessOptions {
  reader: ConfigReader;
  /** keepalived's config id (`-i`, default the host name): selects "@ID" lines. */
  configId?: string;
}

const MAX_INCLUDE_DEPTH = 32;
const MAX_SUBSTITUTIONS = 64;
const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/;

/** Definitions keepalived predefines (set_std_definitions) that expand to fixed text. */
const STANDARD_DEFINITIONS: ReadonlyArray<[string, string]> = [
  ['_HASH', '#'],
  ['_BANG', '!'],
];

/** A line with comments removed (`#` and `!` outside quotes; `\#` and `\!` are literal), as decomment() does. */
function decomment(line: string): string {
  let quote = false;
  let out = '';
  for (let i = 0; i < line.length; i++) {
    const c = line[i] ?? '';
    if (c === '"') quote = !quote;
    else if (c === '\\' && !quote && (line[i + 1] === '#' || line[i + 1] === '!')) {
      out += line[i + 1];
      i++;
      continue;
    } else if (!quote && (c === '#' || c === '!')) break;
    out += c;
  }
  return out.trimEnd();
}

/** A path relative to the directory of `from` (absolute paths stay), with "." and ".." segments resolved. */
function resolvePath(from: string, path: string): string {
  const joined = path.startsWith('/') ? path : `${from.slice(0, from.lastIndexOf('/') + 1)}${path}`;
  const out: string[] = [];
  for (const part of joined.split('/')) {
    if (part === '..' && out.length > 0 && out[out.length - 1] !== '' && out[out.length - 1] !== '..') out.pop();
    else if (part !== '.') out.push(part);
  }
  return out.join('/');
}

class Preprocessor {
  readonly segments: Segment[] = [];
  readonly notes: ImportNote[] = [];
  private readonly definitions = new Map<string, string[]>(STANDARD_DEFINITIONS.map(([k, v]) => [k, [v]]));
  private warnedConfigId = false;

  constructor(private readonly options: PreprocessOptions) {}

  file(path: string, text: string, depth: number): void {
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const at = { file: path, line: i + 1 };
      const raw = (lines[i] ?? '').replace(/\r$/, '');
      const indent = raw.length - raw.trimStart().length;
      let line = decomment(raw.trimStart());
      if (line === '') continue;
      const definition = /^\$([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(this.selected(line, at) ?? '');
      if (definition !== null) {
        // A value ending in "\" goes on over the next lines (a multi-line definition).
        const value = [definition[2] ?? ''];
        while ((value[value.length - 1] ?? '').endsWith('\\') && i + 1 < lines.length) {
          value[value.length - 1] = (value[value.length - 1] ?? '').slice(0, -1).trimEnd();
          value.push(decomment((lines[++i] ?? '').trim()));
        }
        this.definitions.set(
          definition[1] ?? '',
          value.filter((v) => v !== ''),
        );
        continue;
      }
      for (line of this.expand(line, at)) {
        const selected = this.selected(line, at);
        if (selected === null || selected === '') continue;
        if (/^~(SEQ|LST)\b/.test(selected))
          throw new SourceError(
            { ...at, col: indent + 1 },
            `${selected.slice(0, 4)} loops are not supported by the importer: write the lines out`,
          );
        const include = /^include[rmwba]?\s+(.+)$/.exec(selected);
        if (include !== null) this.include(include[1]?.trim() ?? '', path, { ...at, col: indent + 1 }, depth);
        else this.words(selected, { ...at, col: indent + 1 });
      }
    }
  }

  /** The line without its "@ID " prefix when the prefix selects it, null when it does not (keepalived drops the line). */
  private selected(line: string, at: SourceAt): string | null {
    const m = /^@(\^?)(\S+)\s+(.*)$/.exec(line);
    if (m === null) return line.startsWith('@') ? null : line;
    const { configId } = this.options;
    if (configId === undefined && !this.warnedConfigId) {
      this.warnedConfigId = true;
      this.notes.push({
        kind: 'adjusted',
        at,
        keyword: '@',
        message: 'lines start with "@ID" but no --config-id was given: keepalived uses the host name; read as on a host matching no ID',
      });
    }
    const matches = configId !== undefined && m[2] === configId;
    return matches !== (m[1] === '^') ? (m[3] ?? '') : null;
  }

  /** The line with $NAME and ${NAME} replaced by their definitions (undefined names stay as written); a multi-line value gives several lines. */
  private expand(line: string, at: SourceAt): string[] {
    let lines = [line];
    for (let round = 0; ; round++) {
      if (round === MAX_SUBSTITUTIONS) throw new SourceError(at, 'parameter substitution does not end (a definition refers to itself)');
      let changed = false;
      lines = lines.flatMap((l) => {
        const pieces: string[] = [''];
        let replaced = false;
        let rest = l;
        for (let m = REFERENCE.exec(rest); m !== null; m = REFERENCE.exec(rest)) {
          const value = this.definitions.get(m[1] ?? m[2] ?? '');
          const [first = '', ...more] = value ?? [m[0]];
          replaced ||= value !== undefined;
          pieces[pieces.length - 1] += `${rest.slice(0, m.index)}${first}`;
          pieces.push(...more);
          rest = rest.slice(m.index + m[0].length);
        }
        pieces[pieces.length - 1] += rest;
        // As replace_param: only a line that changed is decommented again.
        changed ||= replaced;
        return replaced ? pieces.map(decomment) : [l];
      });
      if (!changed) return lines;
    }
  }

  private include(pattern: string, from: string, at: SourceAt, depth: number): void {
    if (depth >= MAX_INCLUDE_DEPTH)
      throw new SourceError(at, `includes nest deeper than ${MAX_INCLUDE_DEPTH} files (does a file include itself?)`);
    const path = resolvePath(from, pattern);
    const files = this.options.reader.glob(path);
    if (files.length === 0)
      this.notes.push({
        kind: 'adjusted',
        at,
        keyword: 'include',
        message: `${path} matches no file: nothing included (keepalived warns and goes on)`,
      });
    for (const file of files) this.file(file, this.options.reader.read(file), depth + 1);
  }

  /** Splits a line into words and braces; a quoted string is one word, without its quotes. */
  private words(line: string, at: SourceAt & { col: number }): void {
    let words: Word[] = [];
    const flush = () => {
      if (words.length > 0) this.segments.push({ kind: 'words', words });
      words = [];
    };
    for (let i = 0; i < line.length;) {
      const c = line[i] ?? '';
      const here = { ...at, col: at.col + i };
      if (c === ' ' || c === '\t') i++;
      else if (c === '{' || c === '}') {
        flush();
        this.segments.push({ kind: c === '{' ? 'open' : 'close', at: here });
        i++;
      } else if (c === '"') {
        const close = line.indexOf('"', i + 1);
        if (close < 0) throw new SourceError(here, 'unterminated quote: close the string with "');
        words.push({ text: line.slice(i + 1, close), at: here });
        i = close + 1;
      } else {
        const end = line.slice(i).search(/[\s{}"]/);
        const word = end < 0 ? line.slice(i) : line.slice(i, i + end);
        words.push({ text: word, at: here });
        i += word.length;
      }
    }
    flush();
  }
}

/** Reads a keepalived.conf (and what it includes) into words and braces, with the notes preprocessing raised. */
export function preprocess(file: string, text: string, options: PreprocessOptions): { segments: Segment[]; notes: ImportNote[] } {
  const p = new Preprocessor(options);
  p.file(file, text, 0);
  return { segments: p.segments, notes: p.notes };
}
