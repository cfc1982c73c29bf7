/**
 * Bounded concurrency for the commands that act on several deployments: at most N requests in
 * flight at once, however many deployments there are (the API is a TLS round trip away, so one
 * after another is slow; all at once is a request storm and a connection per deployment).
 */
import { UsageError } from '../errors.js';

/** Requests a multi-deployment command runs at once unless `--concurrency` says otherwise. */
export const DEFAULT_CONCURRENCY = 8;
/** The most `--concurrency` accepts: beyond this the API's rate limit answers, not the network. */
export const MAX_CONCURRENCY = 64;

/** Parses `--concurrency`: a whole number from 1 (one request at a time) to MAX_CONCURRENCY. */
export function parseConcurrency(value: string): number {
  const text = value.trim();
  const n = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n < 1 || n > MAX_CONCURRENCY) {
    throw new UsageError(`--concurrency: "${value}" is not a whole number from 1 to ${MAX_CONCURRENCY}`);
  }
  return n;
}

/**
 * A counting semaphore: `run(task)` starts `task` once fewer than `limit` tasks run, so that
 * writes and polls of many deployments share one budget of requests in flight.
 */
export class Limiter {
  private running = 0;
  private readonly queue: Array<() => void> = [];

  constructor(readonly limit: number) {
    if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError(`limit must be a whole number ≥ 1, got ${limit}`);
  }

  /** Tasks running now. */
  get active(): number {
    return this.running;
  }

  /** Runs `task` when a slot is free; the slot is released when it settles, whichever way. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit) await new Promise<void>((resolve) => this.queue.push(resolve));
    else this.running += 1;
    try {
      return await task();
    } finally {
      const next = this.queue.shift();
      // The slot passes straight to the next waiter, so `running` never over-counts.
      if (next) next();
      else this.running -= 1;
    }
  }
}

/**
 * Calls `step` for every item with at most `limit` calls in flight, starting them in order, and
 * resolves when all have settled. Once `signal` aborts, no further item is started (those already
 * running finish, or fail, on their own). `step` must not throw: it records its own outcome.
 */
export async function forEachBounded<T>(
  items: readonly T[],
  limit: number,
  step: (item: T, index: number) => Promise<void>,
  signal?: AbortSignal,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length && !signal?.aborted) {
      const index = next++;
      await step(items[index]!, index);
    }
  };
  const workers = Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker);
  await Promise.all(workers);
}
