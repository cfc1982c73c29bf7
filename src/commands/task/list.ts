/** `yotta task list`: the tasks of a QUEUE deployment, newest first, pages followed for you. */
import type { Command } from 'commander';
import { Option } from 'commander';
import type { Context } from '../../context.js';
import type { GlobalOptions } from '../../globals.js';
import type { Task } from '../../api/types.js';
import { TASK_STATUSES } from '../../api/types.js';
import { globalsOf } from '../../globals.js';
import { createUi } from '../../output/ui.js';
import { withSession } from '../../session.js';
import { listTasks } from '../../api/tasks.js';
import { UsageError } from '../../errors.js';
import { printMachine } from '../../output/render.js';
import { maskTask, renderTaskTable } from '../../output/tasks.js';
import { checkDeploymentRef } from '../../services/resolve.js';
import { resolveDeployment } from './common.js';

/** Tasks shown when neither --limit nor --all is given. */
export const DEFAULT_TASK_LIMIT = 50;
/** Tasks asked for per page (the most the API is known to take). */
const PAGE_SIZE = 100;

/** Options of `task list`. */
export interface TaskListOptions {
  ref: string;
  status?: string;
  limit?: number;
  all?: boolean;
  /** false with --no-headers. */
  headers?: boolean;
  g: GlobalOptions;
}

function parseLimit(v: string): number {
  if (!/^\d+$/.test(v.trim()) || Number(v) < 1 || !Number.isSafeInteger(Number(v))) throw new UsageError(`--limit: "${v}" is not a whole number of tasks (1 or more)`);
  return Number(v);
}

/** Adds `task list` to the group. */
export function registerTaskList(group: Command, ctx: Context): void {
  group
    .command('list')
    .alias('ls')
    .summary('list the tasks of a QUEUE deployment')
    .description(
      `List the tasks of a QUEUE deployment, newest first: the first ${DEFAULT_TASK_LIMIT} unless --limit or --all says otherwise ` +
        "(pages are followed for you). --json prints the tasks as the API lists them (an array; the list has no input or output: " +
        '`task get` shows those). -o id prints one task id a line.',
    )
    .argument('<id|name>', 'the QUEUE deployment: id (18 digits) or exact name')
    .addOption(new Option('-s, --status <status>', 'only tasks in this status: PROCESSING, DELIVERED, SUCCESS, FAILED (any case)'))
    .addOption(new Option('--limit <n>', `at most this many tasks (default ${DEFAULT_TASK_LIMIT})`).argParser(parseLimit).conflicts('all'))
    .option('--all', 'every task, however many pages that takes')
    .option('--no-headers', 'leave out the table header line (for scripts)')
    .addHelpText(
      'after',
      `
Examples:
  $ yotta task list my-queue
  $ yotta task list my-queue --status failed --all
  $ yotta task list my-queue -o id --limit 10
  $ yotta task list my-queue --json | jq -r '.[] | select(.status == "FAILED") | .taskId'`,
    )
    .action(async (ref: string, opts: { status?: string; limit?: number; all?: boolean; headers?: boolean }, command: Command) => {
      await runTaskList({ ref, ...opts, g: globalsOf(command) }, ctx);
    });
}

/** Lists tasks, following pages up to the limit. */
export async function runTaskList(o: TaskListOptions, ctx: Context): Promise<void> {
  const ref = checkDeploymentRef(o.ref);
  let status: string | undefined;
  if (o.status !== undefined) {
    status = o.status.trim().toUpperCase();
    if (!(TASK_STATUSES as readonly string[]).includes(status)) {
      throw new UsageError(`--status: unknown task status "${o.status}"; use one of ${TASK_STATUSES.join(', ')}`);
    }
  }
  const limit = o.all ? Number.POSITIVE_INFINITY : (o.limit ?? DEFAULT_TASK_LIMIT);
  const ui = createUi(ctx, o.g);
  const tasks = await withSession(ctx, o.g, ui, async (session) => {
    const id = await resolveDeployment(session, ref);
    const seen = new Set<string>();
    const out: Task[] = [];
    for (let page = 1; out.length < limit; page++) {
      const size = Math.min(PAGE_SIZE, limit - out.length);
      const got = await listTasks(session.client, id, { ...(status ? { status } : {}), pageNumber: page, pageSize: size });
      // A task submitted while we page shifts the pages: one seen already is not listed twice.
      for (const t of got.items) {
        if (seen.has(t.taskId) || out.length >= limit) continue;
        seen.add(t.taskId);
        out.push(t);
      }
      if (got.items.length === 0 || page >= got.pages) break;
    }
    return out;
  });
  const masked = tasks.map(maskTask);
  if (ui.format === 'id') {
    for (const t of masked) ui.out(t.taskId);
    return;
  }
  if (await printMachine(ui, masked)) return;
  if (masked.length === 0) {
    ui.info('No tasks.');
    return;
  }
  ui.out(renderTaskTable(ui, masked, o.headers !== false));
}
