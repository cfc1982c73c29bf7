/** `yotta credential get`: one registry credential (never its password: the API does not return it). */
import type { Command } from 'commander';
import type { Context } from '../../context.js';
import type { GlobalOptions } from '../../globals.js';
import { globalsOf } from '../../globals.js';
import { createUi } from '../../output/ui.js';
import { withSession } from '../../session.js';
import { getCredential } from '../../api/credentials.js';
import { printCredential } from '../../output/credentials.js';
import { checkCredentialRef, resolveCredentialId } from '../../services/credentials.js';
import { explainCredentialNotFound } from './common.js';

/** Options of `credential get`. */
export interface CredentialGetOptions {
  /** Credential id or name, as typed. */
  ref: string;
  /** The global flags. */
  g: GlobalOptions;
}

/** Adds `credential get` to the group. */
export function registerCredentialGet(group: Command, ctx: Context): void {
  group
    .command('get')
    .summary('show one registry credential')
    .description("Show one registry credential: id, name, type, when it was created. --json prints the API's data exactly.")
    .argument('<id|name>', 'credential id (digits) or exact name')
    .addHelpText(
      'after',
      `
Examples:
  $ yotta --sandbox credential get acme-registry
  $ yotta --sandbox credential get acme-registry --json
  $ yotta --sandbox credential get acme-registry -o id`,
    )
    .action(async (ref: string, _opts: unknown, command: Command) => {
      await runCredentialGet({ ref, g: globalsOf(command) }, ctx);
    });
}

/** Resolves the reference (one list call for a name) and reads the credential. */
export async function runCredentialGet(opts: CredentialGetOptions, ctx: Context): Promise<void> {
  const ref = checkCredentialRef(opts.ref);
  const ui = createUi(ctx, opts.g);
  const credential = await withSession(ctx, opts.g, ui, async (session) => {
    const spinner = ui.spinner(`Getting ${ref}…`);
    try {
      return await getCredential(session.client, await resolveCredentialId(session.client, ref));
    } catch (err) {
      throw explainCredentialNotFound(err, ref);
    } finally {
      spinner.stop();
    }
  });
  await printCredential(ui, credential);
}
