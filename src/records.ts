/** A test the API layer, the spec checks and the output share on untrusted data. */

/** Whether `v` is a plain object (not null, not an array): the shape a JSON object parses to. */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
