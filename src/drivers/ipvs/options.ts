// The option grammar of ipvsadm rule lines (-A/-a), as `ipvsadm-save -n` prints them and ipvsadm-restore reads them.

/** Canonical name of an option, whichever spelling (short or long) the line used. */
export type IpvsOption =
  | 'tcp'
  | 'udp'
  | 'sctp'
  | 'fwmark'
  | 'ipv6'
  | 'scheduler'
  | 'persistent'
  | 'netmask'
  | 'pe'
  | 'ops'
  | 'flags'
  | 'real'
  | 'gate'
  | 'ipip'
  | 'masq'
  | 'weight'
  | 'upper'
  | 'lower'
  | 'tunType'
  | 'tunPort'
  | 'tunNocsum'
  | 'tunCsum'
  | 'tunRemcsum';

/** The two commands an ipvsadm-save dump consists of. */
export type IpvsCommand = 'service' | 'server';

/** Whether an option takes no value, a value, or (only -p) an optional value. */
type Arity = 'flag' | 'value' | 'optional';

const SPELLINGS: ReadonlyArray<[IpvsOption, Arity, ...string[]]> = [
  ['tcp', 'value', '-t', '--tcp-service'],
  ['udp', 'value', '-u', '--udp-service'],
  ['sctp', 'value', '--sctp-service'],
  ['fwmark', 'value', '-f', '--fwmark-service'],
  ['ipv6', 'flag', '-6', '--ipv6'],
  ['scheduler', 'value', '-s', '--scheduler'],
  ['persistent', 'optional', '-p', '--persistent'],
  ['netmask', 'value', '-M', '--netmask'],
  ['pe', 'value', '--pe'],
  ['ops', 'flag', '-o', '--ops'],
  ['flags', 'value', '-b', '--sched-flags'],
  ['real', 'value', '-r', '--real-server'],
  ['gate', 'flag', '-g', '--gatewaying'],
  ['ipip', 'flag', '-i', '--ipip'],
  ['masq', 'flag', '-m', '--masquerading'],
  ['weight', 'value', '-w', '--weight'],
  ['upper', 'value', '-x', '--u-threshold'],
  ['lower', 'value', '-y', '--l-threshold'],
  ['tunType', 'value', '--tun-type'],
  ['tunPort', 'value', '--tun-port'],
  ['tunNocsum', 'flag', '--tun-nocsum'],
  ['tunCsum', 'flag', '--tun-csum'],
  ['tunRemcsum', 'flag', '--tun-remcsum'],
];

const BY_SPELLING = new Map<string, { option: IpvsOption; arity: Arity }>(
  SPELLINGS.flatMap(([option, arity, ...spellings]) =>
    spellings.map((s): [string, { option: IpvsOption; arity: Arity }] => [s, { option, arity }]),
  ),
);

const SERVICE_ID: IpvsOption[] = ['tcp', 'udp', 'sctp', 'fwmark', 'ipv6'];

/** Options each command accepts. */
const ALLOWED: Record<IpvsCommand, ReadonlySet<IpvsOption>> = {
  service: new Set([...SERVICE_ID, 'scheduler', 'persistent', 'netmask', 'pe', 'ops', 'flags']),
  server: new Set([
    ...SERVICE_ID,
    'real',
    'gate',
    'ipip',
    'masq',
    'weight',
    'upper',
    'lower',
    'tunType',
    'tunPort',
    'tunNocsum',
    'tunCsum',
    'tunRemcsum',
  ]),
};

const COMMANDS = new Map<string, IpvsCommand>([
  ['-A', 'service'],
  ['--add-service', 'service'],
  ['-a', 'server'],
  ['--add-server', 'server'],
]);

/** Whitespace other than a plain space (tabs, CR, Unicode spaces): what makes a line need the general split. */
const OTHER_SPACE = /[^\S ]/;

/** A rule line's options by name (absent: not given); flags map to "", a bare -p to "". */
export type IpvsOptions = Partial<Record<IpvsOption, string>>;

/** One rule line split into its command and options. */
export interface IpvsRuleLine {
  command: IpvsCommand;
  options: IpvsOptions;
}

/** Splits one rule line into its command and options; calls `fail` (which throws) on anything unknown. */
export function tokenizeRule(line: string, fail: (reason: string) => never): IpvsRuleLine {
  // Saved tables separate words by one space: split on it, and only for other spacing take the general pattern.
  let tokens = line.split(' ');
  if (tokens.includes('') || OTHER_SPACE.test(line)) tokens = line.trim().split(/\s+/);
  const command = COMMANDS.get(tokens[0] ?? '');
  if (command === undefined) fail(`unknown command ${JSON.stringify(tokens[0])} (expected -A or -a)`);
  const options: IpvsOptions = {};
  for (let i = 1; i < tokens.length; i++) {
    const token = tokens[i] ?? '';
    const spec = BY_SPELLING.get(token);
    if (spec === undefined || !ALLOWED[command].has(spec.option)) fail(`unexpected ${JSON.stringify(token)}`);
    if (options[spec.option] !== undefined) fail(`${token} given twice`);
    const next = tokens[i + 1];
    const takes = spec.arity === 'value' || (spec.arity === 'optional' && next !== undefined && !next.startsWith('-'));
    if (takes && next === undefined) fail(`${token} needs a value`);
    options[spec.option] = takes ? (next ?? '') : '';
    if (takes) i++;
  }
  return { command, options };
}
