/**
 * Small pieces every deploy verb shares: checking arguments before anything is sent, and turning a
 * deployment reference (an 18-digit id or a name) into an id.
 */
import type { ElasticDeploymentDetail } from '../../api/types.js';
import { DEPLOYMENT_STATUSES, WORKER_STATUSES } from '../../api/types.js';
import { ApiError, UsageError, YottaError, ExitCode } from '../../errors.js';
import type { ApiClient } from '../../api/client.js';
import { safeText } from '../../output/format.js';
import { listDeployments } from '../../api/deployments.js';

/** An 18-digit deployment id (ids stay strings: they exceed Number.MAX_SAFE_INTEGER). */
const ID_PATTERN = /^\d{15,20}$/;
/** What a deployment reference may contain: an id, or a name per the documented name pattern. */
const REF_PATTERN = /^[A-Za-z0-9@._-]+$/;

/** Whether `ref` looks like a deployment id rather than a name. */
export function isDeploymentId(ref: string): boolean {
  return ID_PATTERN.test(ref);
}

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

/** Parses a worker count argument: an integer ≥ 0 (`what` names it in the error). */
export function parseWorkerCount(value: string, what = '<workers>'): number {
  const text = value.trim();
  if (!/^\d+$/.test(text)) {
    throw new UsageError(`${what}: "${value}" is not a whole number of workers (0 or more)`);
  }
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n > 10_000) throw new UsageError(`${what}: ${value} workers is too many`);
  return n;
}

function parseStatuses(
  values: string[] | undefined,
  known: readonly string[],
  what: string,
  aliases: Readonly<Record<string, string>> = {},
): string[] | undefined {
  if (!values || values.length === 0) return undefined;
  const out: string[] = [];
  for (const raw of values.flatMap((v) => v.split(','))) {
    const typed = raw.trim().toUpperCase();
    const s = aliases[typed] ?? typed;
    if (!s) continue;
    if (!known.includes(s)) {
      throw new UsageError(`--status: unknown ${what} status "${raw.trim()}"; use one of ${known.join(', ')}`);
    }
    if (!out.includes(s)) out.push(s);
  }
  return out.length ? out : undefined;
}

/** Parses repeatable, comma-separated, case-insensitive `--status` values for deployments. */
export function parseDeploymentStatuses(values: string[] | undefined): string[] | undefined {
  // TERMINATED appears in one table of Yotta's docs; accept it as a filter too.
  return parseStatuses(values, [...DEPLOYMENT_STATUSES, 'TERMINATED'], 'deployment');
}

/**
 * Parses `--status` values for workers (INITIALIZE, RUNNING, TERMINATING, TERMINATED, FAILED).
 * INITIALIZING is taken for INITIALIZE: deployments use that word, and so does the API page's own
 * workers example.
 */
export function parseWorkerStatuses(values: string[] | undefined): string[] | undefined {
  return parseStatuses(values, WORKER_STATUSES, 'worker', { INITIALIZING: 'INITIALIZE' });
}

/** commander collector for repeatable options (defined beside the global options). */
export { collect } from '../../globals.js';

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
