/** `yotta deploy stop <id|name>... | --all`: stops one or several deployments (their workers are released). */
import type { Command } from 'commander';
import type { Context } from '../../context.js';
import { globalsOf } from '../../main.js';
import type { StartStopOptions } from './actions.js';
import { collect } from './common.js';
import { addWaitFlags } from './waiting.js';

/** Options of `deploy stop`. */
export type StopOptions = StartStopOptions;

/** Adds `deploy stop` to the deploy group. */
export function registerStop(group: Command, ctx: Context): void {
  const cmd = group
    .command('stop')
    .summary('stop one or several deployments')
    .description(
      'Stop one or several deployments, named or chosen with --all (and --status), releasing their workers ' +
        '(billing stops with them). Each is reported; one that fails does not stop the others (exit 10 when some ' +
        'failed). A deployment already STOPPED or STOPPING is left alone. --all asks first on a terminal, naming ' +
        'every deployment; without one (or with --no-input) it needs --yes.',
    )
    .argument('[id|name...]', 'deployment ids or names (or --all)')
    .option('--all', 'stop every deployment, or with --status every one in those statuses (asks first)')
    .option('-s, --status <status>', 'with --all: only deployments in this status, e.g. running (repeatable, comma-separated, any case)', collect)
    .option('-y, --yes', 'with --all: stop without asking (needed without a terminal or with --no-input)');
  addWaitFlags(cmd, 'each deployment is STOPPED')
    .addHelpText(
      'after',
      `
Examples:
  $ yotta deploy stop llama-3-8b
  $ yotta deploy stop 378888638324150969 378888638324150970 --wait
  $ yotta deploy stop llama-3-8b --json | jq -r ".[].status"
  $ yotta deploy stop --all --status running,initializing --yes`,
    )
    .action(
      async (
        refs: string[],
        o: { all?: boolean; status?: string[]; yes?: boolean; wait?: boolean; waitTimeout?: number },
        command: Command,
      ) => {
        await runStop(
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

/** Stops each deployment, optionally waiting until it is STOPPED; see runStartStop. */
export async function runStop(opts: StopOptions, ctx: Context): Promise<void> {
  const { runStartStop } = await import('./actions.js');
  await runStartStop('stop', opts, ctx);
}
