/** The concurrency budget of multi-deployment commands: Limiter and --concurrency parsing. */
import { describe, expect, it } from 'vitest';
import { Limiter, parseConcurrency, DEFAULT_CONCURRENCY } from '../../src/services/concurrency.js';
import { UsageError } from '../../src/errors.js';

/** A promise with its resolve handle, to hold a task open until the test lets it finish. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('Limiter', () => {
  it('runs at most `limit` tasks at once, and starts the rest in order as slots free', async () => {
    const limiter = new Limiter(2);
    const gates = [gate(), gate(), gate(), gate()];
    const started: number[] = [];
    const done = gates.map((g, i) => limiter.run(async () => (started.push(i), await g.promise, i)));
    await tick();
    expect(started).toEqual([0, 1]);
    expect(limiter.active).toBe(2);
    gates[1]!.open();
    await tick();
    expect(started).toEqual([0, 1, 2]);
    expect(limiter.active).toBe(2);
    gates[0]!.open();
    gates[2]!.open();
    gates[3]!.open();
    expect(await Promise.all(done)).toEqual([0, 1, 2, 3]);
    expect(limiter.active).toBe(0);
  });

  it('frees the slot of a task that throws', async () => {
    const limiter = new Limiter(1);
    await expect(limiter.run(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await limiter.run(async () => 'next')).toBe('next');
    expect(limiter.active).toBe(0);
  });

  it('with a limit of 1, tasks run one after another', async () => {
    const limiter = new Limiter(1);
    let running = 0;
    let most = 0;
    await Promise.all(
      Array.from({ length: 5 }, () =>
        limiter.run(async () => {
          running += 1;
          most = Math.max(most, running);
          await tick();
          running -= 1;
        }),
      ),
    );
    expect(most).toBe(1);
  });

  it('refuses a limit below 1', () => {
    expect(() => new Limiter(0)).toThrow(RangeError);
  });
});

describe('parseConcurrency', () => {
  it('takes whole numbers from 1 to 64', () => {
    expect(parseConcurrency('1')).toBe(1);
    expect(parseConcurrency(' 16 ')).toBe(16);
    expect(parseConcurrency('64')).toBe(64);
    expect(DEFAULT_CONCURRENCY).toBe(8);
  });

  it.each(['0', '65', '-2', '2.5', 'eight', ''])('refuses %j with a usage error naming the flag', (value) => {
    expect(() => parseConcurrency(value)).toThrow(UsageError);
    expect(() => parseConcurrency(value)).toThrow(`--concurrency: "${value}" is not a whole number from 1 to 64`);
  });
});
