// The command line as data, read from commander's definitions: what completion scripts and the manual page are made of.
import type { Command } from 'commander';

/** What an option's value is, for completion: one of fixed words, a host of the topology, a path (`<file>`, `<dir>`), or other text. */
export type OptionValue =
  { kind: 'none' } | { kind: 'choices'; words: readonly string[] } | { kind: 'host' } | { kind: 'path' } | { kind: 'text' };

/** One visible option of a command. */
export interface OptionNode {
  /** Its names as typed: `-h`, `--help`. */
  names: string[];
  /** Its flags as help shows them: `--host <name>`. */
  flags: string;
  description: string;
  value: OptionValue;
}

/** One command (the root, a command, or a subcommand), its visible options and subcommands. */
export interface CommandNode {
  /** Words from the program name to this command: `['lbctl', 'lab', 'plan']`. */
  path: string[];
  /** Usage after the path: `[options] <file>`. */
  usage: string;
  description: string;
  options: OptionNode[];
  subcommands: CommandNode[];
  /** True when a positional argument is a file (named file, files or dir); completion then offers paths. */
  takesFile: boolean;
  /** Words a positional argument may be: its choices (`completion <shell>`), or for `help` the commands beside it. */
  argumentWords: string[];
}

/** The tree of `cmd` and its visible subcommands, as `--help` shows them. */
export function commandTree(cmd: Command, parent: string[] = [], siblings: string[] = []): CommandNode {
  const help = cmd.createHelp();
  const subcommands = help.visibleCommands(cmd);
  const path = [...parent, cmd.name()];
  return {
    path,
    usage: cmd.usage(),
    description: cmd.description(),
    options: help.visibleOptions(cmd).map((o) => ({
      names: [o.short, o.long].filter((n): n is string => n !== undefined),
      flags: o.flags,
      description: o.description,
      value:
        !o.required && !o.optional
          ? { kind: 'none' }
          : o.argChoices
            ? { kind: 'choices', words: o.argChoices }
            : o.long === '--host' || o.long === '--canary'
              ? { kind: 'host' }
              : /<(file|dir|path)>/.test(o.flags)
                ? { kind: 'path' }
                : { kind: 'text' },
    })),
    subcommands: subcommands.map((c) =>
      commandTree(
        c,
        path,
        subcommands.map((s) => s.name()).filter((n) => n !== 'help'),
      ),
    ),
    takesFile: cmd.registeredArguments.some((a) => /^(file|dir)/.test(a.name())),
    argumentWords: cmd.name() === 'help' ? siblings : cmd.registeredArguments.flatMap((a) => a.argChoices ?? []),
  };
}

/** Every command of the tree, the root first, each before its subcommands. */
export function allCommands(root: CommandNode): CommandNode[] {
  return [root, ...root.subcommands.flatMap(allCommands)];
}
