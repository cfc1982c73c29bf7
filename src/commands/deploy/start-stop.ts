/**
 * What `deploy start` and `deploy stop` share: the same arguments and flags (only the verb and the
 * status example differ) and the same action, handing over to runStartStop. Loaded with the command
 * definitions; the runner itself (./actions.js) is still imported only when one of them runs.
 */
import type { Command } from 'commander';
import type { Context } from '../../context.js';
import { globalsOf } from '../../globals.js';
import type { StartStopOptions } from './actions.js';
import { collect } from './common.js';
import { addWaitFlags } from './waiting.js';

/** The texts that set `deploy start` and `deploy stop` apart. */
export interface StartStopCommand {
  action: 'start' | 'stop';
  summary: string;
  description: string;
  /** The status that `--status` names as an example, e.g. `stopped`. */
  statusExample: string;
  /** What `--wait` waits for. */
  waitUntil: string;
  /** The lines after `Examples:` in the help. */
  examples: string;
  /** Runs the command once its flags are read. */
  run: (opts: StartStopOptions, ctx: Context) => Promise<void>;
}

/** Adds `deploy start` or `deploy stop` to the deploy group. */
export function registerStartStop(group: Command, ctx: Context, c: StartStopCommand): void {
  const cmd = group
    .command(c.action)
    .summary(c.summary)
    .description(c.description)
    .argument('[id|name...]', 'deployment ids or names (or --all)')
    .option('--all', `${c.action} every deployment, or with --status every one in those statuses (asks first)`)
    .option('-s, --status <status>', `with --all: only deployments in this status, e.g. ${c.statusExample} (repeatable, comma-separated, any case)`, collect)
    .option('-y, --yes', `with --all: ${c.action} without asking (needed without a terminal or with --no-input)`);
  addWaitFlags(cmd, c.waitUntil)
    .addHelpText('after', `\nExamples:\n${c.examples}`)
    .action(
      async (
        refs: string[],
        o: { all?: boolean; status?: string[]; yes?: boolean; wait?: boolean; waitTimeout?: number },
        command: Command,
      ) => {
        await c.run(
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
