/**
 * Reading a deployment's worker logs as one stream: the backlog merged across workers, the starting
 * point of `--tail N` found by reading backwards, and `--follow`. It never prints: lines go to an
 * `emit` callback in the order they are to be shown, narration to `notice`/`warn`.
 *
 * Order: exact within a worker (the server's order); across workers by timestamp, ties in the order
 * the workers were first seen. The backlog is a k-way merge that holds at most one page per worker,
 * so memory stays flat whatever the number of lines. While following, a line is shown once every
 * worker has been read past its timestamp, or after HOLD_BACK_MS at the latest: a quiet worker
 * cannot stall the others, and a line that arrives late by less than that still lands in order.
 *
 * No line twice, none lost: each worker keeps the page token of the last line read (the server's
 * nextSearchAfterTime/Offset), advanced only after a page arrived whole; a failed request is sent
 * again from the same token. Every request of one deployment shares one RequestBudget, below Yotta's
 * documented read limit of 60 requests a second per deployment, however many workers there are.
 */
import type { ApiClient } from '../api/client.js';
import type { ElasticDeploymentDetail, ElasticDeploymentWorkerDetail, WorkerLogLine, WorkerLogsQuery } from '../api/types.js';
import { getWorkerLogs, MAX_LOG_PAGE_SIZE } from '../api/logs.js';
import { getDeployment, listWorkers } from '../api/deployments.js';
import type { Context } from '../context.js';
import { ApiError, ExitCode, isInterruption, NetworkError, YottaError } from '../errors.js';
import { formatDuration } from '../duration.js';

/** Requests a second per deployment we allow ourselves: under Yotta's documented 60. */
export const LOG_REQUESTS_PER_SECOND = 50;
/** The shortest pause between two polling rounds while following. */
export const FOLLOW_MIN_INTERVAL_MS = 1000;
/** The longest pause when nothing new comes (the pause doubles per idle round up to this). */
export const FOLLOW_MAX_INTERVAL_MS = 5000;
/** How long a line read while following may wait for the other workers before it is shown. */
export const HOLD_BACK_MS = 2000;
/** Transient failures in a row after which a follow gives up with the last one. */
export const MAX_FOLLOW_FAILURES = 5;
/** Pages read from one worker in one polling round before the others get their turn. */
const PAGES_PER_ROUND = 5;

/** One line of the merged stream: the API's line plus whose it is. */
export interface LogEntry {
  workerId: string;
  /** As the API sent it. */
  timestamp: string;
  offset: number | string;
  log: string;
  /** The timestamp in epoch ms (NaN when unreadable: sorted first). */
  ms: number;
  /** ctx.now() when it was read (for the hold-back while following). */
  arrived: number;
}

/** A page token: epoch ms as a string, and an offset. */
interface Token {
  time: string;
  offset: string;
}

/** One worker being read. */
interface WorkerState {
  id: string;
  /** Position among the workers, for ties. */
  order: number;
  /** Forward token: the last line read (undefined: from the start of the window). */
  cursor?: Token;
  /** Lines read, not shown yet, in the server's order. */
  queue: LogEntry[];
  /** A forward read reached the end (hasMore false) at least once since the last page. */
  caughtUp: boolean;
  /** The timestamp of the newest line read. */
  lastMs: number;
  /** No longer listed: read to the end once more, then dropped. */
  gone?: string;
}

/** Shares the documented per-deployment read limit among every request of one run. */
export class RequestBudget {
  private next = 0;
  constructor(
    private readonly ctx: Pick<Context, 'now' | 'sleep' | 'signal'>,
    private readonly perSecond = LOG_REQUESTS_PER_SECOND,
  ) {}

  /** Waits for the next free slot. */
  async take(): Promise<void> {
    const now = this.ctx.now();
    const at = Math.max(now, this.next);
    this.next = at + 1000 / this.perSecond;
    if (at > now) await this.ctx.sleep(at - now, this.ctx.signal);
  }
}

/** Epoch ms of a timestamp as the API sends it (ISO 8601, or epoch ms digits). */
export function timestampMs(ts: string): number {
  return /^\d+$/.test(ts) ? Number(ts) : Date.parse(ts);
}

function offsetText(o: number | string): string {
  return typeof o === 'number' ? String(Math.trunc(o)) : o;
}

/** Compares two offsets of one worker (numbers or digit strings of any length). */
function compareOffsets(a: number | string, b: number | string): number {
  const x = offsetText(a);
  const y = offsetText(b);
  return x.length - y.length || (x < y ? -1 : x > y ? 1 : 0);
}

/** Whether an error may pass by itself: the network, a timeout, a server error or a rate limit. */
export function isTransientError(err: unknown): boolean {
  if (err instanceof NetworkError) return true;
  if (err instanceof ApiError) return err.httpStatus >= 500 || err.httpStatus === 429 || err.code === 10002 || err.code === 429 || err.code === 50001;
  return false;
}

/** The server's "no such worker" (v2 40402, or the v1 record-not-found). */
function isWorkerMissing(err: unknown): boolean {
  return err instanceof ApiError && (err.code === 40402 || err.code === 10007);
}

/** A not-found that may mean the deployment is gone or that the server has no logs endpoint. */
function isPathNotFound(err: unknown): boolean {
  return err instanceof ApiError && (err.code === 14000 || err.code === 24001 || err.httpStatus === 404);
}

/** Whether an error is the v1 API's "deployment does not exist". */
export function isDeploymentGone(err: unknown): boolean {
  return err instanceof ApiError && err.exitCode === ExitCode.NOT_FOUND;
}

/** Why a follow ended by itself. */
export type FollowEnd = 'interrupted' | 'deleted' | 'stopped';

/** What the reader needs. */
export interface LogReaderOptions {
  client: ApiClient;
  ctx: Context;
  deploymentId: string;
  /** `name (3788…0969)`, for messages. */
  label: string;
  /** What the user typed, for messages that name the deployment. */
  ref: string;
  /** Only these workers (`--worker`), tried even when not listed. */
  workers?: string[];
  keyword?: string;
  /** Epoch ms bounds of the window. */
  since?: number;
  until?: number;
  /** The next line to show, in order. */
  emit(e: LogEntry): void;
  /** A worker joined (after the first listing): lets the caller turn prefixes on. */
  onWorker?(id: string): void;
  /** Narration on stderr. */
  notice(message: string): void;
  /** A warning on stderr (shown even with --json). */
  warn(message: string): void;
  /** Called when a batch of lines is done (before a pause): the caller flushes its output. */
  flush?(): void;
}

/** Reads a deployment's worker logs; one per command run. */
export class LogReader {
  private readonly workers = new Map<string, WorkerState>();
  private readonly budget: RequestBudget;
  private explicit: boolean;
  /** The last listing of the deployment's workers (for messages). */
  private listed: ElasticDeploymentWorkerDetail[] = [];

  constructor(private readonly o: LogReaderOptions) {
    this.budget = new RequestBudget(o.ctx);
    this.explicit = (o.workers?.length ?? 0) > 0;
    for (const id of o.workers ?? []) this.add(id);
  }

  /** The ids being read, in order. */
  get workerIds(): string[] {
    return [...this.workers.keys()];
  }

  private add(id: string): WorkerState {
    let w = this.workers.get(id);
    if (!w) {
      w = { id, order: this.workers.size, queue: [], caughtUp: false, lastMs: -Infinity };
      this.workers.set(id, w);
    }
    return w;
  }

  /** Lists the deployment's workers (every status) and adds those not known yet; returns the listing. */
  async discover(): Promise<ElasticDeploymentWorkerDetail[]> {
    await this.budget.take();
    const list = await listWorkers(this.o.client, this.o.deploymentId);
    this.listed = list;
    if (!this.explicit) {
      for (const w of list) {
        const id = String(w.id);
        if (!this.workers.has(id)) {
          this.add(id);
          this.o.onWorker?.(id);
        }
      }
    }
    return list;
  }

  /** `a (RUNNING), b (FAILED)`: the listed workers, for a not-found message. */
  private listedText(): string {
    return this.listed.length === 0 ? 'none' : this.listed.map((w) => `${String(w.id)} (${String(w.status ?? '?')})`).join(', ');
  }

  /** Turns a failed logs call into what it means for this worker and deployment. */
  private async explain(err: unknown, workerId: string): Promise<unknown> {
    if (isWorkerMissing(err)) {
      await this.discover().catch(() => undefined);
      return new YottaError(
        `worker ${workerId} not found in deployment ${this.o.ref}; its workers: ${this.listedText()}`,
        ExitCode.NOT_FOUND,
        `List them with: yotta deploy workers ${this.o.deploymentId}`,
      );
    }
    if (!isPathNotFound(err)) return err;
    // 14000/404 can mean the deployment is gone, or a server without the v2 logs endpoint: ask v1.
    try {
      await this.budget.take();
      await getDeployment(this.o.client, this.o.deploymentId);
    } catch (check) {
      if (isDeploymentGone(check)) return new DeploymentGone(this.o.ref, check);
      return check;
    }
    const e = err as ApiError;
    return new YottaError(
      `the server does not offer worker logs: GET ${e.details.path} answered ${e.code !== undefined ? `code ${e.code}` : `HTTP ${e.httpStatus}`}` +
        (e.details.serverMessage ? ` (${e.details.serverMessage})` : '') +
        `, although deployment ${this.o.ref} exists`,
      ExitCode.ERROR,
      'This API host may predate the v2 worker-logs endpoint; check --base-url, or see the logs in the Yotta console.',
    );
  }

  /** One page of a worker's lines, with the request budget and errors explained. */
  private async page(w: WorkerState, q: WorkerLogsQuery): Promise<{ entries: LogEntry[]; hasMore: boolean; next?: Token; serverNext?: Token }> {
    const query: WorkerLogsQuery = { ...q };
    if (this.o.keyword !== undefined) query.keyword = this.o.keyword;
    if (this.o.since !== undefined) query.startTime = String(this.o.since);
    if (this.o.until !== undefined && query.endTime === undefined) query.endTime = String(this.o.until);
    await this.budget.take();
    let page;
    try {
      page = await getWorkerLogs(this.o.client, this.o.deploymentId, w.id, query);
    } catch (err) {
      throw await this.explain(err, w.id);
    }
    const arrived = this.o.ctx.now();
    const entries = page.logs.map((l: WorkerLogLine) => ({
      workerId: w.id,
      timestamp: l.timestamp,
      offset: l.offset,
      log: l.log,
      ms: timestampMs(l.timestamp),
      arrived,
    }));
    const last = entries.at(-1);
    const serverNext = page.nextSearchAfterTime && page.nextSearchAfterOffset ? { time: page.nextSearchAfterTime, offset: page.nextSearchAfterOffset } : undefined;
    // Without the server's tokens, the last line of a (forward) page is where the next one starts.
    const next = serverNext ?? (last && Number.isFinite(last.ms) ? { time: String(last.ms), offset: offsetText(last.offset) } : undefined);
    return { entries, hasMore: page.hasMore, ...(next ? { next } : {}), ...(serverNext ? { serverNext } : {}) };
  }

  /** The next forward page of a worker after its cursor; advances the cursor. */
  private async forward(w: WorkerState, endTime?: string): Promise<LogEntry[]> {
    const q: WorkerLogsQuery = { direction: 'Forward', pageSize: MAX_LOG_PAGE_SIZE };
    if (w.cursor) {
      q.searchAfterTime = w.cursor.time;
      q.searchAfterOffset = w.cursor.offset;
    }
    if (endTime !== undefined) q.endTime = endTime;
    const { entries, hasMore, next } = await this.page(w, q);
    const before = w.cursor;
    if (next) w.cursor = next;
    // A server that says "more" but neither gives lines nor moves its token would be asked forever.
    w.caughtUp = !hasMore || (entries.length === 0 && sameToken(before, w.cursor));
    const last = entries.at(-1);
    if (last && Number.isFinite(last.ms)) w.lastMs = Math.max(w.lastMs, last.ms);
    return entries;
  }

  /**
   * Finds where the last `n` lines of the merged stream start, reading every worker backwards
   * (newest first) one page at a time, and sets each worker's forward cursor there: the oldest of
   * its lines among the last n is queued, the reading goes on after it.
   */
  async seekTail(n: number): Promise<void> {
    interface Back {
      w: WorkerState;
      buf: LogEntry[];
      token?: Token;
      done: boolean;
      newest?: LogEntry;
      oldestTaken?: LogEntry;
    }
    const pageSize = Math.max(1, Math.min(MAX_LOG_PAGE_SIZE, n));
    const backs: Back[] = [...this.workers.values()].map((w) => ({ w, buf: [], done: false }));
    const refill = async (b: Back): Promise<void> => {
      const q: WorkerLogsQuery = { direction: 'Backward', pageSize };
      if (b.token) {
        q.searchAfterTime = b.token.time;
        q.searchAfterOffset = b.token.offset;
      }
      const { entries, hasMore, serverNext } = await this.page(b.w, q);
      // Newest first, whatever order the server used within the page.
      if (entries.length > 1 && compareEntries(entries[0]!, entries.at(-1)!) < 0) entries.reverse();
      const oldest = entries.at(-1);
      const before = b.token;
      // The server's token (it may have looked past lines a keyword left out), else the page's oldest line.
      if (serverNext) b.token = serverNext;
      else if (oldest) b.token = { time: String(oldest.ms), offset: offsetText(oldest.offset) };
      b.newest ??= entries[0];
      b.buf = entries;
      b.done = !hasMore || (entries.length === 0 && sameToken(before, b.token));
    };
    for (const b of backs) await refill(b);
    for (let taken = 0; taken < n; taken++) {
      let best: Back | undefined;
      for (const b of backs) {
        if (b.buf.length === 0 && !b.done) await refill(b);
        const head = b.buf[0];
        if (!head) continue;
        // The newest head; on equal times the later worker (the forward merge shows it last).
        if (!best || head.ms > best.buf[0]!.ms || (head.ms === best.buf[0]!.ms && b.w.order > best.w.order)) best = b;
      }
      if (!best) break;
      best.oldestTaken = best.buf.shift();
    }
    for (const b of backs) {
      const keep = b.oldestTaken ?? b.newest;
      if (keep) b.w.cursor = { time: String(keep.ms), offset: offsetText(keep.offset) };
      if (b.oldestTaken) b.w.queue.push(b.oldestTaken);
      if (keep && Number.isFinite(keep.ms)) b.w.lastMs = keep.ms;
    }
  }

  /**
   * The backlog: every worker read forward to its end (or `endTime`), merged by timestamp, holding
   * at most one page per worker. Stops after `limit` lines when given. Returns the lines shown.
   */
  async backlog(limit = Infinity, endTime?: string): Promise<number> {
    const states = [...this.workers.values()];
    const ended = new Set<WorkerState>();
    let shown = 0;
    while (shown < limit) {
      let best: WorkerState | undefined;
      for (const w of states) {
        while (w.queue.length === 0 && !ended.has(w)) {
          const entries = await this.forward(w, endTime);
          for (const e of entries) w.queue.push(e);
          if (w.caughtUp) ended.add(w);
        }
        const head = w.queue[0];
        if (head && (!best || before(head, w, best.queue[0]!, best))) best = w;
      }
      if (!best) break;
      const e = best.queue.shift()!;
      this.o.emit(e);
      shown += 1;
    }
    this.o.flush?.();
    return shown;
  }

  /**
   * Follows: polls every worker forward from its cursor, shows new lines merged with the hold-back,
   * picks up workers that appear, says when one goes, and ends on Ctrl-C, when the deployment is
   * deleted, or once it is STOPPED and every worker's last lines are shown.
   */
  async follow(): Promise<FollowEnd> {
    const { ctx } = this.o;
    let interval = FOLLOW_MIN_INTERVAL_MS;
    let failures = 0;
    let waitingNoted = false;
    const pause = async (ms: number): Promise<boolean> => {
      this.o.flush?.();
      try {
        await ctx.sleep(ms, ctx.signal);
      } catch (err) {
        if (isInterruption(err, ctx.signal)) return false;
        throw err;
      }
      return !ctx.signal.aborted;
    };
    for (;;) {
      if (ctx.signal.aborted) return 'interrupted';
      let got = 0;
      let stopped: boolean;
      try {
        await this.budget.take();
        let d: ElasticDeploymentDetail;
        try {
          d = await getDeployment(this.o.client, this.o.deploymentId);
        } catch (err) {
          if (isDeploymentGone(err)) throw new DeploymentGone(this.o.ref, err);
          throw err;
        }
        stopped = d.status === 'STOPPED';
        const listed = await this.discover();
        const ids = new Set(listed.map((w) => String(w.id)));
        if (!this.explicit) {
          for (const w of this.workers.values()) {
            if (!ids.has(w.id) && !w.gone) w.gone = 'no longer listed';
          }
        }
        if (this.workers.size === 0 && !waitingNoted) {
          this.o.notice(`${this.o.label} has no workers yet; waiting for the first one (Ctrl-C to stop).`);
          waitingNoted = true;
        }
        for (const w of [...this.workers.values()]) {
          // A worker that is gone, or a deployment that stopped: read to the very end this round.
          const drain = w.gone !== undefined || stopped;
          try {
            for (let p = 0; p < (drain ? Infinity : PAGES_PER_ROUND); p++) {
              const entries = await this.forward(w);
              const now = ctx.now();
              for (const e of entries) w.queue.push({ ...e, arrived: now });
              got += entries.length;
              if (w.caughtUp) break;
            }
          } catch (err) {
            // A listed worker whose logs the server no longer has: say so and stop reading it. A worker
            // asked for with --worker that does not exist is an error (exit 4).
            if (this.explicit || !(err instanceof YottaError) || err instanceof DeploymentGone || err.exitCode !== ExitCode.NOT_FOUND) throw err;
            w.gone = 'the server has no logs for it';
            w.caughtUp = true;
          }
        }
        failures = 0;
      } catch (err) {
        if (isInterruption(err, ctx.signal)) return this.interrupted();
        if (err instanceof DeploymentGone) {
          this.release(true);
          this.o.notice(`${this.o.label} was deleted; no more logs.`);
          return 'deleted';
        }
        failures += 1;
        if (!isTransientError(err) || failures >= MAX_FOLLOW_FAILURES) {
          this.release(true);
          throw err;
        }
        const delay = Math.min(FOLLOW_MIN_INTERVAL_MS * 2 ** failures, 60_000);
        this.o.warn(
          `${err instanceof Error ? err.message : String(err)}; still following, next try in ${formatDuration(delay)} (failure ${failures} of ${MAX_FOLLOW_FAILURES})`,
        );
        this.release(false);
        if (!(await pause(delay))) return this.interrupted();
        continue;
      }
      this.release(stopped);
      for (const w of [...this.workers.values()]) {
        if (w.gone !== undefined && w.caughtUp && w.queue.length === 0) {
          this.workers.delete(w.id);
          this.o.notice(`worker ${w.id} is gone (${w.gone}); its last lines are above.`);
        }
      }
      if (stopped) {
        this.o.notice(`${this.o.label} is STOPPED; no more logs.`);
        this.o.flush?.();
        return 'stopped';
      }
      interval = got > 0 ? FOLLOW_MIN_INTERVAL_MS : Math.min(interval * 2, FOLLOW_MAX_INTERVAL_MS);
      // Lines held back are due within HOLD_BACK_MS: come back for them in time.
      const held = [...this.workers.values()].some((w) => w.queue.length > 0);
      if (!(await pause(held ? Math.min(interval, HOLD_BACK_MS) : interval))) return this.interrupted();
    }
  }

  /** Ctrl-C while following: what was read is shown, then the follow ends. */
  private interrupted(): FollowEnd {
    this.release(true);
    return 'interrupted';
  }

  /**
   * Shows what may be shown of the queued lines, merged: a line once every worker still being read
   * has been read up to its time, or once it has waited HOLD_BACK_MS; everything with `all`.
   */
  private release(all: boolean): void {
    const now = this.o.ctx.now();
    const states = [...this.workers.values()];
    // Every worker still being read has been read up to here (a worker with more pages waiting: not at all).
    const watermark = Math.min(...states.filter((w) => !(w.gone && w.caughtUp)).map((w) => (w.caughtUp ? w.lastMs : -Infinity)));
    for (;;) {
      let best: WorkerState | undefined;
      for (const w of states) {
        const head = w.queue[0];
        if (head && (!best || before(head, w, best.queue[0]!, best))) best = w;
      }
      if (!best) break;
      const head = best.queue[0]!;
      if (!all && !(head.ms <= watermark || now - head.arrived >= HOLD_BACK_MS)) break;
      best.queue.shift();
      this.o.emit(head);
    }
    this.o.flush?.();
  }
}

/** The deployment was deleted (the v1 API no longer knows it). */
export class DeploymentGone extends YottaError {
  override name = 'DeploymentGone';
  constructor(ref: string, cause: unknown) {
    super(`deployment ${ref} not found`, ExitCode.NOT_FOUND, 'Run `yotta deploy list` to see ids and names.');
    this.cause = cause;
  }
}

function sameToken(a: Token | undefined, b: Token | undefined): boolean {
  return a?.time === b?.time && a?.offset === b?.offset;
}

function compareEntries(a: LogEntry, b: LogEntry): number {
  return a.ms - b.ms || compareOffsets(a.offset, b.offset);
}

/** Whether line `a` of worker `wa` comes before line `b` of worker `wb` in the merged stream. */
function before(a: LogEntry, wa: WorkerState, b: LogEntry, wb: WorkerState): boolean {
  const am = Number.isFinite(a.ms) ? a.ms : -Infinity;
  const bm = Number.isFinite(b.ms) ? b.ms : -Infinity;
  return am < bm || (am === bm && wa.order < wb.order);
}
