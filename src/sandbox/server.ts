/**
 * The sandbox's HTTP side: a node:http server on loopback (node:https with `tls`) that speaks the nine
 * Elastic Deployment endpoints, the v2 worker-logs endpoint (worker-logs.ts) and the registry-credential ones (credentials.ts) with Yotta's
 * envelope, records every request, injects faults and persists its state.
 */
import { createServer } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { ConfigError, UsageError } from '../errors.js';
import { parseJsonLossless } from '../api/json.js';
import { writeFileAtomic } from '../atomic-write.js';
import type { FaultRule } from './faults.js';
import { FaultSet, faultsFromEnv } from './faults.js';
import type { SandboxDelays, StateFile } from './state.js';
import { DEFAULT_DELAYS, DEFAULT_DEPLOYMENT_LIMIT, DEFAULT_GPU_CAPACITY, SandboxState } from './state.js';
import { SandboxApiError, validateCreate, validateScale, validateUpdate } from './validate.js';
import { findLogTarget, LOGS_ROUTE, workerLogsPage } from './worker-logs.js';
import type { CredentialCall } from './credentials.js';
import { applyCredentialCall, credentialRoute } from './credentials.js';
import type { StoredTask } from './tasks.js';
import { DEFAULT_TASK_MS, TASKS_PATH, TaskBook, taskRoute } from './tasks.js';
import { ALB_PREFIX, DEFAULT_STREAM_CHUNK_MS, serveAlb, withLocalDomains } from './alb.js';

/** The API key the sandbox accepts unless told otherwise. */
export const DEFAULT_SANDBOX_API_KEY = 'sandbox-0000-key';

/** Where the endpoints live. */
export const API_BASE_PATH = '/openapi/v1/elastic/deploy';

/** How the sandbox is started. */
export interface SandboxOptions {
  /** Interface to listen on (default 127.0.0.1). */
  host?: string;
  /** Port (default 0: any free port). */
  port?: number;
  /** The only X-API-Key accepted (default 'sandbox-0000-key'). */
  apiKey?: string;
  /** JSON file loaded at start if present and written atomically after every change. */
  statePath?: string;
  /** The sandbox's clock, in ms since the epoch (default Date.now). */
  now?: () => number;
  /** Transition delays in ms (defaults: worker start 3 s, stop 2 s, terminate 2 s). */
  delays?: Partial<SandboxDelays>;
  /** Deployments allowed before create answers 24003 (default 50). */
  deploymentLimit?: number;
  /** GPUs available per `${region}/${gpuType}`, '*' for every pair (default {'*': 64}). */
  gpuCapacity?: Record<string, number>;
  /** Faults to inject from the start. */
  faults?: FaultRule[];
  /** How long a task takes from submission to its end, in ms (default 2 s). */
  taskMs?: number;
  /** Pause between the chunks of a streamed chat completion of an ALB service, in ms (default 50). */
  streamChunkMs?: number;
  /** Called once each request has been answered (or its connection dropped): `yotta sandbox` logs it. */
  onServed?: (served: ServedRequest) => void;
  /** Serve HTTPS with this PEM key and certificate (the benchmark's throwaway test CA signs one). */
  tls?: { key: string | Buffer; cert: string | Buffer };
}

/** One request the sandbox has finished with, for a request log. Holds no header, so never the key. */
export interface ServedRequest {
  method: string;
  /** The request target as sent: path and query string. */
  target: string;
  /** HTTP status of the answer; undefined when the connection was dropped without one. */
  status?: number;
  /** The envelope's code, when the answer was an envelope. */
  code?: number;
  /** Milliseconds from arrival to the end of the answer. */
  ms: number;
}

/** The state file: the deployments, and the tasks of QUEUE deployments. */
export type SandboxFile = StateFile & { tasks?: StoredTask[] };

/** One request as the sandbox received it. */
export interface RecordedRequest {
  method: string;
  /** URL path, still percent-encoded as sent. */
  path: string;
  query: Record<string, string[]>;
  /** Header names lower-case; repeated headers joined with ", ". */
  headers: Record<string, string>;
  /** The JSON body, parsed losslessly (a bare integer beyond 2^53 as its digit string); the raw text when it was not JSON; absent when empty. */
  body?: unknown;
  /** The sandbox clock when it arrived. */
  at: number;
}

/** A running sandbox. */
export interface Sandbox {
  /** Base URL, e.g. http://127.0.0.1:PORT (https:// with `tls`) */
  url: string;
  port: number;
  apiKey: string;
  /** Every request received, oldest first. */
  requests: RecordedRequest[];
  /** TLS handshakes completed so far (`secureConnection` events): connections opened; 0 without `tls`. */
  readonly tlsHandshakes: number;
  /** Adds a fault rule. */
  addFault(r: FaultRule): void;
  /** Removes every fault rule. */
  clearFaults(): void;
  /** Makes a deployment FAILED now (UsageError for an unknown id). */
  failDeployment(id: string): void;
  /** Stops listening and drops open connections. */
  close(): Promise<void>;
}

interface Answer {
  httpStatus: number;
  code: number;
  message: string;
  data: unknown;
}

const ok = (data: unknown): Answer => ({ httpStatus: 200, code: 10000, message: 'success', data });

const MAX_BODY_BYTES = 1024 * 1024;

const HTML_PAGE = (status: number): string =>
  `<html>\r\n<head><title>${status} Bad Gateway</title></head>\r\n<body>\r\n<center><h1>${status} Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;

/** Reads the state file; undefined when it does not exist; ConfigError naming it when unreadable. */
export function loadStateFile(path: string): SandboxFile | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ConfigError(`cannot read sandbox state file ${path}: ${(err as Error).message}`);
  }
  const hint = `Move ${path} away (or delete it) to start the sandbox with no deployments.`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`sandbox state file ${path} is not valid JSON (${(err as Error).message}); it was left untouched`, hint);
  }
  const p = parsed as Partial<StateFile> | null;
  const valid =
    typeof p === 'object' &&
    p !== null &&
    p.version === 1 &&
    Array.isArray(p.deployments) &&
    p.deployments.every((d) => typeof d === 'object' && d !== null && typeof d.id === 'string' && Array.isArray(d.pods) && Array.isArray(d.resources)) &&
    (p.credentials === undefined ||
      (Array.isArray(p.credentials) && p.credentials.every((c) => typeof c === 'object' && c !== null && typeof c.id === 'string' && typeof c.name === 'string'))) &&
    ((p as SandboxFile).tasks === undefined || Array.isArray((p as SandboxFile).tasks));
  if (!valid) throw new ConfigError(`sandbox state file ${path} is not a sandbox state (version 1); it was left untouched`, hint);
  return p as SandboxFile;
}

/** Writes the state file atomically: a temporary file beside it, then a rename. */
export function saveStateFile(path: string, state: SandboxFile): void {
  writeFileAtomic(path, JSON.stringify(state, null, 2) + '\n');
}

function fileStamp(path: string): string | undefined {
  try {
    const s = statSync(path);
    return `${s.ino}:${s.size}:${s.mtimeMs}`;
  } catch {
    return undefined;
  }
}

function queryOf(url: URL): Record<string, string[]> {
  const q: Record<string, string[]> = {};
  for (const [k, v] of url.searchParams) (q[k] ??= []).push(v);
  return q;
}

/** statusList as Spring binds it: repeated parameters, each possibly comma-separated. */
function statusFilter(q: Record<string, string[]>): string[] | undefined {
  const values = q.statusList?.flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
  return values && values.length > 0 ? values : undefined;
}

function headersOf(req: IncomingMessage): Record<string, string> {
  const h: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (v !== undefined) h[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  }
  return h;
}

function readBody(req: IncomingMessage): Promise<{ text: string; tooLarge: boolean }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(c);
    });
    req.on('end', () => resolve({ text: Buffer.concat(chunks).toString('utf8'), tooLarge }));
    req.on('error', () => resolve({ text: '', tooLarge }));
    req.on('close', () => resolve({ text: Buffer.concat(chunks).toString('utf8'), tooLarge }));
  });
}

/** The JSON text of an envelope; with `numericIds`, every "id" string of digits as a bare number. */
function envelopeText(a: Answer, numericIds: boolean): string {
  const text = JSON.stringify({ code: a.code, message: a.message, data: a.data ?? null });
  // Safe on JSON text: a quote inside a string value is always escaped, so `"id":"` only matches keys.
  return numericIds ? text.replace(/"id":"(\d+)"/g, '"id":$1') : text;
}

type Route =
  | { op: 'create' | 'list' }
  | { op: 'get' | 'update' | 'start' | 'stop' | 'delete' | 'scale' | 'workers'; id: string }
  | { op: 'logs'; id: string; workerId: string }
  | { op: 'method-not-allowed'; allow: string }
  | { op: 'credentials'; call: Exclude<CredentialCall, { op: 'method-not-allowed' }> }
  | { op: 'none' };

function route(method: string, path: string): Route {
  const logs = LOGS_ROUTE.exec(path);
  if (logs) {
    if (method !== 'GET') return { op: 'method-not-allowed', allow: 'GET' };
    try {
      return { op: 'logs', id: decodeURIComponent(logs[1]!), workerId: decodeURIComponent(logs[2]!) };
    } catch {
      return { op: 'none' };
    }
  }
  const credential = credentialRoute(method, path);
  if (credential) return credential.op === 'method-not-allowed' ? credential : { op: 'credentials', call: credential };
  if (!path.startsWith(API_BASE_PATH + '/')) return { op: 'none' };
  const rest = path.slice(API_BASE_PATH.length + 1).split('/');
  if (rest.length === 1 && rest[0] === 'create') return method === 'POST' ? { op: 'create' } : { op: 'method-not-allowed', allow: 'POST' };
  if (rest.length === 1 && rest[0] === 'list' && method === 'GET') return { op: 'list' };
  if (rest.length < 1 || rest.length > 2 || rest[0] === '') return { op: 'none' };
  let id: string;
  try {
    id = decodeURIComponent(rest[0]!);
  } catch {
    return { op: 'none' };
  }
  if (rest.length === 1) {
    if (method === 'GET') return { op: 'get', id };
    if (method === 'DELETE') return { op: 'delete', id };
    return { op: 'method-not-allowed', allow: 'GET, DELETE' };
  }
  const action = rest[1];
  if (action === 'update' || action === 'start' || action === 'stop') {
    return method === 'POST' ? { op: action, id } : { op: 'method-not-allowed', allow: 'POST' };
  }
  if (action === 'workers') {
    if (method === 'GET') return { op: 'workers', id };
    if (method === 'POST') return { op: 'scale', id };
    return { op: 'method-not-allowed', allow: 'GET, POST' };
  }
  return { op: 'none' };
}

/** Starts the sandbox on loopback and resolves once it is listening. */
export async function startSandbox(o: SandboxOptions = {}): Promise<Sandbox> {
  const now = o.now ?? (() => Date.now());
  const apiKey = o.apiKey ?? DEFAULT_SANDBOX_API_KEY;
  const statePath = o.statePath;
  const config = {
    delays: { ...DEFAULT_DELAYS, ...o.delays },
    deploymentLimit: o.deploymentLimit ?? DEFAULT_DEPLOYMENT_LIMIT,
    gpuCapacity: o.gpuCapacity ?? DEFAULT_GPU_CAPACITY,
  };
  const taskMs = o.taskMs ?? DEFAULT_TASK_MS;
  const streamChunkMs = o.streamChunkMs ?? DEFAULT_STREAM_CHUNK_MS;
  const initial = statePath ? loadStateFile(statePath) : undefined;
  let state = new SandboxState(config, initial);
  let tasks = new TaskBook(taskMs, initial?.tasks);
  let stamp = statePath ? fileStamp(statePath) : undefined;
  /** Set once listening: the domains of ALB deployments point at this listener. */
  let baseUrl = '';
  const faults = new FaultSet(o.faults ?? []);
  const requests: RecordedRequest[] = [];

  /** Another process sharing the file may have changed it: pick that up before answering. */
  const refresh = (): void => {
    if (!statePath) return;
    const current = fileStamp(statePath);
    if (current === stamp) return;
    const file = loadStateFile(statePath);
    state = new SandboxState(config, file);
    tasks = new TaskBook(taskMs, file?.tasks);
    stamp = current;
  };
  const persist = (): void => {
    if (!statePath) return;
    const kept = tasks.toFile(state);
    saveStateFile(statePath, { ...state.toFile(), ...(kept.length > 0 ? { tasks: kept } : {}) });
    stamp = fileStamp(statePath);
  };

  const apply = (r: Route, body: unknown, query: Record<string, string[]>): Answer => {
    const t = now();
    switch (r.op) {
      case 'create': {
        const d = state.create(validateCreate(body), t);
        persist();
        return ok(withLocalDomains(d, baseUrl));
      }
      case 'list':
        return ok(withLocalDomains(state.list(statusFilter(query), t), baseUrl));
      case 'get':
        return ok(withLocalDomains(state.get(r.id, t), baseUrl));
      case 'update': {
        const current = state.get(r.id, t);
        const d = state.update(r.id, validateUpdate(body, current), t);
        persist();
        return ok(withLocalDomains(d, baseUrl));
      }
      case 'start':
        state.start(r.id, t);
        persist();
        return ok(null);
      case 'stop':
        state.stop(r.id, t);
        persist();
        return ok(null);
      case 'delete':
        state.remove(r.id, t);
        persist();
        return ok(null);
      case 'scale': {
        state.get(r.id, t);
        state.scale(r.id, validateScale(body), t);
        persist();
        return ok(null);
      }
      case 'workers':
        return ok(state.workers(r.id, statusFilter(query), t));
      case 'logs': {
        const { d, w } = findLogTarget(state.deployments, r.id, r.workerId);
        return ok(workerLogsPage(d, w, query, t));
      }
      case 'credentials': {
        const { data, changed } = applyCredentialCall(state, r.call, body, t);
        if (changed) persist();
        return ok(data);
      }
      default:
        return { httpStatus: 404, code: 404, message: 'not found', data: null };
    }
  };

  /** The envelope code each answer carried, for the request log. */
  const codes = new WeakMap<ServerResponse, number>();

  /** The task endpoints: due tasks are finished first, so every answer is as of now. */
  const applyTask = (r: Exclude<ReturnType<typeof taskRoute>, { op: 'none' | 'method-not-allowed' }>, body: unknown, query: Record<string, string[]>): Answer => {
    const t = now();
    if (tasks.advance(state, t)) persist();
    switch (r.op) {
      case 'submit': {
        const data = tasks.submit(state, r.deploymentId, body, t);
        persist();
        return ok(data);
      }
      case 'get':
        return ok(tasks.get(state, r.deploymentId, r.taskId, t));
      case 'list':
        return ok(tasks.list(state, r.deploymentId, query, t));
      case 'count':
        return ok(tasks.count(state, r.deploymentId, t));
    }
  };

  const send = (res: ServerResponse, a: Answer, extraHeaders: Record<string, string> = {}, numericIds = false): void => {
    if (res.destroyed || res.headersSent) return;
    codes.set(res, a.code);
    const text = envelopeText(a, numericIds);
    res.writeHead(a.httpStatus, {
      'content-type': 'application/json;charset=UTF-8',
      'content-length': Buffer.byteLength(text),
      'x-request-id': randomUUID(),
      ...extraHeaders,
    });
    res.end(text);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const method = (req.method ?? 'GET').toUpperCase();
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://sandbox.invalid');
    } catch {
      url = new URL('http://sandbox.invalid/');
    }
    const path = url.pathname;
    const query = queryOf(url);
    const headers = headersOf(req);
    const { text, tooLarge } = await readBody(req);
    let body: unknown;
    let malformed = false;
    if (text.trim() !== '') {
      try {
        // Lossless, as Yotta's Java server reads JSON: an 18-digit id sent as a bare number keeps every digit.
        body = parseJsonLossless(text);
      } catch {
        body = text;
        malformed = true;
      }
    }
    requests.push({ method, path, query, headers, ...(text !== '' ? { body } : {}), at: now() });

    const { latencyMs, fault } = faults.take(method, path);
    if (latencyMs > 0) await new Promise((r) => setTimeout(r, latencyMs));
    switch (fault?.kind) {
      case 'status':
        return send(res, { httpStatus: fault.status ?? 503, code: fault.code ?? 10002, message: fault.message ?? 'system error', data: null });
      case 'envelope':
        return send(res, { httpStatus: 200, code: fault.code ?? 10002, message: fault.message ?? 'system error', data: null });
      case 'retry-after':
        return send(
          res,
          { httpStatus: 429, code: fault.code ?? 429, message: fault.message ?? 'too many requests', data: null },
          { 'retry-after': String(fault.retryAfterSeconds ?? 1) },
        );
      case 'html': {
        const status = fault.status ?? 502;
        const page = HTML_PAGE(status);
        res.writeHead(status, { 'content-type': 'text/html', 'content-length': Buffer.byteLength(page) });
        res.end(page);
        return;
      }
      case 'reset-before':
        req.socket.destroy();
        return;
      default:
        break;
    }

    if (path.startsWith(ALB_PREFIX)) {
      refresh();
      await serveAlb({ req, res, method, path, query, headers, text, state, now: now(), apiKey, streamChunkMs });
      return;
    }
    // Task paths share /v2/serverless/ with the worker-logs path: a path that is no task route is tried there.
    const taskAttempt = path.startsWith(TASKS_PATH) ? taskRoute(method, path) : undefined;
    const tr = taskAttempt?.op === 'none' ? undefined : taskAttempt;
    const r = tr ?? route(method, path);
    let answer: Answer;
    let extra: Record<string, string> = {};
    if (r.op === 'none') {
      answer = { httpStatus: 404, code: 404, message: `no such endpoint: ${method} ${path}`, data: null };
    } else if (r.op === 'method-not-allowed') {
      answer = { httpStatus: 405, code: 405, message: `method ${method} not allowed on ${path}`, data: null };
      extra = { allow: r.allow };
    } else if (headers['x-api-key'] === undefined || headers['x-api-key'] === '') {
      answer = { httpStatus: 401, code: 401, message: 'unauthorized: missing X-API-Key header', data: null };
    } else if (headers['x-api-key'] !== apiKey) {
      answer = { httpStatus: 401, code: 401, message: 'unauthorized: invalid API key', data: null };
    } else if (tooLarge) {
      answer = { httpStatus: 413, code: 10001, message: 'parameter error: request body is too large', data: null };
    } else if (malformed && (r.op === 'create' || r.op === 'update' || r.op === 'scale' || r.op === 'submit' || (r.op === 'credentials' && method !== 'GET'))) {
      answer = { httpStatus: 400, code: 10001, message: 'parameter error: request body is not valid JSON', data: null };
    } else {
      try {
        refresh();
        answer = tr && tr.op !== 'method-not-allowed' ? applyTask(tr, body, query) : apply(r as Route, body, query);
      } catch (err) {
        if (err instanceof SandboxApiError) {
          answer = { httpStatus: err.httpStatus, code: err.code, message: err.message, data: null };
          // A rate limiter says when to come back.
          if (err.httpStatus === 429) extra = { 'retry-after': '1' };
        }
        else answer = { httpStatus: 500, code: 10002, message: `system error: ${(err as Error).message}`, data: null };
      }
    }
    if (fault?.kind === 'reset-after') {
      req.socket.destroy();
      return;
    }
    // Credential ids are bare JSON numbers, as the v2 docs show them (the client must keep their digits).
    send(res, answer, extra, fault?.kind === 'numeric-ids' || r.op === 'credentials');
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    res.on('error', () => undefined);
    if (o.onServed) {
      const onServed = o.onServed;
      const started = performance.now();
      res.once('close', () => {
        const code = codes.get(res);
        onServed({
          method: (req.method ?? 'GET').toUpperCase(),
          target: req.url ?? '/',
          ...(res.headersSent ? { status: res.statusCode } : {}),
          ...(code !== undefined ? { code } : {}),
          ms: performance.now() - started,
        });
      });
    }
    handle(req, res).catch((err: unknown) => {
      send(res, { httpStatus: 500, code: 10002, message: `system error: ${(err as Error).message}`, data: null });
    });
  };
  let tlsHandshakes = 0;
  const server: Server = o.tls ? createTlsServer({ key: o.tls.key, cert: o.tls.cert }, onRequest) : createServer(onRequest);
  if (o.tls) server.on('secureConnection', () => (tlsHandshakes += 1));
  // Idle connections stay open a minute, as behind a typical load balancer, so a CLI's polls reuse them.
  server.keepAliveTimeout = 65_000;
  // A request node cannot even parse still gets an envelope.
  server.on('clientError', (_err, socket) => {
    if (!socket.writable) return socket.destroy();
    const text = JSON.stringify({ code: 10001, message: 'parameter error: malformed HTTP request', data: null });
    socket.end(`HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`);
  });

  const host = o.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once('error', onError);
    server.listen(o.port ?? 0, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : (o.port ?? 0);
  const urlHost = host.includes(':') ? `[${host}]` : host;
  baseUrl = `${o.tls ? 'https' : 'http'}://${urlHost}:${port}`;

  return {
    url: baseUrl,
    port,
    apiKey,
    requests,
    get tlsHandshakes() {
      return tlsHandshakes;
    },
    addFault: (rule) => faults.add(rule),
    clearFaults: () => faults.clear(),
    failDeployment: (id) => {
      refresh();
      try {
        state.fail(id, now());
      } catch (err) {
        if (err instanceof SandboxApiError) throw new UsageError(`no sandbox deployment ${id}`);
        throw err;
      }
      persist();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function envInt(env: Readonly<Record<string, string | undefined>>, name: string): number | undefined {
  const v = env[name];
  if (v === undefined || v.trim() === '') return undefined;
  if (!/^\d+$/.test(v.trim())) throw new UsageError(`${name} must be a non-negative integer (got "${v}")`);
  return Number(v.trim());
}

/**
 * Sandbox options from the environment:
 * YOTTA_SANDBOX_DELAY_MS (every delay), YOTTA_SANDBOX_WORKER_START_MS, YOTTA_SANDBOX_STOP_MS,
 * YOTTA_SANDBOX_TERMINATE_MS (one delay each, winning over the former), YOTTA_SANDBOX_TASK_MS (how
 * long a task takes; else YOTTA_SANDBOX_DELAY_MS), YOTTA_SANDBOX_STREAM_MS (pause between streamed chunks),
 * YOTTA_SANDBOX_DEPLOYMENT_LIMIT, YOTTA_SANDBOX_GPU_CAPACITY (a number for every region/GPU pair,
 * or a JSON object {"us-east-1/NVIDIA_H100_80G": 8, "*": 64}), YOTTA_SANDBOX_API_KEY, and
 * YOTTA_SANDBOX_FAULTS (see faultsFromEnv). Only variables that are set appear in the result.
 */
export function sandboxOptionsFromEnv(env: Readonly<Record<string, string | undefined>>): Partial<SandboxOptions> {
  const out: Partial<SandboxOptions> = {};
  const all = envInt(env, 'YOTTA_SANDBOX_DELAY_MS');
  const delays: Partial<SandboxDelays> = all !== undefined ? { workerStartMs: all, stopMs: all, terminateMs: all } : {};
  const ws = envInt(env, 'YOTTA_SANDBOX_WORKER_START_MS');
  const st = envInt(env, 'YOTTA_SANDBOX_STOP_MS');
  const te = envInt(env, 'YOTTA_SANDBOX_TERMINATE_MS');
  if (ws !== undefined) delays.workerStartMs = ws;
  if (st !== undefined) delays.stopMs = st;
  if (te !== undefined) delays.terminateMs = te;
  if (Object.keys(delays).length > 0) out.delays = delays;
  const taskMs = envInt(env, 'YOTTA_SANDBOX_TASK_MS') ?? all;
  if (taskMs !== undefined) out.taskMs = taskMs;
  const streamMs = envInt(env, 'YOTTA_SANDBOX_STREAM_MS');
  if (streamMs !== undefined) out.streamChunkMs = streamMs;
  const limit = envInt(env, 'YOTTA_SANDBOX_DEPLOYMENT_LIMIT');
  if (limit !== undefined) out.deploymentLimit = limit;
  const cap = env.YOTTA_SANDBOX_GPU_CAPACITY?.trim();
  if (cap) {
    if (/^\d+$/.test(cap)) out.gpuCapacity = { '*': Number(cap) };
    else {
      let parsed: unknown;
      try {
        parsed = JSON.parse(cap);
      } catch {
        parsed = undefined;
      }
      const valid =
        typeof parsed === 'object' &&
        parsed !== null &&
        !Array.isArray(parsed) &&
        Object.values(parsed).every((n) => typeof n === 'number' && Number.isInteger(n) && n >= 0);
      if (!valid) {
        throw new UsageError(
          `YOTTA_SANDBOX_GPU_CAPACITY must be a number or a JSON object of numbers (got "${cap}")`,
          'For example: YOTTA_SANDBOX_GPU_CAPACITY=\'{"us-east-1/NVIDIA_H100_80G": 8, "*": 64}\'',
        );
      }
      out.gpuCapacity = parsed as Record<string, number>;
    }
  }
  const key = env.YOTTA_SANDBOX_API_KEY;
  if (key) out.apiKey = key;
  const faults = faultsFromEnv(env);
  if (faults.length > 0) out.faults = faults;
  return out;
}
