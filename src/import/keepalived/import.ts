// keepalived.conf → the IPVS services keepalived would set up, and a note for everything lbctl does not import.
import type { ImportResult } from '../report.js';
import { lvsServices } from './lvs.js';
import { preprocess, type PreprocessOptions } from './preprocess.js';
import { parseStatements } from './syntax.js';

/** Reads a keepalived.conf (includes through `options.reader`); throws SourceError where keepalived's syntax breaks. */
export function importKeepalived(file: string, text: string, options: PreprocessOptions): ImportResult {
  const { segments, notes } = preprocess(file, text, options);
  const lvs = lvsServices(parseStatements(segments));
  return { services: lvs.services, notes: [...notes, ...lvs.notes], interfaces: lvs.interfaces };
}
