/**
 * The sandbox's tasks for QUEUE deployments (the v2 task endpoints). Like the deployments, nothing
 * runs on a timer: a task records when it becomes due, and a request at or after that time, while
 * its deployment is RUNNING, finishes it (SUCCESS, DELIVERED with a webhook, or FAILED when the
 * input asks for it). Tasks are kept in the state file, so several CLI processes share them.
 *
 * Rules (the sandbox's reading of Yotta's docs):
 * - only QUEUE deployments take tasks; another mode answers 10001; an unknown task id 24011.
 * - at most SUBMITS_PER_SECOND submissions per deployment in any second (HTTP 429 beyond), and at
 *   most TASK_CAP tasks PROCESSING per deployment (HTTP 429 too: the queue is full).
 * - a task id given twice names the same task: the second submission creates nothing.
 * - an input object with `"fail": true` (or a message string) ends FAILED with that error.
 * - secret-looking forwarded headers are stored masked: the state file is not a place for secrets.
 */
import { randomUUID } from 'node:crypto';
import type { Task } from '../api/types.js';
import { maskKey, looksSecret } from '../redact.js';
import { SandboxApiError, paramError } from './validate.js';
import type { SandboxState } from './state.js';

/** Submissions accepted per deployment in one second. */
export const SUBMITS_PER_SECOND = 40;
/** Tasks that may be PROCESSING at once per deployment. */
export const TASK_CAP = 1000;
/** Default time from submission to the end of a task, in ms. */
export const DEFAULT_TASK_MS = 2000;
/** Finished tasks kept per deployment (the oldest are forgotten). */
const KEPT_FINISHED = 2000;

/** A task as the state file keeps it. */
export interface StoredTask {
  deploymentId: string;
  taskId: string;
  status: string;
  input: unknown;
  output: unknown;
  error: string | null;
  workerPort: number;
  processUri: string;
  webhook: string | null;
  headers: Record<string, string>;
  createdAt: number;
  updatedAt: number;
  /** When it may finish (if its deployment is RUNNING then). */
  dueAt: number;
  deliveryStatus: string;
  deliveryAttempts: number;
  deliveredAt: number | null;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Whether a stored value is a task record (a state file written by a newer or older build may hold others). */
function isStoredTask(v: unknown): v is StoredTask {
  return isRecord(v) && typeof v.deploymentId === 'string' && typeof v.taskId === 'string' && typeof v.status === 'string' && typeof v.dueAt === 'number';
}

/** Checks the body of POST /tasks the way the API documents it. */
function validateSubmit(body: unknown): {
  taskId?: string;
  input: unknown;
  workerPort: number;
  processUri: string;
  webhook?: string;
  webhookAuthKey?: string;
  headers: Record<string, string>;
} {
  if (!isRecord(body)) throw new SandboxApiError(10001, 'parameter error: the body must be a JSON object', 400);
  if (body.taskId !== undefined && (typeof body.taskId !== 'string' || !/^[A-Za-z0-9_]{1,255}$/.test(body.taskId))) {
    throw paramError('taskId', 'must be letters, digits and underscore, at most 255');
  }
  if (body.input === undefined) throw paramError('input', 'is required');
  const port = body.workerPort;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) throw paramError('workerPort', 'must be an integer 1-65535');
  const uri = body.processUri;
  if (typeof uri !== 'string' || uri === '' || uri.length > 255 || /\s/.test(uri)) throw paramError('processUri', 'must be a path of at most 255 characters, without spaces');
  if (body.webhook !== undefined && body.webhook !== null) {
    if (typeof body.webhook !== 'string' || body.webhook.length > 512 || !/^https?:\/\//.test(body.webhook)) {
      throw paramError('webhook', 'must be an http(s) URL of at most 512 characters');
    }
  }
  if (body.webhookAuthKey !== undefined && body.webhookAuthKey !== null && (typeof body.webhookAuthKey !== 'string' || body.webhookAuthKey.length > 255)) {
    throw paramError('webhookAuthKey', 'must be a string of at most 255 characters');
  }
  const headers: Record<string, string> = {};
  if (body.headers !== undefined && body.headers !== null) {
    if (!isRecord(body.headers)) throw paramError('headers', 'must be an object of strings');
    for (const [k, v] of Object.entries(body.headers)) {
      if (typeof v !== 'string') throw paramError(`headers.${k}`, 'must be a string');
      headers[k] = v;
    }
  }
  return {
    ...(typeof body.taskId === 'string' ? { taskId: body.taskId } : {}),
    input: body.input,
    workerPort: port,
    processUri: uri.startsWith('/') ? uri : `/${uri}`,
    ...(typeof body.webhook === 'string' ? { webhook: body.webhook } : {}),
    ...(typeof body.webhookAuthKey === 'string' ? { webhookAuthKey: body.webhookAuthKey } : {}),
    headers,
  };
}

/** What the fake worker answers: the input echoed, and a made-up completion of its prompt. */
export function sandboxOutput(input: unknown): unknown {
  let prompt: string | undefined;
  if (typeof input === 'string') prompt = input;
  else if (isRecord(input)) {
    if (typeof input.prompt === 'string') prompt = input.prompt;
    else if (Array.isArray(input.messages)) {
      const last = input.messages[input.messages.length - 1];
      if (isRecord(last) && typeof last.content === 'string') prompt = last.content;
    }
  }
  const about = prompt ?? JSON.stringify(input) ?? '';
  const short = about.length > 60 ? `${about.slice(0, 59)}…` : about;
  return { echo: input, completion: `Sandbox worker reply to: ${short}` };
}

/** The error a task ends with when its input asks to fail, else undefined. */
function failureOf(input: unknown): string | undefined {
  if (!isRecord(input) || input.fail === undefined || input.fail === false || input.fail === null) return undefined;
  return typeof input.fail === 'string' && input.fail !== '' ? input.fail : 'the worker failed: the input asked for it (sandbox)';
}

function noTask(): SandboxApiError {
  return new SandboxApiError(24011, 'Task does not exist');
}

/** The sandbox's tasks, and the per-process submission rate windows. */
export class TaskBook {
  tasks: StoredTask[];
  /** Submission times per deployment in the last second (per process: not persisted). */
  private readonly recent = new Map<string, number[]>();

  constructor(
    private readonly taskMs: number,
    stored?: unknown,
  ) {
    this.tasks = Array.isArray(stored) ? stored.filter(isStoredTask) : [];
  }

  /** The persisted form: tasks of deployments that still exist, finished ones trimmed. */
  toFile(state: SandboxState): StoredTask[] {
    const live = new Set(state.deployments.map((d) => d.id));
    const finishedSeen = new Map<string, number>();
    const kept: StoredTask[] = [];
    for (let i = this.tasks.length - 1; i >= 0; i--) {
      const t = this.tasks[i]!;
      if (!live.has(t.deploymentId)) continue;
      if (t.status !== 'PROCESSING') {
        const n = (finishedSeen.get(t.deploymentId) ?? 0) + 1;
        finishedSeen.set(t.deploymentId, n);
        if (n > KEPT_FINISHED) continue;
      }
      kept.push(t);
    }
    this.tasks = kept.reverse();
    return this.tasks;
  }

  /** The deployment, which must exist (24001) and be a QUEUE one (10001). */
  private queueOf(state: SandboxState, deploymentId: string, t: number): void {
    const d = state.get(deploymentId, t);
    if (d.serviceMode !== 'QUEUE') {
      throw new SandboxApiError(10001, `parameter error: deployment ${deploymentId} is a ${d.serviceMode} deployment; only QUEUE deployments take tasks`);
    }
  }

  /** Finishes every due task whose deployment is RUNNING at `t`; true when one changed. */
  advance(state: SandboxState, t: number): boolean {
    let changed = false;
    const running = new Map<string, boolean>();
    for (const task of this.tasks) {
      if (task.status !== 'PROCESSING' || task.dueAt > t) continue;
      let isRunning = running.get(task.deploymentId);
      if (isRunning === undefined) {
        try {
          isRunning = state.get(task.deploymentId, t).status === 'RUNNING';
        } catch {
          isRunning = false;
        }
        running.set(task.deploymentId, isRunning);
      }
      if (!isRunning) continue;
      const error = failureOf(task.input);
      const at = task.dueAt;
      task.updatedAt = at;
      if (error !== undefined) {
        task.status = 'FAILED';
        task.error = error;
      } else {
        task.output = sandboxOutput(task.input);
        task.status = task.webhook ? 'DELIVERED' : 'SUCCESS';
      }
      if (task.webhook) {
        task.deliveryStatus = 'SUCCESS';
        task.deliveryAttempts = 1;
        task.deliveredAt = at;
      }
      changed = true;
    }
    return changed;
  }

  /** POST /v2/serverless/{id}/tasks. */
  submit(state: SandboxState, deploymentId: string, body: unknown, t: number): { taskId: string } {
    this.queueOf(state, deploymentId, t);
    const b = validateSubmit(body);
    if (b.taskId !== undefined && this.tasks.some((x) => x.deploymentId === deploymentId && x.taskId === b.taskId)) {
      return { taskId: b.taskId };
    }
    const window = (this.recent.get(deploymentId) ?? []).filter((at) => at > t - 1000);
    if (window.length >= SUBMITS_PER_SECOND) {
      this.recent.set(deploymentId, window);
      throw new SandboxApiError(429, `too many requests: at most ${SUBMITS_PER_SECOND} task submissions per second per deployment`, 429);
    }
    const processing = this.tasks.filter((x) => x.deploymentId === deploymentId && x.status === 'PROCESSING').length;
    if (processing >= TASK_CAP) {
      throw new SandboxApiError(429, `too many requests: deployment ${deploymentId} already has ${TASK_CAP} tasks waiting`, 429);
    }
    window.push(t);
    this.recent.set(deploymentId, window);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(b.headers)) headers[k] = looksSecret(k) ? maskKey(v) : v;
    const taskId = b.taskId ?? randomUUID();
    this.tasks.push({
      deploymentId,
      taskId,
      status: 'PROCESSING',
      input: b.input,
      output: null,
      error: null,
      workerPort: b.workerPort,
      processUri: b.processUri,
      webhook: b.webhook ?? null,
      headers,
      createdAt: t,
      updatedAt: t,
      dueAt: t + this.taskMs,
      deliveryStatus: 'INIT',
      deliveryAttempts: 0,
      deliveredAt: null,
    });
    return { taskId };
  }

  /** GET /v2/serverless/{id}/tasks/{taskId}. */
  get(state: SandboxState, deploymentId: string, taskId: string, t: number): Task {
    this.queueOf(state, deploymentId, t);
    const task = this.tasks.find((x) => x.deploymentId === deploymentId && x.taskId === taskId);
    if (!task) throw noTask();
    return this.view(state, task, true);
  }

  /** GET /v2/serverless/{id}/tasks: newest first, `pageNumber` from 1, `pageSize` 1-100 (default 10). */
  list(state: SandboxState, deploymentId: string, query: Record<string, string[]>, t: number): unknown {
    this.queueOf(state, deploymentId, t);
    const status = query.status?.[0]?.trim();
    const page = intParam(query.pageNumber?.[0], 'pageNumber', 1, 1, 1_000_000);
    const size = intParam(query.pageSize?.[0], 'pageSize', 10, 1, 100);
    const all = this.tasks.filter((x) => x.deploymentId === deploymentId && (!status || x.status === status.toUpperCase())).reverse();
    const items = all.slice((page - 1) * size, page * size).map((x) => this.view(state, x, false));
    return { items, page, size, total: all.length, pages: Math.ceil(all.length / size) };
  }

  /** GET /v2/serverless/{id}/tasks/count. */
  count(state: SandboxState, deploymentId: string, t: number): { processing: number } {
    this.queueOf(state, deploymentId, t);
    return { processing: this.tasks.filter((x) => x.deploymentId === deploymentId && x.status === 'PROCESSING').length };
  }

  private view(state: SandboxState, x: StoredTask, full: boolean): Task {
    const d = state.deployments.find((dep) => dep.id === x.deploymentId);
    const task: Task = {
      taskId: x.taskId,
      endpointId: x.deploymentId,
      endpointName: d?.name ?? '',
      status: x.status,
      workerUrl: `http://10.0.0.${(hash(x.taskId) % 250) + 2}:${x.workerPort}${x.processUri}`,
      webhook: x.webhook,
      deliveryStatus: x.deliveryStatus,
      deliveryAttempts: x.deliveryAttempts,
      error: x.error,
      createdAt: x.createdAt,
      updatedAt: x.updatedAt,
      deliveredAt: x.deliveredAt,
    };
    if (full) {
      task.input = x.input;
      task.output = x.output;
      task.headers = { ...x.headers };
    }
    return task;
  }
}

function hash(text: string): number {
  let h = 0;
  for (const ch of text) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return h;
}

function intParam(value: string | undefined, name: string, fallback: number, min: number, max: number): number {
  if (value === undefined || value.trim() === '') return fallback;
  if (!/^\d+$/.test(value.trim()) || Number(value) < min || Number(value) > max) throw paramError(name, `must be an integer ${min}-${max}`);
  return Number(value);
}

/** A route of the task endpoints: `/v2/serverless/{id}/tasks[/count|/{taskId}]`. */
export type TaskRoute =
  | { op: 'submit' | 'list' | 'count'; deploymentId: string }
  | { op: 'get'; deploymentId: string; taskId: string }
  | { op: 'method-not-allowed'; allow: string }
  | { op: 'none' };

/** The task base path. */
export const TASKS_PATH = '/v2/serverless/';

/** Parses a task endpoint path (call only for paths under TASKS_PATH). */
export function taskRoute(method: string, path: string): TaskRoute {
  const parts = path.slice(TASKS_PATH.length).split('/');
  if (parts.length < 2 || parts.length > 3 || parts[1] !== 'tasks' || parts[0] === '') return { op: 'none' };
  let deploymentId: string;
  let third: string | undefined;
  try {
    deploymentId = decodeURIComponent(parts[0]!);
    third = parts[2] !== undefined ? decodeURIComponent(parts[2]) : undefined;
  } catch {
    return { op: 'none' };
  }
  if (third === undefined) {
    if (method === 'POST') return { op: 'submit', deploymentId };
    if (method === 'GET') return { op: 'list', deploymentId };
    return { op: 'method-not-allowed', allow: 'GET, POST' };
  }
  if (method !== 'GET') return { op: 'method-not-allowed', allow: 'GET' };
  if (third === 'count') return { op: 'count', deploymentId };
  return third === '' ? { op: 'none' } : { op: 'get', deploymentId, taskId: third };
}
