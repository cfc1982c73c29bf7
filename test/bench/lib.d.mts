// Types of the parts of lib.mjs that TypeScript tests use (test/bench/measure.test.ts).

/** What one run cost, as the kernel accounted it to the child. */
export interface Measurement {
  wallMs: number;
  /** User + system CPU time; undefined without a CPU source. */
  cpuMs: number | undefined;
  /** Peak resident set size; undefined without a CPU source. */
  rssKiB: number | undefined;
}

export const NODE: string;
export const CPU_SOURCE: 'wait4' | 'gnu-time' | undefined;
export const QUIET: { spread: number; waiting: number; loadPerCpu: number };
export function measureRun(cmd: string[], env: Record<string, string | undefined>): Measurement;
export function summary(list: Measurement[]): { wallMs: number; cpuMs: number | undefined; rssKiB: number | undefined; minWallMs: number; runs: number };
export function quietness(
  baselineRuns: Measurement[],
  load1: number,
  cpuCount: number,
): { quiet: boolean; reasons: string[]; baseline?: ReturnType<typeof summary> };
