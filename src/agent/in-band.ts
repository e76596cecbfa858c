// In-band counting on the director: its IPVS connection table (/proc/net/ip_vs_conn) read through the Host port,
// each connection to a checked NAT/FullNAT member handed to that member's probe as a sighting.
import type { ConnPhase, ConnSighting } from '../health/in-band.js';
import type { Watch } from '../health/watch.js';
import type { Host } from '../host/port.js';
import { parseIpvsConnections } from '../drivers/ipvs/parse-conn.js';
import type { IpvsConnection } from '../model/state.js';

/** Where the kernel shows the connection table. */
export const IPVS_CONN_TABLE = '/proc/net/ip_vs_conn';

/**
 * What a TCP state says of the handshake: SYN_RECV is still opening (IPVS stays there until the client's ACK),
 * CLOSE is a reset; states after the handshake are established. Others (NONE, LISTEN, ...) are not counted.
 */
const PHASES: Partial<Record<NonNullable<IpvsConnection['state']>, ConnPhase>> = {
  SYN_RECV: 'opening',
  CLOSE: 'reset',
  ESTABLISHED: 'established',
  FIN_WAIT: 'established',
  TIME_WAIT: 'established',
  CLOSE_WAIT: 'established',
  LAST_ACK: 'established',
};

/** The connections of `conns` by the probe of the member they go to (members whose check has an in-band rule). */
export function sightingsByProbe(watch: Watch, conns: readonly IpvsConnection[]): Map<string, ConnSighting[]> {
  const probeOf = new Map<string, string>();
  for (const pool of watch.pools) {
    for (const m of pool.members) {
      if (m.probe === undefined || !watch.probes.get(m.probe)?.check.inBand) continue;
      const vip = pool.id.protocol === 'fwmark' ? '' : `${pool.id.address}:${pool.id.port}`;
      probeOf.set(`${vip} ${m.destination.address}:${m.destination.port}`, m.probe);
    }
  }
  const out = new Map<string, ConnSighting[]>();
  for (const c of conns) {
    const phase = c.state === null ? undefined : PHASES[c.state];
    if (phase === undefined) continue;
    const dest = `${c.destination.address}:${c.destination.port}`;
    const probe = probeOf.get(`${c.virtual.address}:${c.virtual.port} ${dest}`) ?? probeOf.get(` ${dest}`);
    if (probe === undefined) continue;
    const key = `${c.client.address}:${c.client.port} ${c.virtual.address}:${c.virtual.port}`;
    const list = out.get(probe);
    if (list) list.push({ key, phase });
    else out.set(probe, [{ key, phase }]);
  }
  return out;
}

/** Reads and parses the director's connection table. */
export async function readConnections(host: Host): Promise<IpvsConnection[]> {
  return parseIpvsConnections((await host.read(IPVS_CONN_TABLE))?.content ?? '');
}
