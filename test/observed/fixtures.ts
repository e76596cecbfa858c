// Reads the observed-state fixtures under test/fixtures/observed/.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '../fixtures/observed');

/** The text of a fixture, by path relative to test/fixtures/observed/. */
export function fixture(path: string): string {
  return readFileSync(join(ROOT, path), 'utf8');
}
