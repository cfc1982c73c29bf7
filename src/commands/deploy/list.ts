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
import { formatMoney } from '../../output/format.js';

/** Options of `deploy list`. */
export interface ListOptions {
  /** `--status` values as typed (repeatable, comma-separated, any case). */
  status?: string[];
  /** Keep polling and show changes until Ctrl-C. */
  watch?: boolean;
  /** Pause between polls with --watch, in ms. */
  interval?: number;
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
      'List deployments: a table (with a last line giving the total $/hour of those RUNNING or INITIALIZING), ' +
        'or with --json the API\'s data exactly (no total). With --watch, keep showing changes until Ctrl-C.',
    )
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
  $ yotta deploy list --json | jq -r '.[] | select(.status == "RUNNING") | .id'
  $ yotta deploy list --watch
  $ yotta deploy list --watch --json | jq -c '{type, name: .deployment.name, status: .deployment.status}'
${WATCH_HELP}`,
    )
    .action(async (opts: { status?: string[]; watch?: boolean; interval?: number }, command: Command) => {
      await runList({ status: opts.status, watch: opts.watch, interval: opts.interval, g: globalsOf(command) }, ctx);
    });
}

/** `12.5` + `0.75` exactly: prices are decimal strings, summed digit by digit (no float rounding). */
function addDecimal(a: string, b: string): string {
  const [ai = '0', af = ''] = a.split('.');
  const [bi = '0', bf = ''] = b.split('.');
  const scale = Math.max(af.length, bf.length);
  const sum = (BigInt(ai + af.padEnd(scale, '0')) + BigInt(bi + bf.padEnd(scale, '0'))).toString().padStart(scale + 1, '0');
  return scale === 0 ? sum : `${sum.slice(0, -scale)}.${sum.slice(-scale)}`;
}

/** A price as a plain decimal string, or undefined when it is missing or not a non-negative number. */
function priceText(value: unknown): string | undefined {
  const text = typeof value === 'number' && Number.isFinite(value) ? value.toFixed(12) : typeof value === 'string' ? value.trim() : '';
  return /^\d+(\.\d+)?$/.test(text) ? text : undefined;
}

/** What the listed deployments that run (RUNNING or INITIALIZING) cost per hour, from their perHourPrice. */
export function runningTotal(list: readonly ElasticDeploymentDetail[]): { perHour: string; running: number; unpriced: number } {
  let perHour = '0';
  let running = 0;
  let unpriced = 0;
  for (const d of Array.isArray(list) ? list : []) {
    if (typeof d !== 'object' || d === null || !BILLED_STATUSES.includes(String(d.status))) continue;
    running += 1;
    const price = priceText(d.perHourPrice);
    if (price === undefined) unpriced += 1;
    else perHour = addDecimal(perHour, price);
  }
  return { perHour, running, unpriced };
}

/** The table's last line: `Total: $7.80/h for 2 running deployments`. */
export function totalLine(list: readonly ElasticDeploymentDetail[]): string {
  const { perHour, running, unpriced } = runningTotal(list);
  if (running === 0) return 'Total: $0.00/h (none running)';
  const without = unpriced > 0 ? ` (${unpriced} without a price)` : '';
  return `Total: ${formatMoney(perHour)}/h for ${running} running deployment${running === 1 ? '' : 's'}${without}`;
}

/** The human form: the table (or "No deployments.") and the total line after it. */
async function printList(ui: Ui, list: readonly ElasticDeploymentDetail[]): Promise<void> {
  await printDeployments(ui, list);
  if (Array.isArray(list) && list.length > 0) ui.out(totalLine(list));
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
  if (!(await printMachine(ui, list))) await printList(ui, list);
}
