/**
 * The transport of `yotta deploy call`: one HTTP request to a deployment's own service, not to the
 * Yotta API, so it is not the API client (client.ts) and follows other rules:
 * - an idle timeout (waiting for the headers, and between two pieces of the body), never a limit
 *   on the whole exchange: a long streamed completion is not cut;
 * - no cap on the size of the response: it is handed on piece by piece as it comes;
 * - never a redirect followed (undici follows none unless told): the key must not travel to another host;
 * - sent again only when the connection was never made (not a byte of the request left), never
 *   once any of it may have been written;
 * - the URL must be https, or http on a loopback host (the same rule as the API's base URL), and
 *   must lie under the deployment's domain: checkServiceUrl decides, before any connection.
 */
import type { Dispatcher } from 'undici';
import { InterruptedError, NetworkError, UsageError } from '../errors.js';
import { proxySettingsFromEnv } from './proxy.js';
import { NOT_SENT_CODES, TIMEOUT_CODES, errorCode, isLoopbackHost } from './client.js';

const ATTEMPTS = 3;

/**
 * The URL of `path` on the service at `domain`, or a usage error: the domain must be https (or
 * http on loopback), and the result must stay on the domain's host and under its path.
 */
export function checkServiceUrl(domain: string, path: string): URL {
  let base: URL;
  try {
    base = new URL(domain);
  } catch {
    throw new UsageError(`the deployment's domain "${domain}" is not a URL; nothing was sent`);
  }
  if (base.protocol !== 'https:' && !(base.protocol === 'http:' && isLoopbackHost(base.hostname))) {
    throw new UsageError(
      `the deployment's domain ${base.origin} is not https; the API key would cross the network in clear text, so nothing was sent`,
      'Plain http is accepted only on a loopback host (localhost, 127.0.0.1, [::1]).',
    );
  }
  // eslint-disable-next-line no-control-regex
  if (!path.startsWith('/') || path.startsWith('//') || /[\s\u0000-\u001f\u007f]/.test(path) || path.includes('#')) {
    throw new UsageError(`path "${path}" is not a path on the service; give one starting with a single /, e.g. /v1/chat/completions`);
  }
  const prefix = base.pathname.replace(/\/+$/, '');
  const url = new URL(`${base.origin}${prefix}${path}`);
  if (url.origin !== base.origin || !(url.pathname === prefix || url.pathname.startsWith(`${prefix}/`))) {
    throw new UsageError(`path "${path}" leads outside the deployment's domain ${base.href}; nothing was sent`);
  }
  return url;
}

/** The answer's head, handed over before its body. */
export interface ServiceResponseHead {
  status: number;
  headers: Record<string, string | string[] | undefined>;
}

/** One call. */
export interface ServiceCall {
  url: URL;
  method: string;
  /** Sent as they are (the Authorization header included). */
  headers: Record<string, string>;
  body?: Uint8Array;
  /** Longest wait for the headers, or between two pieces of the body. */
  idleTimeoutMs: number;
  /** Ctrl-C. */
  signal: AbortSignal;
  /** Proxy variables are read from here. */
  env: Readonly<Record<string, string | undefined>>;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Told of the head once it has come. */
  onHead: (head: ServiceResponseHead) => void | Promise<void>;
  /** Told of each piece of the body, in order; awaited before the next is read. */
  onChunk: (chunk: Uint8Array) => void | Promise<void>;
}

/**
 * Sends the request and streams the answer to the callbacks; resolves with the status once the body
 * has ended. Throws NetworkError (exit 7) when no answer came or the body was cut off, and
 * InterruptedError on Ctrl-C.
 */
export async function callService(c: ServiceCall): Promise<number> {
  const undici = await import('undici');
  const proxy = proxySettingsFromEnv(c.env);
  const options = { headersTimeout: c.idleTimeoutMs, bodyTimeout: c.idleTimeoutMs, connect: { timeout: Math.min(c.idleTimeoutMs, 30_000) } };
  const dispatcher: Dispatcher = proxy ? new undici.EnvHttpProxyAgent({ ...proxy, ...options }) : new undici.Agent(options);
  const what = `${c.method} ${c.url.origin}${c.url.pathname}`;
  let headSeen = false;
  let bytes = 0;
  try {
    for (let attempt = 1; ; attempt++) {
      if (c.signal.aborted) throw new InterruptedError();
      try {
        const res = await undici.request(c.url.href, {
          method: c.method as Dispatcher.HttpMethod,
          headers: c.headers,
          ...(c.body !== undefined ? { body: c.body } : {}),
          dispatcher,
          signal: c.signal,
        });
        headSeen = true;
        await c.onHead({ status: res.statusCode, headers: res.headers });
        for await (const chunk of res.body) {
          bytes += (chunk as Uint8Array).length;
          await c.onChunk(chunk as Uint8Array);
        }
        return res.statusCode;
      } catch (err) {
        if (c.signal.aborted) throw new InterruptedError();
        if (err instanceof InterruptedError) throw err;
        const code = errorCode(err);
        // Nothing of the request left this machine: the one case sent again.
        if (!headSeen && code !== undefined && NOT_SENT_CODES.has(code) && attempt < ATTEMPTS) {
          await c.sleep(500 * attempt, c.signal).catch(() => {
            throw new InterruptedError();
          });
          continue;
        }
        const idle = code !== undefined && TIMEOUT_CODES.has(code);
        const words = idle
          ? `no data for ${Math.round(c.idleTimeoutMs / 1000)}s`
          : `${(err as Error).message || code || 'connection failed'}${code && !(err as Error).message?.includes(code) ? ` (${code})` : ''}`;
        const sent = !(code !== undefined && NOT_SENT_CODES.has(code));
        const message = headSeen
          ? `${what}: the answer was cut off after ${bytes} bytes of its body: ${words}`
          : `${what} failed: ${words}${sent && c.method !== 'GET' && c.method !== 'HEAD' ? '; the service may have acted on it' : ''}`;
        throw new NetworkError(
          message,
          { method: c.method, path: c.url.pathname, outcomeUnknown: sent && !headSeen, timedOut: idle, attempts: attempt },
          idle ? 'Wait longer for the service with --idle-timeout, e.g. --idle-timeout 10m.' : undefined,
        );
      }
    }
  } finally {
    await dispatcher.destroy().catch(() => undefined);
  }
}
