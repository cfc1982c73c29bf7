/** `yotta task count`: how many tasks of a QUEUE deployment are still PROCESSING; with --watch, until none are. */
import type { Command } from 'commander';
import { Option } from 'commander';
import type { Context } from '../../context.js';
import type { GlobalOptions } from '../../globals.js';
import { globalsOf } from '../../globals.js';
import { createUi } from '../../output/ui.js';
import { withSession } from '../../session.js';
import { countTasks } from '../../api/tasks.js';
import { parseDuration } from '../../duration.js';
import { isInterruption, UsageError } from '../../errors.js';
import { printMachine } from '../../output/render.js';
import { checkDeploymentRef } from '../../services/resolve.js';
import { resolveDeployment } from './common.js';

/** Options of `task count`. */
export interface TaskCountOptions {
  ref: string;
  watch?: boolean;
  /** Pause between polls with --watch, in ms. */
  interval?: number;
  g: GlobalOptions;
}

/** Adds `task count` to the group. */
export function registerTaskCount(group: Command, ctx: Context): void {
  group
    .command('count')
    .summary('count the tasks still PROCESSING')
    .description(
      "Count the tasks of a QUEUE deployment that are still PROCESSING (the only count the API gives). --json prints the API's data, " +
        '{"processing": N}. With --watch, print the count each time it changes, until it reaches 0 or Ctrl-C (with --json, one object a line).',
    )
    .argument('<id|name>', 'the QUEUE deployment: id (18 digits) or exact name')
    .option('-w, --watch', 'keep counting, printing each change, until none are PROCESSING (or Ctrl-C)')
    .addOption(new Option('--interval <duration>', 'with --watch: pause between polls, e.g. 1s, 5s (default 2s)').argParser((v) => parseDuration(v, '--interval')))
    .addHelpText(
      'after',
      `
Examples:
  $ yotta task count my-queue
  $ yotta task count my-queue --watch
  $ yotta task count my-queue --json | jq .processing`,
    )
    .action(async (ref: string, opts: { watch?: boolean; interval?: number }, command: Command) => {
      await runTaskCount({ ref, ...opts, g: globalsOf(command) }, ctx);
    });
}

/** Prints the count, once or (with --watch) at each change until 0. */
export async function runTaskCount(o: TaskCountOptions, ctx: Context): Promise<void> {
  const ref = checkDeploymentRef(o.ref);
  if (o.interval !== undefined && !o.watch) throw new UsageError('--interval needs --watch');
  const ui = createUi(ctx, o.g);
  await withSession(ctx, o.g, ui, async (session) => {
    const id = await resolveDeployment(session, ref);
    if (!o.watch) {
      const count = await countTasks(session.client, id);
      if (!(await printMachine(ui, count))) ui.out(String(count.processing));
      return;
    }
    let last: number | undefined;
    for (;;) {
      let processing: number;
      try {
        const count = await countTasks(session.client, id);
        processing = count.processing;
        if (processing !== last) {
          if (ui.format === 'json') ui.out(JSON.stringify(count));
          else ui.out(`${new Date(ctx.now()).toISOString().slice(11, 19)}  ${processing} processing`);
        }
      } catch (err) {
        // Ctrl-C ends a watch as it should: quietly, exit 0.
        if (isInterruption(err, ctx.signal)) return;
        throw err;
      }
      last = processing;
      if (processing === 0) return;
      try {
        await ctx.sleep(o.interval ?? 2000, ctx.signal);
      } catch (err) {
        if (isInterruption(err, ctx.signal)) return;
        throw err;
      }
    }
  });
}
