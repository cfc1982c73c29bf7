/** Shared bits of the sandbox tests: a tiny fetch wrapper and a valid create body. */
import type { Sandbox } from '../../src/sandbox/index.js';
import type { ElasticDeploymentDetail } from '../../src/api/types.js';

export const BASE = '/openapi/v1/elastic/deploy';

/** What one call returned. */
export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  /** The parsed envelope (undefined when the body was not JSON). */
  json: { code: number; message: string; data: unknown } | undefined;
}

/** Calls the sandbox with its key (unless `headers` overrides it) and parses the envelope. */
export async function call(
  sb: Sandbox,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = { 'X-API-Key': sb.apiKey },
): Promise<Reply> {
  const init: RequestInit = { method, headers: { ...headers } };
  if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
    (init.headers as Record<string, string>)['content-type'] = 'application/json';
  }
  const res = await fetch(sb.url + (path.startsWith('/openapi') ? path : BASE + path), init);
  const text = await res.text();
  let json: Reply['json'];
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** A valid create body; `over` replaces fields (undefined deletes one). */
export function createBody(over: Record<string, unknown> = {}): Record<string, unknown> {
  const body: Record<string, unknown> = {
    name: 'llama-3-8b',
    image: 'vllm/vllm-openai:latest',
    resources: [{ region: 'us-east-1', gpuType: 'NVIDIA_H100_80G', gpuCount: 1 }],
    containerVolumeInGb: 100,
    workers: 2,
    serviceMode: 'ALB',
    initializationCommand: 'vllm serve meta-llama/Llama-3-8B',
    environmentVars: [{ key: 'HF_HOME', value: '/data' }],
    expose: { port: 8000, protocol: 'HTTP' },
  };
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) delete body[k];
    else body[k] = v;
  }
  return body;
}

/** Creates a deployment and returns its detail (fails the test on anything but success). */
export async function create(sb: Sandbox, over: Record<string, unknown> = {}): Promise<ElasticDeploymentDetail> {
  const r = await call(sb, 'POST', '/create', createBody(over));
  if (r.json?.code !== 10000) throw new Error(`create failed: ${r.status} ${r.text}`);
  return r.json.data as ElasticDeploymentDetail;
}

/** The `data` of a successful call (fails the test otherwise). */
export async function data<T = unknown>(sb: Sandbox, method: string, path: string, body?: unknown): Promise<T> {
  const r = await call(sb, method, path, body);
  if (r.json?.code !== 10000) throw new Error(`${method} ${path} failed: ${r.status} ${r.text}`);
  return r.json.data as T;
}

/** Zero delays: every transition is immediate. */
export const NO_DELAYS = { workerStartMs: 0, stopMs: 0, terminateMs: 0 };

/** A clock the test moves by hand. */
export function manualClock(start = Date.UTC(2025, 0, 1)): { now: () => number; advance(ms: number): void } {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms) };
}
