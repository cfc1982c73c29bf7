/**
 * One typed function per task endpoint (v2, QUEUE deployments only). Never prints, prompts or
 * formats. Answers that are not even the right shape are refused here with a clear ApiError.
 */
import type { ApiClient } from './client.js';
import type { SubmitTaskRequest, SubmitTaskResponse, Task, TaskCount, TaskPage } from './types.js';
import { ApiError, UsageError } from '../errors.js';

/** Where a deployment's tasks live. */
export const TASKS_BASE = '/v2/serverless';

/** What a task id may be when yotta sends it: letters, digits and underscore, at most 255 (the API's rule). */
export const TASK_ID_PATTERN = /^[A-Za-z0-9_]{1,255}$/;
/** What a task id may be when read back: the API's own generated ids are UUIDs, with dashes. */
const TASK_REF_PATTERN = /^[A-Za-z0-9_-]{1,255}$/;

function deploymentPath(deploymentId: string): string {
  if (!/^\d{1,20}$/.test(deploymentId)) throw new UsageError(`"${deploymentId}" is not a deployment id`, 'Ids are listed by `yotta deploy list`.');
  return `${TASKS_BASE}/${deploymentId}/tasks`;
}

/** Checks a task id argument before it becomes part of a path. */
export function checkTaskRef(taskId: string): string {
  if (!TASK_REF_PATTERN.test(taskId)) {
    throw new UsageError(`"${taskId}" is not a task id: task ids use letters, digits, _ and -`, 'Task ids are listed by `yotta task list <deployment>`.');
  }
  return taskId;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function badShape(method: string, path: string, what: string): ApiError {
  const applied = method === 'GET' ? '' : ', so it was applied,';
  return new ApiError(`${method} ${path}: the API reported success${applied} but ${what}`, { httpStatus: 200, code: 10000, method, path });
}

function taskOf(v: unknown, method: string, path: string): Task {
  if (!isRecord(v) || (typeof v.taskId !== 'string' && typeof v.taskId !== 'number')) throw badShape(method, path, 'the answer is not a task');
  return { ...v, taskId: String(v.taskId) } as Task;
}

/** POST /v2/serverless/{id}/tasks: submits one task; `data.taskId` names it. */
export async function submitTask(c: ApiClient, deploymentId: string, body: SubmitTaskRequest): Promise<SubmitTaskResponse> {
  const path = deploymentPath(deploymentId);
  const data = await c.request<unknown>('POST', path, { body });
  if (!isRecord(data) || (typeof data.taskId !== 'string' && typeof data.taskId !== 'number')) {
    // Applied, with an answer we cannot read: the id we sent (when we sent one) still names it.
    if (body.taskId !== undefined) return { taskId: body.taskId };
    throw badShape('POST', path, 'the answer has no taskId');
  }
  return { ...data, taskId: String(data.taskId) };
}

/** GET /v2/serverless/{id}/tasks/{taskId}: one task with its input, output and error (24011 when unknown). */
export async function getTask(c: ApiClient, deploymentId: string, taskId: string): Promise<Task> {
  const path = `${deploymentPath(deploymentId)}/${encodeURIComponent(checkTaskRef(taskId))}`;
  return taskOf(await c.request<unknown>('GET', path), 'GET', path);
}

/** GET /v2/serverless/{id}/tasks: one page (pageNumber from 1), optionally of one status. */
export async function listTasks(
  c: ApiClient,
  deploymentId: string,
  o: { status?: string; pageNumber?: number; pageSize?: number } = {},
): Promise<TaskPage> {
  const path = deploymentPath(deploymentId);
  const data = await c.request<unknown>('GET', path, {
    query: {
      status: o.status,
      pageNumber: o.pageNumber !== undefined ? String(o.pageNumber) : undefined,
      pageSize: o.pageSize !== undefined ? String(o.pageSize) : undefined,
    },
  });
  if (!isRecord(data) || !Array.isArray(data.items)) throw badShape('GET', path, 'the answer is not a page of tasks {items, page, size, total, pages}');
  const num = (v: unknown, fallback: number): number => (typeof v === 'number' && Number.isFinite(v) ? v : fallback);
  return {
    ...data,
    items: data.items.map((t) => taskOf(t, 'GET', path)),
    page: num(data.page, o.pageNumber ?? 1),
    size: num(data.size, o.pageSize ?? data.items.length),
    total: num(data.total, data.items.length),
    pages: num(data.pages, 1),
  };
}

/** GET /v2/serverless/{id}/tasks/count: how many tasks are still PROCESSING. */
export async function countTasks(c: ApiClient, deploymentId: string): Promise<TaskCount> {
  const path = `${deploymentPath(deploymentId)}/count`;
  const data = await c.request<unknown>('GET', path);
  if (!isRecord(data) || typeof data.processing !== 'number') throw badShape('GET', path, 'the answer has no processing count');
  return data as TaskCount;
}
