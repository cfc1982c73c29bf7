/**
 * Keeping secrets secret: masking of the API key and of secret-looking environment values,
 * for --debug traces, `auth status` and anything else that shows what was sent.
 */

/** `***c123`: the last four characters only, for traces. Short keys are fully masked. */
export function maskKey(key: string): string {
  return key.length >= 12 ? `***${key.slice(-4)}` : '***';
}

/** `yk-…c123`: a recognisable but useless form of a key, for `auth status`. */
export function displayKey(key: string): string {
  if (key.length < 12) return '…';
  const dash = key.indexOf('-');
  const prefix = dash > 0 && dash <= 4 ? key.slice(0, dash + 1) : '';
  return `${prefix}…${key.slice(-4)}`;
}

const SECRET_NAME = /(secret|token|password|passwd|pwd|key|credential|auth|cookie|session|private|signature|cert)/i;

/** Whether an environment variable's name suggests its value is a secret (HF_TOKEN, AWS_SECRET_ACCESS_KEY...). */
export function looksSecret(name: string): boolean {
  return SECRET_NAME.test(name);
}

/** Replaces every occurrence of each secret in `text` with its masked form. */
export function redactText(text: string, secrets: ReadonlyArray<string | undefined>): string {
  let out = text;
  for (const s of secrets) {
    if (s && s.length >= 4) out = out.split(s).join(maskKey(s));
  }
  return out;
}

/** The secrets each run has used (its API key, passwords read from stdin…), keyed by the run's Context. */
const runSecrets = new WeakMap<object, Set<string>>();

/** Remembers a secret this run holds, so that every error and trace it prints masks it. */
export function registerSecret(ctx: object, secret: string | undefined): void {
  if (!secret || secret.length < 4) return;
  let set = runSecrets.get(ctx);
  if (!set) runSecrets.set(ctx, (set = new Set()));
  set.add(secret);
}

/** Every secret this run must not show: those registered, and the key in the environment. */
export function secretsOf(ctx: { env: Readonly<Record<string, string | undefined>> }): string[] {
  return [...(runSecrets.get(ctx) ?? []), ctx.env.YOTTA_API_KEY?.trim() ?? ''].filter((s) => s.length >= 4);
}
