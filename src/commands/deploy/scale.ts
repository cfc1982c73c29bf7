/** `yotta deploy scale <id|name> <workers>`: sets how many workers a deployment runs. */
import type { Command } from 'commander';
import type { Context } from '../../context.js';
import type { GlobalOptions } from '../../globals.js';
import { globalsOf } from '../../globals.js';
import { describeState, reachedTarget } from '../../services/deployment-wait.js';
import { cell } from '../../output/format.js';
import { DeploymentRun, explainError, waitTimeoutOf } from '../../services/runner.js';
import { parseWorkerCount } from './arguments.js';
import { addWaitFlags } from './poll-flags.js';
import { checkRefs } from './selection.js';
import { createUi } from '../../output/ui.js';
import { withSession } from '../../session.js';
import * as api from '../../api/deployments.js';
import * as pricing from '../../services/pricing.js';

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
    .action(async (ref: string, workers: string, flags: { wait?: boolean; waitTimeout?: number }, command: Command) => {
      const wait = flags.wait === true || flags.waitTimeout !== undefined;
      await runScale({ ref, workers, wait, waitTimeout: flags.waitTimeout, g: globalsOf(command) }, ctx);
    });
}

/** Checks the count (exit 2, nothing sent, unless a whole number ≥ 0), sends it, and reports or waits for the result. */
export async function runScale(opts: ScaleOptions, ctx: Context): Promise<void> {
  const refs = checkRefs([opts.ref]);
  const count = parseWorkerCount(opts.workers);
  const ui = createUi(ctx, opts.g);
  const target = { state: 'workers', count } as const;
  const plural = (n: number): string => `${n} worker${n === 1 ? '' : 's'}`;
  await withSession(ctx, opts.g, ui, async (session) => {
    const run = new DeploymentRun(session, 'scale', refs);
    for (const item of run.items) item.workers = count;
    await run.resolveAll();
    await run.each(async (item, d) => {
      // As start and stop skip what is already so: the same count again sends nothing (changed: false).
      if (Number(d.totalWorkers) === count) {
        if (opts.wait) await run.waitFor(item, target, waitTimeoutOf(opts.waitTimeout, session));
        else item.after(d);
        item.ui.next(`${item.label} already has ${plural(count)}; nothing sent.`, `yotta deploy workers ${item.id}`);
        return;
      }
      item.ui.info(`Scaling ${item.label} from ${cell(d.totalWorkers)} to ${plural(count)}…`);
      pricing.showPrice(item.ui, pricing.priceChangeLine(d.perHourPrice, pricing.projectedHourlyPrice(d, count)));
      try {
        await run.write(item, 'scale', () => api.scaleDeployment(session.client, item.id, count));
      } catch (err) {
        const hint =
          item.before === 'STOPPED'
            ? `It is STOPPED; start it first: yotta deploy start ${item.id} --wait`
            : `It is ${item.before}; check with: yotta deploy get ${item.id}`;
        throw explainError(err, `scale ${item.label}`, item.id, hint);
      }
      if (opts.wait) await run.waitFor(item, target, waitTimeoutOf(opts.waitTimeout, session));
      else item.after(await run.readAfter(item));
      const after = item.status === null ? undefined : item.detail;
      if (after && after.status === 'STOPPED' && count > 0) {
        item.ui.next(`Set ${item.label} to ${plural(count)}; it is STOPPED, so they start with it.`, `yotta deploy start ${item.id}`);
      } else if (after && reachedTarget(after, target)) {
        item.ui.next(`Scaled ${item.label} to ${plural(count)}: ${describeState(after)}.`, `yotta deploy workers ${item.id}`);
      } else {
        const state = after ? describeState(after) : 'state unknown';
        item.ui.next(`Scaling ${item.label} to ${plural(count)}: ${state}.`, `yotta deploy workers ${item.id} --watch`);
      }
    });
    await run.finish();
  });
}
