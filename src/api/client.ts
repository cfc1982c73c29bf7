/**
 * The transport: the only code that speaks HTTP. A thin layer over undici that adds the base URL,
 * the X-API-Key header, envelope unwrapping, a timeout on every attempt, retries where they are
 * safe, Ctrl-C, and a masked trace for --debug. It knows nothing of terminals.
 *
 * Retry policy (why writes are special): a GET is retried on connection errors, timeouts, 429 and
 * 502/503/504. A POST or DELETE is re-sent only when the server certainly did not act on it:
 *  - the connection was never made (refused, DNS temporarily failing, unreachable, connect timeout),
 *    so not one byte of the request left this machine;
 *  - HTTP 429: a rate limiter refuses a request before it is handled (RFC 6585 §4).
 * Everything else that leaves a write's fate open — a reset or close after the request was sent,
 * a timeout, or a 502/503/504 that is not the API's own envelope (a gateway may have forwarded the
 * request before failing) — ends with NetworkError(outcomeUnknown) telling the user how to check.
 * In general any answer to a write without the API's envelope (an HTML or plain 500, 520, 522, 524...)
 * is "outcome unknown", never "try again": only the API itself says what it did. A 429, in any form
 * (status or envelope code), is the one answer that certainly means "refused", and is re-sent.
 * Ctrl-C during a write says the same: the outcome is unknown, and how to check.
 * A connection closed before any answer counts as "may have been applied" even if the server dropped
 * it first: from this side the two cannot be told apart. A 503 is not trusted as "not processed":
 * gateways answer 503 for upstream failures too. A 5xx carrying the API's own envelope is the API's
 * answer, so it is an ApiError (not retried for a write).
 */
import type { Dispatcher } from 'undici';
import { hrtime } from 'node:process';
import { ApiError, InterruptedError, NetworkError, UsageError, type WriteOutcome } from '../errors.js';
import { looksSecret, maskKey, redactText } from '../redact.js';
import { realSleep } from '../context.js';
import { formatDuration } from '../duration.js';
import { escapeControls } from '../text.js';
import { parseJsonLossless } from './json.js';
import { proxySettingsFromEnv, type ProxySettings } from './proxy.js';
import { SUCCESS_CODE } from './types.js';
import { isRecord } from '../records.js';

/** The production API. */
export const DEFAULT_BASE_URL = 'https://api.yottalabs.ai';

/** One HTTP attempt, for --debug. Nothing in it holds the raw API key or a secret-looking env value. */
export interface TraceEvent {
  method: string;
  url: string;
  status?: number;
  durationMs: number;
  attempt: number;
  /** From the server's `x-request-id` or `x-trace-id` header. */
  requestId?: string;
  /** X-API-Key shown as maskKey(key). */
  requestHeaders: Record<string, string>;
  /** The JSON body sent, with the key, secret-looking environment values and any `password` masked. */
  requestBody?: string;
  /** The start of the response body, masked the same way. */
  responseBody?: string;
  /** Why the attempt failed without a response (timeout, connection error). */
  error?: string;
}

/** How to reach the API and how patient to be. */
export interface ClientOptions {
  baseUrl: string;
  apiKey: string;
  /** `yotta-cli/<version> node/<version>` */
  userAgent: string;
  /** Per attempt, covering connect, headers and body. Default 30 s. */
  timeoutMs?: number;
  /** Attempts for a retryable failure (see the policy above). Default 3. */
  maxAttempts?: number;
  /** HTTPS_PROXY/https_proxy/HTTP_PROXY/http_proxy and NO_PROXY/no_proxy are read from here. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Waits between attempts; rejects when `signal` aborts. Default: real timers. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** A number in [0, 1) for backoff jitter. Default Math.random. */
  random?: () => number;
  /** Wall clock in ms, to read a Retry-After given as an HTTP date. Default Date.now. */
  now?: () => number;
  /** Ctrl-C: aborts the request in flight and any backoff wait (InterruptedError). */
  signal?: AbortSignal;
  /** Called once per attempt (--debug). */
  trace?: (e: TraceEvent) => void;
  /** The most read from one response body. Default MAX_RESPONSE_BYTES. */
  maxResponseBytes?: number;
}

/** The methods this API uses. */
export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';

/** Query parameters; an array is sent as the same name repeated, undefined is left out. */
export type Query = Record<string, string | string[] | undefined>;

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_ATTEMPTS = 3;
const BACKOFF_BASE_MS = 500;
const BACKOFF_CAP_MS = 8_000;
/** A Retry-After longer than this is shortened: a CLI user would rather see an error than wait minutes. */
const RETRY_AFTER_CAP_MS = 30_000;
const RETRY_STATUSES = new Set([429, 502, 503, 504]);
const TRACE_BODY_LIMIT = 4_000;
/**
 * The most read from one response: a 100,000-deployment list is about 150 MB of JSON; anything
 * beyond 256 MiB is a broken or hostile server, and reading on would take the machine's memory.
 */
export const MAX_RESPONSE_BYTES = 256 * 1024 * 1024;
/** Envelope codes with which the API says the key is missing or invalid (on HTTP 200 or 401). */
const AUTH_CODES = new Set([40101, 40001]);
/** The deployment id in an API path, for the command that checks a write's outcome. */
const DEPLOYMENT_ID_IN_PATH = /\/elastic\/deploy\/([^/?]+)(?:\/|$)/;
const EXCERPT_LIMIT = 120;
/**
 * The largest response header block accepted: Node's own default (http.maxHeaderSize without
 * --max-http-header-size). Given to undici, which would otherwise load node:http to read it.
 */
const MAX_HEADER_SIZE = 16 * 1024;

/**
 * Connections are kept open between requests for longer than the longest pause between polls
 * (5 s for --wait, --watch's --interval, a minute of backoff), so a wait or a watch polls over the
 * one connection it opened instead of a new TCP and TLS handshake per poll. undici's defaults close
 * an idle connection after 4 s, or 2 s before the server's advertised keep-alive ends. A server that
 * advertises less still decides; a connection it closes is opened again.
 */
const KEEP_ALIVE = { keepAliveTimeout: 65_000, keepAliveMaxTimeout: 10 * 60_000, keepAliveTimeoutThreshold: 1_000 };

/** Connection failures that happen before any byte of the request is sent: safe to retry, even a write. */
export const NOT_SENT_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'UND_ERR_CONNECT_TIMEOUT',
]);
/** undici's idle timeouts: no headers, or no body data, for too long. */
export const TIMEOUT_CODES: ReadonlySet<string> = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

const ERROR_WORDS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset by the server',
  EPIPE: 'connection closed by the server while sending',
  UND_ERR_SOCKET: 'connection closed by the server before it answered',
  EAI_AGAIN: 'DNS lookup failed (temporary)',
  ENOTFOUND: 'host not found',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ENETDOWN: 'network is down',
  UND_ERR_CONNECT_TIMEOUT: 'timed out while connecting',
};

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  413: 'Payload Too Large',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

const CHECK_OUTCOME = 'Check with `yotta deploy list` or `yotta deploy get <id>` before trying again.';

/** The command that shows whether a write to `path` happened: `yotta deploy get <id>`, or the list for a create. */
export function checkCommand(path: string): string {
  const id = DEPLOYMENT_ID_IN_PATH.exec(path)?.[1];
  return id && id !== 'create' && id !== 'list' ? `yotta deploy get ${decodeURIComponent(id)}` : 'yotta deploy list';
}

/** What an error says about a write whose outcome is open. */
function unknownOutcome(method: string, path: string): WriteOutcome {
  return { method, path, outcomeUnknown: true, check: checkCommand(path) };
}
const AUTH_HINT = 'Check the key with `yotta auth status`, or store a new one with `yotta auth login`.';
/** The same, when the key came from YOTTA_API_KEY: a stored key would not be used while it is set. */
const ENV_AUTH_HINT =
  'The key comes from YOTTA_API_KEY, which wins over any stored key: correct or unset that variable (`yotta auth status` shows the key in use).';

/** The next step for API codes that otherwise leave the user nowhere; `method` tells a read from a write. */
const CODE_HINTS: Readonly<Record<number, (method: string) => string>> = {
  24003: () =>
    'The organization is at its deployment limit: delete deployments it no longer needs (`yotta deploy list --status stopped`, then `yotta deploy delete`), or ask Yotta for a higher limit.',
  24009: () =>
    'Not enough GPUs are free for this: try other regions or GPU types (more resources in the spec; `yotta gpus` lists types), or fewer workers.',
  10002: (method) =>
    method === 'GET'
      ? 'A system error on Yotta\'s side; a read is safe to retry.'
      : 'A system error on Yotta\'s side; the change may or may not have been applied: check (`yotta deploy list`, `yotta deploy get`) before sending it again.',
};

/** localhost, 127.x.x.x or [::1]: plain http is allowed there, and no proxy is ever used for it. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  if (host === 'localhost' || host === '[::1]') return true;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** Parses and checks a base URL: https, or http only on a loopback host (the key must never cross a network in clear text). */
export function validateBaseUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(
      `base URL "${url}" is not a URL`,
      `Use a full URL such as ${DEFAULT_BASE_URL} (--base-url, YOTTA_BASE_URL or the profile's base_url).`,
    );
  }
  if (parsed.protocol === 'http:' && !isLoopbackHost(parsed.hostname)) {
    throw new UsageError(
      `base URL "${url}" is not HTTPS; the API key would cross the network in clear text`,
      `Use https://${parsed.host}${parsed.pathname === '/' ? '' : parsed.pathname}; plain http:// is accepted only for localhost, 127.0.0.1 or [::1].`,
    );
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new UsageError(`base URL "${url}" must start with https://`, `For example ${DEFAULT_BASE_URL}.`);
  }
  if (parsed.username || parsed.password) {
    throw new UsageError(`base URL must not contain a user name or password`, 'The API key is sent in the X-API-Key header.');
  }
  if (parsed.search || parsed.hash) {
    throw new UsageError(`base URL "${url}" must not have a query or fragment`, `For example ${DEFAULT_BASE_URL}.`);
  }
  return parsed;
}

/** Bytes as `256 MiB` or `4096 bytes`. */
function formatBytes(n: number): string {
  return n % (1024 * 1024) === 0 ? `${n / 1024 / 1024} MiB` : `${n} bytes`;
}

/** Milliseconds as `250ms`, `30s`, `2m00s`. */
function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)}ms` : formatDuration(ms);
}

function attemptsNote(attempts: number): string {
  return attempts > 1 ? ` (after ${attempts} attempts)` : '';
}

/** A short, tag-free, single-line excerpt of a body that is not JSON (an HTML error page), with control characters made visible. */
export function cleanExcerpt(text: string, limit = EXCERPT_LIMIT): string {
  const plain = text
    .replace(/<(script|style)\b[^>]*>[\s\S]*?<\/\1\s*>/gi, ' ')
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&nbsp;/gi, ' ')
    .replace(/&lt;/gi, '<')
    .replace(/&gt;/gi, '>')
    .replace(/&quot;/gi, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/gi, '&')
    .replace(/\s+/g, ' ')
    .trim();
  const shown = escapeControls(plain, 'space');
  return shown.length <= limit ? shown : `${shown.slice(0, limit - 1).trimEnd()}…`;
}

/** The envelope's code as a number, or undefined when `v` is not an envelope. */
function envelopeCode(v: unknown): number | undefined {
  if (!isRecord(v)) return undefined;
  const code = v.code;
  if (typeof code === 'number' && Number.isInteger(code)) return code;
  if (typeof code === 'string' && /^\d+$/.test(code)) return Number(code);
  return undefined;
}

/** Fields whose string value is a secret wherever they appear in a body (a task's webhook key, a registry password). */
const SECRET_FIELDS = new Set(['webhookAuthKey', 'password']);

/**
 * A copy of a JSON value with secrets masked: secret-looking environment values (list `{key, value}`
 * or map form), secret-looking `headers` entries, and the SECRET_FIELDS.
 */
function maskSecretEnv(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(maskSecretEnv);
  if (!isRecord(v)) return v;
  const out: Record<string, unknown> = {};
  for (const [k, val] of Object.entries(v)) {
    if (k === 'password' && typeof val === 'string') {
      // A registry password is write-only: not even its last characters are shown.
      out[k] = '***';
    } else if (k === 'environmentVars' && Array.isArray(val)) {
      out[k] = val.map((e: unknown) =>
        isRecord(e) && typeof e.key === 'string' && typeof e.value === 'string' && looksSecret(e.key)
          ? { ...e, value: maskKey(e.value) }
          : maskSecretEnv(e),
      );
    } else if (k === 'headers' && isRecord(val)) {
      // Headers forwarded to a worker (tasks): an Authorization or token header is a secret.
      out[k] = Object.fromEntries(Object.entries(val).map(([name, value]) => [name, typeof value === 'string' && looksSecret(name) ? maskKey(value) : value]));
    } else if (SECRET_FIELDS.has(k) && typeof val === 'string') {
      out[k] = maskKey(val);
    } else if (k === 'environmentVars' && isRecord(val)) {
      out[k] = Object.fromEntries(
        Object.entries(val).map(([name, value]) => [name, typeof value === 'string' && looksSecret(name) ? maskKey(value) : value]),
      );
    } else {
      out[k] = maskSecretEnv(val);
    }
  }
  return out;
}

/** The values of secret-looking environment variables and passwords in a request body, to mask wherever they might be echoed. */
function secretEnvValues(body: unknown): string[] {
  const found: string[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (isRecord(v)) {
      if (typeof v.key === 'string' && typeof v.value === 'string' && looksSecret(v.key)) found.push(v.value);
      // A registry password, as sent and as it reads inside JSON text (a multi-line key has escaped newlines there).
      if (typeof v.password === 'string') found.push(v.password, JSON.stringify(v.password).slice(1, -1));
      for (const [k, val] of Object.entries(v)) {
        if (SECRET_FIELDS.has(k) && typeof val === 'string') found.push(val);
        else if ((k === 'environmentVars' || k === 'headers') && isRecord(val)) {
          for (const [name, value] of Object.entries(val)) if (typeof value === 'string' && looksSecret(name)) found.push(value);
        } else walk(val);
      }
    }
  };
  walk(body);
  return found;
}

function truncate(text: string, limit: number): string {
  return text.length <= limit ? text : `${text.slice(0, limit)}… (${text.length - limit} more characters)`;
}

/** The first code found on an error, its cause chain, or the first error of an AggregateError (happy eyeballs). */
export function errorCode(err: unknown, depth = 0): string | undefined {
  if (depth > 5 || typeof err !== 'object' || err === null) return undefined;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  if (err instanceof AggregateError) {
    for (const inner of err.errors) {
      const c = errorCode(inner, depth + 1);
      if (c) return c;
    }
  }
  return errorCode((err as { cause?: unknown }).cause, depth + 1);
}

function isTlsCode(code: string | undefined): boolean {
  return (
    code !== undefined &&
    (code.startsWith('ERR_TLS_') ||
      code.startsWith('ERR_SSL_') ||
      code.startsWith('CERT_') ||
      code.startsWith('UNABLE_TO_') ||
      code === 'DEPTH_ZERO_SELF_SIGNED_CERT' ||
      code === 'SELF_SIGNED_CERT_IN_CHAIN')
  );
}

function headerValue(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

type Attempt =
  | { kind: 'response'; status: number; headers: Record<string, string | string[] | undefined>; text: string }
  | { kind: 'too-large'; status: number; headers: Record<string, string | string[] | undefined> }
  | { kind: 'error'; error: unknown; timedOut: boolean; interrupted: boolean; timeoutMs: number };

/** Options of one API call. */
export interface RequestOptions {
  query?: Query;
  body?: unknown;
  /**
   * The most this call may take in all, attempts and pauses included (a wait's remaining time): each
   * attempt's timeout is capped by what is left, and no retry starts once it is spent.
   */
  budgetMs?: number;
}

/** What one attempt came to: the data, or an error and whether another attempt may follow (after `delayMs` if the server said). */
type Outcome = { ok: true; data: unknown } | { ok: false; error: ApiError | NetworkError; retry: boolean; delayMs?: number };

interface Transport {
  request: (typeof import('undici'))['request'];
  dispatcher: Dispatcher;
}

/** A client for the Yotta API. Construct one per command run; `close()` releases its connections. */
export class ApiClient {
  private readonly base: URL;
  private readonly basePath: string;
  private readonly timeoutMs: number;
  private readonly maxAttempts: number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private readonly random: () => number;
  private readonly now: () => number;
  private readonly proxy: ProxySettings | undefined;
  private readonly maxResponseBytes: number;
  private transport?: Promise<Transport>;

  constructor(private readonly options: ClientOptions) {
    this.base = validateBaseUrl(options.baseUrl);
    this.basePath = this.base.pathname.replace(/\/+$/, '');
    // A pasted key with a newline would make undici throw an error that quotes the header.
    if ([...options.apiKey].some((ch) => ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f)) {
      throw new UsageError('the API key contains control characters (a stray newline?)', 'Store it again with `yotta auth login`.');
    }
    // Read now, so that a malformed proxy variable is a usage error before anything is sent. A
    // loopback host (the sandbox, a local server) is never reached through a proxy: the key would
    // cross the proxy in clear text.
    const proxy = proxySettingsFromEnv(options.env ?? {});
    this.proxy = isLoopbackHost(this.base.hostname) ? undefined : proxy;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    // A zero timeout would fail every request at once ("timed out after 0ms"): refuse it before anything is sent.
    if (!(this.timeoutMs >= 1)) {
      throw new UsageError(`--timeout must be at least 1ms (got ${formatMs(this.timeoutMs)})`, 'Give the request timeout as a duration, e.g. --timeout 30s.');
    }
    this.maxAttempts = Math.max(1, options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS);
    this.sleep = options.sleep ?? realSleep;
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
    this.maxResponseBytes = options.maxResponseBytes ?? MAX_RESPONSE_BYTES;
  }

  /** The full URL of an API path (the base URL's own path is kept), with repeated query parameters. */
  urlFor(path: string, query?: Query): string {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(query ?? {})) {
      if (value === undefined) continue;
      for (const v of Array.isArray(value) ? value : [value]) params.append(name, v);
    }
    const search = params.size > 0 ? `?${params.toString()}` : '';
    return `${this.base.origin}${this.basePath}${path.startsWith('/') ? path : `/${path}`}${search}`;
  }

  /** What to do about a rejected key, depending on where it came from. */
  private authHint(): string {
    const fromEnv = this.options.env?.YOTTA_API_KEY?.trim();
    return fromEnv !== undefined && fromEnv !== '' && fromEnv === this.options.apiKey ? ENV_AUTH_HINT : AUTH_HINT;
  }

  /** Sends one API call and returns the envelope's `data`; throws ApiError, NetworkError or InterruptedError. */
  async request<T>(method: HttpMethod, path: string, o: RequestOptions = {}): Promise<T> {
    const url = this.urlFor(path, o.query);
    const secrets = secretEnvValues(o.body);
    const bodyText = o.body === undefined ? undefined : JSON.stringify(o.body);
    const headers: Record<string, string> = {
      'X-API-Key': this.options.apiKey,
      Accept: 'application/json',
      'User-Agent': this.options.userAgent,
    };
    if (bodyText !== undefined) headers['Content-Type'] = 'application/json';
    const signal = this.options.signal;
    // hrtime, not performance.now(): the global `performance` loads perf_hooks (ten modules) on first use.
    const callStarted = hrtime.bigint();
    const left = (): number => (o.budgetMs === undefined ? Infinity : o.budgetMs - Number(hrtime.bigint() - callStarted) / 1e6);

    for (let attempt = 1; ; attempt++) {
      if (signal?.aborted) throw new InterruptedError();
      const started = hrtime.bigint();
      const timeoutMs = Math.max(1, Math.min(this.timeoutMs, Math.ceil(left())));
      const result = await this.send(method, url, headers, bodyText, timeoutMs);
      const durationMs = Number(hrtime.bigint() - started) / 1e6;
      if (result.kind === 'error' && result.interrupted) {
        this.emitTrace(method, url, headers, o.body, secrets, attempt, durationMs, result);
        if (method === 'GET') throw new InterruptedError();
        // The request may have reached the server before Ctrl-C: say so, and how to check.
        const outcome = unknownOutcome(method, path);
        throw new InterruptedError(
          `interrupted while ${method} ${path} was in flight; the outcome is unknown: the server may have applied it`,
          `It was not sent again. Check whether it happened with: ${outcome.check}`,
          outcome,
        );
      }
      const outcome =
        result.kind === 'error'
          ? this.interpretError(method, path, result, attempt, secrets)
          : result.kind === 'too-large'
            ? this.tooLarge(method, path, result.status)
            : this.interpretResponse(method, path, result, attempt, secrets);
      this.emitTrace(method, url, headers, o.body, secrets, attempt, durationMs, result, outcome);
      if (outcome.ok) return outcome.data as T;
      const pause = outcome.delayMs ?? this.backoff(attempt);
      if (!outcome.retry || attempt >= this.maxAttempts || pause >= left()) throw outcome.error;
      try {
        await this.sleep(pause, signal);
      } catch (err) {
        if (signal?.aborted) throw new InterruptedError();
        throw err;
      }
    }
  }

  /** Releases pooled connections. */
  async close(): Promise<void> {
    const transport = this.transport;
    this.transport = undefined;
    if (transport) await (await transport).dispatcher.close();
  }

  /** undici is loaded on the first request, so that importing this module costs nothing at startup. */
  private loadTransport(): Promise<Transport> {
    this.transport ??= (async () => {
      const undici = await import('undici');
      const options = { maxHeaderSize: MAX_HEADER_SIZE, ...KEEP_ALIVE };
      const dispatcher: Dispatcher = this.proxy ? new undici.EnvHttpProxyAgent({ ...this.proxy, ...options }) : new undici.Agent(options);
      return { request: undici.request, dispatcher };
    })();
    return this.transport;
  }

  /** One attempt, bounded by the timeout from connect to the last body byte. */
  private async send(method: HttpMethod, url: string, headers: Record<string, string>, body: string | undefined, timeoutMs: number): Promise<Attempt> {
    // undici marks a connection idle a moment after its last answer ends; a request sent before that
    // (a stop right after the look-up) would open a second connection instead of reusing it.
    await new Promise<void>((resolve) => setImmediate(resolve));
    const { request, dispatcher } = await this.loadTransport();
    const userSignal = this.options.signal;
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new DOMException('request timed out', 'TimeoutError'));
    }, timeoutMs);
    const onAbort = () => controller.abort(userSignal?.reason);
    userSignal?.addEventListener('abort', onAbort, { once: true });
    // Ctrl-C may have come while undici was loading.
    if (userSignal?.aborted) onAbort();
    try {
      const res = await request(url, {
        method,
        headers,
        body,
        dispatcher,
        signal: controller.signal,
        // undici's own (idle) timers as a backstop; ours bounds the whole attempt.
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
      // Counted as it arrives, so that an endless body stops at the cap instead of filling memory.
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of res.body as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > this.maxResponseBytes) {
          res.body.destroy();
          return { kind: 'too-large', status: res.statusCode, headers: res.headers };
        }
        chunks.push(chunk);
      }
      // As res.body.text() would: UTF-8, a leading byte-order mark dropped.
      const text = (chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)).toString('utf8').replace(/^\uFEFF/, '');
      return { kind: 'response', status: res.statusCode, headers: res.headers, text };
    } catch (error) {
      const interrupted = Boolean(userSignal?.aborted) && !timedOut;
      return { kind: 'error', error, timedOut: timedOut || TIMEOUT_CODES.has(errorCode(error) ?? ''), interrupted, timeoutMs };
    } finally {
      clearTimeout(timer);
      userSignal?.removeEventListener('abort', onAbort);
    }
  }

  /** Capped exponential backoff with jitter: 0.5–1 × min(8 s, 0.5 s × 2^(attempt-1)). */
  private backoff(attempt: number): number {
    const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** (attempt - 1));
    return Math.round(ceiling / 2 + (this.random() * ceiling) / 2);
  }

  /** Retry-After as ms (seconds or an HTTP date), capped; undefined when absent or unreadable. */
  private retryAfterMs(headers: Record<string, string | string[] | undefined>): number | undefined {
    const value = headerValue(headers, 'retry-after')?.trim();
    if (!value) return undefined;
    let ms: number;
    if (/^\d+$/.test(value)) ms = Number(value) * 1000;
    else {
      const at = Date.parse(value);
      if (Number.isNaN(at)) return undefined;
      ms = at - this.now();
    }
    return Math.min(RETRY_AFTER_CAP_MS, Math.max(0, ms));
  }

  /** Masks the key and this call's secret env values, wherever a server or undici might echo them. */
  private redact(text: string, secrets: readonly string[]): string {
    return redactText(text, [this.options.apiKey, ...secrets]);
  }

  /** A response body over MAX_RESPONSE_BYTES: never retried (it would come again); for a write, its outcome is unknown. */
  private tooLarge(method: HttpMethod, path: string, status: number): Outcome {
    const what = `${method} ${path}: HTTP ${status}, a response larger than ${formatBytes(this.maxResponseBytes)}; stopped reading it`;
    if (method !== 'GET') {
      return {
        ok: false,
        retry: false,
        error: new NetworkError(`${what}; the outcome is unknown: the server may have applied it. ${CHECK_OUTCOME}`, {
          ...unknownOutcome(method, path),
          timedOut: false,
          attempts: 1,
        }),
      };
    }
    return {
      ok: false,
      retry: false,
      error: new ApiError(what, { httpStatus: status, method, path }, `A Yotta API answer is never this large; check the base URL (${this.base.origin}${this.basePath}).`),
    };
  }

  private interpretResponse(
    method: HttpMethod,
    path: string,
    r: Extract<Attempt, { kind: 'response' }>,
    attempt: number,
    secrets: readonly string[],
  ): Outcome {
    const { status, text } = r;
    const reason = REASONS[status] ? ` ${REASONS[status]}` : '';
    let parsed: unknown;
    let isJson = true;
    try {
      parsed = parseJsonLossless(text);
    } catch {
      isJson = false;
    }
    const code = isJson ? envelopeCode(parsed) : undefined;
    if (code === SUCCESS_CODE && status >= 200 && status < 300) {
      return { ok: true, data: (parsed as { data?: unknown }).data };
    }

    // A rate limiter refused the request (HTTP 429, or the API's envelope code 429 on any status):
    // it was not handled, so even a write is re-sent after backing off.
    const rateLimited = status === 429 || code === 429;
    const retryable = RETRY_STATUSES.has(status) || rateLimited;
    const write = method !== 'GET';
    const note = attemptsNote(attempt);
    const retry = retryable && (!write || rateLimited);
    const delayMs = retryable ? this.retryAfterMs(r.headers) : undefined;
    const baseUrl = `${this.base.origin}${this.basePath}`;

    // An answer to a write without the API's envelope (a gateway's or proxy's page, any status): it
    // may have reached the API, which alone could say what it did. Never "try again".
    if (write && code === undefined && !rateLimited) {
      const excerpt = cleanExcerpt(this.redact(text, secrets));
      return {
        ok: false,
        retry: false,
        error: new NetworkError(
          `${method} ${path} got HTTP ${status}${reason} without the API's answer${excerpt ? ` ("${excerpt}")` : ''}; ` +
            `the outcome is unknown: the server may have applied it. ${CHECK_OUTCOME}`,
          { ...unknownOutcome(method, path), timedOut: false, attempts: attempt },
        ),
      };
    }

    const hint =
      status === 401 || status === 403 || (code !== undefined && AUTH_CODES.has(code))
        ? this.authHint()
        : code !== undefined && CODE_HINTS[code]
          ? CODE_HINTS[code]!(method)
        : status === 404 && code === undefined
          ? `Nothing answered as the Yotta API at ${baseUrl}: check the base URL (--base-url, YOTTA_BASE_URL or the profile).`
          : rateLimited
            ? 'The API is rate limiting this key; wait a little and try again.'
            : status >= 500 && code === undefined
              ? 'The API or a gateway in front of it failed; try again later.'
              : undefined;

    if (!isJson) {
      const excerpt = cleanExcerpt(this.redact(text, secrets));
      const message =
        `${method} ${status === 404 ? baseUrl : ''}${path}: HTTP ${status}${reason}, ` +
        (excerpt ? `not a JSON response: "${excerpt}"` : 'with an empty body') +
        note;
      return {
        ok: false,
        retry,
        delayMs,
        error: new ApiError(message, { httpStatus: status, method, path, bodyExcerpt: excerpt }, hint),
      };
    }
    if (code === undefined) {
      const excerpt = cleanExcerpt(this.redact(text, secrets));
      return {
        ok: false,
        retry,
        delayMs,
        error: new ApiError(
          `${method} ${path}: HTTP ${status}${reason}, a JSON response that is not a Yotta API envelope {code, message, data}: ${excerpt}${note}`,
          { httpStatus: status, method, path, bodyExcerpt: excerpt },
          hint ?? 'Check that the base URL points at the Yotta API (--base-url, YOTTA_BASE_URL).',
        ),
      };
    }
    const rawMessage = (parsed as { message?: unknown }).message;
    const serverMessage = typeof rawMessage === 'string' && rawMessage.trim() ? escapeControls(this.redact(rawMessage.trim(), secrets), 'space') : undefined;
    const message =
      code === SUCCESS_CODE
        ? `${method} ${path}: HTTP ${status}${reason}${serverMessage ? `: ${serverMessage}` : ''}${note}`
        : `${serverMessage ?? `${method} ${path} failed`} (code ${code})${note}`;
    return {
      ok: false,
      retry,
      delayMs,
      error: new ApiError(message, { httpStatus: status, code, serverMessage, method, path }, hint),
    };
  }

  private interpretError(
    method: HttpMethod,
    path: string,
    r: Extract<Attempt, { kind: 'error' }>,
    attempt: number,
    secrets: readonly string[],
  ): Outcome {
    const write = method !== 'GET';
    const note = attemptsNote(attempt);
    if (r.timedOut) {
      const after = `${method} ${path} timed out after ${formatMs(r.timeoutMs)}`;
      return write
        ? {
            ok: false,
            retry: false,
            error: new NetworkError(
              `${after} (raise the limit with --timeout); the outcome is unknown: the server may have applied it. ${CHECK_OUTCOME}`,
              { ...unknownOutcome(method, path), timedOut: true, attempts: attempt },
            ),
          }
        : {
            ok: false,
            retry: true,
            error: new NetworkError(`${after}${note}; raise it with --timeout`, {
              method,
              path,
              outcomeUnknown: false,
              timedOut: true,
              attempts: attempt,
            }),
          };
    }
    const code = errorCode(r.error);
    const raw = r.error instanceof Error ? r.error.message : String(r.error);
    const words = (code && ERROR_WORDS[code]) ?? this.redact(raw, secrets);
    const what = code && !words.includes(code) ? `${words} (${code})` : words;
    const host = this.base.host;
    const details = { method, path, outcomeUnknown: false, timedOut: false, attempts: attempt };
    const networkHint = 'Check your network connection, the proxy settings (HTTPS_PROXY, NO_PROXY) and the base URL.';

    if (isTlsCode(code)) {
      return {
        ok: false,
        retry: false,
        error: new NetworkError(
          `${method} ${path}: TLS failure talking to ${host}: ${what}`,
          details,
          'Behind a TLS-inspecting proxy? Point NODE_EXTRA_CA_CERTS at its CA certificate.',
        ),
      };
    }
    if (code === 'ENOTFOUND') {
      return {
        ok: false,
        retry: false,
        error: new NetworkError(`${method} ${path}: cannot resolve ${this.base.hostname}: host not found`, details, networkHint),
      };
    }
    if (code !== undefined && NOT_SENT_CODES.has(code)) {
      return {
        ok: false,
        retry: true,
        error: new NetworkError(`${method} ${path}: cannot connect to ${host}: ${what}${note}`, details, networkHint),
      };
    }
    if (write) {
      return {
        ok: false,
        retry: false,
        error: new NetworkError(
          `${method} ${path} failed: ${what}; the outcome is unknown: the server may have applied it. ${CHECK_OUTCOME}`,
          { ...details, ...unknownOutcome(method, path) },
        ),
      };
    }
    return {
      ok: false,
      retry: true,
      error: new NetworkError(`${method} ${path} failed: ${what}${note}`, details, networkHint),
    };
  }

  private emitTrace(
    method: HttpMethod,
    url: string,
    headers: Record<string, string>,
    body: unknown,
    secrets: readonly string[],
    attempt: number,
    durationMs: number,
    result: Attempt,
    outcome?: Outcome,
  ): void {
    const trace = this.options.trace;
    if (!trace) return;
    const event: TraceEvent = {
      method,
      url,
      durationMs,
      attempt,
      requestHeaders: { ...headers, 'X-API-Key': maskKey(this.options.apiKey) },
    };
    if (body !== undefined) event.requestBody = this.redact(JSON.stringify(maskSecretEnv(body)), secrets);
    if (result.kind === 'response') {
      event.status = result.status;
      // The server's text: a request id may echo the key, and may hold terminal escapes.
      const requestId = headerValue(result.headers, 'x-request-id') ?? headerValue(result.headers, 'x-trace-id');
      if (requestId) event.requestId = escapeControls(this.redact(requestId, secrets), 'escape');
      let shown = result.text;
      try {
        shown = JSON.stringify(maskSecretEnv(parseJsonLossless(result.text)));
      } catch {
        // Not JSON (an error page): shown as it came, with the key masked.
      }
      if (shown) event.responseBody = truncate(escapeControls(this.redact(shown, secrets), 'escape'), TRACE_BODY_LIMIT);
    } else if (result.kind === 'too-large') {
      event.status = result.status;
      event.error = `response over ${formatBytes(this.maxResponseBytes)}; stopped reading it`;
    } else {
      event.error = result.interrupted
        ? 'interrupted'
        : outcome && !outcome.ok
          ? outcome.error.message
          : escapeControls(this.redact(result.error instanceof Error ? result.error.message : String(result.error), secrets), 'space');
    }
    trace(event);
  }
}
