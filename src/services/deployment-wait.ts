/**
 * Waiting for a deployment: polls it (services/poller.ts) until it reaches a target (running,
 * stopped, deleted, or a number of running workers), with a spinner, growing pauses, a deadline, and
 * a clean stop on Ctrl-C. Used by `deploy wait` and by every `--wait` (create, start, stop, scale,
 * delete --force, apply).
 */
import type { ElasticDeploymentDetail } from '../api/types.js';
import type { Session } from '../session.js';
import type { Ui } from '../output/ui.js';
import type { Limiter } from './concurrency.js';
import { ApiError, DeploymentFailedError, ExitCode, InterruptedError, isInterruption, NetworkError, UsageError, WaitTimeoutError, YottaError } from '../errors.js';
import { formatDuration, parseDuration } from '../duration.js';
import { cell, describeRef } from '../output/format.js';
import { getDeployment, listDeployments, listWorkers } from '../api/deployments.js';
import type { PollDecision } from './poller.js';
import { poll } from './poller.js';
import { isDeploymentId, noDeploymentNamed, pickByName } from './resolve.js';

/** The shortest pause between two polls of any wait, as for --watch: a wait must never become a request storm. */
export const MIN_POLL_INTERVAL_MS = 1000;

/** Parses a polling `--interval`, refusing (exit 2) anything under MIN_POLL_INTERVAL_MS. */
export function parsePollInterval(value: string, what = '--interval'): number {
  const ms = parseDuration(value, what);
  if (ms < MIN_POLL_INTERVAL_MS) {
    throw new UsageError(`${what}: at least ${formatDuration(MIN_POLL_INTERVAL_MS)} between polls (got ${value.trim()})`);
  }
  return ms;
}

/** How far before the deadline a request timeout still counts as the deadline's doing. */
const DEADLINE_SLACK_MS = 50;
/** The least time a poll is given, even at the deadline. */
const FINAL_POLL_MS = 1000;

/** Where to look when a deployment turned FAILED: the last lines of a FAILED worker, when one is listed. */
async function failedHint(session: Session, id: string): Promise<string> {
  try {
    const failed = await listWorkers(session.client, id, { statusList: ['FAILED'] });
    const w = failed.find((x) => /^[A-Za-z0-9_-]+$/.test(String(x.id ?? '')));
    if (w) return `See why with: yotta deploy logs ${id} --worker ${String(w.id)} --tail 50`;
  } catch {
    // The hint is a courtesy: the error it goes with is the news.
  }
  return `See why with: yotta deploy workers ${id}`;
}

/** Off a terminal, the longest a wait goes without a progress line on stderr. */
export const PROGRESS_EVERY_MS = 30_000;

/** What to tell someone whose wait timed out: a STOPPED deployment will not get there by itself. */
function timeoutHint(id: string, target: WaitTarget, last: ElasticDeploymentDetail | undefined): string {
  if (last?.status === 'STOPPED' && (target.state === 'running' || target.state === 'workers')) {
    return `It is STOPPED and will not get there by itself; start it with: yotta deploy start ${id} --wait`;
  }
  return `It may still get there; check with: ${checkCommand(id, target)}, or wait longer with: ${waitCommand(id, target)} --wait-timeout 30m`;
}

/** What to wait for. `workers` waits until exactly `count` workers run. */
export type WaitTarget =
  | { state: 'running' }
  | { state: 'stopped' }
  | { state: 'deleted' }
  | { state: 'workers'; count: number };

/** Options of waitForDeployment. */
export interface WaitOptions {
  /** Give up (exit 8) after this long, measured with ctx.now(). */
  timeoutMs: number;
  /** Spinner, context (clock, sleep, Ctrl-C signal). */
  ui: Ui;
  /** First pause between polls, in ms (default 1000); it grows ×1.5 up to MAX_INTERVAL_MS. */
  intervalMs?: number;
  /** Longest pause between polls (default MAX_INTERVAL_MS); equal to intervalMs, polls keep a fixed pace. */
  maxIntervalMs?: number;
  /** Shares the requests-in-flight budget of a multi-deployment command: each poll takes a slot. */
  limiter?: Limiter;
  /** Pauses between polls (default the Context's sleep); a SharedSleep when several waits run together. */
  sleep?: (ms: number) => Promise<void>;
}

/** Default `--wait-timeout`: 10 minutes. */
export const DEFAULT_WAIT_TIMEOUT_MS = 10 * 60_000;
/** The `--wait` deadline: `--wait-timeout`, else the profile's waitTimeoutMs, else 10 minutes. */
export function waitTimeoutOf(flag: number | undefined, session: Session): number {
  return flag ?? session.settings.waitTimeoutMs ?? DEFAULT_WAIT_TIMEOUT_MS;
}

/** Longest pause between two polls: a deployment taking a minute needs about 15 polls, not 60. */
export const MAX_INTERVAL_MS = 5000;
const BACKOFF = 1.5;
/**
 * Polls that may answer "not found" before the first sighting: a deployment just created may not be
 * listed yet. Also the number of polls a deployment may still show FAILED right after a start or
 * stop was accepted (the status may lag the action), before FAILED counts as final.
 */
const GRACE_POLLS = 3;

/** A short phrase for the target: "running", "stopped", "deleted", "running 4 workers". */
export function describeTarget(target: WaitTarget): string {
  switch (target.state) {
    case 'workers':
      return `running ${target.count} worker${target.count === 1 ? '' : 's'}`;
    default:
      return target.state;
  }
}

/** Whether `d` is at the target. */
export function reachedTarget(d: ElasticDeploymentDetail, target: WaitTarget): boolean {
  switch (target.state) {
    case 'running':
      return d.status === 'RUNNING' && d.runningWorkers >= d.totalWorkers;
    case 'stopped':
      return d.status === 'STOPPED';
    case 'workers':
      return d.runningWorkers === target.count && (d.totalWorkers === target.count || d.totalWorkers === undefined);
    case 'deleted':
      return false;
  }
}

/** `INITIALIZING, 1/2 workers running` — the state as narration shows it. */
export function describeState(d: ElasticDeploymentDetail): string {
  return `${cell(d.status)}, ${cell(d.runningWorkers)}/${cell(d.totalWorkers)} workers running`;
}

/** What poll() returns when Ctrl-C came. */
const INTERRUPTED: unique symbol = Symbol('interrupted');

function isNotFound(err: unknown): boolean {
  return err instanceof ApiError && err.exitCode === ExitCode.NOT_FOUND;
}


/** The command that shows how far the deployment got, depending on what we were waiting for. */
function checkCommand(id: string, target: WaitTarget): string {
  return target.state === 'workers' ? `yotta deploy workers ${id}` : `yotta deploy get ${id}`;
}

/** The `yotta deploy wait` command that picks the same wait up again. */
function waitCommand(id: string, target: WaitTarget): string {
  const condition = target.state === 'workers' ? `workers=${target.count}` : target.state;
  return `yotta deploy wait ${id} --for ${condition}`;
}

/** What to tell someone who pressed Ctrl-C: the deployment carries on, how to look at it and to wait again. */
function resumeHint(id: string, target: WaitTarget): string {
  const doing = { running: 'Still starting', stopped: 'Still stopping', deleted: 'Still deleting', workers: 'Still scaling' }[
    target.state
  ];
  return `${doing}; check with: ${checkCommand(id, target)}, or wait again with: ${waitCommand(id, target)}`;
}

/**
 * Polls `id` until it reaches `target` and returns its last detail (undefined for `deleted`).
 * Throws DeploymentFailedError (exit 9) as soon as it turns FAILED, WaitTimeoutError (exit 8) after
 * `timeoutMs` naming the last state seen, and InterruptedError (exit 130) on Ctrl-C, leaving the
 * deployment as it is. Never sends anything but GETs.
 */
export async function waitForDeployment(
  session: Session,
  id: string,
  target: WaitTarget,
  opts: WaitOptions,
): Promise<ElasticDeploymentDetail | undefined> {
  const { ui } = opts;
  const ctx = ui.ctx;
  const started = ctx.now();
  let interval = Math.max(MIN_POLL_INTERVAL_MS, opts.intervalMs ?? 1000);
  let last: ElasticDeploymentDetail | undefined;
  let notFoundPolls = 0;
  let failedPolls = 0;
  let sawNotFailed = false;
  let stoppedPolls = 0;
  let sawNotStopped = false;
  let lastLine: string | undefined;
  let lastLineAt = started;
  const label = () => (last ? describeRef(last.id, last.name) : describeRef(id));
  const spinner = ui.spinner(`Waiting for ${label()} to be ${describeTarget(target)}…`);

  const interrupted = () =>
    new InterruptedError(
      `stopped waiting for ${label()} to be ${describeTarget(target)}; it was left as it is` +
        (last ? ` (${describeState(last)})` : ''),
      resumeHint(id, target),
    );

  const timedOut = (why?: string) =>
    new WaitTimeoutError(
      `gave up after ${formatDuration(ctx.now() - started)} waiting for ${label()} to be ${describeTarget(target)}; ` +
        `last seen: ${last ? describeState(last) : 'not listed yet'}${why ? ` (${why})` : ''}`,
      timeoutHint(id, target, last),
      last,
    );

  // The wait's deadline bounds each poll too: a server that stops answering cannot hold it past it.
  // The poll after the last pause (which ends at the deadline) still gets a moment to answer.
  const read = (): Promise<ElasticDeploymentDetail> => {
    const budgetMs = Math.max(Math.min(FINAL_POLL_MS, opts.timeoutMs), opts.timeoutMs - (ctx.now() - started));
    const get = () => getDeployment(session.client, id, { budgetMs });
    return opts.limiter ? opts.limiter.run(get) : get();
  };

  try {
    const pause = opts.sleep;
    const outcome = await poll(
      pause ? { sleep: (ms) => pause(ms), signal: ctx.signal } : ctx,
      async () => {
        let d: ElasticDeploymentDetail | undefined;
        try {
          d = await read();
        } catch (err) {
          if (isInterruption(err, ctx.signal)) throw interrupted();
          // A poll cut short by the deadline (timers and the clock may differ by a few ms): the wait timed out.
          if (err instanceof NetworkError && err.details.timedOut && ctx.now() - started >= opts.timeoutMs - DEADLINE_SLACK_MS) {
            throw timedOut('the last request got no answer before the deadline');
          }
          if (!isNotFound(err)) throw err;
          if (target.state === 'deleted') return { done: true, value: undefined };
          notFoundPolls += 1;
          if (last || notFoundPolls > GRACE_POLLS) throw err;
        }
        if (d) {
          last = d;
          if (d.status === 'FAILED') {
            failedPolls += 1;
            // FAILED right after the action may be the status from before it; a change into FAILED is final.
            if (sawNotFailed || failedPolls > GRACE_POLLS) {
              throw new DeploymentFailedError(
                `${describeRef(d.id, d.name)} turned FAILED while waiting for it to be ${describeTarget(target)} (${describeState(d)})`,
                await failedHint(session, id),
                d,
              );
            }
          } else {
            sawNotFailed = true;
          }
          if (target.state === 'workers' && target.count > 0 && d.status === 'STOPPED') {
            throw new YottaError(
              `${describeRef(d.id, d.name)} is STOPPED, so its workers will not start`,
              ExitCode.STATE,
              `Start it with: yotta deploy start ${id} --wait`,
            );
          }
          // A STOPPED deployment does not start by itself: after the same grace as FAILED (a start a
          // moment ago may not show yet), waiting for it to run is refused rather than timed out.
          if (target.state === 'running' && d.status === 'STOPPED') {
            stoppedPolls += 1;
            if (sawNotStopped || stoppedPolls > GRACE_POLLS) {
              throw new YottaError(
                `${describeRef(d.id, d.name)} is STOPPED, so it will not be running by itself`,
                ExitCode.STATE,
                `Start it with: yotta deploy start ${id} --wait`,
              );
            }
          } else if (d.status !== 'STOPPED') {
            sawNotStopped = true;
          }
          if (reachedTarget(d, target)) return { done: true, value: d };
        }
        const elapsed = ctx.now() - started;
        const seen = last ? describeState(last) : 'not listed yet';
        spinner.text = `Waiting for ${label()} to be ${describeTarget(target)}: ${seen} (${formatDuration(elapsed)})`;
        // Off a terminal no spinner shows: a line when the state changes, and at least every 30 s (not under -q).
        if (!ctx.stderr.isTTY && (seen !== lastLine || ctx.now() - lastLineAt >= PROGRESS_EVERY_MS)) {
          ui.info(spinner.text);
          lastLine = seen;
          lastLineAt = ctx.now();
        }
        if (elapsed >= opts.timeoutMs) throw timedOut();
        const pauseMs = Math.min(interval, opts.timeoutMs - elapsed);
        interval = Math.min(interval * BACKOFF, opts.maxIntervalMs ?? MAX_INTERVAL_MS);
        return { done: false, pauseMs };
      },
      () => INTERRUPTED,
    );
    if (typeof outcome === 'symbol') throw interrupted();
    return outcome;
  } finally {
    spinner.stop();
  }
}

/**
 * Times a name may be missing from the list before it counts as unknown: a deployment created a
 * moment ago may not be listed yet (the same grace waitForDeployment gives an id).
 */
const NAME_GRACE_POLLS = 3;

/**
 * Finds the id `deploy wait` waits for. A name missing from the list is looked for again a few times
 * (it may have just been created); with `--for deleted` a missing name is already the answer (undefined).
 */
export async function resolveForWait(session: Session, ref: string, target: WaitTarget, deadline: number, intervalMs: number): Promise<string | undefined> {
  if (isDeploymentId(ref)) return ref;
  const ctx = session.ui.ctx;
  const found = await poll(
    ctx,
    async (attempt): Promise<PollDecision<{ id: string | undefined }>> => {
      // Bounded by the wait's deadline, as every poll of the wait is.
      let list: ElasticDeploymentDetail[];
      try {
        list = await listDeployments(session.client, { budgetMs: Math.max(FINAL_POLL_MS, deadline - ctx.now()) });
      } catch (err) {
        if (err instanceof NetworkError && err.details.timedOut && ctx.now() >= deadline - DEADLINE_SLACK_MS) {
          throw new WaitTimeoutError(`gave up waiting for ${ref}: the server did not answer before the deadline`, 'Check with: yotta deploy list');
        }
        throw err;
      }
      const match = pickByName(list, ref);
      if (match) return { done: true, value: { id: match.id } };
      if (target.state === 'deleted') return { done: true, value: { id: undefined } };
      const left = deadline - ctx.now();
      if (attempt >= NAME_GRACE_POLLS || left <= 0) throw noDeploymentNamed(ref);
      return { done: false, pauseMs: Math.min(intervalMs, left) };
    },
    () => INTERRUPTED,
  );
  if (typeof found === 'symbol') throw new InterruptedError(`stopped waiting for ${ref}; it was left as it is`);
  return found.id;
}
