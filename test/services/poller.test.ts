/** The one polling loop (poll) and the clock that waits running together share (SharedSleep). */
import { describe, expect, it } from 'vitest';
import { poll, SharedSleep } from '../../src/services/poller.js';
import { FakeClock } from '../helpers/fixtures.js';

describe('poll', () => {
  it('runs rounds until one says done, pausing as each round asks', async () => {
    const clock = new FakeClock();
    const ac = new AbortController();
    const value = await poll(
      { sleep: clock.sleep, signal: ac.signal },
      async (n) => (n === 3 ? { done: true, value: `after ${n} rounds` } : { done: false, pauseMs: 100 * (n + 1) }),
      () => 'interrupted',
    );
    expect(value).toBe('after 3 rounds');
    expect(clock.sleeps).toEqual([100, 200, 300]);
  });

  it('Ctrl-C during a pause ends the loop with the interrupted value, no further round', async () => {
    const clock = new FakeClock();
    const ac = new AbortController();
    clock.onSleep = (n) => {
      if (n === 1) ac.abort();
    };
    let rounds = 0;
    const value = await poll({ sleep: clock.sleep, signal: ac.signal }, async () => (rounds++, { done: false, pauseMs: 10 }), () => 'interrupted');
    expect(value).toBe('interrupted');
    expect(rounds).toBe(2);
  });

  it('an error thrown by a round ends the loop with it', async () => {
    const clock = new FakeClock();
    await expect(
      poll({ sleep: clock.sleep, signal: new AbortController().signal }, async () => Promise.reject(new Error('boom')), () => 'x'),
    ).rejects.toThrow('boom');
  });
});

/** Resolves once `check` holds, letting the event loop turn in between. */
async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((r) => setImmediate(r));
}

describe('SharedSleep', () => {
  it('pauses of several waiters are served by one sleep: time moves by the longest, not the sum', async () => {
    const clock = new FakeClock();
    const shared = new SharedSleep({ now: clock.now, sleep: clock.sleep, signal: new AbortController().signal });
    const start = clock.t;
    const woke: string[] = [];
    await Promise.all([
      shared.sleep(1000).then(() => woke.push(`a at ${clock.t - start}`)),
      shared.sleep(3000).then(() => woke.push(`b at ${clock.t - start}`)),
      shared.sleep(1000).then(() => woke.push(`c at ${clock.t - start}`)),
    ]);
    expect(woke).toEqual(['a at 1000', 'c at 1000', 'b at 3000']);
    expect(clock.t - start).toBe(3000);
  });

  it('a waiter arriving with an earlier wake-up than the sleep in progress cuts that sleep short', async () => {
    let t = 0;
    const asked: number[] = [];
    let finish: (() => void) | undefined;
    // A sleep the test ends by hand; its signal cuts it short.
    const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
      new Promise<void>((resolve, reject) => {
        asked.push(ms);
        finish = () => ((t += ms), resolve());
        signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')), { once: true });
      });
    const shared = new SharedSleep({ now: () => t, sleep, signal: new AbortController().signal });
    const long = shared.sleep(5000);
    await until(() => asked.length === 1);
    const short = shared.sleep(500);
    await until(() => asked.length === 2);
    expect(asked).toEqual([5000, 500]);
    finish!();
    await short;
    expect(t).toBe(500);
    await until(() => asked.length === 3);
    expect(asked[2]).toBe(4500);
    finish!();
    await long;
    expect(t).toBe(5000);
  });

  it('Ctrl-C rejects every waiter, and a new pause after it is refused at once', async () => {
    const clock = new FakeClock();
    const ac = new AbortController();
    clock.onSleep = () => ac.abort();
    const shared = new SharedSleep({ now: clock.now, sleep: clock.sleep, signal: ac.signal });
    const results = await Promise.allSettled([shared.sleep(1000), shared.sleep(2000)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    await expect(shared.sleep(10)).rejects.toBeDefined();
  });
});
