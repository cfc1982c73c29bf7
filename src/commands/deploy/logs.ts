/** `yotta deploy logs`: what a deployment's workers wrote, merged, paged, tailed or followed. */
import type { Command } from 'commander';
import { Option } from 'commander';
import type { Context } from '../../context.js';
import type { GlobalOptions } from '../../globals.js';
import { collect, globalsOf } from '../../globals.js';
import type { Colors } from '../../output/colors.js';
import type { LogEntry } from '../../services/worker-logs.js';
import { DeploymentGone, HOLD_BACK_MS, LogReader } from '../../services/worker-logs.js';
import { checkDeploymentRef, explainNotFound, resolveDeploymentId } from '../../services/resolve.js';
import { createUi } from '../../output/ui.js';
import { withSession } from '../../session.js';
import { getDeployment } from '../../api/deployments.js';
import { describeRef } from '../../output/format.js';
import { parseDuration, formatDuration } from '../../duration.js';
import { escapeControls } from '../../text.js';
import { InterruptedError, isInterruption, UsageError } from '../../errors.js';

/** Options of `deploy logs`. */
export interface LogsOptions {
  /** Deployment id or name, as typed. */
  ref: string;
  /** `--worker` ids (repeatable, comma-separated). */
  worker?: string[];
  follow?: boolean;
  /** `--since`: a duration back from now, or a time. */
  since?: string;
  /** `--until`: a time, or a duration back from now. */
  until?: string;
  /** `--tail` as typed. */
  tail?: string;
  grep?: string;
  timestamps?: boolean;
  /** true/false with --prefix/--no-prefix; undefined: on with several workers. */
  prefix?: boolean;
  /** The global flags. */
  g: GlobalOptions;
}

/** The backlog's window when neither --since nor --tail is given. */
export const DEFAULT_SINCE_MS = 3_600_000;

/** Adds `deploy logs` to the group. */
export function registerLogs(group: Command, ctx: Context): void {
  group
    .command('logs')
    .summary("show what a deployment's workers wrote, or follow it live")
    .description(
      "Show the log lines of a deployment's workers: all of them (those `deploy workers` lists, FAILED and " +
        'TERMINATED ones included), or those named with --worker (tried even when no longer listed: a stop and ' +
        'start, or a scale, replaces worker ids). Without --tail, everything in the --since window (default: the ' +
        'last hour). Order is exact within a worker; across workers, lines are merged by timestamp (while ' +
        `following, after a hold-back of up to ${formatDuration(HOLD_BACK_MS)}, so a line that arrives later than that ` +
        'may print out of order). With several workers each line starts with a coloured label: the last six ' +
        'characters of its worker id. On a terminal, control characters in log lines are shown as escapes ' +
        '(tabs kept); to a pipe or file, lines are written byte for byte.',
    )
    .argument('<id|name>', 'deployment id (18 digits) or exact name')
    .option('--worker <id>', 'only this worker (repeatable, comma-separated); ids as `yotta deploy workers` lists them', collect)
    .option(
      '-f, --follow',
      'after the backlog, keep printing new lines until Ctrl-C (exit 0); picks up new workers after a scale or restart, ' +
        'and ends by itself when the deployment is stopped or deleted',
    )
    .option('--since <when>', 'start of the window: a duration back from now (10m, 2h) or an ISO 8601 time (default 1h; no limit with --tail)')
    .option('--until <when>', 'end of the window: an ISO 8601 time or a duration back from now (not with --follow)')
    .option('--tail <n>', 'only the last n lines of the merged stream (then, with --follow, the new ones)')
    .option('--grep <text>', 'only lines containing text (filtered by the server, case as it decides)')
    .option('--timestamps', "start each line with the server's timestamp (ISO 8601)")
    .addOption(new Option('--prefix', 'start each line with its worker label (default with several workers)'))
    .addOption(new Option('--no-prefix', 'never start lines with a worker label'))
    .addHelpText(
      'after',
      `
Examples:
  $ yotta deploy logs llama-3-8b
  $ yotta deploy logs llama-3-8b --tail 50 --timestamps
  $ yotta deploy logs llama-3-8b -f
  $ yotta deploy logs llama-3-8b --since 10m --grep error
  $ yotta deploy logs llama-3-8b --worker "$(yotta deploy workers llama-3-8b --json | jq -r '.[0].id')" --tail 50
  $ yotta deploy logs llama-3-8b --json | jq -r 'select(.log | test("throughput")) | .timestamp'

With --json, one JSON object per line (NDJSON), in the order printed:
{"workerId":"<id>","timestamp":"<as the API sent it>","offset":<integer>,"log":"<the line>"}`,
    )
    .action(async (ref: string, opts: Omit<LogsOptions, 'ref' | 'g'>, command: Command) => {
      await runLogs({ ref, ...opts, g: globalsOf(command) }, ctx);
    });
}

/** Parses `--since`/`--until`: an ISO 8601 time (or epoch ms) or a duration back from `now`; epoch ms. */
export function parseWhen(value: string, flag: string, now: number): number {
  const text = value.trim();
  if (/^\d{4}-\d{2}-\d{2}/.test(text)) {
    const ms = Date.parse(text);
    if (Number.isFinite(ms)) return ms;
  } else if (/^\d{12,}$/.test(text)) {
    return Number(text);
  } else {
    try {
      return now - parseDuration(text, flag);
    } catch {
      // Worded below, naming both forms.
    }
  }
  throw new UsageError(`${flag}: "${value}" is neither a duration (10m, 2h) nor an ISO 8601 time (2025-06-01T12:00:00Z)`);
}

/** A worker id as typed: one path segment of letters, digits, `_` and `-`. */
const WORKER_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** What the flags come to, checked before anything is sent. */
interface Plan {
  workers: string[];
  since?: number;
  until?: number;
  tail?: number;
  keyword?: string;
}

function checkFlags(opts: LogsOptions, now: number): Plan {
  const g = opts.g;
  if (!g.json && g.output === 'yaml') {
    throw new UsageError('deploy logs prints lines, or with --json one JSON object per line; it cannot print YAML', 'Use --json.');
  }
  const workers: string[] = [];
  for (const raw of (opts.worker ?? []).flatMap((v) => v.split(','))) {
    const w = raw.trim();
    if (w === '') continue;
    if (!WORKER_ID.test(w)) throw new UsageError(`--worker: "${raw}" is not a worker id (letters, digits, _ and -)`, 'Worker ids are listed by `yotta deploy workers <id|name>`.');
    if (!workers.includes(w)) workers.push(w);
  }
  if (opts.worker && workers.length === 0) throw new UsageError('--worker needs a worker id');
  let tail: number | undefined;
  if (opts.tail !== undefined) {
    if (!/^\d+$/.test(opts.tail.trim()) || !Number.isSafeInteger(Number(opts.tail.trim()))) {
      throw new UsageError(`--tail: "${opts.tail}" is not a whole number of lines (0 or more)`);
    }
    tail = Number(opts.tail.trim());
  }
  if (opts.grep !== undefined && opts.grep === '') throw new UsageError('--grep needs some text to look for');
  if (opts.until !== undefined && opts.follow) {
    throw new UsageError('--until ends the logs at a time, --follow keeps them going: give one of them');
  }
  const since = opts.since !== undefined ? parseWhen(opts.since, '--since', now) : tail === undefined ? now - DEFAULT_SINCE_MS : undefined;
  const until = opts.until !== undefined ? parseWhen(opts.until, '--until', now) : undefined;
  if (since !== undefined && until !== undefined && until < since) {
    throw new UsageError(`--until (${new Date(until).toISOString()}) is before --since (${new Date(since).toISOString()})`);
  }
  return {
    workers,
    ...(since !== undefined ? { since } : {}),
    ...(until !== undefined ? { until } : {}),
    ...(tail !== undefined ? { tail } : {}),
    ...(opts.grep !== undefined ? { keyword: opts.grep } : {}),
  };
}

/** Log text for a terminal: every control character a visible escape, tabs kept. */
export function terminalText(text: string): string {
  return text.includes('\t') ? text.split('\t').map((p) => escapeControls(p, 'escape')).join('\t') : escapeControls(text, 'escape');
}

const JSON_UNSAFE = /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** One NDJSON line: the API's line plus its worker; C1, bidi and line-separator characters as \uXXXX. */
export function jsonLine(e: LogEntry): string {
  const offset = typeof e.offset === 'number' ? String(e.offset) : /^\d+$/.test(e.offset) ? e.offset : JSON.stringify(e.offset);
  const text = `{"workerId":${JSON.stringify(e.workerId)},"timestamp":${JSON.stringify(e.timestamp)},"offset":${offset},"log":${JSON.stringify(e.log)}}`;
  JSON_UNSAFE.lastIndex = 0;
  return JSON_UNSAFE.test(text) ? text.replace(JSON_UNSAFE, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`) : text;
}

/** Short, stable labels: the last six characters of each id, the whole id where two would be alike. */
class Labels {
  private readonly byId = new Map<string, string>();
  private readonly palette: ((t: string) => string)[];
  constructor(c: Colors) {
    this.palette = [c.cyan, c.yellow, c.green, (t) => c.bold(c.cyan(t)), (t) => c.bold(c.yellow(t)), (t) => c.bold(c.green(t))];
  }
  of(id: string): string {
    let label = this.byId.get(id);
    if (label === undefined) {
      const short = id.length > 6 ? id.slice(-6) : id;
      const taken = [...this.byId.values()].some((l) => l === `[${short}]`);
      const colour = this.palette[this.byId.size % this.palette.length]!;
      label = colour(`[${taken ? id : short}]`);
      this.byId.set(id, label);
    }
    return label;
  }
}

/** Prints a deployment's worker logs; with follow, until Ctrl-C (exit 0), a stop or a deletion. */
export async function runLogs(opts: LogsOptions, ctx: Context): Promise<void> {
  const ref = checkDeploymentRef(opts.ref);
  const plan = checkFlags(opts, ctx.now());
  const ui = createUi(ctx, opts.g);
  const json = ui.format === 'json';
  const terminal = ctx.stdout.isTTY;
  const labels = new Labels(ui.outColors);
  let prefix = opts.prefix;
  let buffer = '';
  const flush = (): void => {
    if (buffer === '') return;
    ui.out(buffer);
    buffer = '';
  };
  const emit = (e: LogEntry): void => {
    if (json) buffer += jsonLine(e) + '\n';
    else {
      const head = (prefix ? labels.of(e.workerId) + ' ' : '') + (opts.timestamps ? ui.outColors.dim(e.timestamp) + ' ' : '');
      buffer += head + (terminal ? terminalText(e.log) : e.log) + '\n';
    }
    if (buffer.length >= 65_536) flush();
  };

  await withSession(ctx, opts.g, ui, async (session) => {
    let id: string;
    let label: string;
    try {
      id = await resolveDeploymentId(session.client, ref);
      const d = await getDeployment(session.client, id);
      label = describeRef(String(d.id), d.name);
    } catch (err) {
      if (opts.follow && isInterruption(err, ctx.signal)) return;
      throw explainNotFound(err, ref);
    }
    let started = false;
    const reader = new LogReader({
      client: session.client,
      ctx,
      deploymentId: id,
      label,
      ref,
      ...(plan.workers.length > 0 ? { workers: plan.workers } : {}),
      ...(plan.keyword !== undefined ? { keyword: plan.keyword } : {}),
      ...(plan.since !== undefined ? { since: plan.since } : {}),
      ...(plan.until !== undefined ? { until: plan.until } : {}),
      emit,
      flush,
      onWorker: () => {
        // A second worker joined while following: from now on, say whose each line is.
        if (started && opts.prefix === undefined && reader.workerIds.length > 1 && !prefix) {
          prefix = true;
          ui.info('More than one worker now: lines start with their worker label from here on.');
        }
      },
      notice: (m) => ui.info(m),
      warn: (m) => ui.warn(m),
    });
    try {
      if (plan.workers.length === 0) await reader.discover();
      prefix ??= reader.workerIds.length > 1;
      started = true;
      if (reader.workerIds.length === 0 && !opts.follow) {
        ui.warn(`${label} has no workers yet, so there are no logs to show.`);
        ui.next('Wait for the first with', `yotta deploy logs ${id} --follow`);
        return;
      }
      if (plan.tail !== undefined) {
        await reader.seekTail(plan.tail);
        await reader.backlog(opts.follow ? Infinity : plan.tail);
      } else {
        await reader.backlog();
      }
      if (opts.follow) await reader.follow();
    } catch (err) {
      flush();
      if (isInterruption(err, ctx.signal)) {
        if (opts.follow) return;
        throw new InterruptedError();
      }
      if (err instanceof DeploymentGone) throw explainNotFound(err, ref);
      throw err;
    } finally {
      flush();
    }
  });
}
