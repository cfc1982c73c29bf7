/**
 * Checks of what the deploy verbs are given on the command line, before anything is sent: a worker
 * count, `--status` values (a deployment reference is checked by services/resolve.ts). Each refuses
 * bad input with exit 2.
 */
import { DEPLOYMENT_STATUSES, WORKER_STATUSES } from '../../api/types.js';
import { UsageError } from '../../errors.js';

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
