/** `yotta deploy start <id|name>...`: starts one or several stopped deployments. */
import type { Command } from 'commander';
import type { Context } from '../../context.js';
import { globalsOf } from '../../main.js';
import type { StartStopOptions } from './actions.js';
import { addWaitFlags } from './waiting.js';

/** Options of `deploy start`. */
export type StartOptions = StartStopOptions;

/** Adds `deploy start` to the deploy group. */
export function registerStart(group: Command, ctx: Context): void {
  const cmd = group
    .command('start')
    .summary('start one or several stopped deployments')
    .description(
      'Start one or several stopped deployments. Each is reported; one that fails does not stop the others ' +
        '(exit 10 when some failed). A deployment already RUNNING or INITIALIZING is left alone.',
    )
    .argument('<id|name...>', 'deployment ids or names');
  addWaitFlags(cmd, 'each deployment is RUNNING with all its workers up')
    .addHelpText(
      'after',
      `
Examples:
  $ yotta deploy start llama-3-8b
  $ yotta deploy start 378888638324150969 378888638324150970 --wait
  $ yotta deploy start llama-3-8b --wait --wait-timeout 20m --json`,
    )
    .action(async (refs: string[], o: { wait?: boolean; waitTimeout?: number }, command: Command) => {
      await runStart({ refs, wait: o.wait === true || o.waitTimeout !== undefined, waitTimeout: o.waitTimeout, g: globalsOf(command) }, ctx);
    });
}

/** Starts each deployment, optionally waiting until it runs; see runStartStop. */
export async function runStart(opts: StartOptions, ctx: Context): Promise<void> {
  const { runStartStop } = await import('./actions.js');
  await runStartStop('start', opts, ctx);
}
