/** `yotta deploy list`: every deployment of the organization, optionally filtered by status, once or watched. */
import type { Command } from 'commander';
import type { Context } from '../../context.js';
import type { ElasticDeploymentDetail } from '../../api/types.js';
import type { GlobalOptions } from '../../globals.js';
import type { Ui } from '../../output/ui.js';
import { globalsOf } from '../../globals.js';
import { collect, parseDeploymentStatuses } from './arguments.js';
import { WATCH_HELP, addWatchFlags, checkWatchFlags } from './poll-flags.js';
import { runWatch, itemMakers, captureUi } from '../../services/watch.js';
import { createUi } from '../../output/ui.js';
import { withSession } from '../../session.js';
import { listDeployments } from '../../api/deployments.js';
import { printMachine, printDeployments } from '../../output/render.js';
import { billedPerHour, formatMoney } from '../../output/format.js';

/** Options of `deploy list`. */
export interface ListOptions {
  /** `--status` values as typed (repeatable, comma-separated, any case). */
  status?: string[];
  /** Keep polling and show changes until Ctrl-C. */
  watch?: boolean;
  /** Pause between polls with --watch, in ms. */
  interval?: number;
  /** false with --no-headers: table rows only. */
  headers?: boolean;
  /** The global flags. */
  g: GlobalOptions;
}

/** Statuses in which a deployment is billed: its workers run or are starting. */
export const BILLED_STATUSES: readonly string[] = ['RUNNING', 'INITIALIZING'];

/** Adds `deploy list` to the group. */
export function registerList(group: Command, ctx: Context): void {
  const cmd = group
    .command('list')
    .alias('ls')
    .summary('list deployments')
    .description(
      'List deployments: a table whose $/HOUR is what each is billed now (its price times the share of its ' +
        'workers running), with the total on stderr when that is a terminal; -o id prints the ids alone; --json the API\'s data exactly. ' +
        'With --watch, keep showing changes until Ctrl-C.',
    )
    .option('--no-headers', 'print the table without its header line (for awk, cut and friends)')
    .option(
      '-s, --status <status>',
      'only deployments in this status: INITIALIZING, RUNNING, STOPPING, STOPPED, FAILED (repeatable, comma-separated, any case)',
      collect,
    );
  addWatchFlags(cmd, 'the table is')
    .addHelpText(
      'after',
      `
Examples:
  $ yotta deploy list
  $ yotta deploy list --status running,initializing
  $ yotta deploy list -o wide
  $ yotta deploy list --no-headers | awk '{print $2}'
  $ yotta deploy stop $(yotta deploy list --status failed -o id)
  $ yotta deploy list --json | jq -r '.[] | select(.status == "RUNNING") | .id'
  $ yotta deploy list --watch
  $ yotta deploy list --watch --json | jq -c '{type, name: .deployment.name, status: .deployment.status}'
${WATCH_HELP}`,
    )
    .action(async (opts: { status?: string[]; watch?: boolean; interval?: number; headers?: boolean }, command: Command) => {
      await runList({ status: opts.status, watch: opts.watch, interval: opts.interval, headers: opts.headers, g: globalsOf(command) }, ctx);
    });
}

/** What the listed deployments are billed per hour now (see billedPerHour), and how many have running workers. */
export function runningTotal(list: readonly ElasticDeploymentDetail[]): { perHour: number; running: number; unpriced: number } {
  let micro = 0;
  let running = 0;
  let unpriced = 0;
  for (const d of Array.isArray(list) ? list : []) {
    if (typeof d !== 'object' || d === null) continue;
    const billed = billedPerHour(d as unknown as Record<string, unknown>);
    if (billed === undefined) {
      if (BILLED_STATUSES.includes(String(d.status))) unpriced += 1;
      continue;
    }
    if (billed <= 0 && !(Number(d.runningWorkers) > 0)) continue;
    running += 1;
    // Summed in millionths of a dollar: no float drift over many rows.
    micro += Math.round(billed * 1e6);
  }
  return { perHour: micro / 1e6, running, unpriced };
}

/** The footer (stderr): `Total: $7.80/h billed now, for 2 deployments with running workers`. */
export function totalLine(list: readonly ElasticDeploymentDetail[]): string {
  const { perHour, running, unpriced } = runningTotal(list);
  const without = unpriced > 0 ? ` (${unpriced} without a price)` : '';
  if (running === 0) return `Total: $0.00/h billed now (no workers running)${without}`;
  return `Total: ${formatMoney(perHour)}/h billed now, for ${running} deployment${running === 1 ? '' : 's'} with running workers${without}`;
}

/**
 * The human form: the table (or "No deployments.") on stdout and, when `footer`, the total for
 * people as narration (stderr; a --watch frame keeps it under its table).
 */
async function printList(ui: Ui, list: readonly ElasticDeploymentDetail[], headers = true, footer = true): Promise<void> {
  await printDeployments(ui, list, headers);
  if (footer && Array.isArray(list) && list.length > 0) ui.info(totalLine(list));
}

/**
 * Lists deployments: a table and its total $/hour for people; with --json (or -o yaml) the API's
 * `data` exactly as received. With --watch, polls until Ctrl-C (see runWatch).
 */
export async function runList(opts: ListOptions, ctx: Context): Promise<void> {
  // Checked before anything else: a bad status or flag is a usage error and nothing is sent.
  const statusList = parseDeploymentStatuses(opts.status);
  checkWatchFlags(opts, opts.g);
  const ui = createUi(ctx, opts.g);
  const query = statusList ? { statusList } : {};
  if (opts.watch) {
    const make = itemMakers(ui);
    await withSession(ctx, opts.g, ui, (session) =>
      runWatch(
        ui,
        {
          read: () => listDeployments(session.client, query),
          items: (list) => (Array.isArray(list) ? list : []).map((d) => make.deployment(d)),
          async frame(list) {
            const capture = captureUi(ui);
            await printList(capture.ui, list);
            return capture.text();
          },
        },
        opts.interval,
      ),
    );
    return;
  }
  const list = await withSession(ctx, opts.g, ui, async (session) => {
    const spinner = ui.spinner('Listing deployments…');
    try {
      return await listDeployments(session.client, query);
    } finally {
      spinner.stop();
    }
  });
  // The total is for a person at a terminal: a script reading the table gets the rows alone, on
  // stdout, and an empty stderr.
  if (!(await printMachine(ui, list))) await printList(ui, list, opts.headers !== false, ctx.stderr.isTTY);
}
