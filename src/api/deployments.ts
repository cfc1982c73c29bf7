/**
 * One typed function per Elastic Deployment endpoint. Never prints, prompts or formats; unknown
 * statuses and extra fields pass through untouched, and start/stop/delete/scale accept any `data`
 * (older API builds returned an id string where the docs now say null). A deployment or list that
 * is not even the right shape (shape.ts) is refused here with a clear ApiError.
 */
import type { ApiClient, RequestOptions } from './client.js';
import type {
  CreateDeploymentRequest,
  ElasticDeploymentDetail,
  ElasticDeploymentWorkerDetail,
  ScaleDeploymentRequest,
  UpdateDeploymentRequest,
} from './types.js';
import { UsageError } from '../errors.js';
import { deploymentListOf, deploymentOf, workerListOf } from './shape.js';

/** Every endpoint lives under this path. */
export const DEPLOY_BASE = '/openapi/v1/elastic/deploy';

/** The id as one path segment: percent-encoded, and never `.`/`..` (which a URL parser would resolve away). */
function idPath(id: string): string {
  if (id === '' || id === '.' || id === '..') {
    throw new UsageError(`"${id}" is not a deployment id`, 'Ids are listed by `yotta deploy list`.');
  }
  return `${DEPLOY_BASE}/${encodeURIComponent(id)}`;
}

/** POST /create: creates a deployment and returns it. */
export async function createDeployment(c: ApiClient, body: CreateDeploymentRequest): Promise<ElasticDeploymentDetail> {
  const path = `${DEPLOY_BASE}/create`;
  return deploymentOf(await c.request<unknown>('POST', path, { body }), 'POST', path);
}

/** GET /list, optionally filtered by status (sent as repeated `statusList` parameters). */
export async function listDeployments(c: ApiClient, o: { statusList?: string[]; budgetMs?: number } = {}): Promise<ElasticDeploymentDetail[]> {
  const path = `${DEPLOY_BASE}/list`;
  return deploymentListOf(await c.request<unknown>('GET', path, { query: { statusList: o.statusList }, budgetMs: o.budgetMs }), 'GET', path);
}

/** GET /{id}: one deployment. */
export async function getDeployment(c: ApiClient, id: string, o: Pick<RequestOptions, 'budgetMs'> = {}): Promise<ElasticDeploymentDetail> {
  const path = idPath(id);
  return deploymentOf(await c.request<unknown>('GET', path, o), 'GET', path);
}

/** POST /{id}/update: replaces the changeable fields of a STOPPED deployment. */
export async function updateDeployment(c: ApiClient, id: string, body: UpdateDeploymentRequest): Promise<ElasticDeploymentDetail> {
  const path = `${idPath(id)}/update`;
  return deploymentOf(await c.request<unknown>('POST', path, { body }), 'POST', path);
}

/** POST /{id}/start. */
export async function startDeployment(c: ApiClient, id: string): Promise<unknown> {
  return c.request<unknown>('POST', `${idPath(id)}/start`);
}

/** POST /{id}/stop. */
export async function stopDeployment(c: ApiClient, id: string): Promise<unknown> {
  return c.request<unknown>('POST', `${idPath(id)}/stop`);
}

/** DELETE /{id}: only a STOPPED deployment can be deleted (else code 24002). */
export async function deleteDeployment(c: ApiClient, id: string): Promise<unknown> {
  return c.request<unknown>('DELETE', idPath(id));
}

/** POST /{id}/workers: sets the target worker count (0 is allowed). */
export async function scaleDeployment(c: ApiClient, id: string, workers: number): Promise<unknown> {
  const body: ScaleDeploymentRequest = { workers };
  return c.request<unknown>('POST', `${idPath(id)}/workers`, { body });
}

/** GET /{id}/workers, optionally filtered by status (repeated `statusList` parameters). */
export async function listWorkers(c: ApiClient, id: string, o: { statusList?: string[] } = {}): Promise<ElasticDeploymentWorkerDetail[]> {
  const path = `${idPath(id)}/workers`;
  return workerListOf(await c.request<unknown>('GET', path, { query: { statusList: o.statusList } }), 'GET', path);
}
