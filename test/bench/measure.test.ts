/**
 * The benchmark's own instruments (test/bench/lib.mjs): CPU time and peak RSS are the measured
 * child's, as the kernel accounted them, not the harness's or a wrapper's; and the verdict that
 * lets a run's figures be published only when the machine was quiet.
 */
import { describe, expect, it } from 'vitest';
import { CPU_SOURCE, NODE, QUIET, measureRun, quietness } from './lib.mjs';
import type { Measurement } from './lib.mjs';

const env = { PATH: process.env.PATH };

describe.runIf(CPU_SOURCE !== undefined)('measureRun', () => {
  it("counts the child's CPU time: a child that burns 300 ms of CPU shows at least that", () => {
    const burn = 'const t = process.cpuUsage(); while ((process.cpuUsage(t).user + process.cpuUsage(t).system) < 300000) {}';
    const m = measureRun([NODE, '-e', burn], env);
    expect(m.cpuMs).toBeGreaterThanOrEqual(300);
    expect(m.wallMs).toBeGreaterThan(0);
  });

  it('counts waiting as wall time and not as CPU time: a child that sleeps 400 ms', () => {
    const m = measureRun([NODE, '-e', 'setTimeout(() => {}, 400)'], env);
    expect(m.wallMs).toBeGreaterThanOrEqual(400);
    // Node's own start-up is all the CPU such a child uses (about 30 ms on a quiet machine).
    expect(m.cpuMs).toBeLessThan(250);
  });

  it("reads the child's peak RSS: a child that fills 200 MB shows at least that", () => {
    const m = measureRun([NODE, '-e', 'globalThis.b = Buffer.alloc(200 * 1024 * 1024, 1)'], env);
    expect(m.rssKiB).toBeGreaterThanOrEqual(200 * 1024);
    const small = measureRun([NODE, '-e', '0'], env);
    expect(small.rssKiB).toBeLessThan(200 * 1024);
  });

  it('throws naming the command when it exits non-zero', () => {
    expect(() => measureRun([NODE, '-e', 'process.exit(3)'], env)).toThrow(/-e process\.exit\(3\) exited 3/);
  });
});

/** `n` baseline runs of the given wall and CPU times (ms), cycling through them. */
function runs(n: number, walls: number[], cpus: (number | undefined)[]): Measurement[] {
  return Array.from({ length: n }, (_, i) => ({ wallMs: walls[i % walls.length]!, cpuMs: cpus[i % cpus.length], rssKiB: 43_000 }));
}

describe('quietness', () => {
  it('calls quiet a run whose `node -e 0` agrees with itself and with its CPU time, at a low load', () => {
    const q = quietness(runs(20, [27.5, 28, 28.4, 29], [27, 27.6]), 0.3, 2);
    expect(q).toMatchObject({ quiet: true, reasons: [] });
    expect(q.baseline?.runs).toBe(20);
  });

  it('refuses a run whose `node -e 0` median is more than 1.5x its fastest run', () => {
    const q = quietness(runs(9, [28, 60, 61], [27, 55, 58]), 0.3, 2);
    expect(q.quiet).toBe(false);
    expect(q.reasons).toEqual([expect.stringMatching(/varied: median 60\.0 ms against a fastest run of 28\.0 ms/)]);
  });

  it('refuses a run whose `node -e 0` waited for a CPU (wall time well over CPU time), however steady', () => {
    const q = quietness(runs(10, [110, 112], [30, 31]), 0.3, 2);
    expect(q.quiet).toBe(false);
    expect(q.reasons).toEqual([expect.stringMatching(/waited for a CPU: median wall 111\.0 ms against 30\.5 ms of CPU time/)]);
  });

  it(`refuses a run started at a 1-minute load average over ${QUIET.loadPerCpu} per CPU`, () => {
    const q = quietness(runs(10, [28], [27.5]), 3.1, 2);
    expect(q.quiet).toBe(false);
    expect(q.reasons).toEqual([expect.stringMatching(/load average was 3\.10 at the start \(1\.55 per CPU/)]);
  });

  it('refuses a run without a `node -e 0` baseline, and judges one without CPU times by spread and load alone', () => {
    expect(quietness([], 0.1, 2)).toMatchObject({ quiet: false, reasons: [expect.stringMatching(/no `node -e 0` baseline/)] });
    expect(quietness(runs(5, [28, 29], [undefined]), 0.1, 2)).toMatchObject({ quiet: true });
  });
});
