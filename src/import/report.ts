// What an import reports next to the topology it writes: what was not carried over, what was adjusted, what to fill in.
import type { IpvsService } from '../model/state.js';
import type { RawCheck } from '../topology/health.js';

/** A place in an imported file (1-based line and column; `endLine` closes a block). */
export interface SourceAt {
  file: string;
  line: number;
  col?: number;
  endLine?: number;
}

/**
 * Kinds of note: `not-imported`, something the topology cannot express (yet); `adjusted`, a value
 * imported as the source tool would run it, or changed so that lbctl accepts it; `fill-in`, a
 * placeholder the operator must replace.
 */
export type NoteKind = 'not-imported' | 'adjusted' | 'fill-in';

/** One line of the import report. */
export interface ImportNote {
  kind: NoteKind;
  at?: SourceAt;
  /** The keyword (keepalived) or option (ipvsadm) the note is about. */
  keyword?: string;
  message: string;
}

/** What failing checks do to a service's pool, in the topology's terms (absent fields: lbctl's defaults). */
export interface ImportedPool {
  onFailure?: 'weight0' | 'remove';
  failOpen?: number;
  /** "address" or "address:port", as a real server is written. */
  sorryServer?: string;
  quorum?: number;
  hysteresis?: number;
}

/** A virtual service as the source tool would put it in the kernel, where it was defined, and how it is kept healthy. */
export interface ImportedService {
  service: IpvsService;
  at?: SourceAt;
  /** Each checked real server's check, by the destinationKey of its destination in `service`; the probe port is explicit. */
  checks?: Map<string, RawCheck>;
  pool?: ImportedPool;
  /** The VIP floats between directors by VRRP. */
  ha?: 'vrrp';
}

/** An interface the source names for an address the director holds (keepalived's VRRP addresses and their `dev`). */
export interface InterfaceHint {
  name: string;
  address: string;
  at: SourceAt;
}

/** What an importer read: the IPVS services, every note about them and about the rest of the file, and interface hints. */
export interface ImportResult {
  services: ImportedService[];
  notes: ImportNote[];
  interfaces?: InterfaceHint[];
}

const LABEL: Record<NoteKind, string> = { 'not-imported': 'not imported', adjusted: 'adjusted', 'fill-in': 'fill in' };

/** "FILE:LINE:COL: not imported: KEYWORD: message" (without the kind under a heading that names it). */
export function formatNote(note: ImportNote, withKind = true): string {
  const where = note.at === undefined ? '' : `${note.at.file}:${note.at.line}${note.at.col === undefined ? '' : `:${note.at.col}`}: `;
  return `${where}${withKind ? `${LABEL[note.kind]}: ` : ''}${note.keyword === undefined ? '' : `${note.keyword}: `}${note.message}`;
}

/** Notes in reading order: by file, then line; notes without a place last, as they came. */
export function sortNotes(notes: readonly ImportNote[]): ImportNote[] {
  const place = (n: ImportNote) => (n.at === undefined ? ([1, '', 0] as const) : ([0, n.at.file, n.at.line] as const));
  return [...notes].sort((a, b) => {
    const [pa, fa, la] = place(a);
    const [pb, fb, lb] = place(b);
    return pa - pb || (fa < fb ? -1 : fa > fb ? 1 : 0) || la - lb;
  });
}
