/** Paths into a spec (`resources[1].gpuCount`) and how they are written in messages (pure). */

/** A path of keys and list indexes, as zod reports it. */
export type SpecPath = ReadonlyArray<string | number>;

/** `resources[1].gpuCount`, `environmentVars.HF_HOME`, `environmentVars["a b"]`. */
export function formatPath(path: SpecPath): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

/** `file:line:col: message`, the form of every positioned warning. */
export function formatAt(file: string, pos: { line: number; col: number }, message: string): string {
  return `${file}:${pos.line}:${pos.col}: ${message}`;
}
