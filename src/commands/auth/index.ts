/** Registers the `yotta auth` command group: one file per verb beside this one. */
import type { Command } from 'commander';
import type { Context } from '../../context.js';
import { registerLogin } from './login.js';
import { registerStatus } from './status.js';
import { registerLogout } from './logout.js';

/** Adds `auth login|status|logout`. */
export function registerAuthCommands(program: Command, ctx: Context): void {
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
  registerLogin(group, ctx);
  registerStatus(group, ctx);
  registerLogout(group, ctx);
}
