// `lbctl schema`: the topology file's JSON Schema, for editors to validate and complete.
import { z } from 'zod';
import { topologySchema } from '../../topology/schema.js';
import { EXIT } from '../exit-codes.js';
import type { Io } from '../io.js';

/** Prints the JSON Schema of the topology file (input side: short forms and optional keys). */
export function schemaCommand(io: Io): number {
  const schema = z.toJSONSchema(topologySchema, { io: 'input', unrepresentable: 'any' });
  io.out(`${JSON.stringify({ ...schema, title: 'lbctl topology (apiVersion lbctl/v1)' }, null, 2)}\n`);
  return EXIT.ok;
}
