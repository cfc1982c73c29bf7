/**
 * `--wait`: polls a deployment until it reaches a target (running, stopped, deleted, or a number of
 * running workers), with a spinner, backoff between polls, a deadline, and a clean stop on Ctrl-C.
 * Used by start, stop, scale, delete --force, and create/update.
 */
import type { Command } from 'commander';
import { Option } from 'commander';
import type { ElasticDeploymentDetail } from '../../api/types.js';
import type { Session } from '../../session.js';
import type { Ui } from '../../output/ui.js';
import { ApiError, DeploymentFailedError, ExitCode, InterruptedError, isInterruption, WaitTimeoutError, YottaError } from '../../errors.js';
import { formatDuration, parseDuration } from '../../duration.js';
import { cell, describeRef } from '../../output/format.js';
import { getDeployment } from '../../api/deployments.js';

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
}

/** Default `--wait-timeout`: 10 minutes. */
export const DEFAULT_WAIT_TIMEOUT_MS = 10 * 60_000;
/** Longest pause between two polls: a deployment taking a minute needs about 15 polls, not 60. */
export const MAX_INTERVAL_MS = 5000;
/** Off a terminal, the longest a wait goes without a progress line on stderr. */
export const PROGRESS_EVERY_MS = 30_000;
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

/** What to tell someone whose wait timed out: a STOPPED deployment will not get to running by itself. */
function timeoutHint(id: string, target: WaitTarget, last: ElasticDeploymentDetail | undefined): string {
  if (last?.status === 'STOPPED' && (target.state === 'running' || target.state === 'workers')) {
    return `It is STOPPED and will not get there by itself; start it with: yotta deploy start ${id} --wait`;
  }
  return `It may still get there; check with: ${checkCommand(id, target)}, or wait longer with: ${waitCommand(id, target)} --wait-timeout 30m`;
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
  let interval = Math.max(1, opts.intervalMs ?? 1000);
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

  try {
    for (;;) {
      if (ctx.signal.aborted) throw interrupted();
      let d: ElasticDeploymentDetail | undefined;
      try {
        d = await getDeployment(session.client, id);
      } catch (err) {
        if (isInterruption(err, ctx.signal)) throw interrupted();
        if (!isNotFound(err)) throw err;
        if (target.state === 'deleted') return undefined;
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
              `See why with: yotta deploy workers ${id} (its FAILED workers, if any are left), then yotta deploy get ${id}`,
              d,
            );
          }
        } else {
          sawNotFailed = true;
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
        if (target.state === 'workers' && target.count > 0 && d.status === 'STOPPED') {
          throw new YottaError(
            `${describeRef(d.id, d.name)} is STOPPED, so its workers will not start`,
            ExitCode.STATE,
            `Start it with: yotta deploy start ${id} --wait`,
          );
        }
        if (reachedTarget(d, target)) return d;
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
      if (elapsed >= opts.timeoutMs) {
        throw new WaitTimeoutError(
          `gave up after ${formatDuration(elapsed)} waiting for ${label()} to be ${describeTarget(target)}; ` +
            `last seen: ${last ? describeState(last) : 'not listed yet'}`,
          timeoutHint(id, target, last),
          last,
        );
      }
      try {
        await ctx.sleep(Math.min(interval, opts.timeoutMs - elapsed), ctx.signal);
      } catch (err) {
        if (isInterruption(err, ctx.signal)) throw interrupted();
        throw err;
      }
      interval = Math.min(interval * BACKOFF, opts.maxIntervalMs ?? MAX_INTERVAL_MS);
    }
  } finally {
    spinner.stop();
  }
}

/** Adds `--wait` and `--wait-timeout` to a command; `what` says what --wait waits for. */
export function addWaitFlags(cmd: Command, what: string): Command {
  return cmd
    .option('--wait', `wait until ${what}, showing progress (exit 9 if it turns FAILED, 8 on timeout)`)
    .addOption(
      new Option('--wait-timeout <duration>', 'how long --wait waits, e.g. 90s, 15m (default 10m or the profile\'s); implies --wait').argParser(
        (v) => parseDuration(v, '--wait-timeout'),
      ),
    );
}
