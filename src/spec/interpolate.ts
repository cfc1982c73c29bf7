/**
 * `${VAR}` interpolation of spec values from the environment. No shell is ever run: only the
 * variables a value names are read, and the only syntax is `${NAME}`, `${NAME:-default}` (default
 * when unset or empty), `${NAME-default}` (default when unset) and `$${` for a literal `${`.
 * A default may itself hold references, as in a shell: `${A:-${B}}`, `${A:-${B:-none}}`; it is
 * filled only when it is used.
 */

/** The outcome of interpolating one string: the new text, or every problem found in it. */
export type InterpolationResult =
  | { ok: true; value: string; /** false when the text had no `${` at all */ changed: boolean }
  | { ok: false; problems: string[] };

const REFERENCE = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)([^]*))?$/;

/** How deep defaults may nest (`${A:-${B:-${C}}}` is 3): deeper is surely a mistake. */
const MAX_NESTING = 8;

/** The index of the `}` that closes the reference whose body starts at `from`, skipping nested `${...}`; -1 when none does. */
function closingBrace(text: string, from: number): number {
  let depth = 0;
  for (let i = from; i < text.length; i++) {
    if (text.startsWith('$${', i)) i += 2;
    else if (text.startsWith('${', i)) {
      depth += 1;
      i += 1;
    } else if (text[i] === '}') {
      if (depth === 0) return i;
      depth -= 1;
    }
  }
  return -1;
}

/** Fills `${...}` references in `text` from `env`. */
export function interpolate(text: string, env: Readonly<Record<string, string | undefined>>, nesting = 0): InterpolationResult {
  if (!text.includes('${')) return { ok: true, value: text, changed: false };
  if (nesting > MAX_NESTING) return { ok: false, problems: [`defaults nested more than ${MAX_NESTING} deep`] };
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
    const close = closingBrace(text, i + 2);
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
      const useDefault = op === ':-' ? value === undefined || value === '' : op === '-' ? value === undefined : false;
      if (useDefault) {
        const filled = interpolate(fallback ?? '', env, nesting + 1);
        if (filled.ok) out += filled.value;
        else problems.push(...filled.problems);
      } else if (op !== undefined) out += value;
      else if (value === undefined) problems.push(`environment variable ${name} is not set (set it, or give a default: \${${name}:-default})`);
      else out += value;
    }
    i = close + 1;
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, value: out, changed: true };
}
