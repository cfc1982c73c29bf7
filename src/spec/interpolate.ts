/**
 * `${VAR}` interpolation of spec values from the environment. No shell is ever run: only the
 * variables a value names are read, and the only syntax is `${NAME}`, `${NAME:-default}` (default
 * when unset or empty), `${NAME-default}` (default when unset) and `$${` for a literal `${`.
 */

/** The outcome of interpolating one string: the new text, or every problem found in it. */
export type InterpolationResult =
  | { ok: true; value: string; /** false when the text had no `${` at all */ changed: boolean }
  | { ok: false; problems: string[] };

const REFERENCE = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)([^]*))?$/;

/** Fills `${...}` references in `text` from `env`. */
export function interpolate(text: string, env: Readonly<Record<string, string | undefined>>): InterpolationResult {
  if (!text.includes('${')) return { ok: true, value: text, changed: false };
  let out = '';
  const problems: string[] = [];
  let i = 0;
  while (i < text.length) {
    if (text.startsWith('$${', i)) {
      out += '${';
      i += 3;
      continue;
    }
    if (!text.startsWith('${', i)) {
      out += text[i];
      i += 1;
      continue;
    }
    const close = text.indexOf('}', i + 2);
    if (close < 0) {
      problems.push('unterminated "${" (write "$${" for a literal "${")');
      break;
    }
    const inner = text.slice(i + 2, close);
    const m = REFERENCE.exec(inner);
    if (!m) {
      problems.push(`"\${${inner}}" is not a variable reference; use \${NAME} or \${NAME:-default} (or "$\${" for a literal "\${")`);
    } else {
      const [, name, op, fallback] = m as unknown as [string, string, string | undefined, string | undefined];
      const value = env[name];
      if (op === ':-') out += value === undefined || value === '' ? fallback : value;
      else if (op === '-') out += value === undefined ? fallback : value;
      else if (value === undefined) problems.push(`environment variable ${name} is not set (set it, or give a default: \${${name}:-default})`);
      else out += value;
    }
    i = close + 1;
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, value: out, changed: true };
}
