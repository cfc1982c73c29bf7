/**
 * The commands, imported only when the command line needs them. main() reads the words that name
 * the command being run (`deploy`, `list`) and registers just that branch of the tree: a command's
 * code, and everything it imports, is loaded only to run it or to show it in help. Anything else
 * (no command, an unknown word, `yotta deploy --help`) registers every command at that level, so
 * help listings and "did you mean" suggestions see them all.
 */
import type { Command } from 'commander';
import type { Context } from '../context.js';

/** Adds a command (or a group and, of its verbs, those `words` call for) to `parent`. */
export type Register = (parent: Command, ctx: Context, words: readonly string[]) => void | Promise<void>;

/** A command as its parent lists it: the name and aliases it registers, and how to load it. */
export interface LazyCommand {
  /** The command's name, then its aliases: exactly what its Register gives commander (a test checks). */
  names: readonly string[];
  load: () => Promise<Register>;
}

/**
 * Registers the entry of `entries` that `words[0]` names, passing it the words after; or, when
 * `words[0]` names none of them, every entry, in order (the order help lists them in).
 */
export async function registerLazily(parent: Command, ctx: Context, entries: readonly LazyCommand[], words: readonly string[]): Promise<void> {
  const named = entries.find((e) => e.names.includes(words[0] ?? ''));
  const chosen = named ? [named] : entries;
  const registers = await Promise.all(chosen.map((e) => e.load()));
  for (const register of registers) await register(parent, ctx, named ? words.slice(1) : []);
}

/** The top-level commands, in the order help lists them. */
export const COMMANDS: readonly LazyCommand[] = [
  { names: ['deploy'], load: async () => (await import('./deploy/index.js')).registerDeployCommands },
  { names: ['auth'], load: async () => (await import('./auth/index.js')).registerAuthCommands },
  { names: ['config'], load: async () => (await import('./config.js')).registerConfigCommands },
  { names: ['sandbox'], load: async () => (await import('./sandbox.js')).registerSandboxCommand },
  { names: ['gpus'], load: async () => (await import('./gpus.js')).registerGpus },
  { names: ['completion'], load: async () => (await import('./completion.js')).registerCompletion },
  { names: ['__complete'], load: async () => (await import('./completion.js')).registerComplete },
];
