/** `yotta deploy workers`: a deployment's workers, once or watched until Ctrl-C. */
import type { Command } from 'commander';
import type { Context } from '../../context.js';
import type { GlobalOptions } from '../../globals.js';
import { globalsOf } from '../../globals.js';
import type { ElasticDeploymentDetail, ElasticDeploymentWorkerDetail } from '../../api/types.js';
import type { Session } from '../../session.js';
import type { Ui } from '../../output/ui.js';
import { checkDeploymentRef, explainNotFound, resolveDeploymentId } from '../../services/resolve.js';
import { collect, parseWorkerStatuses } from './arguments.js';
import { WATCH_HELP, addWatchFlags, checkWatchFlags } from './poll-flags.js';
import { runWatch, itemMakers, captureUi, isNotFound } from '../../services/watch.js';
import { createUi } from '../../output/ui.js';
import { withSession } from '../../session.js';
import { listWorkers, getDeployment } from '../../api/deployments.js';
import { printWorkers } from '../../output/render.js';
import { describeRef, cell } from '../../output/format.js';
import { deploymentStatus } from '../../output/status.js';

/** Options of `deploy workers`. */
export interface WorkersOptions {
  /** Deployment id or name, as typed. */
  ref: string;
  /** `--status` values as typed (repeatable, comma-separated, any case). */
  status?: string[];
  /** Keep polling and show changes until Ctrl-C (or until the deployment is deleted). */
  watch?: boolean;
  /** Pause between polls with --watch, in ms. */
  interval?: number;
  /** The global flags. */
  g: GlobalOptions;
}

/** Adds `deploy workers` to the group. */
export function registerWorkers(group: Command, ctx: Context): void {
  const cmd = group
    .command('workers')
    .summary("list a deployment's workers")
    .description(
      "List a deployment's workers: a table, or with --json the API's data exactly. With --watch, keep showing " +
        "the deployment's state and its workers until Ctrl-C or until the deployment is deleted " +
        '(`yotta deploy wait` is the command that stops once they run).',
    )
    .argument('<id|name>', 'deployment id (18 digits) or exact name')
    .option(
      '-s, --status <status>',
      'only workers in this status: INITIALIZE, RUNNING, TERMINATING, TERMINATED, FAILED (repeatable, comma-separated, any case)',
      collect,
    );
  addWatchFlags(cmd, "the deployment's state and worker table are")
    .addHelpText(
      'after',
      `
Examples:
  $ yotta deploy workers 378888638324150969
  $ yotta deploy workers llama-3-8b --status running,initialize
  $ yotta deploy workers llama-3-8b --watch
  $ yotta deploy workers llama-3-8b --json | jq -r '.[].id'
  $ yotta deploy workers llama-3-8b --watch --json | jq -c 'select(.worker) | {type, id: .worker.id, status: .worker.status}'
${WATCH_HELP}`,
    )
    .action(async (ref: string, opts: { status?: string[]; watch?: boolean; interval?: number }, command: Command) => {
      await runWorkers({ ref, status: opts.status, watch: opts.watch, interval: opts.interval, g: globalsOf(command) }, ctx);
    });
}

/** Lists a deployment's workers: a table for people; with --json the API's `data` exactly as received. */
export async function runWorkers(opts: WorkersOptions, ctx: Context): Promise<void> {
  const ref = checkDeploymentRef(opts.ref);
  const statusList = parseWorkerStatuses(opts.status);
  const g = opts.g;
  checkWatchFlags(opts, g);
  const ui = createUi(ctx, g);
  const query = statusList ? { statusList } : {};
  await withSession(ctx, g, ui, async (session) => {
    let id: string;
    try {
      id = await resolveDeploymentId(session.client, ref);
    } catch (err) {
      // With --watch, Ctrl-C while the name is looked up ends the watch as it does later on: quietly, exit 0.
      if (opts.watch && ctx.signal.aborted) return;
      throw explainNotFound(err, ref);
    }
    if (opts.watch) {
      await watchWorkers(session, id, ref, query, opts.interval);
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
    const failed = workers.filter((w) => w.status === 'FAILED' && /^[A-Za-z0-9_-]+$/.test(String(w.id ?? '')));
    if (failed.length > 0) {
      ui.next(`${failed.length === 1 ? '1 worker is' : `${failed.length} workers are`} FAILED; see why in its last lines.`, `yotta deploy logs ${id} --worker ${String(failed[0]!.id)} --tail 50`);
    }
  });
}

/** One poll of a workers watch: the deployment (for its state line) and its workers. */
interface WorkersPoll {
  deployment: ElasticDeploymentDetail;
  workers: ElasticDeploymentWorkerDetail[];
}

/**
 * Watches the deployment's state and its workers until Ctrl-C, or until the deployment is deleted.
 * On a terminal the state line and worker table are redrawn; otherwise a line or NDJSON event per
 * change of the deployment or of a worker (see runWatch).
 */
async function watchWorkers(
  session: Session,
  id: string,
  ref: string,
  query: { statusList?: string[] },
  intervalMs: number | undefined,
): Promise<void> {
  const ui: Ui = session.ui;
  const make = itemMakers(ui);
  let label = ref;
  await runWatch<WorkersPoll>(
    ui,
    {
      async read() {
        try {
          const deployment = await getDeployment(session.client, id);
          label = describeRef(deployment.id, deployment.name);
          return { deployment, workers: await listWorkers(session.client, id, query) };
        } catch (err) {
          throw explainNotFound(err, ref);
        }
      },
      items: ({ deployment, workers }) => [make.deployment(deployment), ...(Array.isArray(workers) ? workers : []).map((w) => make.worker(id, w))],
      async frame({ deployment: d, workers }) {
        const state = `${describeRef(d.id, d.name)}: ${deploymentStatus(d.status, ui.outColors)}, ${cell(d.runningWorkers)}/${cell(d.totalWorkers)} workers running`;
        const capture = captureUi(ui);
        await printWorkers(capture.ui, workers);
        return `${state}\n\n${capture.text()}`;
      },
      isGone: isNotFound,
      get goneMessage() {
        return `${label} was deleted; nothing left to watch.`;
      },
    },
    intervalMs,
  );
}
