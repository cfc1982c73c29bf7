/** `yotta deploy scale <id|name> <workers>`: sets how many workers a deployment runs. */
import type { Command } from 'commander';
import type { Context } from '../../context.js';
import type { GlobalOptions } from '../../globals.js';
import { globalsOf } from '../../globals.js';
import { addWaitFlags, describeState, reachedTarget } from './waiting.js';
import { cell } from '../../output/format.js';
import { ActionRun, checkRefs, explainError, readAfter, waitTimeoutOf } from './actions.js';
import * as common from './common.js';
import { createUi } from '../../output/ui.js';
import { withSession } from '../../session.js';
import * as api from '../../api/deployments.js';
import * as price from './price.js';

/** Options of `deploy scale`. */
export interface ScaleOptions {
  /** The deployment id or name, as typed. */
  ref: string;
  /** The worker count as typed: an integer ≥ 0. */
  workers: string;
  /** Poll until exactly that many workers run. */
  wait?: boolean;
  /** `--wait-timeout` in ms. */
  waitTimeout?: number;
  /** The global flags. */
  g: GlobalOptions;
}

/** Adds `deploy scale` to the deploy group. */
export function registerScale(group: Command, ctx: Context): void {
  const cmd = group
    .command('scale')
    .summary('set how many workers a deployment runs')
    .description('Set the number of workers of a deployment (0 or more). With --wait, wait until exactly that many run.')
    .argument('<id|name>', 'deployment id or name')
    .argument('<workers>', 'the number of workers to run: a whole number, 0 or more');
  addWaitFlags(cmd, 'exactly that many workers are running')
    .addHelpText(
      'after',
      `
Examples:
  $ yotta deploy scale llama-3-8b 4
  $ yotta deploy scale 378888638324150969 2 --wait
  $ yotta deploy scale llama-3-8b 0 --json`,
    )
    .action(async (ref: string, workers: string, o: { wait?: boolean; waitTimeout?: number }, command: Command) => {
      const wait = o.wait === true || o.waitTimeout !== undefined;
      await runScale({ ref, workers, wait, waitTimeout: o.waitTimeout, g: globalsOf(command) }, ctx);
    });
}

/** Checks the count (exit 2, nothing sent, unless a whole number ≥ 0), sends it, and reports or waits for the result. */
export async function runScale(opts: ScaleOptions, ctx: Context): Promise<void> {
  const refs = checkRefs([opts.ref]);
  const count = common.parseWorkerCount(opts.workers);
  const ui = createUi(ctx, opts.g);
  const target = { state: 'workers', count } as const;
  const plural = (n: number): string => `${n} worker${n === 1 ? '' : 's'}`;
  await withSession(ctx, opts.g, ui, async (session) => {
    const run = new ActionRun(session, 'scale', refs);
    for (const item of run.items) item.workers = count;
    await run.resolveAll();
    await run.each(async (item, d) => {
      // As start and stop skip what is already so: the same count again sends nothing (changed: false).
      if (Number(d.totalWorkers) === count) {
        if (opts.wait) await run.waitFor(item, target, waitTimeoutOf(opts.waitTimeout, session));
        else item.after(d);
        ui.next(`${item.label} already has ${plural(count)}; nothing sent.`, `yotta deploy workers ${item.id}`);
        return;
      }
      ui.info(`Scaling ${item.label} from ${cell(d.totalWorkers)} to ${plural(count)}…`);
      price.showPrice(ui, price.priceChangeLine(d.perHourPrice, price.projectedHourlyPrice(d, count)));
      try {
        await api.scaleDeployment(session.client, item.id, count);
      } catch (err) {
        const hint =
          item.before === 'STOPPED'
            ? `It is STOPPED; start it first: yotta deploy start ${item.id} --wait`
            : `It is ${item.before}; check with: yotta deploy get ${item.id}`;
        throw explainError(err, `scale ${item.label}`, item.id, hint);
      }
      item.changed = true;
      if (opts.wait) await run.waitFor(item, target, waitTimeoutOf(opts.waitTimeout, session));
      else item.after(await readAfter(session, item.id));
      const after = item.status === null ? undefined : item.detail;
      if (after && after.status === 'STOPPED' && count > 0) {
        ui.next(`Set ${item.label} to ${plural(count)}; it is STOPPED, so they start with it.`, `yotta deploy start ${item.id}`);
      } else if (after && reachedTarget(after, target)) {
        ui.next(`Scaled ${item.label} to ${plural(count)}: ${describeState(after)}.`, `yotta deploy workers ${item.id}`);
      } else {
        const state = after ? describeState(after) : 'state unknown';
        ui.next(`Scaling ${item.label} to ${plural(count)}: ${state}.`, `yotta deploy workers ${item.id} --watch`);
      }
    });
    await run.finish();
  });
}
