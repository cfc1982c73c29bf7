/** How a value is shown in a problem message (pure). */

function clip(s: string): string {
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** A value as the user wrote it: numbers bare, text quoted (`2.5`, `"two"`). */
export function showValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(clip(v));
  if (typeof v === 'number') return Number.isNaN(v) ? 'NaN' : String(v);
  return describeValue(v);
}

/** A value for a type mismatch, naming its kind when that is the point (`the text "2"`, `a list`). */
export function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'an empty value';
  if (typeof v === 'string') return `the text ${JSON.stringify(clip(v))}`;
  if (typeof v === 'number') return Number.isNaN(v) ? 'NaN' : String(v);
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return 'a list';
  if (v instanceof Uint8Array) return 'binary data';
  if (typeof v === 'object') return 'a mapping';
  return typeof v;
}
