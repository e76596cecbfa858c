// Problems found in a topology, as data: severity, stable rule id, message, fix, and where.

/** A path into the YAML document, as keys and list indices. */
export type NodePath = readonly (string | number)[];

/** A source position (1-based line and column). */
export interface Position {
  line: number;
  col: number;
}

/** One problem in a topology file. */
export interface Diagnostic {
  severity: 'error' | 'warning';
  /** Stable identifier of the rule broken, e.g. "dr-port-mapping". */
  rule: string;
  /** What is wrong. */
  message: string;
  /** How to fix it. */
  fix: string;
  path: NodePath;
  /** Point at the mapping key of the last path segment rather than at its value. */
  atKey?: boolean;
  /** Where in the file; filled in by the loader from `path`. */
  file?: string;
  position?: Position;
}

/** Shorthand for an error diagnostic at a path. */
export function error(rule: string, path: NodePath, message: string, fix: string): Diagnostic {
  return { severity: 'error', rule, path, message, fix };
}

/** Shorthand for a warning diagnostic at a path. */
export function warning(rule: string, path: NodePath, message: string, fix: string): Diagnostic {
  return { severity: 'warning', rule, path, message, fix };
}

/** True when any diagnostic is an error. */
export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

/** Sorts diagnostics by file position, then rule, so output is stable. */
export function sortDiagnostics(list: readonly Diagnostic[]): Diagnostic[] {
  return [...list].sort(
    (a, b) =>
      (a.position?.line ?? 0) - (b.position?.line ?? 0) ||
      (a.position?.col ?? 0) - (b.position?.col ?? 0) ||
      // One rule's many warnings (one per real server) need no collation.
      (a.rule === b.rule ? 0 : a.rule.localeCompare(b.rule)),
  );
}

/**
 * The list without repeats: the same problem at the same place (its position once placed, else its path) is one,
 * however many services found it (a real server's wrong gateway, a bad value under an anchor they all merge).
 */
export function withoutRepeats(list: readonly Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return list.filter((d) => {
    const key = JSON.stringify([d.severity, d.rule, d.message, d.file, d.position ?? d.path]);
    return !seen.has(key) && seen.add(key);
  });
}
