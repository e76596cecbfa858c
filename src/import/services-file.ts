// The /etc/services table (services(5)): port numbers by service name, for dumps written without -n.

/** Port numbers by "name/protocol", names and aliases alike. */
export type ServicesTable = ReadonlyMap<string, number>;

/** Parses services(5) text: "name port/protocol [aliases...]", "#" to the end of a line is a comment. */
export function parseServicesFile(text: string): ServicesTable {
  const table = new Map<string, number>();
  for (const raw of text.split('\n')) {
    const [name, portProto, ...aliases] = (raw.split('#')[0] ?? '').trim().split(/\s+/);
    const m = /^(\d{1,5})\/([a-z0-9-]+)$/.exec(portProto ?? '');
    if (name === undefined || name === '' || m === null || Number(m[1]) > 65535) continue;
    // The first entry of a name wins, as getservbyname(3) returns it.
    for (const n of [name, ...aliases]) if (!table.has(`${n}/${m[2]}`)) table.set(`${n}/${m[2]}`, Number(m[1]));
  }
  return table;
}

/** The port a service name stands for: under the protocol given, else under any protocol; undefined when unknown. */
export function lookupService(table: ServicesTable, name: string, protocol: string): number | undefined {
  const exact = table.get(`${name}/${protocol}`);
  if (exact !== undefined) return exact;
  for (const [key, port] of table) if (key.slice(0, key.lastIndexOf('/')) === name) return port;
  return undefined;
}
