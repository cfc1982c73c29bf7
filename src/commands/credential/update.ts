/** `yotta credential update`: renames a credential, or changes its user name or password. */
import type { Command } from 'commander';
import type { Context } from '../../context.js';
import type { GlobalOptions } from '../../globals.js';
import { globalsOf } from '../../globals.js';
import { UsageError } from '../../errors.js';
import { createUi } from '../../output/ui.js';
import { withSession } from '../../session.js';
import type { UpdateCredentialRequest } from '../../api/credentials.js';
import { updateCredential } from '../../api/credentials.js';
import { printCredential } from '../../output/credentials.js';
import { describeRef } from '../../output/format.js';
import { checkCredentialRef, resolveCredentialId } from '../../services/credentials.js';
import { checkCredentialName, checkUsername, explainCredentialNotFound, explainUnknownOutcome, readPassword } from './common.js';

/** Options of `credential update`. */
export interface CredentialUpdateOptions {
  /** Credential id or name, as typed. */
  ref: string;
  /** `--name`: the new name. */
  name?: string;
  /** `--username`: the new user name. */
  username?: string;
  /** Read a new password from all of stdin (a hidden prompt when stdin is a terminal). */
  passwordStdin?: boolean;
  /** The global flags. */
  g: GlobalOptions;
}

/** Adds `credential update` to the group. */
export function registerCredentialUpdate(group: Command, ctx: Context): void {
  group
    .command('update')
    .summary('rename a credential or change its user name or password')
    .description(
      'Change a registry credential: any of its name, user name and password; what is not given stays. ' +
        'A new password is read from standard input with --password-stdin (asked for with hidden input when ' +
        'standard input is a terminal); it is never printed. Deployments using the credential keep using it by id.',
    )
    .argument('<id|name>', 'credential id (digits) or exact name')
    .option('--name <name>', 'the new name')
    .option('--username <user>', 'the new user name')
    .option('--password-stdin', 'read the new password from standard input (all of it; one trailing newline dropped)')
    .addHelpText(
      'after',
      `
Examples:
  $ yotta --sandbox credential update acme-registry --password-stdin < new-token.txt
  $ yotta --sandbox credential update acme-registry --name acme-prod --username deploy-bot`,
    )
    .action(async (ref: string, o: { name?: string; username?: string; passwordStdin?: boolean }, command: Command) => {
      await runCredentialUpdate({ ref, name: o.name, username: o.username, passwordStdin: o.passwordStdin, g: globalsOf(command) }, ctx);
    });
}

/** Checks the flags, reads a new password if asked, resolves the reference and sends one PATCH with what changes. */
export async function runCredentialUpdate(opts: CredentialUpdateOptions, ctx: Context): Promise<void> {
  const ref = checkCredentialRef(opts.ref);
  const body: UpdateCredentialRequest = {};
  if (opts.name !== undefined) body.name = checkCredentialName(opts.name, '--name');
  if (opts.username !== undefined) body.username = checkUsername(opts.username);
  if (body.name === undefined && body.username === undefined && !opts.passwordStdin) {
    throw new UsageError('nothing to update: give --name, --username or --password-stdin', 'See `yotta credential update --help`.');
  }
  const ui = createUi(ctx, opts.g);
  if (opts.passwordStdin) body.password = await readPassword(ctx, ui, true);

  const updated = await withSession(ctx, opts.g, ui, async (session) => {
    let id = ref;
    const spinner = ui.spinner(`Updating credential ${ref}…`);
    try {
      id = await resolveCredentialId(session.client, ref);
      return await updateCredential(session.client, id, body);
    } catch (err) {
      throw explainUnknownOutcome(explainCredentialNotFound(err, ref), `yotta credential get ${id}`);
    } finally {
      spinner.stop();
    }
  });
  await printCredential(ui, updated);
  ui.next(`Updated credential ${describeRef(updated.id, updated.name)}.`, 'yotta credential list');
}
