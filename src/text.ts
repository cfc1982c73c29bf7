/**
 * Text from outside (a server's message, an HTML error page, a file) made safe for a terminal:
 * C0/C1 control characters (ESC starts terminal escape sequences; U+009B is a one-character CSI on
 * some terminals) and the bidirectional marks and overrides that can make text read differently from
 * what it is become visible `\uXXXX` escapes, so a broken or hostile server cannot clear the screen,
 * retitle the window or hide text. Data formats get the same care in their own syntax: jsonText().
 */

import { ExitCode, YottaError } from './errors.js';

// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
/** What JSON.stringify leaves raw but a terminal acts on: C1 controls (and DEL) and the bidi marks. C0 is already `\u00XX`. */
const JSON_UNSAFE = /[\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * What becomes of newline, tab and carriage return: `escape` shows them as `\n`, `\t`, `\r` (one
 * table cell stays one line); `space` turns them into spaces (a one-line message); `keep` keeps
 * newlines and tabs as they are (multi-line error text) and escapes the carriage return.
 */
export type LineBreaks = 'escape' | 'space' | 'keep';

const BREAKS: Record<LineBreaks, Record<string, string>> = {
  escape: { '\n': '\\n', '\t': '\\t', '\r': '\\r' },
  space: { '\n': ' ', '\t': ' ', '\r': ' ' },
  keep: { '\n': '\n', '\t': '\t' },
};

/** Replaces every unsafe character of `text` with a visible escape; line breaks as `breaks` says. */
export function escapeControls(text: string, breaks: LineBreaks): string {
  const table = BREAKS[breaks];
  return text.replace(UNSAFE, (ch) => table[ch] ?? unicodeEscape(ch));
}

function unicodeEscape(ch: string): string {
  return `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/**
 * JSON text of `value` for every JSON that yotta writes (results, NDJSON events, JSON errors):
 * bigints (lossless big numbers) as digit strings, and C1 controls and bidi marks written as
 * `\uXXXX`, which any JSON reader turns back into the same characters, so `--json` on a terminal
 * cannot be used to drive it. Those characters can only occur inside JSON strings, so the pass over
 * the output text is exact.
 */
export function jsonText(value: unknown, indent?: number): string {
  let text: string;
  try {
    text = JSON.stringify(value ?? null, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), indent) ?? 'null';
  } catch (err) {
    // JSON.stringify recurses: a server's answer nested thousands of levels deep (which we can read) overflows it.
    if (err instanceof RangeError) throw new YottaError('the answer is nested too deeply to write as JSON (thousands of levels)', ExitCode.ERROR, 'Use the table view (without --json), or check the base URL: the Yotta API does not send such answers.');
    throw err;
  }
  return text.replace(JSON_UNSAFE, unicodeEscape);
}
