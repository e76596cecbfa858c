// Renders /etc/frr/daemons in the layout of the file Debian 12's frr 8.4 package installs: one `name=yes|no` line
// per daemon, vtysh_enable, the per-daemon option lines with Debian's defaults, and the watchfrr options.
import { fileText } from './ospf-common.js';

// Every daemon of the package's file, in its order, with Debian's default options. zebra and staticd run whatever
// the file says (frrcommon.sh), so, as in the package, they have an options line but no switch.
const DAEMONS: ReadonlyArray<{ name: string; options: string; switch: boolean }> = [
  { name: 'zebra', options: '  -A 127.0.0.1 -s 90000000', switch: false },
  { name: 'bgpd', options: '   -A 127.0.0.1', switch: true },
  { name: 'ospfd', options: '  -A 127.0.0.1', switch: true },
  { name: 'ospf6d', options: ' -A ::1', switch: true },
  { name: 'ripd', options: '   -A 127.0.0.1', switch: true },
  { name: 'ripngd', options: ' -A ::1', switch: true },
  { name: 'isisd', options: '  -A 127.0.0.1', switch: true },
  { name: 'pimd', options: '   -A 127.0.0.1', switch: true },
  { name: 'pim6d', options: '  -A ::1', switch: true },
  { name: 'ldpd', options: '   -A 127.0.0.1', switch: true },
  { name: 'nhrpd', options: '  -A 127.0.0.1', switch: true },
  { name: 'eigrpd', options: ' -A 127.0.0.1', switch: true },
  { name: 'babeld', options: ' -A 127.0.0.1', switch: true },
  { name: 'sharpd', options: ' -A 127.0.0.1', switch: true },
  { name: 'pbrd', options: '   -A 127.0.0.1', switch: true },
  { name: 'staticd', options: '-A 127.0.0.1', switch: false },
  { name: 'bfdd', options: '   -A 127.0.0.1', switch: true },
  { name: 'fabricd', options: '-A 127.0.0.1', switch: true },
  { name: 'vrrpd', options: '  -A 127.0.0.1', switch: true },
  { name: 'pathd', options: '  -A 127.0.0.1', switch: true },
];

/** Renders /etc/frr/daemons with exactly the daemons in `enabled` switched on (zebra and staticd always run). */
export function renderFrrDaemons(enabled: ReadonlySet<string>): string {
  const switches = DAEMONS.filter((d) => d.switch).map((d) => `${d.name}=${enabled.has(d.name) ? 'yes' : 'no'}`);
  const options = DAEMONS.map((d) => `${d.name}_options="${d.options}"`);
  return fileText('#', [
    '#',
    '# Which FRR daemons /usr/lib/frr/frrinit.sh starts, and their options.',
    '# The watchfrr, zebra and staticd daemons are always started.',
    '#',
    ...switches,
    '',
    '#',
    '# If this option is set the /etc/init.d/frr script automatically loads',
    '# the config via "vtysh -b" when the servers are started.',
    '#',
    'vtysh_enable=yes',
    ...options,
    '',
    '#',
    '# Options watchfrr gets before the daemon list (e.g. "--netns" in',
    '# /etc/frr/<somename>/daemons, started with "frrinit.sh start <somename>").',
    '#',
    'watchfrr_options=""',
    '',
    '# configuration profile',
    '#',
    '#frr_profile="traditional"',
    '#frr_profile="datacenter"',
  ]);
}
