/** `yotta credential create`: stores a registry credential; the password comes from stdin or a hidden prompt. */
import type { Command } from 'commander';
import type { Context } from '../../context.js';
import type { GlobalOptions } from '../../globals.js';
import { globalsOf } from '../../globals.js';
import { UsageError } from '../../errors.js';
import { createUi } from '../../output/ui.js';
import { withSession } from '../../session.js';
import { CREDENTIAL_TYPES, createCredential } from '../../api/credentials.js';
import { printCredential } from '../../output/credentials.js';
import { describeRef } from '../../output/format.js';
import { checkCredentialName, checkUsername, explainUnknownOutcome, parseCredentialType, readPassword } from './common.js';

/** Options of `credential create`. */
export interface CredentialCreateOptions {
  /** The new credential's name, as typed. */
  name: string;
  /** `--type`, any case. */
  type?: string;
  /** `--username`. */
  username?: string;
  /** Read the password from all of stdin. */
  passwordStdin?: boolean;
  /** The global flags. */
  g: GlobalOptions;
}

/** Adds `credential create` to the group. */
export function registerCredentialCreate(group: Command, ctx: Context): void {
  group
    .command('create')
    .summary('store a registry credential (password from stdin or a hidden prompt)')
    .description(
      'Store a registry credential for private images. The password (or access token, or a GCR JSON key) is ' +
        'read from standard input with --password-stdin (all of it, one trailing newline dropped), or asked for ' +
        'with hidden input on a terminal. No flag takes it, and it is never printed, logged or sent anywhere but ' +
        'the API. Prints the new credential; -o id prints only its id.',
    )
    .argument('<name>', 'name of the credential (what specs and --credential refer to)')
    .requiredOption('--type <type>', `registry type: ${CREDENTIAL_TYPES.join(', ')} (any case)`)
    .requiredOption('--username <user>', 'user name for the registry (for GCR JSON keys: _json_key)')
    .option('--password-stdin', 'read the password from standard input (all of it; one trailing newline dropped)')
    .addHelpText(
      'after',
      `
Examples:
  $ yotta --sandbox credential create acme-registry --type PRIVATE --username robot --password-stdin < token.txt
  $ printf '%s' "$REGISTRY_TOKEN" | yotta --sandbox credential create hub --type docker_hub --username me --password-stdin
  $ yotta --sandbox credential create gcr-key --type GCR --username _json_key --password-stdin < key.json -o id`,
    )
    .action(async (name: string, o: { type?: string; username?: string; passwordStdin?: boolean }, command: Command) => {
      await runCredentialCreate({ name, type: o.type, username: o.username, passwordStdin: o.passwordStdin, g: globalsOf(command) }, ctx);
    });
}

/** Checks every flag, reads the password, then sends one create; never sent twice. */
export async function runCredentialCreate(opts: CredentialCreateOptions, ctx: Context): Promise<void> {
  const name = checkCredentialName(opts.name, '<name>');
  if (opts.type === undefined) throw new UsageError('--type is required', `One of ${CREDENTIAL_TYPES.join(', ')}.`);
  if (opts.username === undefined) throw new UsageError('--username is required');
  const type = parseCredentialType(opts.type);
  const username = checkUsername(opts.username);
  const ui = createUi(ctx, opts.g);
  const password = await readPassword(ctx, ui, opts.passwordStdin === true);

  const created = await withSession(ctx, opts.g, ui, async (session) => {
    const spinner = ui.spinner(`Creating credential ${name}…`);
    try {
      return await createCredential(session.client, { name, type, username, password });
    } catch (err) {
      throw explainUnknownOutcome(err, 'yotta credential list (before creating it again)');
    } finally {
      spinner.stop();
    }
  });
  await printCredential(ui, created);
  ui.next(`Created credential ${describeRef(created.id, created.name)}.`, `yotta deploy create -f deploy.yaml --credential ${name}`);
}
