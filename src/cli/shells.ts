// The shells `lbctl completion` writes scripts for (apart from the generator, which main.ts loads only when asked).

/** The shells a completion script is written for. */
export const SHELLS = ['bash', 'zsh', 'fish'] as const;

/** One of SHELLS. */
export type Shell = (typeof SHELLS)[number];
