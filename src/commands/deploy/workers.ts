/** `yotta deploy workers`: a deployment's workers, once or (with --watch) until the deployment settles. */
import type { Command } from 'commander';
import { Option } from 'commander';
import type { Context } from '../../context.js';
import type { GlobalOptions } from '../../main.js';
import { globalsOf } from '../../main.js';
import type { ElasticDeploymentDetail, ElasticDeploymentWorkerDetail } from '../../api/types.js';
import type { Session } from '../../session.js';
import type { Ui } from '../../output/ui.js';
import { parseDuration } from '../../duration.js';
import { UsageError } from '../../errors.js';
import { checkDeploymentRef, collect, explainNotFound, parseWorkerStatuses, resolveDeploymentId } from './common.js';

/** Pause between two refreshes of `--watch` unless `--interval` says otherwise. */
export const DEFAULT_WATCH_INTERVAL_MS = 2000;

/** Options of `deploy workers`. */
export interface WorkersOptions {
  /** Deployment id or name, as typed. */
  ref: string;
  /** `--status` values as typed (repeatable, comma-separated, any case). */
  status?: string[];
  /** Refresh the table until the deployment is RUNNING with every worker up, STOPPED or FAILED. */
  watch?: boolean;
  /** Pause between refreshes, in ms. */
  interval?: number;
  /** The global flags. */
  g: GlobalOptions;
}

/** Adds `deploy workers` to the group. */
export function registerWorkers(group: Command, ctx: Context): void {
  group
    .command('workers')
    .description("list a deployment's workers")
    .argument('<id|name>', 'deployment id (18 digits) or exact name')
    .option(
      '-s, --status <status>',
      'only workers in this status: INITIALIZE, RUNNING, TERMINATING, TERMINATED, FAILED (repeatable, comma-separated, any case)',
      collect,
    )
    .option('-w, --watch', 'refresh the table until the deployment is RUNNING with every worker up, STOPPED or FAILED (Ctrl-C ends it)')
    .addOption(
      new Option('--interval <duration>', 'pause between refreshes with --watch, e.g. 5s (default 2s)').argParser((v) =>
        parseDuration(v, '--interval'),
      ),
    )
    .addHelpText(
      'after',
      `
Examples:
  $ yotta deploy workers 378888638324150969
  $ yotta deploy workers llama-3-8b --status running,initialize
  $ yotta deploy workers llama-3-8b --watch
  $ yotta deploy workers llama-3-8b --json | jq -r '.[].id'`,
    )
    .action(async (ref: string, opts: { status?: string[]; watch?: boolean; interval?: number }, cmd: Command) => {
      await runWorkers({ ref, status: opts.status, watch: opts.watch, interval: opts.interval, g: globalsOf(cmd) }, ctx);
    });
}

/** Lists a deployment's workers: a table for people; with --json the API's `data` exactly as received. */
export async function runWorkers(opts: WorkersOptions, ctx: Context): Promise<void> {
  const ref = checkDeploymentRef(opts.ref);
  const statusList = parseWorkerStatuses(opts.status);
  const g = opts.g;
  if (opts.interval !== undefined && !opts.watch) throw new UsageError('--interval only applies with --watch');
  if (opts.watch && (g.json || g.output === 'json' || g.output === 'yaml')) {
    throw new UsageError('--watch redraws a table for people; it cannot be combined with --json or -o yaml', 'Drop --watch to get one JSON document.');
  }
  const [{ createUi }, { withSession }, { listWorkers }, { printWorkers }] = await Promise.all([
    import('../../output/ui.js'),
    import('../../session.js'),
    import('../../api/deployments.js'),
    import('../../output/render.js'),
  ]);
  const ui = createUi(ctx, g);
  const query = statusList ? { statusList } : {};
  await withSession(ctx, g, ui, async (session) => {
    let id: string;
    try {
      id = await resolveDeploymentId(session.client, ref);
    } catch (err) {
      throw explainNotFound(err, ref);
    }
    if (opts.watch) {
      await watchWorkers(session, id, ref, query, opts.interval ?? DEFAULT_WATCH_INTERVAL_MS);
      return;
    }
    const spinner = ui.spinner(`Listing workers of ${ref}…`);
    let workers: ElasticDeploymentWorkerDetail[];
    try {
      workers = await listWorkers(session.client, id, query);
    } catch (err) {
      throw explainNotFound(err, ref);
    } finally {
      spinner.stop();
    }
    await printWorkers(ui, workers);
  });
}

/** The text printWorkers would write, captured so that a watch frame can be compared and redrawn. */
async function renderWorkers(ui: Ui, workers: readonly ElasticDeploymentWorkerDetail[]): Promise<string> {
  if (workers.length === 0) return 'No workers.\n';
  const { printWorkers } = await import('../../output/render.js');
  let text = '';
  const capture: Ui = { ...ui, out: (t: string) => void (text += t.endsWith('\n') ? t : t + '\n') };
  await printWorkers(capture, workers);
  return text;
}

/**
 * Redraws the deployment's state line and worker table whenever they change: in place on a terminal,
 * as successive blocks on a pipe. Ends when the deployment is RUNNING with every worker up or
 * STOPPED (exit 0), FAILED (exit 9), or on Ctrl-C, which is the normal way out of a watch (exit 0).
 */
async function watchWorkers(
  session: Session,
  id: string,
  ref: string,
  query: { statusList?: string[] },
  intervalMs: number,
): Promise<void> {
  const ui = session.ui;
  const ctx = ui.ctx;
  const [{ getDeployment, listWorkers }, { reachedTarget }, { describeRef, cell }, { deploymentStatus }, errors] = await Promise.all([
    import('../../api/deployments.js'),
    import('./waiting.js'),
    import('../../output/format.js'),
    import('../../output/status.js'),
    import('../../errors.js'),
  ]);
  let shown: string | undefined;
  let shownLines = 0;
  for (;;) {
    let d: ElasticDeploymentDetail;
    let workers: ElasticDeploymentWorkerDetail[];
    try {
      d = await getDeployment(session.client, id);
      workers = await listWorkers(session.client, id, query);
    } catch (err) {
      if (ctx.signal.aborted) return;
      throw explainNotFound(err, ref);
    }
    const state = `${describeRef(d.id, d.name)}: ${deploymentStatus(d.status, ui.c)}, ${cell(d.runningWorkers)}/${cell(d.totalWorkers)} workers running`;
    const frame = `${state}\n\n${await renderWorkers(ui, workers)}`;
    if (frame !== shown) {
      // On a terminal: back to the first line of the previous frame and clear to the end of the screen.
      const prefix = shown === undefined ? '' : ctx.stdout.isTTY ? `\r\u001b[${shownLines}A\u001b[J` : '\n';
      ui.out(prefix + frame);
      shown = frame;
      shownLines = frame.split('\n').length - 1;
    }
    if (d.status === 'FAILED') {
      throw new errors.DeploymentFailedError(`${describeRef(d.id, d.name)} is FAILED`, `See its details with: yotta deploy get ${id}`);
    }
    if (reachedTarget(d, { state: 'running' }) || reachedTarget(d, { state: 'stopped' })) return;
    try {
      await ctx.sleep(intervalMs, ctx.signal);
    } catch (err) {
      if (ctx.signal.aborted) return;
      throw err;
    }
  }
}
