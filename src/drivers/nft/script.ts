// lbctl's nftables table as nft commands and an nft script.
import type { NftTable } from '../../model/state.js';

/** The name of lbctl's marking chain, and what it hooks: locally generated packets, re-routed when their mark changes. */
export const OUTPUT_CHAIN = 'output';

/**
 * The nft script that atomically replaces lbctl's table (declaring it first makes the delete safe). The output chain
 * is a route chain at mangle priority (-150): a mark set there is seen by IPVS, whose LOCAL_OUT hook runs at -98.
 */
export function nftReplaceScript(t: NftTable): string {
  const chain = (name: string, hook: string, rules: string[]) =>
    `\tchain ${name} {\n\t\t${hook}; policy accept;\n${rules.map((r) => `\t\t${r}\n`).join('')}\t}\n`;
  const chains = [
    t.rules.length > 0 || t.output.length === 0 ? chain('postrouting', 'type nat hook postrouting priority srcnat', t.rules) : '',
    t.output.length > 0 ? chain(OUTPUT_CHAIN, 'type route hook output priority mangle', t.output) : '',
  ];
  return `table ${t.family} ${t.name}\ndelete table ${t.family} ${t.name}\ntable ${t.family} ${t.name} {\n${chains.join('')}}\n`;
}

/** The command line that loads an nft script from a file ("-": stdin). */
export function nftLoadArgv(path: string): string[] {
  return ['nft', '-f', path];
}

/** The command line that deletes a table. */
export function nftDeleteTableArgv(t: Pick<NftTable, 'family' | 'name'>): string[] {
  return ['nft', 'delete', 'table', t.family, t.name];
}
