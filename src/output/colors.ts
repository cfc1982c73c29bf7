/**
 * The colours yotta uses, drawn with chalk.
 *
 * chalk is not free to import (~12-25 ms measured on Node 24: it probes colour support at import),
 * so it is loaded only when some output may be coloured: main() awaits loadColors() before a command
 * runs when stdout or stderr could be coloured, and colors() stays synchronous. `yotta ... --json`
 * in a pipe never loads it. Whether to colour is decided by us (colorEnabled in context.ts, from
 * flags, NO_COLOR/FORCE_COLOR and the TTY), so chalk runs at a fixed 16-colour level.
 */
import type { ChalkInstance } from 'chalk';

/** Colour functions; each is the identity when colour is off. */
export interface Colors {
  /** Whether these functions add escape codes at all. */
  readonly enabled: boolean;
  green(text: string): string;
  yellow(text: string): string;
  red(text: string): string;
  cyan(text: string): string;
  dim(text: string): string;
  bold(text: string): string;
}

let chalk: ChalkInstance | undefined;

/** Loads chalk once; needed before colors(true). */
export async function loadColors(): Promise<void> {
  if (!chalk) {
    const { Chalk } = await import('chalk');
    chalk = new Chalk({ level: 1 });
  }
}

const identity = (text: string): string => text;

const OFF: Colors = {
  enabled: false,
  green: identity,
  yellow: identity,
  red: identity,
  cyan: identity,
  dim: identity,
  bold: identity,
};

/** The colour functions for a stream where colour is (or is not) wanted. */
export function colors(enabled: boolean): Colors {
  if (!enabled) return OFF;
  const c = chalk;
  if (!c) throw new Error('colors(true) before loadColors(): main() loads chalk when colour may be used');
  return {
    enabled: true,
    green: (t) => c.green(t),
    yellow: (t) => c.yellow(t),
    red: (t) => c.red(t),
    cyan: (t) => c.cyan(t),
    dim: (t) => c.dim(t),
    bold: (t) => c.bold(t),
  };
}
