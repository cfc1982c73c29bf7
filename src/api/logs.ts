/**
 * Worker logs: the one call of the newer API generation (v2) that yotta's deployment commands use.
 * Its path lives here, beside the v1 calls of deployments.ts, and nowhere else. Never prints.
 */
import type { ApiClient } from './client.js';
import type { WorkerLogLine, WorkerLogsPage, WorkerLogsQuery } from './types.js';
import { ApiError, UsageError } from '../errors.js';

/** The v2 "serverless endpoints" are the v1 elastic deployments, with the same ids. */
export const SERVERLESS_BASE = '/v2/serverless';

/** The most lines one page may hold (the documented maximum of `pageSize`). */
export const MAX_LOG_PAGE_SIZE = 1000;

/** A worker or deployment id as one path segment: percent-encoded, never `.`/`..`. */
function segment(id: string, what: string): string {
  if (id === '' || id === '.' || id === '..') throw new UsageError(`"${id}" is not a ${what} id`);
  return encodeURIComponent(id);
}

/** The path of a worker's logs. */
export function workerLogsPath(deploymentId: string, workerId: string): string {
  return `${SERVERLESS_BASE}/${segment(deploymentId, 'deployment')}/workers/${segment(workerId, 'worker')}/logs`;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function token(v: unknown): string | null {
  if (typeof v === 'string' && v.trim() !== '') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return null;
}

/**
 * Checks a page: `logs` a list of lines with a timestamp, a text and an offset. Lines come back as
 * the server sent them; a line missing its text or position is the server's fault (ApiError, exit 1):
 * following from it could repeat or lose lines.
 */
export function workerLogsPageOf(data: unknown, path: string): WorkerLogsPage {
  const fail = (what: string): ApiError =>
    new ApiError(
      `GET ${path}: the API reported success, but ${what}`,
      { httpStatus: 200, code: 10000, method: 'GET', path },
      'This is a problem on the server side; try again later, and report it (with --debug output) if it persists.',
    );
  if (!isRecord(data)) throw fail('its data is not a page of log lines');
  const raw = data.logs ?? [];
  if (!Array.isArray(raw)) throw fail('its `logs` is not a list');
  const logs: WorkerLogLine[] = raw.map((item, i) => {
    if (!isRecord(item)) throw fail(`line ${i + 1} of its page is not an object`);
    const { timestamp, log, offset } = item;
    if (typeof timestamp !== 'string' && typeof timestamp !== 'number') throw fail(`line ${i + 1} of its page has no timestamp`);
    if (typeof offset !== 'number' && !(typeof offset === 'string' && /^\d+$/.test(offset))) throw fail(`line ${i + 1} of its page has no offset`);
    // The usual line is used as it came; an odd one is copied with its fields made strings.
    if (typeof timestamp === 'string' && typeof log === 'string') return item as unknown as WorkerLogLine;
    return { ...item, timestamp: String(timestamp), log: log == null ? '' : String(log), offset } as WorkerLogLine;
  });
  return {
    logs,
    hasMore: data.hasMore === true || data.hasMore === 'true',
    nextSearchAfterTime: token(data.nextSearchAfterTime),
    nextSearchAfterOffset: token(data.nextSearchAfterOffset),
  };
}

/** GET /v2/serverless/{deploymentId}/workers/{workerId}/logs: one page of a worker's log lines. */
export async function getWorkerLogs(c: ApiClient, deploymentId: string, workerId: string, q: WorkerLogsQuery = {}): Promise<WorkerLogsPage> {
  const path = workerLogsPath(deploymentId, workerId);
  const query = {
    pageSize: q.pageSize !== undefined ? String(q.pageSize) : undefined,
    keyword: q.keyword,
    startTime: q.startTime,
    endTime: q.endTime,
    searchAfterTime: q.searchAfterTime,
    searchAfterOffset: q.searchAfterOffset,
    direction: q.direction,
  };
  return workerLogsPageOf(await c.request<unknown>('GET', path, { query }), path);
}
