/**
 * Registry credentials by name or id: the one place that turns a reference into a credential id,
 * for the `credential` verbs, for specs and flags that name a credential (`credential: <name>`,
 * `--credential NAME|ID`) in create, update, apply and diff, and back into a name for
 * `deploy get -o yaml`. A reference made only of digits is an id; anything else is a name, looked
 * up with one read of the account's credentials. A name shared by several credentials is refused
 * with the candidates listed; an unknown name says which names are close.
 */
import type { ApiClient } from '../api/client.js';
import type { RegistryCredential } from '../api/credentials.js';
import { listCredentials } from '../api/credentials.js';
import { ExitCode, SpecError, UsageError, YottaError } from '../errors.js';
import type { SpecProblem } from '../errors.js';
import { safeText } from '../output/format.js';
import type { SpecFlags } from '../spec/flags.js';
import type { ParsedSpecDoc } from '../spec/load.js';
import { didYouMean } from '../spec/suggest.js';

/** Whether a reference is a credential id (digits only) rather than a name. */
export function isCredentialId(ref: string): boolean {
  return /^\d+$/.test(ref);
}

/** Checks a credential argument: not empty, no control characters. Returns it trimmed. */
export function checkCredentialRef(ref: string): string {
  const value = ref.trim();
  // eslint-disable-next-line no-control-regex
  if (value === '' || /[\u0000-\u001f\u007f]/.test(value)) {
    throw new UsageError(`"${safeText(ref)}" is not a credential id or name`, 'Run `yotta credential list` to see ids and names.');
  }
  return value;
}

/** ` (did you mean "x"?)` over the account's credential names, or nothing. */
function suggestion(name: string, all: readonly RegistryCredential[]): string {
  const guess = didYouMean(name, all.map((c) => String(c.name)));
  return guess ? ` (did you mean "${safeText(guess)}"?)` : '';
}

/**
 * The one credential named `name` among `all`, or undefined when there is none. Several with that
 * name are refused (exit 2) with every candidate listed: picking one could use the wrong secret.
 */
export function pickCredentialByName(all: readonly RegistryCredential[], name: string): RegistryCredential | undefined {
  const matches = all.filter((c) => c.name === name);
  if (matches.length <= 1) return matches[0];
  throw new UsageError(
    `${matches.length} credentials are named "${safeText(name)}": ${matches.map((c) => c.id).join(', ')}; use an id instead`,
    'Rename all but one with `yotta credential update <id> --name <new-name>`.',
  );
}

/** The not-found error (exit 4) for a name no credential has. */
export function noCredentialNamed(name: string, all: readonly RegistryCredential[]): YottaError {
  return new YottaError(`no credential named "${safeText(name)}"${suggestion(name, all)}`, ExitCode.NOT_FOUND, 'Run `yotta credential list` to see ids and names.');
}

/** Turns a reference into a credential id: an id as it is; a name with one read of the list. */
export async function resolveCredentialId(client: ApiClient, ref: string): Promise<string> {
  const value = checkCredentialRef(ref);
  if (isCredentialId(value)) return value;
  const all = await listCredentials(client);
  const match = pickCredentialByName(all, value);
  if (!match) throw noCredentialNamed(value, all);
  return match.id;
}

/** A credential reference in a spec document or a flag, and where to report a problem with it. */
interface SpecRef {
  name: string;
  where: Omit<SpecProblem, 'message'>;
  /** Puts the resolved id in place of the name. */
  set(id: string): void;
}

/** The names (not ids) that specs and flags give as `credential`, after turning digit-only ones into ids in place. */
function specRefs(docs: readonly ParsedSpecDoc[], flags: SpecFlags | undefined, problems: SpecProblem[]): SpecRef[] {
  const refs: SpecRef[] = [];
  for (const doc of docs) {
    const name = doc.spec.credential;
    if (name === undefined) continue;
    const where = { file: doc.file, ...doc.positionOf(['credential']) };
    if (doc.spec.credentialId !== undefined) {
      problems.push({ ...where, message: 'give credential (a name or id) or credentialId, not both' });
      continue;
    }
    const set = (id: string): void => {
      delete doc.spec.credential;
      doc.spec.credentialId = id;
    };
    // Digits are an id; an empty value means no credential (credentialId "", which clears it on update).
    if (isCredentialId(name.trim()) || name.trim() === '') set(name.trim());
    else refs.push({ name, where, set });
  }
  if (flags?.credential !== undefined) {
    const f = flags;
    refs.push({
      name: f.credential!,
      where: { file: '--credential', line: 0, col: 0 },
      set(id) {
        delete f.credential;
        f.credentialId = id;
      },
    });
  }
  return refs;
}

/** Whether a spec or the flags name a credential that only a read of the account's credentials can resolve. */
export function credentialLookupNeeded(docs: readonly ParsedSpecDoc[], flags?: SpecFlags): boolean {
  return flags?.credential !== undefined || docs.some((d) => d.spec.credential !== undefined && d.spec.credential.trim() !== '' && !isCredentialId(d.spec.credential.trim()));
}

/**
 * Resolves every `credential` of the documents (and `--credential` of the flags) to `credentialId`,
 * in place, before anything is written: digits are an id as they are; names are looked up with ONE
 * read of the account's credentials (none when no name is given). An unknown or ambiguous name, or
 * a document giving both credential and credentialId, is a SpecError (exit 2) naming where, with
 * "did you mean" over the account's names; nothing is sent after it.
 */
export async function resolveSpecCredentials(client: ApiClient | undefined, docs: readonly ParsedSpecDoc[], flags?: SpecFlags): Promise<void> {
  const problems: SpecProblem[] = [];
  const refs = specRefs(docs, flags, problems);
  if (problems.length > 0) throw new SpecError(problems);
  if (refs.length === 0) return;
  if (!client) throw new Error('resolveSpecCredentials: a credential name needs a client to look it up');
  const all = await listCredentials(client);
  for (const ref of refs) {
    const matches = all.filter((c) => c.name === ref.name);
    if (matches.length === 1) ref.set(matches[0]!.id);
    else if (matches.length === 0) {
      problems.push({ ...ref.where, message: `no credential named "${safeText(ref.name)}"${suggestion(ref.name, all)}; see \`yotta credential list\`` });
    } else {
      problems.push({ ...ref.where, message: `${matches.length} credentials are named "${safeText(ref.name)}" (${matches.map((c) => c.id).join(', ')}); give the id instead` });
    }
  }
  if (problems.length > 0) throw new SpecError(problems);
}

/**
 * The name of credential `id`, for an exported spec; undefined when no single credential has that
 * id and a name only it has (the export then keeps credentialId), or when the list cannot be read.
 */
export async function credentialNameOf(client: ApiClient, id: string | undefined, signal?: AbortSignal): Promise<string | undefined> {
  if (!id) return undefined;
  let all: RegistryCredential[];
  try {
    all = await listCredentials(client);
  } catch (err) {
    // The export still works with the id; only Ctrl-C stops it.
    if (signal?.aborted) throw err;
    return undefined;
  }
  const match = all.find((c) => c.id === id);
  if (!match || typeof match.name !== 'string' || match.name === '' || isCredentialId(match.name)) return undefined;
  return all.filter((c) => c.name === match.name).length === 1 ? match.name : undefined;
}
