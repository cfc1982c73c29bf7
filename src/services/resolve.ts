/**
 * Turning a deployment reference (an 18-digit id or a name) into a deployment, and the words for a
 * reference that matches none. The one place that decides what a name means.
 */
import type { ElasticDeploymentDetail } from '../api/types.js';
import { ApiError, UsageError, YottaError, ExitCode } from '../errors.js';
import type { ApiClient } from '../api/client.js';
import { safeText } from '../output/format.js';
import { listDeployments } from '../api/deployments.js';

/** An 18-digit deployment id (ids stay strings: they exceed Number.MAX_SAFE_INTEGER). */
const ID_PATTERN = /^\d{15,20}$/;

/** Whether `ref` looks like a deployment id rather than a name. */
export function isDeploymentId(ref: string): boolean {
  return ID_PATTERN.test(ref);
}

/** What a deployment reference may contain: an id, or a name per the documented name pattern. */
const REF_PATTERN = /^[A-Za-z0-9@._-]+$/;

/** Checks a deployment argument; a space, slash or other character could change the request path, so it is refused. */
export function checkDeploymentRef(ref: string): string {
  const value = ref.trim();
  if (!REF_PATTERN.test(value)) {
    throw new UsageError(
      `"${ref}" is not a deployment id or name: ids are 18 digits, names use letters, digits and @._-`,
      'Run `yotta deploy list` to see ids and names.',
    );
  }
  return value;
}
/**
 * Turns a reference into a deployment id: an id is used as it is; a name is looked up with one list
 * call and must match exactly one deployment (several matches are refused with the candidates listed).
 */
export async function resolveDeploymentId(client: ApiClient, ref: string): Promise<string> {
  const value = checkDeploymentRef(ref);
  if (isDeploymentId(value)) return value;
  const match = pickByName(await listDeployments(client), value);
  if (!match) throw noDeploymentNamed(value);
  return match.id;
}

/**
 * The one deployment named `name` among `all`, or undefined when there is none. Several with that
 * name are refused (exit 2) with every candidate listed: picking one could act on the wrong deployment.
 */
export function pickByName(all: readonly ElasticDeploymentDetail[], name: string): ElasticDeploymentDetail | undefined {
  const matches = all.filter((d) => d.name === name);
  if (matches.length <= 1) return matches[0];
  const list = matches.map((d) => `${safeText(String(d.id))} (${safeText(String(d.status))})`).join(', ');
  throw new UsageError(`${matches.length} deployments are named "${name}": ${list}; use an id instead`);
}

/** The not-found error (exit 4) for a name that no deployment has. */
export function noDeploymentNamed(name: string): YottaError {
  return new YottaError(`no deployment named "${name}"`, ExitCode.NOT_FOUND, 'Run `yotta deploy list` to see ids and names.');
}

/**
 * Re-words the API's "does not exist" (24001, 10007) as `deployment <ref> not found` with the
 * command that lists ids; the exit code (4) and the API's code stay, for --json errors. Other errors pass unchanged.
 */
export function explainNotFound(err: unknown, ref: string): unknown {
  if (err instanceof ApiError && (err.code === 24001 || err.code === 10007)) {
    return new ApiError(`deployment ${ref} not found`, err.details, 'Run `yotta deploy list` to see ids and names.');
  }
  return err;
}
