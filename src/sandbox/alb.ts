/**
 * The services of the sandbox's ALB deployments, served on the sandbox's own loopback listener under
 * `/alb/<name>/`: the domain the sandbox hands out for a deployment (`http://127.0.0.1:PORT/alb/<name>`)
 * points here, so `yotta deploy call` works end to end. Like Yotta's, a service answers only while
 * its deployment is RUNNING and only with `Authorization: Bearer <API key>`.
 *
 * Routes: `POST /v1/chat/completions` (OpenAI-style; `"stream": true` streams a few server-sent
 * event chunks, then `data: [DONE]`); anything else is an echo of the request as JSON: method, path,
 * query, headers (the authorization left out) and body.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SandboxState } from './state.js';

/** Where the services live on the sandbox's listener. */
export const ALB_PREFIX = '/alb/';

/** Default pause between two chunks of a streamed completion, in ms. */
export const DEFAULT_STREAM_CHUNK_MS = 50;

const STORED_DOMAIN = /^https:\/\/([a-z0-9]+)\.yottadeos\.com$/;

/** The domain as the sandbox shows it: a stored `https://<name>.yottadeos.com` becomes `<base>/alb/<name>`. */
export function localDomain(stored: string, baseUrl: string): string {
  const m = STORED_DOMAIN.exec(stored);
  return m ? `${baseUrl}${ALB_PREFIX}${m[1]}` : stored;
}

/** Rewrites the `domain` of every deployment in an answer's data (one deployment or a list). */
export function withLocalDomains(data: unknown, baseUrl: string): unknown {
  const one = (d: unknown): unknown => {
    if (typeof d !== 'object' || d === null || Array.isArray(d)) return d;
    const r = d as Record<string, unknown>;
    return typeof r.domain === 'string' ? { ...r, domain: localDomain(r.domain, baseUrl) } : d;
  };
  return Array.isArray(data) ? data.map(one) : one(data);
}

const WORDS = ['Hello', ' from', ' the', ' Yotta', ' sandbox', '.', ' You', ' said:', ' '];

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** What the sandbox's ALB service needs of one request. */
export interface AlbRequest {
  req: IncomingMessage;
  res: ServerResponse;
  method: string;
  /** URL path, starting with ALB_PREFIX. */
  path: string;
  query: Record<string, string[]>;
  headers: Record<string, string>;
  /** The raw body text. */
  text: string;
  state: SandboxState;
  now: number;
  apiKey: string;
  streamChunkMs: number;
}

/** Answers one request to an ALB deployment's service. */
export async function serveAlb(r: AlbRequest): Promise<void> {
  const rest = r.path.slice(ALB_PREFIX.length);
  const slash = rest.indexOf('/');
  const name = slash < 0 ? rest : rest.slice(0, slash);
  const servicePath = slash < 0 ? '/' : rest.slice(slash);
  const deployment = r.state.deployments.find((d) => d.domain === `https://${name}.yottadeos.com`);
  if (!deployment) return json(r.res, 404, { error: { message: `no service at ${name}` } });
  const status = r.state.get(deployment.id, r.now).status;
  if (status !== 'RUNNING') return json(r.res, 503, { error: { message: `service unavailable: the deployment is ${status}` } });
  if (r.headers.authorization !== `Bearer ${r.apiKey}`) {
    return json(r.res, 401, { error: { message: 'unauthorized: send Authorization: Bearer <API key>' } });
  }
  let body: unknown = r.text === '' ? undefined : r.text;
  try {
    if (r.text !== '') body = JSON.parse(r.text);
  } catch {
    // Not JSON: echoed as text.
  }
  if (servicePath === '/v1/chat/completions' && r.method === 'POST') return chat(r, body);
  const headers = Object.fromEntries(Object.entries(r.headers).filter(([k]) => k !== 'authorization'));
  return json(r.res, 200, { method: r.method, path: servicePath, query: r.query, headers, ...(body !== undefined ? { body } : {}) });
}

function lastUserText(body: unknown): string {
  const messages = (body as { messages?: unknown } | undefined)?.messages;
  if (!Array.isArray(messages)) return '';
  const last = messages[messages.length - 1] as { content?: unknown } | undefined;
  return typeof last?.content === 'string' ? last.content : '';
}

async function chat(r: AlbRequest, body: unknown): Promise<void> {
  if (typeof body !== 'object' || body === null || !Array.isArray((body as { messages?: unknown }).messages)) {
    return json(r.res, 400, { error: { message: 'messages is required (an array of {role, content})' } });
  }
  const model = typeof (body as { model?: unknown }).model === 'string' ? (body as { model: string }).model : 'sandbox-model';
  const pieces = [...WORDS, lastUserText(body).slice(0, 200)];
  const id = `chatcmpl-sandbox-${r.now}`;
  const created = Math.floor(r.now / 1000);
  if ((body as { stream?: unknown }).stream !== true) {
    return json(r.res, 200, {
      id,
      object: 'chat.completion',
      created,
      model,
      choices: [{ index: 0, message: { role: 'assistant', content: pieces.join('') }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 8, completion_tokens: pieces.length, total_tokens: 8 + pieces.length },
    });
  }
  r.res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  let closed = false;
  r.res.on('close', () => (closed = true));
  for (const piece of pieces) {
    if (closed) return;
    const chunk = { id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta: { content: piece }, finish_reason: null }] };
    r.res.write(`data: ${JSON.stringify(chunk)}\n\n`);
    await new Promise((done) => setTimeout(done, r.streamChunkMs));
  }
  if (closed) return;
  r.res.end('data: [DONE]\n\n');
}
