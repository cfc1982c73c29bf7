/** Registers the `yotta auth` command group: one file per verb beside this one, each imported only when needed. */
import type { Command } from 'commander';
import type { Context } from '../../context.js';
import type { LazyCommand, WantedCommands } from '../registry.js';
import { registerLazily } from '../registry.js';

/** The verbs, in the order help lists them. */
export const AUTH_VERBS: readonly LazyCommand[] = [
  { names: ['login'], load: async () => (await import('./login.js')).registerLogin },
  { names: ['status'], load: async () => (await import('./status.js')).registerStatus },
  { names: ['logout'], load: async () => (await import('./logout.js')).registerLogout },
];

/** Adds `auth` and, of login|status|logout, those `words` asks for (see WantedCommands). */
export async function registerAuthCommands(program: Command, ctx: Context, words: WantedCommands): Promise<void> {
  const group = program
    .command('auth')
    .description('store, check and remove your Yotta API key')
    .helpCommand(false)
    .addHelpText(
      'after',
      `
A key is taken from, highest first: YOTTA_API_KEY; the profile in yotta's config file
(written by \`yotta auth login\`); the section of the same name in ~/.yotta/config
(the file of Yotta's official CLI).

Examples:
  $ yotta auth login
  $ yotta auth login --with-token < key.txt
  $ yotta auth status
  $ yotta --profile staging auth logout`,
    );
  await registerLazily(group, ctx, AUTH_VERBS, words);
}
