/**
 * What the `credential` verbs share: reading the password (all of stdin with --password-stdin, or a
 * hidden prompt on a terminal; never a flag, never echoed) and checking names and types before
 * anything is sent.
 */
import type { Context } from '../../context.js';
import type { Ui } from '../../output/ui.js';
import { ApiError, NetworkError, UsageError } from '../../errors.js';
import { CREDENTIAL_TYPES } from '../../api/credentials.js';
import type { CredentialType } from '../../api/credentials.js';
import { readAllStdin, readHiddenLine } from '../../config/prompt.js';
import { didYouMean } from '../../spec/suggest.js';
import { safeText } from '../../output/format.js';
import { registerSecret } from '../../redact.js';

/** The hidden prompt's question. */
export const PASSWORD_PROMPT = 'Registry password or access token (hidden): ';

/** Longest credential name accepted (the API's deployment-name limit, the closest documented one). */
const MAX_NAME = 50;

/**
 * Reads the password: with `fromStdin`, all of stdin (a multi-line GCR JSON key works) with one
 * trailing newline dropped, or a hidden prompt when stdin is a terminal; without it, a hidden prompt
 * on a terminal, else a usage error naming --password-stdin. An empty password is refused.
 */
export async function readPassword(ctx: Context, ui: Ui, fromStdin: boolean): Promise<string> {
  let raw: string;
  if (fromStdin && !ctx.stdin.isTTY) {
    raw = (await readAllStdin(ctx, 'a registry password')).replace(/\r?\n$/, '');
  } else if (ui.interactive) {
    raw = await readHiddenLine(ctx, PASSWORD_PROMPT);
  } else {
    throw new UsageError(
      fromStdin ? 'standard input is a terminal but --no-input forbids the prompt' : 'no password given: it is read from standard input with --password-stdin, or asked for on a terminal',
      'For example: yotta credential create NAME --type DOCKER_HUB --username USER --password-stdin < token.txt',
    );
  }
  if (raw === '') throw new UsageError('the password is empty', fromStdin ? 'Standard input was empty.' : undefined);
  // Every error and trace of this run masks it, whatever quotes it.
  registerSecret(ctx, raw);
  return raw;
}

/** Checks a credential name: not empty, no control characters, not only digits (that reads as an id), at most 50 characters. */
export function checkCredentialName(name: string, flag: string): string {
  const value = name.trim();
  if (value === '') throw new UsageError(`${flag}: the name must not be empty`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(value)) throw new UsageError(`${flag}: "${safeText(value)}" contains control characters`);
  if (/^\d+$/.test(value)) {
    throw new UsageError(`${flag}: "${value}" is only digits, which yotta reads as a credential id; give a name with a letter in it`);
  }
  if (value.length > MAX_NAME) throw new UsageError(`${flag}: the name is ${value.length} characters long; at most ${MAX_NAME}`);
  return value;
}

/** Parses `--type` in any case: DOCKER_HUB, GCR, ECR, ACR or PRIVATE (`docker-hub` works too). */
export function parseCredentialType(value: string): CredentialType {
  const upper = value.trim().toUpperCase().replace(/-/g, '_');
  if ((CREDENTIAL_TYPES as readonly string[]).includes(upper)) return upper as CredentialType;
  const guess = didYouMean(upper, CREDENTIAL_TYPES);
  throw new UsageError(`--type: "${safeText(value)}" is not a registry type; use one of ${CREDENTIAL_TYPES.join(', ')}${guess ? ` (did you mean ${guess}?)` : ''}`);
}

/** Checks `--username`: not empty, no control characters. */
export function checkUsername(value: string): string {
  const v = value.trim();
  if (v === '') throw new UsageError('--username: must not be empty');
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(v)) throw new UsageError('--username: contains control characters');
  return v;
}

/** Re-words the API's "record does not exist" (10007) as `credential <ref> not found`; other errors pass unchanged. */
export function explainCredentialNotFound(err: unknown, ref: string): unknown {
  if (err instanceof ApiError && (err.code === 10007 || err.code === 24001 || (err.code === undefined && err.httpStatus === 404))) {
    return new ApiError(`credential ${safeText(ref)} not found`, err.details, 'Run `yotta credential list` to see ids and names.');
  }
  return err;
}

/**
 * A write whose outcome is unknown (exit 7) was never sent again: say so, and how to check, in
 * credential words (the transport's own advice names deployments).
 */
export function explainUnknownOutcome(err: unknown, check: string): unknown {
  if (err instanceof NetworkError && err.details.outcomeUnknown) {
    const cause = err.message.split('; the outcome is unknown')[0];
    return new NetworkError(`${cause}; the outcome is unknown: the server may have applied it`, err.details, `It was not sent again. Check with: ${check}`);
  }
  return err;
}
