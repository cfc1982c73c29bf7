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
 * An error thrown by a round ends the loop with that error.
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
