/** `yotta credential list`: the account's registry credentials. */
import type { Command } from 'commander';
import type { Context } from '../../context.js';
import type { GlobalOptions } from '../../globals.js';
import { globalsOf } from '../../globals.js';
import { createUi } from '../../output/ui.js';
import { withSession } from '../../session.js';
import { listCredentials } from '../../api/credentials.js';
import { printCredentials } from '../../output/credentials.js';

/** Options of `credential list`. */
export interface CredentialListOptions {
  /** false with --no-headers: table rows only. */
  headers: boolean;
  /** The global flags. */
  g: GlobalOptions;
}

/** Adds `credential list` to the group. */
export function registerCredentialList(group: Command, ctx: Context): void {
  group
    .command('list')
    .alias('ls')
    .summary('list registry credentials')
    .description(
      'List the registry credentials of the account: ID, NAME, TYPE, CREATED. --json prints the API\'s data ' +
        '(ids as strings); -o id prints one id per line. Passwords are never shown: the API does not return them.',
    )
    .option('--no-headers', 'leave out the header line of the table (for scripts that cut columns)')
    .addHelpText(
      'after',
      `
Examples:
  $ yotta --sandbox credential list
  $ yotta --sandbox credential list --no-headers
  $ yotta --sandbox credential list -o id
  $ yotta --sandbox credential list --json`,
    )
    .action(async (opts: { headers: boolean }, command: Command) => {
      await runCredentialList({ headers: opts.headers, g: globalsOf(command) }, ctx);
    });
}

/** Lists credentials with one call and prints them. */
export async function runCredentialList(opts: CredentialListOptions, ctx: Context): Promise<void> {
  const ui = createUi(ctx, opts.g);
  const list = await withSession(ctx, opts.g, ui, async (session) => {
    const spinner = ui.spinner('Listing credentials…');
    try {
      return await listCredentials(session.client);
    } finally {
      spinner.stop();
    }
  });
  await printCredentials(ui, list, { headers: opts.headers });
}
