/**
 * Text from outside (a server's message, an HTML error page, a file) made safe for a terminal:
 * C0/C1 control characters (ESC starts terminal escape sequences) and the bidirectional overrides
 * that can make text read differently from what it is become visible `\uXXXX` escapes, so a broken
 * or hostile server cannot clear the screen, retitle the window or hide text.
 */

// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

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
  return text.replace(UNSAFE, (ch) => table[ch] ?? `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
