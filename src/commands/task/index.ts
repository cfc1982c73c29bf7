/** Registers the `yotta task` command group (tasks of QUEUE deployments): one file per verb beside this one, each imported only when needed. */
import type { Command } from 'commander';
import type { Context } from '../../context.js';
import type { LazyCommand, WantedCommands } from '../registry.js';
import { registerLazily } from '../registry.js';

/** The verbs, in the order help lists them. */
export const TASK_VERBS: readonly LazyCommand[] = [
  { names: ['submit'], load: async () => (await import('./submit.js')).registerSubmit },
  { names: ['get'], load: async () => (await import('./get.js')).registerTaskGet },
  { names: ['list', 'ls'], load: async () => (await import('./list.js')).registerTaskList },
  { names: ['count'], load: async () => (await import('./count.js')).registerTaskCount },
  { names: ['wait'], load: async () => (await import('./wait.js')).registerTaskWait },
];

/** Adds `task` and, of its verbs, those `words` asks for (see WantedCommands). */
export async function registerTaskCommands(program: Command, ctx: Context, words: WantedCommands): Promise<void> {
  const group = program
    .command('task')
    .description('submit tasks to QUEUE deployments, follow them and read their results')
    .helpCommand(false)
    .addHelpText(
      'after',
      `
Examples:
  $ yotta task submit my-queue -d '{"prompt": "Hello"}' --path /v1/completions --wait
  $ yotta task count my-queue --watch
  $ yotta task list my-queue --status failed`,
    );
  await registerLazily(group, ctx, TASK_VERBS, words);
}
