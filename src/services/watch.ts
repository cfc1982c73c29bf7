/**
 * Watching for `--watch` of `deploy list`, `get` and `workers`: one polling loop with three presentations, picked
 * once from the output format and the terminal:
 * - table/wide on a terminal: the view is redrawn in place (cursor up, clear) when what it shows changed;
 * - table/wide without a terminal: one line per item that changed, `12:00:03 llama-3-8b 3788… RUNNING 2/2`;
 * - --json, terminal or not: NDJSON, one WatchEvent per line, so `... --watch --json | jq` is a live stream.
 * It polls every --interval (default 2 s) and runs until Ctrl-C, which ends it with exit 0; a deployment
 * that is deleted while `get`/`workers` watch it ends the watch too (there is nothing left to see).
 * Transient failures (network, HTTP 5xx/429) are reported on stderr and retried with backoff; any other
 * failure, or MAX_WATCH_FAILURES transient ones in a row, ends the watch with that error's exit code.
 * `deploy wait` is the command that stops at a condition; a watch only shows. Both poll with the
 * same loop (services/poller.ts); the flags are added by commands/deploy/poll-flags.ts.
 */
import type { ElasticDeploymentDetail, ElasticDeploymentWorkerDetail } from '../api/types.js';
import type { Ui } from '../output/ui.js';
import { formatDuration } from '../duration.js';
import { ApiError, ExitCode, isInterruption, NetworkError } from '../errors.js';
import { asRecord, cell } from '../output/format.js';
import { deploymentStatus, workerStatus } from '../output/status.js';
import { poll } from './poller.js';
import { jsonText } from '../text.js';
import { canRedraw } from '../output/spinner.js';

/** Pause between two polls unless `--interval` says otherwise. */
export const DEFAULT_WATCH_INTERVAL_MS = 2000;
/** The shortest `--interval`: a watch must never become a request storm. */
export const MIN_WATCH_INTERVAL_MS = 1000;
/** Transient failures in a row after which a watch gives up with the last one's exit code. */
export const MAX_WATCH_FAILURES = 5;
/** The longest pause after failures (the pause doubles from --interval with each failure in a row). */
export const MAX_WATCH_BACKOFF_MS = 60_000;

/**
 * Fields that move every second while anything runs (accrued cost, worker uptime). A change in them
 * alone is not an event; the events still carry their current values.
 */
const VOLATILE_FIELDS = new Set(['cost', 'uptime']);

/** What an NDJSON event reports: the first poll's items, then items that appeared, changed or went. */
export type WatchEventType = 'snapshot' | 'added' | 'changed' | 'removed';

/**
 * One NDJSON line of `--watch --json`. `at` is the poll's time (ISO 8601, UTC). Exactly one of
 * `deployment` (the API's deployment object as received) or `worker` (a worker object as received,
 * with `deploymentId`) is present. `removed` carries the last state seen.
 */
export interface WatchEvent {
  type: WatchEventType;
  at: string;
  deployment?: unknown;
  deploymentId?: string;
  worker?: unknown;
}

/** One thing a watch follows: a deployment or one of its workers. */
export interface WatchItem {
  /** Unique within a view, e.g. `deployment:<id>`, `worker:<id>`. */
  key: string;
  /** Who it is, for a change line: `llama-3-8b 378888638324150969`, `worker 4012…`. */
  label: string;
  /** Its state, for a change line: `RUNNING 2/2`. */
  state: string;
  /** The object as the API sent it; compared (without VOLATILE_FIELDS) to find changes. */
  data: unknown;
  /** The event's payload fields: `{ deployment }` or `{ deploymentId, worker }`. */
  fields: Pick<WatchEvent, 'deployment' | 'deploymentId' | 'worker'>;
}

/** What a command watches: how to read it, and how it looks. */
export interface WatchView<T> {
  /** One poll; errors are thrown as the API client throws them. */
  read(): Promise<T>;
  /** The items of one poll, in display order. */
  items(data: T): WatchItem[];
  /** The human view of one poll (table/wide), as the command prints it without --watch. */
  frame(data: T): Promise<string>;
  /** Whether an error means the watched deployment is gone (only asked after a successful poll). */
  isGone?(err: unknown): boolean;
  /** Said on stderr when it is gone, e.g. `llama (3788…0969) was deleted.` */
  goneMessage?: string;
}

/** Whether an error may pass by itself: the network, a timeout, or a server error or rate limit. */
export function isTransient(err: unknown): boolean {
  if (err instanceof NetworkError) return true;
  if (err instanceof ApiError) return err.httpStatus >= 500 || err.httpStatus === 429 || err.code === 10002;
  return false;
}

/** The pause after `failures` transient failures in a row: --interval doubled each time, at most a minute. */
export function backoffMs(intervalMs: number, failures: number): number {
  return Math.min(intervalMs * 2 ** failures, Math.max(intervalMs, MAX_WATCH_BACKOFF_MS));
}


/** JSON of an API object for comparison: volatile top-level fields dropped, bigints as digits. */
function comparable(data: unknown): string {
  return JSON.stringify(data, function (this: unknown, key: string, value: unknown) {
    if (this === data && VOLATILE_FIELDS.has(key)) return undefined;
    return typeof value === 'bigint' ? value.toString() : value;
  }) ?? 'null';
}

/** One NDJSON line; bigints (lossless big numbers) as digit strings. */
function eventLine(event: WatchEvent): string {
  return jsonText(event);
}

/** `12:00:03`, local time: the change lines and the terminal header are read by people. */
function clock(ms: number): string {
  return new Date(ms).toTimeString().slice(0, 8);
}

/** What was last shown of one item. */
interface Seen {
  item: WatchItem;
  line: string;
  compare: string;
}

/**
 * Runs a watch until Ctrl-C (returns: exit 0), until the watched deployment is gone (returns), or
 * until a failure that is not transient, or too many transient ones in a row (throws it).
 */
export async function runWatch<T>(ui: Ui, view: WatchView<T>, intervalMs: number = DEFAULT_WATCH_INTERVAL_MS): Promise<void> {
  const ctx = ui.ctx;
  const mode: 'redraw' | 'lines' | 'events' = ui.format === 'json' ? 'events' : canRedraw(ctx.stdout) ? 'redraw' : 'lines';
  const stringWidth = mode === 'redraw' ? (await import('string-width')).default : undefined;

  let seen: Map<string, Seen> | undefined;
  /** The body of the frame on screen (redraw mode), and how many terminal rows the whole frame takes. */
  let shownBody: string | undefined;
  let shownRows = 0;
  let failures = 0;
  /** Whether a poll succeeded yet: "not found" before that is an error, after it the deployment was deleted. */
  let polled = false;

  /** Terminal rows `text` takes, long lines wrapping at the terminal's width. */
  const rows = (text: string): number => {
    const width = Math.max(1, ctx.stdout.columns ?? 80);
    const lines = text.endsWith('\n') ? text.slice(0, -1).split('\n') : text.split('\n');
    return lines.reduce((n, l) => n + Math.max(1, Math.ceil((stringWidth ? stringWidth(l) : l.length) / width)), 0);
  };

  const redraw = (body: string): void => {
    if (body === shownBody) return;
    const header = ui.quiet
      ? ''
      : ui.outColors.dim(`Every ${formatDuration(intervalMs)}, last change ${clock(ctx.now())} (Ctrl-C to stop)`) + '\n\n';
    const text = header + (body.endsWith('\n') ? body : body + '\n');
    // Back to the first row of the frame on screen, then clear to the end of the screen.
    const back = shownRows > 0 ? `\r\u001b[${shownRows}A\u001b[J` : '';
    ctx.stdout.write(back + text);
    shownBody = body;
    shownRows = rows(text);
  };

  /** Lines or events for the difference between what was seen and `items` (empty when all is gone). */
  const report = (items: WatchItem[]): void => {
    const time = ctx.now();
    const next = new Map<string, Seen>();
    for (const item of items) {
      const line = `${item.label} ${item.state}`;
      const compare = comparable(item.data);
      const before = seen?.get(item.key);
      next.set(item.key, { item, line, compare });
      if (mode === 'events') {
        const type: WatchEventType | undefined = !seen ? 'snapshot' : !before ? 'added' : before.compare !== compare ? 'changed' : undefined;
        if (type) ui.out(eventLine({ type, at: new Date(time).toISOString(), ...item.fields }));
      } else if (!before || before.line !== line) {
        ui.out(`${clock(time)} ${line}`);
      }
    }
    for (const [key, before] of seen ?? []) {
      if (next.has(key)) continue;
      if (mode === 'events') ui.out(eventLine({ type: 'removed', at: new Date(time).toISOString(), ...before.item.fields }));
      else ui.out(`${clock(time)} ${before.item.label} removed`);
    }
    seen = next;
  };

  await poll(
    ctx,
    async () => {
      let data: T;
      try {
        data = await view.read();
      } catch (err) {
        if (isInterruption(err, ctx.signal)) return { done: true, value: undefined };
        if (polled && view.isGone?.(err)) {
          if (mode === 'redraw') ui.info(view.goneMessage ?? 'It is gone; nothing left to watch.');
          else report([]);
          return { done: true, value: undefined };
        }
        failures += 1;
        if (!isTransient(err) || failures >= MAX_WATCH_FAILURES) throw err;
        const delay = backoffMs(intervalMs, failures);
        const message = err instanceof Error ? err.message : String(err);
        ui.warn(`${message}; still watching, next try in ${formatDuration(delay)} (failure ${failures} of ${MAX_WATCH_FAILURES})`);
        // The warning went below the frame: draw the next frame afresh beneath it instead of over it.
        shownBody = undefined;
        shownRows = 0;
        return { done: false, pauseMs: delay };
      }
      failures = 0;
      polled = true;
      if (mode === 'redraw') redraw(await view.frame(data));
      else report(view.items(data));
      return { done: false, pauseMs: intervalMs };
    },
    () => undefined,
  );
}

/** Whether an error is the API's "not found" (the deployment was deleted). */
export function isNotFound(err: unknown): boolean {
  return err instanceof ApiError && err.exitCode === ExitCode.NOT_FOUND;
}

/**
 * A Ui whose results (and the "No deployments." kind of narration a printer gives for an empty list)
 * are collected instead of written, so that a frame can be compared before it is drawn.
 */
export function captureUi(ui: Ui): { ui: Ui; text(): string } {
  let text = '';
  const add = (t: string): void => void (text += t.endsWith('\n') ? t : t + '\n');
  const capture = Object.create(ui, { out: { value: add }, info: { value: add } }) as Ui;
  return { ui: capture, text: () => text };
}

/** Builds the WatchItems of deployments and workers. */
export function itemMakers(ui: Ui): {
  deployment(d: ElasticDeploymentDetail): WatchItem;
  worker(deploymentId: string, w: ElasticDeploymentWorkerDetail): WatchItem;
} {
  // Server data is read defensively (asRecord): an odd item shows as "-", it never ends the watch.
  return {
    deployment: (d) => {
      const r = asRecord(d);
      return {
        key: `deployment:${cell(r.id)}`,
        label: `${cell(r.name)} ${cell(r.id)}`,
        state: `${deploymentStatus(r.status, ui.outColors)} ${cell(r.runningWorkers)}/${cell(r.totalWorkers)}`,
        data: d,
        fields: { deployment: d },
      };
    },
    worker: (deploymentId, w) => {
      const r = asRecord(w);
      return {
        key: `worker:${cell(r.id)}`,
        label: `worker ${cell(r.id)}`,
        state: workerStatus(r.status, ui.outColors),
        data: w,
        fields: { deploymentId, worker: w },
      };
    },
  };
}
