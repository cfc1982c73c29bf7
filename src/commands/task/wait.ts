/** `yotta task wait`: waits until tasks end (SUCCESS, DELIVERED or FAILED) and reports each. */
import type { Command } from 'commander';
import { Option } from 'commander';
import type { Context } from '../../context.js';
import type { GlobalOptions } from '../../globals.js';
import type { TaskWaitResult } from '../../services/task-wait.js';
import { globalsOf } from '../../globals.js';
import { createUi } from '../../output/ui.js';
import { withSession } from '../../session.js';
import { checkTaskRef } from '../../api/tasks.js';
import { parseDuration, formatDuration } from '../../duration.js';
import { ExitCode, PartialFailureError, WaitTimeoutError, YottaError } from '../../errors.js';
import { safeText } from '../../output/format.js';
import { taskStatus } from '../../output/status.js';
import { maskTask } from '../../output/tasks.js';
import { waitForTasks } from '../../services/task-wait.js';
import { checkDeploymentRef } from '../../services/resolve.js';
import { explainTaskNotFound, resolveDeployment, taskWaitTimeout } from './common.js';

/** Options of `task wait`. */
export interface TaskWaitCommandOptions {
  ref: string;
  taskIds: string[];
  waitTimeout?: number;
  g: GlobalOptions;
}

/** Adds `task wait` to the group. */
export function registerTaskWait(group: Command, ctx: Context): void {
  group
    .command('wait')
    .summary('wait until tasks end, and report each')
    .description(
      'Wait until each task ends: SUCCESS or DELIVERED (the result went to the webhook), or FAILED. One line per task as it ends ' +
        '(with --json, one array of {taskId, result, task|error} at the end, tasks masked as `task get` masks them). ' +
        'Exit 0 when all succeed, 9 when one FAILED and the rest succeeded, 8 when the wait timed out, 10 when results are mixed with other errors.',
    )
    .argument('<id|name>', 'the QUEUE deployment: id (18 digits) or exact name')
    .argument('<taskId...>', 'one or more task ids')
    .addOption(new Option('--wait-timeout <duration>', 'how long to wait, e.g. 30s, 10m (default 10m)').argParser((v) => parseDuration(v, '--wait-timeout')))
    .addHelpText(
      'after',
      `
Examples:
  $ yotta task wait my-queue "$(yotta task submit my-queue -d '{"prompt": "Hi"}' --path /v1/completions)"
  $ yotta task list my-queue -o id --status processing | xargs -r yotta task wait my-queue --wait-timeout 2m`,
    )
    .action(async (ref: string, taskIds: string[], opts: { waitTimeout?: number }, command: Command) => {
      await runTaskWait({ ref, taskIds, waitTimeout: opts.waitTimeout, g: globalsOf(command) }, ctx);
    });
}

/** What a result is called in --json and in the exit-code decision. */
function resultWord(r: TaskWaitResult): 'succeeded' | 'failed' | 'timeout' | 'error' {
  if (r.kind === 'done') return r.task.status === 'FAILED' ? 'failed' : 'succeeded';
  return r.kind;
}

/** Waits for the tasks and reports each; the exit code sums them up. */
export async function runTaskWait(o: TaskWaitCommandOptions, ctx: Context): Promise<void> {
  const ref = checkDeploymentRef(o.ref);
  const ids = [...new Set(o.taskIds.map(checkTaskRef))];
  const ui = createUi(ctx, o.g);
  const json = ui.format === 'json';
  const results = await withSession(ctx, o.g, ui, async (session) => {
    const id = await resolveDeployment(session, ref);
    const timeoutMs = taskWaitTimeout(o.waitTimeout, session);
    const spinner = ui.spinner(`Waiting for ${ids.length} task${ids.length === 1 ? '' : 's'}…`);
    const report = (r: TaskWaitResult): void => {
      if (json) return;
      spinner.stop();
      if (r.kind === 'done') {
        const error = r.task.status === 'FAILED' && typeof r.task.error === 'string' ? `  ${safeText(r.task.error)}` : '';
        ui.out(`${r.taskId}  ${taskStatus(r.task.status, ui.outColors)}${error}`);
      } else if (r.kind === 'timeout') {
        ui.out(`${r.taskId}  still ${String(r.task?.status ?? 'PROCESSING')} after ${formatDuration(timeoutMs)}`);
      } else {
        const err = explainTaskNotFound(r.error, r.taskId, ref) as YottaError;
        ui.out(`${r.taskId}  error: ${safeText(err.message)}`);
      }
    };
    try {
      return await waitForTasks(ctx, session.client, id, ids, {
        timeoutMs,
        onResult: report,
        onProgress: (pending, total) => spinner.update(`Waiting for ${pending} of ${total} task${total === 1 ? '' : 's'}…`),
      });
    } finally {
      spinner.stop();
    }
  });
  if (json) {
    ui.out(
      JSON.stringify(
        results.map((r) => {
          const word = resultWord(r);
          if (r.kind === 'error') {
            const e = explainTaskNotFound(r.error, r.taskId, ref) as YottaError;
            return { taskId: r.taskId, result: word, error: { message: e.message, exitCode: e.exitCode } };
          }
          return { taskId: r.taskId, result: word, task: r.task ? maskTask(r.task) : null };
        }),
        null,
        2,
      ),
    );
  }
  const words = results.map(resultWord);
  if (words.every((w) => w === 'succeeded')) return;
  const failed = words.filter((w) => w === 'failed').length;
  const timedOut = words.filter((w) => w === 'timeout').length;
  const errors = words.filter((w) => w === 'error').length;
  if (errors === 0 && timedOut === 0) {
    throw new YottaError(`${failed} of ${results.length} task${results.length === 1 ? '' : 's'} FAILED`, ExitCode.FAILED, `Details: yotta task get ${ref} <taskId>`);
  }
  if (errors === 0 && failed === 0) {
    throw new WaitTimeoutError(`${timedOut} of ${results.length} task${results.length === 1 ? '' : 's'} still PROCESSING when the wait timed out`, `They carry on; wait again with: yotta task wait ${ref} <taskId>...`);
  }
  if (results.length === 1 && errors === 1) {
    const only = results[0]!;
    if (only.kind === 'error') throw explainTaskNotFound(only.error, only.taskId, ref);
  }
  throw new PartialFailureError(`${results.length - words.filter((w) => w === 'succeeded').length} of ${results.length} tasks did not succeed (${failed} failed, ${timedOut} timed out, ${errors} could not be read)`);
}
