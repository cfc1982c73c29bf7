/**
 * What shell completion knows about yotta, read from the commander program itself (commands,
 * aliases, options, arguments), so the generated scripts follow every new command or flag without
 * being edited. Value hints for flags and arguments that commander cannot describe (statuses, GPU
 * codes, deployment ids) are added here by flag and argument name.
 */
import type { Argument, Command, Option } from 'commander';
import { DEPLOYMENT_STATUSES, SERVICE_MODES, WORKER_STATUSES } from '../api/types.js';
import { GPU_TYPES } from '../gpus.js';
import { CONFIG_KEYS } from '../config/keys.js';

/** How the value of a flag or argument is completed. */
export type ValueHint =
  /** Free text: nothing to offer. */
  | { kind: 'none' }
  /** One of these words. */
  | { kind: 'words'; words: readonly string[] }
  /** A comma-separated list of these words (any case). */
  | { kind: 'list'; words: readonly string[] }
  /** A file path. */
  | { kind: 'files' }
  /** A deployment id or name, asked from `yotta __complete deployments`. */
  | { kind: 'deployments' }
  /** A worker id of the deployment given as the command's first argument (`yotta __complete workers <ref>`). */
  | { kind: 'workers' }
  /** A registry credential name or id, asked from `yotta __complete credentials`. */
  | { kind: 'credentials' }
  /** A task id of a recent submission, asked from `yotta __complete tasks`. */
  | { kind: 'tasks' };

/** One flag of a command. */
export interface OptionModel {
  /** `-o`, when it has a short form. */
  short?: string;
  /** `--output`, when it has a long form. */
  long?: string;
  /** The help line. */
  description: string;
  /** How its value completes; undefined for a flag that takes no value. */
  value?: ValueHint;
}

/** One positional argument of a command. */
export interface ArgumentModel {
  name: string;
  /** Takes every remaining word (`<id|name...>`). */
  variadic: boolean;
  hint: ValueHint;
}

/** One command and what is below it. */
export interface CommandModel {
  name: string;
  aliases: string[];
  /** The one-line summary. */
  description: string;
  /** Names from the program down to this command, the program excluded (`['deploy', 'list']`). */
  path: string[];
  /** Its own flags (the program's global flags are on the root only). */
  options: OptionModel[];
  args: ArgumentModel[];
  subcommands: CommandModel[];
}

/** Words that a generated script may hold unquoted: completion scripts must never run what they offer. */
export const SAFE_WORD = /^[A-Za-z0-9@%+.,:=_/-]+$/;

/** Lower-case forms, as the examples type them (`--status running`); the commands accept any case. */
const lower = (list: readonly string[]): string[] => list.map((s) => s.toLowerCase());

/** What the wait condition of `deploy wait --for` may be. */
export const WAIT_CONDITION_WORDS = ['running', 'stopped', 'deleted', 'workers='] as const;

function optionHint(cmd: Command, o: Option): ValueHint {
  if (o.argChoices && o.argChoices.length > 0) return { kind: 'words', words: o.argChoices };
  switch (o.long) {
    case '--status':
      return { kind: 'list', words: lower(cmd.name() === 'workers' ? WORKER_STATUSES : DEPLOYMENT_STATUSES) };
    case '--for':
      return { kind: 'words', words: WAIT_CONDITION_WORDS };
    case '--gpu-type':
      return { kind: 'words', words: GPU_TYPES.map((g) => g.code) };
    case '--service-mode':
      return { kind: 'words', words: SERVICE_MODES };
    case '--worker':
      return { kind: 'workers' };
    case '--credential':
    case '--credential-id':
      return { kind: 'credentials' };
  }
  // `-f, --file <path>`, `--state <file>`: the value names a file.
  return /<(path|file)>/.test(o.flags) ? { kind: 'files' } : { kind: 'none' };
}

function argumentHint(cmd: Command, a: Argument, parent: Command | undefined): ValueHint {
  if (a.argChoices && a.argChoices.length > 0) return { kind: 'words', words: a.argChoices };
  const name = a.name();
  if (/(^|\|)id(\||$)/.test(name)) return parent?.name() === 'credential' ? { kind: 'credentials' } : { kind: 'deployments' };
  if (name === 'taskId') return { kind: 'tasks' };
  if (name === 'key' && parent?.name() === 'config') return { kind: 'words', words: CONFIG_KEYS };
  // The implicit `help [command]` of a group (commander makes it without a parent): the group's other commands.
  if (cmd.name() === 'help' && name === 'command' && parent) {
    const siblings = visibleCommands(parent).filter((c) => c.name() !== 'help');
    return { kind: 'words', words: siblings.map((c) => c.name()) };
  }
  return { kind: 'none' };
}

function visibleCommands(cmd: Command): Command[] {
  return cmd.createHelp().visibleCommands(cmd);
}

function optionModel(cmd: Command, o: Option): OptionModel {
  const takesValue = o.required || o.optional;
  return {
    ...(o.short ? { short: o.short } : {}),
    ...(o.long ? { long: o.long } : {}),
    description: o.description,
    ...(takesValue ? { value: optionHint(cmd, o) } : {}),
  };
}

function firstLine(text: string): string {
  return text.split('\n')[0]!.trim();
}

function commandModel(cmd: Command, path: string[], parent?: Command): CommandModel {
  const help = cmd.createHelp();
  // Below the root, -V/--version is the program's own and not worth offering again.
  const options = help
    .visibleOptions(cmd)
    .filter((o) => path.length === 0 || o.long !== '--version')
    .map((o) => optionModel(cmd, o));
  return {
    name: cmd.name(),
    aliases: cmd.aliases(),
    description: firstLine(cmd.summary() || cmd.description()),
    path,
    options,
    args: cmd.registeredArguments.map((a) => ({ name: a.name(), variadic: a.variadic, hint: argumentHint(cmd, a, parent) })),
    subcommands: help.visibleCommands(cmd).map((c) => commandModel(c, [...path, c.name()], cmd)),
  };
}

/** Reads the completion model from a program; hidden commands and flags are left out. */
export function buildModel(program: Command): CommandModel {
  const root = commandModel(program, []);
  checkSafe(root);
  return root;
}

/** Every command below `root`, itself included, parents first. */
export function allCommands(root: CommandModel): CommandModel[] {
  return [root, ...root.subcommands.flatMap(allCommands)];
}

/** The words a hint offers, if it is a word list. */
export function hintWords(h: ValueHint): readonly string[] {
  return h.kind === 'words' || h.kind === 'list' ? h.words : [];
}

/** Names, flags and offered words end up unquoted in shell code: refuse any that could be code. */
function checkSafe(root: CommandModel): void {
  for (const c of allCommands(root)) {
    const words = [
      c.name,
      ...c.aliases,
      ...c.options.flatMap((o) => [o.short, o.long, ...(o.value ? hintWords(o.value) : [])]),
      ...c.args.flatMap((a) => hintWords(a.hint)),
    ];
    for (const w of words) {
      if (w !== undefined && !SAFE_WORD.test(w)) throw new Error(`completion: "${w}" in "${c.path.join(' ')}" is not a safe word`);
    }
  }
}
