/** Registers the `yotta credential` command group: one file per verb beside this one, each imported only when needed. */
import type { Command } from 'commander';
import type { Context } from '../../context.js';
import type { LazyCommand, WantedCommands } from '../registry.js';
import { registerLazily } from '../registry.js';

/** The verbs, in the order help lists them. */
export const CREDENTIAL_VERBS: readonly LazyCommand[] = [
  { names: ['list', 'ls'], load: async () => (await import('./list.js')).registerCredentialList },
  { names: ['get'], load: async () => (await import('./get.js')).registerCredentialGet },
  { names: ['create'], load: async () => (await import('./create.js')).registerCredentialCreate },
  { names: ['update'], load: async () => (await import('./update.js')).registerCredentialUpdate },
  { names: ['delete', 'rm'], load: async () => (await import('./delete.js')).registerCredentialDelete },
];

/** Adds `credential` and, of its verbs, those `words` asks for (see WantedCommands). */
export async function registerCredentialCommands(program: Command, ctx: Context, words: WantedCommands): Promise<void> {
  const group = program
    .command('credential')
    .summary('registry credentials for private images')
    .description(
      'See, create, change and remove the registry credentials that deployments of private images use. ' +
        'A spec names one with `credential: <name>` (or `credentialId`), and create/update take --credential NAME|ID. ' +
        'The password is read from standard input (--password-stdin) or asked for on a terminal, never taken from a flag, and never shown.',
    )
    .addHelpCommand(false)
    .addHelpText(
      'after',
      `
Examples:
  $ yotta --sandbox credential create acme-registry --type PRIVATE --username robot --password-stdin < token.txt
  $ yotta --sandbox credential list
  $ yotta --sandbox deploy create -f deploy.example.yaml --credential acme-registry --dry-run
  $ yotta --sandbox credential delete acme-registry --yes`,
    );
  await registerLazily(group, ctx, CREDENTIAL_VERBS, words);
}
