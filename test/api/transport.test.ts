/**
 * Transport cases the emulator has no fault for, against tiny real loopback servers:
 * base paths, headers, non-envelope JSON, Retry-After dates and caps, a stalled body,
 * connection refused, proxies and pass-through of unknown fields.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ApiClient, type ClientOptions } from '../../src/api/client.js';
import { getDeployment, listDeployments, startDeployment } from '../../src/api/deployments.js';
import { ApiError, ExitCode, NetworkError } from '../../src/errors.js';
import { closedPort, startProxy, startRawServer, type RawServer } from './raw-server.js';

const KEY = 'yk-transport-test-key-7f3a';
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

function envelope(data: unknown, code = 10000, message = 'success'): string {
  return JSON.stringify({ code, message, data });
}

async function server(handler: Parameters<typeof startRawServer>[0]): Promise<RawServer> {
  const s = await startRawServer(handler);
  cleanups.push(() => s.close());
  return s;
}

function client(baseUrl: string, o: Partial<ClientOptions> = {}): { c: ApiClient; sleeps: number[] } {
  const sleeps: number[] = [];
  const c = new ApiClient({
    baseUrl,
    apiKey: KEY,
    userAgent: 'yotta-cli/0.0.0-test node/24',
    env: {},
    random: () => 0.5,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    ...o,
  });
  cleanups.push(() => c.close());
  return { c, sleeps };
}

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the call to fail');
}

describe('requests', () => {
  it('keep the base path and send the key, Accept and User-Agent; Content-Type only with a body', async () => {
    const s = await server((_req, res) => res.end(envelope(null)));
    const { c } = client(`${s.url}/prefix/`);
    await c.request('GET', '/openapi/v1/elastic/deploy/list');
    await c.request('POST', '/openapi/v1/elastic/deploy/1/start');
    await c.request('POST', '/openapi/v1/elastic/deploy/1/workers', { body: { workers: 2 } });
    expect(s.seen.map((r) => r.url)).toEqual([
      '/prefix/openapi/v1/elastic/deploy/list',
      '/prefix/openapi/v1/elastic/deploy/1/start',
      '/prefix/openapi/v1/elastic/deploy/1/workers',
    ]);
    for (const r of s.seen) {
      expect(r.headers['x-api-key']).toBe(KEY);
      expect(r.headers.accept).toBe('application/json');
      expect(r.headers['user-agent']).toBe('yotta-cli/0.0.0-test node/24');
    }
    expect(s.seen.map((r) => r.headers['content-type'])).toEqual([undefined, undefined, 'application/json']);
    expect(JSON.parse(s.seen[2]!.body)).toEqual({ workers: 2 });
  });

  it('pass unknown statuses, extra fields and any start/stop data through untouched, ids exact', async () => {
    const s = await server((req, res) => {
      if (req.url?.endsWith('/start')) res.end(envelope('378888638324150969'));
      else
        res.end(
          '{"code":10000,"message":"ok","data":[{"id":378888638324150969,"status":"HIBERNATING","newField":{"a":1},"totalWorkers":2}]}',
        );
    });
    const { c } = client(s.url);
    const list = await listDeployments(c);
    expect(list).toEqual([{ id: '378888638324150969', status: 'HIBERNATING', newField: { a: 1 }, totalWorkers: 2 }]);
    expect(await startDeployment(c, '378888638324150969')).toBe('378888638324150969');
  });
});

describe('responses that are not envelopes', () => {
  it('a JSON body without {code, message, data} is an ApiError naming the problem', async () => {
    const s = await server((_req, res) => res.end('{"error":"no such route"}'));
    const { c } = client(s.url);
    const err = await rejection(getDeployment(c, '42'));
    expect(err).toBeInstanceOf(ApiError);
    expect(err.message).toContain('not a Yotta API envelope');
    expect(err.message).toContain('GET /openapi/v1/elastic/deploy/42');
    expect((err as ApiError).details.httpStatus).toBe(200);
  });

  it('an HTTP 404 error page names the base URL, and is not "not found" (only the API says that)', async () => {
    const s = await server((_req, res) => {
      res.statusCode = 404;
      res.end('<html><body><h1>Not Found</h1></body></html>');
    });
    const { c } = client(s.url);
    const err = (await rejection(getDeployment(c, '42'))) as ApiError;
    expect(err.message).toBe(`GET ${s.url}/openapi/v1/elastic/deploy/42: HTTP 404 Not Found, not a JSON response: "Not Found"`);
    expect(err.hint).toContain(`base URL`);
    expect(err.exitCode).toBe(ExitCode.ERROR);
  });
});

describe('Retry-After', () => {
  it('is read as an HTTP date against the client clock', async () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    let calls = 0;
    const s = await server((_req, res) => {
      calls += 1;
      if (calls === 1) {
        res.writeHead(429, { 'Retry-After': new Date(now + 7000).toUTCString() });
        res.end();
      } else res.end(envelope([]));
    });
    const { c, sleeps } = client(s.url, { now: () => now });
    expect(await listDeployments(c)).toEqual([]);
    expect(sleeps).toEqual([7000]);
  });

  it('is capped at 30 s', async () => {
    let calls = 0;
    const s = await server((_req, res) => {
      calls += 1;
      res.writeHead(calls === 1 ? 503 : 200, calls === 1 ? { 'Retry-After': '3600' } : {});
      res.end(calls === 1 ? 'busy' : envelope([]));
    });
    const { c, sleeps } = client(s.url);
    await listDeployments(c);
    expect(sleeps).toEqual([30_000]);
  });
});

describe('timeouts', () => {
  it('cover the body, not just the headers', async () => {
    const s = await server((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write('{"code":10000,"message":"ok","data":[');
      // ...and the rest never comes.
    });
    const { c } = client(s.url, { timeoutMs: 150, maxAttempts: 1 });
    const err = (await rejection(listDeployments(c))) as NetworkError;
    expect(err).toBeInstanceOf(NetworkError);
    expect(err.details.timedOut).toBe(true);
    expect(err.message).toBe('GET /openapi/v1/elastic/deploy/list timed out after 150ms; raise it with --timeout');
  });
});

describe('connection refused', () => {
  it('is retried even for a write, since nothing reached the server', async () => {
    const port = await closedPort();
    const { c, sleeps } = client(`http://127.0.0.1:${port}`);
    const err = (await rejection(startDeployment(c, '1'))) as NetworkError;
    expect(err).toBeInstanceOf(NetworkError);
    expect(err.details).toMatchObject({ outcomeUnknown: false, attempts: 3, method: 'POST' });
    expect(err.message).toBe(`POST /openapi/v1/elastic/deploy/1/start: cannot connect to 127.0.0.1:${port}: connection refused (ECONNREFUSED) (after 3 attempts)`);
    expect(sleeps).toEqual([375, 750]);
    expect(err.exitCode).toBe(ExitCode.NETWORK);
  });
});

describe('proxies', () => {
  it('carry an HTTPS request as a CONNECT tunnel when HTTPS_PROXY is set', async () => {
    const proxy = await startProxy();
    cleanups.push(() => proxy.close());
    // The tunnel's far end does not exist: what matters is that the request went to the proxy.
    const { c } = client('https://api.example.invalid', { env: { HTTPS_PROXY: proxy.url }, maxAttempts: 1 });
    await rejection(listDeployments(c));
    expect(proxy.carried).toEqual(['CONNECT api.example.invalid:443']);
  });

  it('are bypassed for hosts in NO_PROXY', async () => {
    const s = await server((_req, res) => res.end(envelope([])));
    const proxy = await startProxy();
    cleanups.push(() => proxy.close());
    const { c } = client(s.url, { env: { HTTP_PROXY: proxy.url, HTTPS_PROXY: proxy.url, NO_PROXY: 'localhost,127.0.0.1' } });
    await listDeployments(c);
    expect(proxy.carried).toEqual([]);
    expect(s.seen).toHaveLength(1);
  });

  it('are read from the env option only, never from process.env', async () => {
    const s = await server((_req, res) => res.end(envelope([])));
    const proxy = await startProxy();
    cleanups.push(() => proxy.close());
    const saved = process.env.http_proxy;
    process.env.http_proxy = proxy.url;
    try {
      // An HTTPS proxy is configured, so the proxy agent is built; the http target must still go direct.
      const { c } = client(s.url, { env: { HTTPS_PROXY: 'http://127.0.0.1:9' } });
      await listDeployments(c);
    } finally {
      if (saved === undefined) delete process.env.http_proxy;
      else process.env.http_proxy = saved;
    }
    expect(proxy.carried).toEqual([]);
    expect(s.seen).toHaveLength(1);
  });
});
