// lbctl's nftables table as nft commands and an nft script.
import type { NftTable } from '../../model/state.js';

/** The nft script that atomically replaces lbctl's table (declaring it first makes the delete safe). */
export function nftReplaceScript(t: NftTable): string {
  const rules = t.rules.map((r) => `\t\t${r}\n`).join('');
  return (
    `table ${t.family} ${t.name}\ndelete table ${t.family} ${t.name}\n` +
    `table ${t.family} ${t.name} {\n\tchain postrouting {\n\t\ttype nat hook postrouting priority srcnat; policy accept;\n${rules}\t}\n}\n`
  );
}

/** The command line that loads an nft script from a file ("-": stdin). */
export function nftLoadArgv(path: string): string[] {
  return ['nft', '-f', path];
}

/** The command line that deletes a table. */
export function nftDeleteTableArgv(t: Pick<NftTable, 'family' | 'name'>): string[] {
  return ['nft', 'delete', 'table', t.family, t.name];
}
