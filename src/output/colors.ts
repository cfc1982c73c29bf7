/**
 * The few colours yotta uses, as plain ANSI SGR wrappers.
 *
 * Why not chalk: createUi() must be synchronous, so chalk could only be imported statically, and
 * that sits on the startup path of every command (`yotta deploy list --json` included). Measured
 * on Node 24.21: `await import('chalk')` costs ~20 ms unbundled and ~12 ms from an esbuild bundle
 * (its colour-support probe pulls in node:tty/node:os and runs at import), against ~1 ms for an
 * empty module. Six fixed 16-colour codes need none of chalk's level detection — the decision to
 * colour is made once from flags, NO_COLOR/FORCE_COLOR and the TTY (colorEnabled in context.ts).
 */

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

// Re-opening the style after every inner close code keeps nesting right, e.g. bold(dim(x) + y):
// dim's close (22) would otherwise also end the outer bold.
function style(open: number, close: number): (text: string) => string {
  const o = `\u001b[${open}m`;
  const c = `\u001b[${close}m`;
  return (text) => (text === '' ? '' : o + text.split(c).join(c + o) + c);
}

const identity = (text: string): string => text;

const ON: Colors = {
  enabled: true,
  green: style(32, 39),
  yellow: style(33, 39),
  red: style(31, 39),
  cyan: style(36, 39),
  dim: style(2, 22),
  bold: style(1, 22),
};

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
  return enabled ? ON : OFF;
}

/** Removes ANSI escape sequences, e.g. to measure or compare text. */
export function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '');
}
