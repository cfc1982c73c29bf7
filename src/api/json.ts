/**
 * Lossless JSON parsing of API responses. Yotta's ids are 18-digit integers, above
 * Number.MAX_SAFE_INTEGER; some Yotta APIs send them as bare JSON numbers, and plain
 * JSON.parse would silently change their last digits. Here such a number keeps its exact digits.
 */

/** The third reviver argument of Node ≥ 22 (TC39 "JSON.parse source text access"). */
interface ReviverContext {
  source?: string;
}

type LosslessReviver = (this: unknown, key: string, value: unknown, context?: ReviverContext) => unknown;

const BARE_INTEGER = /^-?\d+$/;

function keepUnsafeIntegers(_key: string, value: unknown, context?: ReviverContext): unknown {
  if (typeof value === 'number' && !Number.isSafeInteger(value)) {
    const source = context?.source;
    // Only a bare integer literal is turned into its digit string; 1.5, 1e30 and the like stay numbers.
    if (source !== undefined && BARE_INTEGER.test(source)) return source;
  }
  return value;
}

/**
 * A number token of 16 or more digits: the only kind that can be an unsafe integer (2^53 has 16
 * digits). A JSON number always follows the start, `:`, `,` or `[`. A match inside a string only
 * costs the slower path; a body without one cannot hold an unsafe integer.
 */
const MAYBE_UNSAFE_INTEGER = /(?:^|[:,[])\s*-?\d{16}/;

/**
 * A JSON string (skipped whole) or an integer of 16+ digits standing alone as a number token (not the
 * fraction or exponent of another number, nor followed by one of its own).
 */
const STRING_OR_LONG_INTEGER = /"(?:[^"\\]|\\.)*"|(?<![\d.eE+-])-?\d{16,}(?![\d.eE])/g;

/** The same result as the reviver, without recursion: each unsafe bare integer is quoted in the text first. */
function quoteUnsafeIntegers(text: string): string {
  return text.replace(STRING_OR_LONG_INTEGER, (token) =>
    token.startsWith('"') || Number.isSafeInteger(Number(token)) ? token : `"${token}"`,
  );
}

/** JSON.parse, except that a bare integer beyond ±2^53 comes back as its exact digit string. Safe integers stay numbers. */
export function parseJsonLossless(text: string): unknown {
  // The reviver costs ~35 ns a value (~290 ms on a 10,000-deployment list); skip it when no number could need it.
  if (!MAYBE_UNSAFE_INTEGER.test(text)) return JSON.parse(text);
  try {
    // lib.es2023's reviver type predates the `context` argument; the runtime passes it.
    return JSON.parse(text, keepUnsafeIntegers as LosslessReviver as (key: string, value: unknown) => unknown);
  } catch (err) {
    // V8 applies a reviver recursively: a deeply nested (valid) document overflows the stack. JSON.parse
    // itself does not recurse, so the same result is had by quoting the big integers in the text.
    if (!(err instanceof RangeError)) throw err;
    return JSON.parse(quoteUnsafeIntegers(text));
  }
}
