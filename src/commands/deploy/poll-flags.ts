/**
 * The polling flags of the deploy verbs, defined once: `--wait`/`--wait-timeout` (create, start,
 * stop, scale, apply) and `--watch`/`--interval` (list, get, workers), with the checks made before
 * anything is sent. The polling itself is services/deployment-wait.ts and services/watch.ts.
 */
import type { Command } from 'commander';
import { Option } from 'commander';
import type { GlobalOptions } from '../../globals.js';
import { parseDuration } from '../../duration.js';
import { UsageError } from '../../errors.js';
import { MIN_WATCH_INTERVAL_MS } from '../../services/watch.js';

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

/** The `--watch` flags as a command receives them. */
export interface WatchFlags {
  watch?: boolean;
  /** `--interval` in ms. */
  interval?: number;
}

/** Adds `-w, --watch` and `--interval` to a command; `what` says what a terminal shows redrawn (`the table is`). */
export function addWatchFlags(cmd: Command, what: string): Command {
  return cmd
    .option(
      '-w, --watch',
      `keep watching until Ctrl-C: on a terminal ${what} redrawn when it changes; without one, one line per change; ` +
        'with --json one JSON event per line (NDJSON)',
    )
    .addOption(
      new Option('--interval <duration>', 'pause between polls with --watch, e.g. 5s (default 2s, at least 1s)').argParser((v) =>
        parseDuration(v, '--interval'),
      ),
    );
}

/** Checks the watch flags before anything is sent: --interval needs --watch, and a watch cannot print YAML. */
export function checkWatchFlags(flags: WatchFlags, g: GlobalOptions): void {
  if (flags.interval !== undefined && !flags.watch) throw new UsageError('--interval only applies with --watch');
  if (!flags.watch) return;
  if (!g.json && g.output === 'yaml') {
    throw new UsageError('--watch prints a table, change lines or (with --json) JSON events; it cannot print YAML', 'Use --json for a stream of JSON events.');
  }
  if (flags.interval !== undefined && flags.interval < MIN_WATCH_INTERVAL_MS) {
    throw new UsageError(`--interval: at least 1s between polls (got ${flags.interval}ms)`);
  }
}

/** Help text paragraph shared by the three commands: what each presentation of --watch prints. */
export const WATCH_HELP = `
Watching (--watch): polls every --interval until Ctrl-C (exit 0). On a terminal the view is redrawn
in place when it changes. Without a terminal, one line per change: "12:00:03 llama-3-8b <id> RUNNING 2/2".
With --json, one JSON object per line: {"type":"snapshot"|"added"|"changed"|"removed", "at":"<ISO time>",
"deployment":{...}} (worker events have "deploymentId" and "worker" instead). "snapshot" lists the
first poll; "removed" carries the last state seen. Changes in cost or uptime alone are not events.
Network and server errors are reported on stderr and retried; other errors end the watch.`;
