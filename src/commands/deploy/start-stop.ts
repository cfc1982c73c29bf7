/**
 * What `deploy start` and `deploy stop` share: the same arguments and flags (only the verb and the
 * status example differ) and the same run over the multi-deployment runner (services/runner.ts).
 * start.ts and stop.ts each register one of them with their own texts.
 */
import type { Command } from 'commander';
import type { Context } from '../../context.js';
import type { GlobalOptions } from '../../globals.js';
import { globalsOf } from '../../globals.js';
import type { WaitTarget } from '../../services/deployment-wait.js';
import type { RunItem } from '../../services/runner.js';
import type { SelectionFlags } from './selection.js';
import { UsageError } from '../../errors.js';
import { safeText } from '../../output/format.js';
import { confirm, requireConfirmable } from '../../output/confirm.js';
import { createUi } from '../../output/ui.js';
import { withSession } from '../../session.js';
import { startDeployment, stopDeployment } from '../../api/deployments.js';
import { describeState, reachedTarget } from '../../services/deployment-wait.js';
import { DeploymentRun, describeSelection, explainError, waitTimeoutOf } from '../../services/runner.js';
import { collect } from './arguments.js';
import { addWaitFlags } from './poll-flags.js';
import { addConcurrencyFlag, checkSelection, confirmQuestion } from './selection.js';

/** Options shared by `deploy start` and `deploy stop`. */
export interface StartStopOptions extends SelectionFlags {
  /** With --all: act without asking (required without a terminal or with --no-input). */
  yes?: boolean;
  /** Poll until RUNNING with every worker up (start) or STOPPED (stop). */
  wait?: boolean;
  /** `--wait-timeout` in ms. */
  waitTimeout?: number;
  /** Requests in flight at once (default 8). */
  concurrency?: number;
  /** The global flags. */
  g: GlobalOptions;
}

/** The texts that set `deploy start` and `deploy stop` apart. */
export interface StartStopVerb {
  action: 'start' | 'stop';
  summary: string;
  description: string;
  /** The status that `--status` names as an example, e.g. `stopped`. */
  statusExample: string;
  /** What `--wait` waits for. */
  waitUntil: string;
  /** The lines after `Examples:` in the help. */
  examples: string;
}

/** Adds `deploy start` or `deploy stop` to the deploy group. */
export function registerStartStop(group: Command, ctx: Context, verb: StartStopVerb): void {
  const cmd = group
    .command(verb.action)
    .summary(verb.summary)
    .description(verb.description)
    .argument('[id|name...]', 'deployment ids or names (or --all)')
    .option('--all', `${verb.action} every deployment, or with --status every one in those statuses (asks first)`)
    .option('-s, --status <status>', `with --all: only deployments in this status, e.g. ${verb.statusExample} (repeatable, comma-separated, any case)`, collect)
    .option('-y, --yes', `with --all: ${verb.action} without asking (needed without a terminal or with --no-input)`);
  addConcurrencyFlag(addWaitFlags(cmd, verb.waitUntil))
    .addHelpText('after', `\nExamples:\n${verb.examples}`)
    .action(
      async (
        refs: string[],
        flags: { all?: boolean; status?: string[]; yes?: boolean; wait?: boolean; waitTimeout?: number; concurrency?: number },
        command: Command,
      ) => {
        await runStartStop(
          verb.action,
          {
            refs,
            all: flags.all,
            status: flags.status,
            yes: flags.yes,
            wait: flags.wait === true || flags.waitTimeout !== undefined,
            waitTimeout: flags.waitTimeout,
            concurrency: flags.concurrency,
            g: globalsOf(command),
          },
          ctx,
        );
      },
    );
}

/**
 * `deploy start` / `deploy stop` over one or several deployments. A deployment already at (or on
 * its way to) the asked state is left alone and reported as unchanged, so the command is safe to repeat.
 */
export async function runStartStop(action: 'start' | 'stop', opts: StartStopOptions, ctx: Context): Promise<void> {
  const selection = checkSelection(opts);
  const ui = createUi(ctx, opts.g);
  const starting = action === 'start';
  if (selection.all && !opts.yes) {
    requireConfirmable(ui, opts.g, `${starting ? 'starting' : 'stopping'} ${describeSelection(selection.statusList)} (--all)`, action);
  }
  const target: WaitTarget = starting ? { state: 'running' } : { state: 'stopped' };
  const already = starting ? ['RUNNING', 'INITIALIZING'] : ['STOPPED', 'STOPPING'];
  const narrate = (item: RunItem): void => {
    const d = item.detail;
    const state = d ? describeState(d) : 'state unknown';
    const reached = d !== undefined && reachedTarget(d, target);
    if (!item.changed) {
      const moved = d !== undefined && safeText(String(d.status)) !== item.before;
      const now = moved ? ` (now ${state})` : '';
      item.ui.next(`${item.label} was already ${item.before}${now}; nothing sent.`, `yotta deploy get ${item.id}`);
    } else if (starting) {
      item.ui.next(
        reached ? `Started ${item.label}: ${state}.` : `Starting ${item.label}: ${state}.`,
        reached ? `yotta deploy workers ${item.id}` : `yotta deploy workers ${item.id} --watch`,
      );
    } else {
      item.ui.next(
        reached ? `Stopped ${item.label}.` : `Stopping ${item.label}: ${state}.`,
        reached ? `yotta deploy start ${item.id}` : `yotta deploy get ${item.id}`,
      );
    }
  };
  await withSession(ctx, opts.g, ui, async (session) => {
    const run = await DeploymentRun.open(session, action, selection, { concurrency: opts.concurrency });
    if (!run) return;
    if (selection.all && !opts.yes) {
      const question = confirmQuestion(starting ? 'Start' : 'Stop', run.live.map((i) => `${i.label} [${i.before}]`));
      if (!(await confirm(ui, question))) {
        throw new UsageError(`not confirmed; nothing was ${starting ? 'started' : 'stopped'}`, `Pass --yes to ${action} without asking.`);
      }
    }
    await run.each(async (item, d) => {
      if (!already.includes(String(d.status))) {
        item.ui.info(`${starting ? 'Starting' : 'Stopping'} ${item.label}…`);
        try {
          await run.write(item, action, () => (starting ? startDeployment : stopDeployment)(session.client, item.id));
        } catch (err) {
          const hint =
            starting && item.before === 'STOPPING'
              ? `It is STOPPING: wait until it is STOPPED (yotta deploy wait ${item.id} --for stopped), then start it.`
              : `It is ${item.before}; check with: yotta deploy get ${item.id}`;
          throw explainError(err, `${action} ${item.label}`, item.id, hint);
        }
        if (!opts.wait) item.after(await run.readAfter(item));
      }
      // Every deployment's wait runs beside the others', so several take as long as the slowest.
      if (opts.wait) await run.waitFor(item, target, waitTimeoutOf(opts.waitTimeout, session));
      narrate(item);
    });
    await run.finish();
  });
}
