// `lbctl validate FILE`: every problem at once, each at file:line:col with its rule and fix.
import { formatDiagnostics } from '../../present/diagnostics.js';
import { EXIT } from '../exit-codes.js';
import { readTopology, topologyName } from '../load.js';
import type { Io } from '../io.js';
import { visible } from '../../present/visible.js';

/** Runs validate; returns the exit code (0 valid, 1 invalid). */
export async function validateCommand(file: string, opts: { format: 'human' | 'json' }, io: Io): Promise<number> {
  const { topology, diagnostics } = await readTopology(file, io.stdin);
  const name = visible(topologyName(file));
  if (opts.format === 'json') {
    io.out(`${JSON.stringify({ file: topologyName(file), valid: topology !== undefined, diagnostics }, null, 2)}\n`);
  } else {
    const errors = diagnostics.filter((d) => d.severity === 'error').length;
    const warnings = diagnostics.length - errors;
    io.out(
      formatDiagnostics(diagnostics) +
        (topology
          ? `${name}: valid: ${topology.hosts.size} hosts, ${topology.services.length} services, ${topology.anycast.length} anycast groups${warnings ? `, ${warnings} warning(s)` : ''}\n`
          : `${name}: invalid: ${errors} error(s), ${warnings} warning(s)\n`),
    );
  }
  return topology ? EXIT.ok : EXIT.invalid;
}
