// `lbctl man`: the lbctl(1) manual page in roff, generated from the command tree so it never drifts from --help.
import { allCommands, type CommandNode, type OptionNode } from './command-tree.js';
import { EXIT } from './exit-codes.js';

/** `s` as roff text: backslashes escaped, and a line never starts with a control character. */
const roff = (s: string) =>
  s
    .replaceAll('\\', '\\e')
    .split('\n')
    .map((l) => (/^[.']/.test(l) ? `\\&${l}` : l))
    .join('\n');

/** `s` as roff text in which hyphens are real minus signs (options, commands to type). */
const literal = (s: string) => roff(s).replaceAll('-', '\\-');

/** An option as a tagged paragraph: its flags, its description and the values it accepts. */
const option = (o: OptionNode) => [
  '.TP',
  `.B ${literal(o.flags)}`,
  roff(o.value.kind === 'choices' ? `${o.description}: ${o.value.words.join(', ')}` : o.description),
];

/** The manual page of `root` (its program name, version and date in the title line). */
export function manPage(root: CommandNode, version: string, date: string): string {
  const name = root.path[0]!;
  const section = (c: CommandNode) => [
    `.SS ${literal(c.path.slice(1).join(' '))}`,
    `.B ${literal(c.path.join(' '))}`,
    literal(c.usage),
    '.PP',
    roff(c.description),
    ...c.options.flatMap(option),
  ];
  const [, ...commands] = allCommands(root);
  return [
    `.TH ${name.toUpperCase()} 1 "${date}" "${name} ${version}" "User Commands"`,
    '.SH NAME',
    `${name} \\- ${roff(root.description)}`,
    '.SH SYNOPSIS',
    `.B ${name}`,
    literal(root.usage),
    '.SH OPTIONS',
    ...root.options.flatMap(option),
    '.SH COMMANDS',
    ...commands.filter((c) => c.path[1] !== 'help').flatMap(section),
    '.SH ENVIRONMENT',
    '.TP',
    '.B NO_COLOR',
    'set (to anything): no colour in plans.',
    '.TP',
    '.B FORCE_COLOR',
    'colour in plans even when the output is not a terminal (0 turns colour off).',
    '.TP',
    '.B LBCTL_LAB',
    'the lab name of the lab commands (default of \\-\\-name).',
    '.SH EXIT STATUS',
    ...Object.entries(EXIT)
      .sort(([, a], [, b]) => a - b)
      .flatMap(([what, code]) => ['.TP', `.B ${code}`, roff(what.replace(/[A-Z]/g, (c) => ` ${c.toLowerCase()}`))]),
    '.SH SEE ALSO',
    '.BR ipvsadm (8),',
    '.BR ip (8),',
    '.BR systemd.service (5)',
    '',
  ].join('\n');
}
