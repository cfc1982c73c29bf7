/**
 * The one polling loop: read, decide, pause, again — until the decision says done, or Ctrl-C.
 * `--wait` (services/deployment-wait.ts: until a target, with a deadline and growing pauses) and
 * `--watch` (services/watch.ts: until Ctrl-C, at a fixed pace, backing off after failures) are both
 * built on it, so pausing, pacing and interruption are decided here only.
 */
import type { Context } from '../context.js';
import { isInterruption } from '../errors.js';

/** What one round decided: stop with a value, or pause this long and poll again. */
export type PollDecision<T> = { done: true; value: T } | { done: false; pauseMs: number };

/**
 * Runs `round` until it returns `{ done: true }` (resolves with its value) or Ctrl-C comes, before
 * a round or during a pause (resolves with `interrupted`, so the caller says what was left undone).
 * An error thrown by a round ends the loop with that error. `ctx.sleep` pauses: the Context's, or a
 * SharedSleep's when several polls run together.
 */
export async function poll<T, I>(
  ctx: Pick<Context, 'sleep' | 'signal'>,
  round: (n: number) => Promise<PollDecision<T>>,
  interrupted: () => I,
): Promise<T | I> {
  for (let n = 0; ; n += 1) {
    if (ctx.signal.aborted) return interrupted();
    const decision = await round(n);
    if (decision.done) return decision.value;
    try {
      await ctx.sleep(Math.max(0, decision.pauseMs), ctx.signal);
    } catch (err) {
      if (isInterruption(err, ctx.signal)) return interrupted();
      throw err;
    }
  }
}

interface Sleeper {
  at: number;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * One clock for the waits of several deployments that run together: every waiter's pause is served
 * by a single sleep until the earliest wake-up, so several waits take as long as the longest one
 * (and a test's fake clock, which moves by each sleep, moves as real time would).
 */
export class SharedSleep {
  private sleepers: Sleeper[] = [];
  private driving = false;
  /** Ends the sleep in progress early, when a sleeper needs waking before it ends. */
  private replan?: AbortController;
  private plannedAt = Infinity;

  constructor(private readonly ctx: Pick<Context, 'now' | 'sleep' | 'signal'>) {}

  /** Resolves after `ms` (by ctx.now()), or rejects when Ctrl-C comes; the same shape as Context.sleep. */
  readonly sleep = (ms: number): Promise<void> => {
    if (this.ctx.signal.aborted) return Promise.reject(this.ctx.signal.reason ?? new DOMException('aborted', 'AbortError'));
    return new Promise<void>((resolve, reject) => {
      const at = this.ctx.now() + Math.max(0, ms);
      this.sleepers.push({ at, resolve, reject });
      if (!this.driving) void this.drive();
      else if (at < this.plannedAt) this.replan?.abort();
    });
  };

  private async drive(): Promise<void> {
    this.driving = true;
    try {
      // Sleepers that arrive in the same turn share the first sleep.
      await new Promise<void>((resolve) => setImmediate(resolve));
      while (this.sleepers.length > 0) {
        if (this.ctx.signal.aborted) throw this.ctx.signal.reason ?? new DOMException('aborted', 'AbortError');
        this.plannedAt = Math.min(...this.sleepers.map((s) => s.at));
        const ms = this.plannedAt - this.ctx.now();
        if (ms > 0) {
          this.replan = new AbortController();
          const stop = (): void => this.replan?.abort();
          this.ctx.signal.addEventListener('abort', stop, { once: true });
          try {
            await this.ctx.sleep(ms, this.replan.signal);
          } catch (err) {
            if (this.ctx.signal.aborted || !this.replan.signal.aborted) throw err;
          } finally {
            this.ctx.signal.removeEventListener('abort', stop);
          }
          if (this.ctx.signal.aborted) throw this.ctx.signal.reason ?? new DOMException('aborted', 'AbortError');
        }
        const now = this.ctx.now();
        const due = this.sleepers.filter((s) => s.at <= now);
        this.sleepers = this.sleepers.filter((s) => s.at > now);
        for (const s of due) s.resolve();
        // Let the woken waiters poll and come back before planning the next sleep.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    } catch (err) {
      for (const s of this.sleepers.splice(0)) s.reject(err);
    } finally {
      this.driving = false;
      this.plannedAt = Infinity;
    }
  }
}
