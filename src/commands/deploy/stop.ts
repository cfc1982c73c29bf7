/** `yotta deploy stop <id|name>...`: stops one or several deployments (their workers are released). */
import type { Command } from 'commander';
import type { Context } from '../../context.js';
import { globalsOf } from '../../main.js';
import type { StartStopOptions } from './actions.js';
import { addWaitFlags } from './waiting.js';

/** Options of `deploy stop`. */
export type StopOptions = StartStopOptions;

/** Adds `deploy stop` to the deploy group. */
export function registerStop(group: Command, ctx: Context): void {
  const cmd = group
    .command('stop')
    .summary('stop one or several deployments')
    .description(
      'Stop one or several deployments, releasing their workers (billing stops with them). Each is reported; one that fails does not stop the others ' +
        '(exit 10 when some failed). A deployment already STOPPED or STOPPING is left alone.',
    )
    .argument('<id|name...>', 'deployment ids or names');
  addWaitFlags(cmd, 'each deployment is STOPPED')
    .addHelpText(
      'after',
      `
Examples:
  $ yotta deploy stop llama-3-8b
  $ yotta deploy stop 378888638324150969 378888638324150970 --wait
  $ yotta deploy stop llama-3-8b --json | jq -r ".[].status"`,
    )
    .action(async (refs: string[], o: { wait?: boolean; waitTimeout?: number }, command: Command) => {
      await runStop({ refs, wait: o.wait === true || o.waitTimeout !== undefined, waitTimeout: o.waitTimeout, g: globalsOf(command) }, ctx);
    });
}

/** Stops each deployment, optionally waiting until it is STOPPED; see runStartStop. */
export async function runStop(opts: StopOptions, ctx: Context): Promise<void> {
  const { runStartStop } = await import('./actions.js');
  await runStartStop('stop', opts, ctx);
}
