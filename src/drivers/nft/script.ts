// lbctl's nftables table as an nft script.
import type { NftTable } from '../../model/state.js';

/** The nft script that atomically replaces lbctl's table (declaring it first makes the delete safe). */
export function nftReplaceScript(t: NftTable): string {
  const rules = t.rules.map((r) => `\t\t${r}\n`).join('');
  return (
    `table ${t.family} ${t.name}\ndelete table ${t.family} ${t.name}\n` +
    `table ${t.family} ${t.name} {\n\tchain postrouting {\n\t\ttype nat hook postrouting priority srcnat; policy accept;\n${rules}\t}\n}\n`
  );
}
