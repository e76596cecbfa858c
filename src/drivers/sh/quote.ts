// Quoting for POSIX shells, so rendered commands can be pasted and run by hand.

/** One word, quoted only when it needs to be. */
export function quoteWord(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** An argument array as one shell command line. */
export function quoteArgv(argv: readonly string[]): string {
  return argv.map(quoteWord).join(' ');
}

/** A here-document delimiter that does not occur as a line of the content. */
export function heredocDelimiter(content: string): string {
  const lines = new Set(content.split('\n'));
  let delimiter = 'LBCTL_EOF';
  for (let n = 1; lines.has(delimiter); n++) delimiter = `LBCTL_EOF_${n}`;
  return delimiter;
}
