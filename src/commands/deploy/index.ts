/** Registers the `yotta deploy` command group: one file per verb beside this one, each imported only when needed. */
import type { Command } from 'commander';
import type { Context } from '../../context.js';
import type { LazyCommand, WantedCommands } from '../registry.js';
import { registerLazily } from '../registry.js';

/** The verbs, in the order help lists them. */
export const DEPLOY_VERBS: readonly LazyCommand[] = [
  { names: ['init'], load: async () => (await import('./init.js')).registerInit },
  { names: ['create'], load: async () => (await import('./create.js')).registerCreate },
  { names: ['list', 'ls'], load: async () => (await import('./list.js')).registerList },
  { names: ['get'], load: async () => (await import('./get.js')).registerGet },
  { names: ['update'], load: async () => (await import('./update.js')).registerUpdate },
  { names: ['start'], load: async () => (await import('./start.js')).registerStart },
  { names: ['stop'], load: async () => (await import('./stop.js')).registerStop },
  { names: ['delete', 'rm'], load: async () => (await import('./delete.js')).registerDelete },
  { names: ['scale'], load: async () => (await import('./scale.js')).registerScale },
  { names: ['workers'], load: async () => (await import('./workers.js')).registerWorkers },
  { names: ['logs'], load: async () => (await import('./logs.js')).registerLogs },
  { names: ['wait'], load: async () => (await import('./wait.js')).registerWait },
  { names: ['apply'], load: async () => (await import('./apply.js')).registerApply },
  { names: ['diff'], load: async () => (await import('./diff.js')).registerDiff },
  { names: ['call'], load: async () => (await import('./call.js')).registerCall },
];

/** Adds `deploy` and, of its verbs, those `words` asks for (see WantedCommands). */
export async function registerDeployCommands(program: Command, ctx: Context, words: WantedCommands): Promise<void> {
  const group = program
    .command('deploy')
    .description('create, list, change and remove Elastic Deployments')
    .addHelpCommand(false)
    .addHelpText(
      'after',
      `
Examples:
  $ yotta deploy create -f deploy.yaml --wait
  $ yotta deploy list --status running,initializing
  $ yotta deploy scale llama-3-8b 4
  $ yotta deploy list --json | jq -r '.[] | select(.status == "RUNNING") | .id'`,
    );
  await registerLazily(group, ctx, DEPLOY_VERBS, words);
}
