// The inventory file's shape: how lbctl reaches each host of a topology (over SSH, or this machine itself).
import { z } from 'zod';

/** An ssh: entry; every field may come from `defaults`, and the host defaults to the topology's host name. */
const ssh = z.strictObject({
  host: z.string().min(1).optional(),
  user: z.string().min(1).optional(),
  port: z.number().int().min(1).max(65535).optional(),
  identityFile: z.string().min(1).optional(),
  sudo: z.boolean().optional(),
  config: z.string().min(1).optional(),
});

/** How one host is reached: `local` (lbctl runs on it), `ssh` (ssh to its name), or an ssh: entry. */
const reach = z.union([z.literal('local'), z.literal('ssh'), z.strictObject({ ssh })]);

/** The inventory file: apiVersion, kind, optional defaults, and hosts by topology name. */
export const inventorySchema = z.strictObject({
  apiVersion: z.literal('lbctl/v1'),
  kind: z.literal('Inventory'),
  defaults: z.strictObject({ ssh }).optional(),
  hosts: z.record(z.string(), reach),
});

/** The inventory as written. */
export type RawInventory = z.infer<typeof inventorySchema>;
