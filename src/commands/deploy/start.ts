/** `yotta deploy start <id|name>... | --all`: starts one or several stopped deployments. */
import type { Command } from 'commander';
import type { Context } from '../../context.js';
import { globalsOf } from '../../main.js';
import type { StartStopOptions } from './actions.js';
import { collect } from './common.js';
import { addWaitFlags } from './waiting.js';

/** Options of `deploy start`. */
export type StartOptions = StartStopOptions;

/** Adds `deploy start` to the deploy group. */
export function registerStart(group: Command, ctx: Context): void {
  const cmd = group
    .command('start')
    .summary('start one or several stopped deployments')
    .description(
      'Start one or several stopped deployments, named or chosen with --all (and --status). Each is reported; ' +
        'one that fails does not stop the others (exit 10 when some failed). A deployment already RUNNING or ' +
        'INITIALIZING is left alone. --all asks first on a terminal, naming every deployment; without one ' +
        '(or with --no-input) it needs --yes.',
    )
    .argument('[id|name...]', 'deployment ids or names (or --all)')
    .option('--all', 'start every deployment, or with --status every one in those statuses (asks first)')
    .option('-s, --status <status>', 'with --all: only deployments in this status, e.g. stopped (repeatable, comma-separated, any case)', collect)
    .option('-y, --yes', 'with --all: start without asking (needed without a terminal or with --no-input)');
  addWaitFlags(cmd, 'each deployment is RUNNING with all its workers up')
    .addHelpText(
      'after',
      `
Examples:
  $ yotta deploy start llama-3-8b
  $ yotta deploy start 378888638324150969 378888638324150970 --wait
  $ yotta deploy start llama-3-8b --wait --wait-timeout 20m --json
  $ yotta deploy start --all --status stopped --yes`,
    )
    .action(
      async (
        refs: string[],
        o: { all?: boolean; status?: string[]; yes?: boolean; wait?: boolean; waitTimeout?: number },
        command: Command,
      ) => {
        await runStart(
          {
            refs,
            all: o.all,
            status: o.status,
            yes: o.yes,
            wait: o.wait === true || o.waitTimeout !== undefined,
            waitTimeout: o.waitTimeout,
            g: globalsOf(command),
          },
          ctx,
        );
      },
    );
}

/** Starts each deployment, optionally waiting until it runs; see runStartStop. */
export async function runStart(opts: StartOptions, ctx: Context): Promise<void> {
  const { runStartStop } = await import('./actions.js');
  await runStartStop('start', opts, ctx);
}
