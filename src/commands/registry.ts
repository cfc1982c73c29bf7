/**
 * How commands are registered: lazily, each imported only when the command line needs it. main() reads the words that name
 * the command being run (`deploy`, `list`) and registers just that branch of the tree: a command's
 * code, and everything it imports, is loaded only to run it or to show it in help. Where the words
 * name no command of a level (no command, an unknown word, `yotta deploy --help`), every command
 * of that level is registered, so help listings and "did you mean" suggestions see them all, but
 * without their own subcommands, which neither needs: `yotta --help` loads no deploy verb.
 */
import type { Command } from 'commander';
import type { Context } from '../context.js';

/**
 * Which subcommands a command registers below itself: given the words of the command line that
 * follow it, the one they name (with the words after it) or, when they name none, every one
 * without theirs; null, none; undefined, the whole tree (completion scripts, tests).
 */
export type WantedCommands = readonly string[] | null | undefined;

/** Adds a command (a group: with the verbs `words` call for) to `parent`. */
export type Register = (parent: Command, ctx: Context, words: WantedCommands) => void | Promise<void>;

/** A command as its parent lists it: the name and aliases it registers, and how to load it. */
export interface LazyCommand {
  /** The command's name, then its aliases: exactly what its Register gives commander (a test checks). */
  names: readonly string[];
  load: () => Promise<Register>;
}

/**
 * Registers, of `entries` (the subcommands of `parent`), what `words` asks for (see WantedCommands). Several
 * are registered in the order of `entries`, the order help lists them in.
 */
export async function registerLazily(parent: Command, ctx: Context, entries: readonly LazyCommand[], words: WantedCommands): Promise<void> {
  if (words === null) return;
  const named = words === undefined ? undefined : entries.find((e) => e.names.includes(words[0] ?? ''));
  const chosen = named ? [named] : entries;
  const below: WantedCommands = words === undefined ? undefined : named ? words.slice(1) : null;
  const registers = await Promise.all(chosen.map((e) => e.load()));
  for (const register of registers) await register(parent, ctx, below);
}

