// The reference floor of `lbctl plan` for the bench topology: a naive program doing the same work with
// no validation, no model and no report: js-yaml parse of the topology, a Map of the desired IPVS lines,
// a Map of the parsed ipvsadm-save capture, a diff. Run as a process, like lbctl, it says what the work
// itself costs on this machine, so lbctl's time can be read as a ratio to it.
//
// Usage: node floor.js TOPOLOGY.yaml IPVSADM-SAVE.txt   prints the changes, one line each ("+ RULE", "~ RULE", "- RULE"),
// as a plan must print every change it finds.
import { readFileSync } from 'node:fs';
import jsyaml from 'js-yaml';

interface FloorService {
  vip: string;
  port: number;
  protocol?: string;
  scheduler?: string;
  flags?: string[];
  persistence?: number | { timeout: number; netmask?: string };
  onePacket?: boolean;
  realServers: (string | { address: string; weight?: number })[];
}

/** Desired rules by their identity ("-A -t VIP:PORT", "-a -t VIP:PORT -r RS:PORT") → the rest of the line. */
function desiredLines(services: Record<string, FloorService>): Map<string, string> {
  const lines = new Map<string, string>();
  for (const s of Object.values(services)) {
    const sel = `${s.protocol === 'udp' ? '-u' : '-t'} ${s.vip}:${s.port}`;
    let attrs = `-s ${s.scheduler ?? 'wlc'}`;
    const p = s.persistence;
    if (p !== undefined)
      attrs += typeof p === 'number' ? ` -p ${p}` : ` -p ${p.timeout}${p.netmask === undefined ? '' : ` -M ${p.netmask}`}`;
    if (s.flags?.length) attrs += ` -b ${s.flags.join(',')}`;
    if (s.onePacket) attrs += ' -o';
    lines.set(`-A ${sel}`, attrs);
    for (const rs of s.realServers) {
      const address = typeof rs === 'string' ? rs : rs.address;
      const weight = typeof rs === 'string' ? 1 : (rs.weight ?? 1);
      lines.set(`-a ${sel} -r ${address}:${s.port}`, `-g -w ${weight}`);
    }
  }
  return lines;
}

/** The capture's rules, keyed the same way. */
function observedLines(text: string): Map<string, string> {
  const lines = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const words = line.split(' ');
    const identity = words[0] === '-A' ? 3 : 5;
    lines.set(words.slice(0, identity).join(' '), words.slice(identity).join(' '));
  }
  return lines;
}

const [topologyFile = '', saveFile = ''] = process.argv.slice(2);
const doc = jsyaml.load(readFileSync(topologyFile, 'utf8'), { schema: jsyaml.CORE_SCHEMA }) as { services: Record<string, FloorService> };
const desired = desiredLines(doc.services);
const observed = observedLines(readFileSync(saveFile, 'utf8'));
const changes: string[] = [];
for (const [key, attrs] of desired) {
  const was = observed.get(key);
  if (was !== attrs) changes.push(`${was === undefined ? '+' : '~'} ${key} ${attrs}\n`);
}
for (const key of observed.keys()) if (!desired.has(key)) changes.push(`- ${key}\n`);
process.stdout.write(changes.join(''));
