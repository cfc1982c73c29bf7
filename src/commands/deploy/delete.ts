/** `yotta deploy delete <id|name>... | --all`: deletes one or several deployments, after asking. */
import type { Command } from 'commander';
import { Option } from 'commander';
import type { Context } from '../../context.js';
import type { GlobalOptions } from '../../globals.js';
import { globalsOf } from '../../globals.js';
import { parseDuration } from '../../duration.js';
import { ExitCode, QuietExit, UsageError, YottaError } from '../../errors.js';
import type { SelectionFlags } from './selection.js';
import { collect } from './arguments.js';
import { addConcurrencyFlag, checkSelection, confirmQuestion } from './selection.js';
import { DeploymentRun, describeSelection, explainError, waitTimeoutOf } from '../../services/runner.js';
import { confirm, requireConfirmable } from '../../output/confirm.js';
import { createUi } from '../../output/ui.js';
import { withSession } from '../../session.js';
import * as api from '../../api/deployments.js';

/** Options of `deploy delete`. */
export interface DeleteOptions extends SelectionFlags {
  /** Delete without asking (required without a terminal or with --no-input). */
  yes?: boolean;
  /** Stop a deployment that is not STOPPED, wait until it is, then delete it. */
  force?: boolean;
  /** How long --force waits for each deployment to stop, in ms. */
  waitTimeout?: number;
  /** Requests in flight at once (default 8). */
  concurrency?: number;
  /** A deployment that does not exist is not an error: it is gone already. */
  ignoreNotFound?: boolean;
  /** The global flags. */
  g: GlobalOptions;
}

/** Adds `deploy delete` to the deploy group. */
export function registerDelete(group: Command, ctx: Context): void {
  const cmd = group
    .command('delete')
    .alias('rm')
    .summary('delete one or several deployments (asks first)')
    .description(
      'Delete one or several deployments, named or chosen with --all (and --status). Asks first on a terminal, ' +
        'naming every deployment; without one (or with --no-input) it needs --yes. Answering no deletes nothing ' +
        'and exits 1. Only a STOPPED deployment can be deleted: one that is not is reported and left alone ' +
        '(exit 5), nothing is sent for it, unless --force stops it first. Each id is reported, in the order given; ' +
        'one that fails does not stop the others (exit 10 when some failed); one named twice (by name and id) is deleted once.',
    )
    .argument('[id|name...]', 'deployment ids or names (or --all)')
    .option('--all', 'delete every deployment, or with --status every one in those statuses')
    .option('-s, --status <status>', 'with --all: only deployments in this status, e.g. stopped (repeatable, comma-separated, any case)', collect)
    .option('-y, --yes', 'delete without asking (needed in scripts, without a terminal, or with --no-input)')
    .option('--force', 'stop a deployment that is not STOPPED, wait until it is, then delete it')
    .option('--ignore-not-found', 'a deployment that does not exist is not an error (exit 0): for teardown scripts run twice')
    .addOption(
      new Option('--wait-timeout <duration>', "with --force: how long to wait for each to stop, e.g. 5m (default 10m or the profile's)").argParser(
        (v) => parseDuration(v, '--wait-timeout'),
      ),
    );
  addConcurrencyFlag(cmd)
    .addHelpText(
      'after',
      `
Examples:
  $ yotta deploy delete llama-3-8b
  $ yotta deploy delete 378888638324150970 --yes
  $ yotta deploy delete llama-3-8b --force --yes --json
  $ yotta deploy rm llama-3-8b --ignore-not-found --yes
  $ yotta deploy delete --all --status stopped --yes --concurrency 4`,
    )
    .action(
      async (
        refs: string[],
        flags: { all?: boolean; status?: string[]; yes?: boolean; force?: boolean; waitTimeout?: number; concurrency?: number; ignoreNotFound?: boolean },
        command: Command,
      ) => {
        await runDelete({ refs, ...flags, g: globalsOf(command) }, ctx);
      },
    );
}

/**
 * Deletes each deployment (named, or every one `--all` selects). Confirmation comes before anything
 * is sent: on a terminal the question names every deployment (after looking them up or listing
 * them); elsewhere --yes is required (exit 2, nothing sent).
 */
export async function runDelete(opts: DeleteOptions, ctx: Context): Promise<void> {
  const selection = checkSelection(opts);
  if (opts.waitTimeout !== undefined && !opts.force) {
    throw new UsageError('--wait-timeout is how long --force waits for a deployment to stop; without --force nothing waits', 'Add --force, or drop --wait-timeout.');
  }
  const ui = createUi(ctx, opts.g);
  const what = selection.all
    ? `${describeSelection(selection.statusList)} (--all)`
    : selection.refs.length === 1
      ? 'a deployment'
      : `${selection.refs.length} deployments`;
  if (!opts.yes) requireConfirmable(ui, opts.g, `deleting ${what}`, 'delete');
  await withSession(ctx, opts.g, ui, async (session) => {
    const run = await DeploymentRun.open(session, 'delete', selection, { concurrency: opts.concurrency, ignoreNotFound: opts.ignoreNotFound === true });
    if (!run) return;
    const toStop = (before: string | undefined): boolean => opts.force === true && before !== 'STOPPED';
    // Without --force, the API refuses (24002) to delete what is not STOPPED: say so and send nothing for it.
    const refused = (before: string | undefined): boolean => opts.force !== true && before !== undefined && before !== 'STOPPED';

    const asked = run.live.filter((i) => i.detail);
    if (!opts.yes && asked.length > 0) {
      const names = asked.map((i) =>
        toStop(i.before) ? `${i.label} [${i.before}: stopped first]` : refused(i.before) ? `${i.label} [${i.before}: not deleted without --force]` : i.label,
      );
      if (!(await confirm(ui, confirmQuestion('Delete', names)))) {
        // A declined prompt is an answer, not an error: exit 1, documented.
        ui.ctx.stderr.write('Nothing deleted.\n');
        throw new QuietExit(ExitCode.ERROR);
      }
    }

    // Each deployment goes through stop, wait and delete on its own, beside the others.
    await run.each(async (item) => {
      if (refused(item.before)) {
        throw new YottaError(
          `${item.label} is ${item.before}; only a STOPPED deployment can be deleted, so nothing was sent`,
          ExitCode.STATE,
          `Stop it first (yotta deploy stop ${item.id} --wait), or delete with --force, which stops it and waits.`,
        );
      }
      if (toStop(item.before)) {
        if (item.before !== 'STOPPING') {
          item.ui.info(`Stopping ${item.label} first…`);
          try {
            await run.write(item, 'stop', () => api.stopDeployment(session.client, item.id));
          } catch (err) {
            throw explainError(err, `stop ${item.label}`, item.id, `It is ${item.before}; check with: yotta deploy get ${item.id}`);
          }
        }
        await run.waitFor(item, { state: 'stopped' }, waitTimeoutOf(opts.waitTimeout, session));
      }
      item.ui.info(`Deleting ${item.label}…`);
      try {
        await run.write(item, 'delete', () => api.deleteDeployment(session.client, item.id));
      } catch (err) {
        const hint =
          `It is ${item.before}, and only a STOPPED deployment can be deleted: stop it first ` +
          `(yotta deploy stop ${item.id} --wait) or delete with --force, which stops it and waits.`;
        throw explainError(err, `delete ${item.label}`, item.id, hint);
      }
      item.status = null;
      item.ui.next(`Deleted ${item.label}.`, 'yotta deploy list');
    });
    await run.finish();
  });
}
