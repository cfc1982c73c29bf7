/**
 * Waiting for tasks: polls each task id still PROCESSING until it ends (SUCCESS, DELIVERED or
 * FAILED), gives up at a deadline, and stops at once on Ctrl-C. Sends nothing but GETs. Used by
 * `task submit --wait` and `task wait`.
 */
import type { ApiClient } from '../api/client.js';
import type { Task } from '../api/types.js';
import type { Context } from '../context.js';
import { getTask } from '../api/tasks.js';
import { InterruptedError, isInterruption, YottaError } from '../errors.js';

/** The statuses a task ends in: DELIVERED means its result went to the webhook. */
export const FINAL_TASK_STATUSES: readonly string[] = ['SUCCESS', 'DELIVERED', 'FAILED'];

/** Whether a task has ended. */
export function isFinalTask(task: Task): boolean {
  return FINAL_TASK_STATUSES.includes(String(task.status));
}

/** How one waited-for task came out. */
export type TaskWaitResult =
  | { taskId: string; kind: 'done'; task: Task }
  | { taskId: string; kind: 'timeout'; task?: Task }
  | { taskId: string; kind: 'error'; error: YottaError };

/** Options of waitForTasks. */
export interface TaskWaitOptions {
  /** Give up after this long (ctx.now()). */
  timeoutMs: number;
  /** First pause between polls (default 500 ms), growing ×1.5 up to maxIntervalMs. */
  intervalMs?: number;
  /** Longest pause between polls (default 5 s). */
  maxIntervalMs?: number;
  /** Called once for each task as soon as its result is known. */
  onResult?: (r: TaskWaitResult) => void;
  /** Called after each round of polls with how many are still PROCESSING. */
  onProgress?: (pending: number, total: number) => void;
}

/**
 * Polls the tasks until each has ended, failed to be read (24011, another API error), or the
 * deadline passed; results come back in the order of `taskIds`. A task that cannot be read is
 * reported and not polled again; a network failure of one poll is retried at the next round.
 * Throws InterruptedError on Ctrl-C.
 */
export async function waitForTasks(
  ctx: Context,
  client: ApiClient,
  deploymentId: string,
  taskIds: readonly string[],
  o: TaskWaitOptions,
): Promise<TaskWaitResult[]> {
  const started = ctx.now();
  const results = new Map<string, TaskWaitResult>();
  const last = new Map<string, Task>();
  let interval = Math.max(1, o.intervalMs ?? 500);
  const maxInterval = Math.max(interval, o.maxIntervalMs ?? 5000);
  const settle = (r: TaskWaitResult): void => {
    results.set(r.taskId, r);
    o.onResult?.(r);
  };
  for (;;) {
    const pending = taskIds.filter((id) => !results.has(id));
    for (const id of pending) {
      if (ctx.signal.aborted) throw new InterruptedError();
      try {
        const task = await getTask(client, deploymentId, id);
        last.set(id, task);
        if (isFinalTask(task)) settle({ taskId: id, kind: 'done', task });
      } catch (err) {
        if (isInterruption(err, ctx.signal)) throw new InterruptedError();
        // A poll lost to the network is tried again next round; anything the API said is final.
        if (err instanceof YottaError && err.name !== 'NetworkError') settle({ taskId: id, kind: 'error', error: err });
        else if (!(err instanceof YottaError)) throw err;
      }
    }
    const left = taskIds.filter((id) => !results.has(id));
    o.onProgress?.(left.length, taskIds.length);
    if (left.length === 0) break;
    const elapsed = ctx.now() - started;
    if (elapsed >= o.timeoutMs) {
      for (const id of left) {
        const seen = last.get(id);
        settle({ taskId: id, kind: 'timeout', ...(seen ? { task: seen } : {}) });
      }
      break;
    }
    try {
      await ctx.sleep(Math.min(interval, Math.max(1, o.timeoutMs - elapsed)), ctx.signal);
    } catch (err) {
      if (isInterruption(err, ctx.signal)) throw new InterruptedError();
      throw err;
    }
    interval = Math.min(maxInterval, Math.round(interval * 1.5));
  }
  return taskIds.map((id) => results.get(id)!);
}
