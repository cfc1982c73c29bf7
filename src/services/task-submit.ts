/**
 * Submitting tasks without ever submitting one twice by accident. Every submission carries a task
 * id made here, so a submission whose reply is lost is looked up once by that id: found, it was
 * submitted; not found or not readable, the outcome is reported as unknown (exit 7) and nothing is
 * sent again. The one re-send is after a 429, which means the submission was refused before it was
 * handled. Batches (`--jsonl`) run with bounded concurrency, at most SUBMITS_PER_SECOND starts in
 * any second, and report one result per input line, in input order, as soon as it is known.
 */
import { randomUUID } from 'node:crypto';
import type { ApiClient } from '../api/client.js';
import type { SubmitTaskRequest } from '../api/types.js';
import type { Context } from '../context.js';
import { getTask, submitTask } from '../api/tasks.js';
import { ApiError, ExitCode, InterruptedError, isInterruption, NetworkError, YottaError } from '../errors.js';

/** Documented submission limit per deployment. */
export const SUBMITS_PER_SECOND = 40;
/** Documented cap of tasks per deployment. */
export const TASK_CAP = 1000;
/** Submissions in flight at once in a batch. */
export const BATCH_CONCURRENCY = 8;
/** A line refused with 429 is sent again until it has waited this long in all. */
export const RATE_LIMIT_PATIENCE_MS = 120_000;

/** A fresh task id: a UUID's 32 hex digits (the API takes letters, digits and underscore only). */
export function newTaskId(): string {
  return randomUUID().replaceAll('-', '');
}

/** Whether an error is a refusal by a rate limiter (HTTP 429, or code 429 in the envelope). */
export function isRateLimited(err: unknown): boolean {
  return err instanceof ApiError && (err.httpStatus === 429 || err.code === 429);
}

/** How a submission came out. */
export type SubmitOutcome =
  | { kind: 'submitted'; taskId: string; /** The reply was lost; the task was found by its id. */ recovered: boolean }
  | { kind: 'failed'; taskId: string; error: YottaError }
  | { kind: 'unknown'; taskId: string; error: YottaError };

/** The command to check a task whose submission's outcome is unknown. */
export function checkCommand(deploymentId: string, taskId: string): string {
  return `yotta task get ${deploymentId} ${taskId}`;
}

/**
 * Sends one submission (with its taskId set) and, when the reply is lost, looks the id up once.
 * Never throws but InterruptedError; a 429 comes back as `failed` with the ApiError, for the caller to decide.
 */
export async function submitOnce(client: ApiClient, ctx: Context, deploymentId: string, body: SubmitTaskRequest & { taskId: string }): Promise<SubmitOutcome> {
  const taskId = body.taskId;
  try {
    const answer = await submitTask(client, deploymentId, body);
    return { kind: 'submitted', taskId: answer.taskId, recovered: false };
  } catch (err) {
    if (isInterruption(err, ctx.signal)) {
      return {
        kind: 'unknown',
        taskId,
        error: new InterruptedError(`interrupted while submitting: the outcome is unknown; check with: ${checkCommand(deploymentId, taskId)}`),
      };
    }
    if (!(err instanceof YottaError)) throw err;
    if (!(err instanceof NetworkError && err.details.outcomeUnknown)) return { kind: 'failed', taskId, error: err };
    // The request may have been applied: ask once, by the id we sent.
    try {
      await getTask(client, deploymentId, taskId);
      return { kind: 'submitted', taskId, recovered: true };
    } catch (lookup) {
      const notFound = lookup instanceof ApiError && lookup.code === 24011;
      const words = notFound
        ? `the reply to the submission was lost, and task ${taskId} does not exist: it was not received (or not yet)`
        : `the reply to the submission was lost, and looking task ${taskId} up failed too: the outcome is unknown`;
      return {
        kind: 'unknown',
        taskId,
        error: new NetworkError(
          `${words}`,
          { ...err.details, outcomeUnknown: true },
          `Check with: ${checkCommand(deploymentId, taskId)}; to send it again, give the same id: --task-id ${taskId}`,
        ),
      };
    }
  }
}

/** One result line of a batch: `{"line", "taskId", "ok", "error"}` (and `"unknown": true` when the outcome is not known). */
export interface BatchLine {
  line: number;
  taskId: string | null;
  ok: boolean;
  error: string | null;
  unknown?: true;
}

/** One input of a batch: its line number, and its input or why it cannot be sent. */
export type BatchInput = { line: number; input: unknown } | { line: number; problem: string };

/** Options of submitBatch. */
export interface BatchOptions {
  client: ApiClient;
  ctx: Context;
  deploymentId: string;
  /** The body of every submission but the input and task id. */
  template: Omit<SubmitTaskRequest, 'input' | 'taskId'>;
  /** Receives each result line, in input order, as soon as it and all before it are known. */
  emit: (r: BatchLine) => void;
  /** Told of a 429 and the pause before sending again (narration). */
  onRateLimited?: (line: number, waitMs: number) => void;
  concurrency?: number;
  perSecond?: number;
}

/**
 * Submits every input, at most `concurrency` at once and `perSecond` starts in any second. Returns
 * the results in input order. On Ctrl-C, starts nothing more; what is in flight ends as unknown,
 * what finished is emitted, and InterruptedError is thrown once every emitted line is out.
 */
export async function submitBatch(inputs: readonly BatchInput[], o: BatchOptions): Promise<BatchLine[]> {
  const { ctx } = o;
  const concurrency = Math.max(1, o.concurrency ?? BATCH_CONCURRENCY);
  const perSecond = Math.max(1, o.perSecond ?? SUBMITS_PER_SECOND);
  const results: (BatchLine | undefined)[] = inputs.map(() => undefined);
  let nextToEmit = 0;
  const flush = (): void => {
    while (nextToEmit < inputs.length && results[nextToEmit] !== undefined) o.emit(results[nextToEmit++]!);
  };
  const starts: number[] = [];
  /** Waits until one more start keeps within `perSecond` starts in the last second. */
  const pace = async (): Promise<void> => {
    for (;;) {
      const now = ctx.now();
      while (starts.length > 0 && starts[0]! <= now - 1000) starts.shift();
      if (starts.length < perSecond) {
        starts.push(now);
        return;
      }
      await ctx.sleep(Math.max(1, starts[0]! + 1000 - now), ctx.signal);
    }
  };

  const runOne = async (i: number): Promise<BatchLine> => {
    const item = inputs[i]!;
    if ('problem' in item) return { line: item.line, taskId: null, ok: false, error: item.problem };
    const body = { ...o.template, input: item.input, taskId: newTaskId() };
    let waited = 0;
    let pause = 1000;
    for (;;) {
      await pace();
      const outcome = await submitOnce(o.client, ctx, o.deploymentId, body);
      if (outcome.kind === 'submitted') return { line: item.line, taskId: outcome.taskId, ok: true, error: null };
      if (outcome.kind === 'unknown') return { line: item.line, taskId: outcome.taskId, ok: false, error: oneLine(outcome.error), unknown: true };
      if (!isRateLimited(outcome.error) || waited >= RATE_LIMIT_PATIENCE_MS) {
        return { line: item.line, taskId: null, ok: false, error: oneLine(outcome.error) };
      }
      // Refused before it was handled: the one case that is sent again, after a pause.
      o.onRateLimited?.(item.line, pause);
      await ctx.sleep(pause, ctx.signal);
      waited += pause;
      pause = Math.min(8000, pause * 2);
    }
  };

  let next = 0;
  let interrupted = false;
  const worker = async (): Promise<void> => {
    while (next < inputs.length && !ctx.signal.aborted) {
      const i = next++;
      try {
        results[i] = await runOne(i);
      } catch (err) {
        if (!isInterruption(err, ctx.signal)) throw err;
        interrupted = true;
        // Interrupted while pausing (nothing in flight): not sent this time, or sent and refused.
        const item = inputs[i]!;
        results[i] = { line: item.line, taskId: null, ok: false, error: 'interrupted before it was sent' };
      }
      if (ctx.signal.aborted) interrupted = true;
      flush();
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, inputs.length) }, () => worker()));
  if (interrupted || ctx.signal.aborted) {
    // Workers stop taking lines on Ctrl-C, so every line started has its result by now and all of
    // them are out, in order; the lines never started are left out, to be submitted again.
    flush();
    const reported = results.filter((r) => r !== undefined);
    const unknown = reported.filter((r) => r.unknown).length;
    throw new InterruptedError(
      `interrupted: ${reported.length} of ${inputs.length} lines reported, ${inputs.length - reported.length} not sent`,
      unknown > 0 ? `${unknown} line${unknown === 1 ? ' is' : 's are'} marked "unknown": check ${unknown === 1 ? 'it' : 'them'} by task id before sending again.` : undefined,
    );
  }
  return results as BatchLine[];
}

function oneLine(err: YottaError): string {
  return (err.hint ? `${err.message} (${err.hint})` : err.message).replace(/\s*\n\s*/g, ' ');
}

/** The exit code of a finished batch: 0 when every line was submitted, else 10. */
export function batchExitCode(lines: readonly BatchLine[]): number {
  return lines.every((l) => l.ok) ? ExitCode.OK : ExitCode.PARTIAL;
}
