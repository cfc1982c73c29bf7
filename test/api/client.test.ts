/**
 * The API client against the emulator over real loopback HTTP: envelopes, errors, ids, retries,
 * Retry-After, timeouts, the write-safety rule, query and path encoding, Ctrl-C and trace masking.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiClient, type ClientOptions, type TraceEvent } from '../../src/api/client.js';
import {
  createDeployment,
  deleteDeployment,
  getDeployment,
  listDeployments,
  listWorkers,
  scaleDeployment,
  startDeployment,
  stopDeployment,
  updateDeployment,
} from '../../src/api/deployments.js';
import type { CreateDeploymentRequest } from '../../src/api/types.js';
import { ApiError, ExitCode, InterruptedError, NetworkError, UsageError } from '../../src/errors.js';
import { maskKey } from '../../src/redact.js';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../src/sandbox/index.js';

const KEY = 'yk-Distinctive-Key-8c1d2e3f4a5b';
const HF_TOKEN = 'hf_SuperSecretTokenValue_9d8c';

const SPEC: CreateDeploymentRequest = {
  name: 'web',
  image: 'nginx:1.27',
  resources: [{ region: 'us-east-1', gpuType: 'NVIDIA_H100_80G', gpuCount: 1 }],
  containerVolumeInGb: 20,
  workers: 1,
  serviceMode: 'CUSTOM',
  initializationCommand: 'nginx -g "daemon off;"',
  environmentVars: [
    { key: 'HF_TOKEN', value: HF_TOKEN },
    { key: 'LOG_LEVEL', value: 'debug' },
  ],
};

let sandbox: Sandbox;
const clients: ApiClient[] = [];

async function start(o: SandboxOptions = {}): Promise<Sandbox> {
  await sandbox?.close();
  sandbox = await startSandbox({ apiKey: KEY, delays: { workerStartMs: 0, stopMs: 0, terminateMs: 0 }, ...o });
  return sandbox;
}

beforeEach(async () => {
  await start();
});
afterEach(async () => {
  while (clients.length) await clients.pop()?.close();
  await sandbox.close();
});

interface Harness {
  c: ApiClient;
  sleeps: number[];
  traces: TraceEvent[];
}

function client(o: Partial<ClientOptions> = {}): Harness {
  const sleeps: number[] = [];
  const traces: TraceEvent[] = [];
  const c = new ApiClient({
    baseUrl: sandbox.url,
    apiKey: KEY,
    userAgent: 'yotta-cli/0.0.0-test node/24',
    env: {},
    random: () => 0.5,
    sleep: async (ms, signal) => {
      sleeps.push(ms);
      if (signal?.aborted) throw signal.reason;
    },
    trace: (e) => traces.push(e),
    ...o,
  });
  clients.push(c);
  return { c, sleeps, traces };
}

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the call to fail');
}

const calls = (method: string, pathPart: string) =>
  sandbox.requests.filter((r) => r.method === method && r.path.includes(pathPart));

describe('every endpoint', () => {
  it('round-trips a deployment through create, get, list, workers, scale, stop, update, start, delete', async () => {
    const { c } = client();
    const created = await createDeployment(c, SPEC);
    expect(created.id).toMatch(/^\d{18}$/);
    expect(created.name).toBe('web');
    expect((await getDeployment(c, created.id)).id).toBe(created.id);
    expect((await listDeployments(c)).map((d) => d.id)).toEqual([created.id]);
    expect(Array.isArray(await listWorkers(c, created.id))).toBe(true);
    await scaleDeployment(c, created.id, 2);
    await stopDeployment(c, created.id);
    const updated = await updateDeployment(c, created.id, {
      name: 'web2',
      resources: SPEC.resources,
      containerVolumeInGb: 30,
      workers: 1,
    });
    expect(updated.name).toBe('web2');
    await startDeployment(c, created.id);
    await stopDeployment(c, created.id);
    expect(await deleteDeployment(c, created.id)).toBeNull();
    expect(sandbox.requests.map((r) => `${r.method} ${r.path.replace(created.id, '{id}')}`)).toEqual([
      'POST /openapi/v1/elastic/deploy/create',
      'GET /openapi/v1/elastic/deploy/{id}',
      'GET /openapi/v1/elastic/deploy/list',
      'GET /openapi/v1/elastic/deploy/{id}/workers',
      'POST /openapi/v1/elastic/deploy/{id}/workers',
      'POST /openapi/v1/elastic/deploy/{id}/stop',
      'POST /openapi/v1/elastic/deploy/{id}/update',
      'POST /openapi/v1/elastic/deploy/{id}/start',
      'POST /openapi/v1/elastic/deploy/{id}/stop',
      'DELETE /openapi/v1/elastic/deploy/{id}',
    ]);
    expect(calls('POST', '/workers')[0]?.body).toEqual({ workers: 2 });
  });

  it('sends the key, Accept and User-Agent, and Content-Type only with a body', async () => {
    const { c } = client();
    const d = await createDeployment(c, SPEC);
    await stopDeployment(c, d.id);
    const [create, stop] = sandbox.requests;
    for (const r of [create!, stop!]) {
      expect(r.headers['x-api-key']).toBe(KEY);
      expect(r.headers.accept).toBe('application/json');
      expect(r.headers['user-agent']).toBe('yotta-cli/0.0.0-test node/24');
    }
    expect(create!.headers['content-type']).toBe('application/json');
    expect(stop!.headers['content-type']).toBeUndefined();
    expect(stop!.body).toBeUndefined();
  });

  it('sends statusList as repeated parameters', async () => {
    const { c } = client();
    const d = await createDeployment(c, SPEC);
    await listDeployments(c, { statusList: ['RUNNING', 'STOPPED'] });
    await listWorkers(c, d.id, { statusList: ['RUNNING', 'TERMINATED'] });
    await listDeployments(c, { statusList: [] });
    expect(calls('GET', '/list')[0]?.query).toEqual({ statusList: ['RUNNING', 'STOPPED'] });
    expect(calls('GET', '/workers')[0]?.query).toEqual({ statusList: ['RUNNING', 'TERMINATED'] });
    expect(calls('GET', '/list')[1]?.query).toEqual({});
  });

  it('percent-encodes an id so it stays one path segment', async () => {
    const { c } = client();
    const err = (await rejection(getDeployment(c, 'a/b c?x#y'))) as ApiError;
    expect(sandbox.requests[0]?.path).toBe('/openapi/v1/elastic/deploy/a%2Fb%20c%3Fx%23y');
    expect(sandbox.requests[0]?.query).toEqual({});
    expect(err.code).toBe(24001);
    await rejection(stopDeployment(c, '../create'));
    expect(sandbox.requests[1]?.path).toBe('/openapi/v1/elastic/deploy/..%2Fcreate/stop');
  });

  it('refuses ids a URL parser would resolve away, before sending anything', async () => {
    const { c } = client();
    for (const id of ['', '.', '..']) {
      await expect(deleteDeployment(c, id)).rejects.toBeInstanceOf(UsageError);
    }
    expect(sandbox.requests).toEqual([]);
  });
});

describe('envelope errors', () => {
  const cases: [number, string, number][] = [
    [10001, 'parameter error: name is required', ExitCode.USAGE],
    [10007, 'Record does not exist', ExitCode.NOT_FOUND],
    [24001, 'Elastic does not exist', ExitCode.NOT_FOUND],
    [24002, 'Elastic action not allowed', ExitCode.STATE],
    [24003, "You've reached the limit of 5 deployment", ExitCode.QUOTA],
    [24009, 'Insufficient GPUs available to start the requested number of workers.', ExitCode.QUOTA],
  ];
  for (const [code, message, exitCode] of cases) {
    it(`code ${code} on HTTP 200 is an ApiError with the server's message and code`, async () => {
      sandbox.addFault({ kind: 'envelope', code, message });
      const { c, sleeps } = client();
      const err = (await rejection(getDeployment(c, '378888638324150969'))) as ApiError;
      expect(err).toBeInstanceOf(ApiError);
      expect(err.message).toBe(`${message} (code ${code})`);
      expect(err.details).toEqual({
        httpStatus: 200,
        code,
        serverMessage: message,
        method: 'GET',
        path: '/openapi/v1/elastic/deploy/378888638324150969',
      });
      expect(err.exitCode).toBe(exitCode);
      expect(sandbox.requests).toHaveLength(1);
      expect(sleeps).toEqual([]);
    });
  }

  it('come from the emulator itself for real situations', async () => {
    await start({ apiKey: KEY, delays: { workerStartMs: 0, stopMs: 0, terminateMs: 0 }, deploymentLimit: 1 });
    const { c } = client();
    const d = await createDeployment(c, SPEC);
    const codeOf = async (p: Promise<unknown>) => ((await rejection(p)) as ApiError).code;
    expect(await codeOf(deleteDeployment(c, d.id))).toBe(24002);
    expect(await codeOf(createDeployment(c, SPEC))).toBe(24003);
    expect(await codeOf(getDeployment(c, '999999999999999999'))).toBe(24001);
    expect(await codeOf(createDeployment(c, { ...SPEC, name: '1-starts-with-a-digit' }))).toBe(10001);
    const err = (await rejection(deleteDeployment(c, d.id))) as ApiError;
    expect(err.message).toBe('Elastic action not allowed (code 24002)');
    expect(err.details.method).toBe('DELETE');
  });

  it('24009 when there are not enough GPUs', async () => {
    await start({ apiKey: KEY, delays: { workerStartMs: 0, stopMs: 0, terminateMs: 0 }, gpuCapacity: { '*': 0 } });
    const { c } = client();
    const err = (await rejection(createDeployment(c, SPEC))) as ApiError;
    expect(err.code).toBe(24009);
    expect(err.exitCode).toBe(ExitCode.QUOTA);
  });

  it('never echo the key even when the server message contains it', async () => {
    sandbox.addFault({ kind: 'envelope', code: 10001, message: `bad key ${KEY}` });
    const { c } = client();
    const err = (await rejection(listDeployments(c))) as ApiError;
    expect(err.message).toBe(`bad key ${maskKey(KEY)} (code 10001)`);
    expect(JSON.stringify(err.details)).not.toContain(KEY);
  });
});

describe('HTTP errors', () => {
  it('401 with a wrong key is an ApiError with exit code 3 and a hint', async () => {
    const { c } = client({ apiKey: 'yk-wrong-key-000000000000' });
    const err = (await rejection(listDeployments(c))) as ApiError;
    expect(err).toBeInstanceOf(ApiError);
    expect(err.httpStatus).toBe(401);
    expect(err.exitCode).toBe(ExitCode.AUTH);
    expect(err.message).toBe('unauthorized: invalid API key (code 401)');
    expect(err.hint).toContain('yotta auth login');
    expect(sandbox.requests).toHaveLength(1);
  });

  it('an HTML 502 page becomes a clean excerpt; a GET is retried up to the limit', async () => {
    sandbox.addFault({ kind: 'html', status: 502, times: 10 });
    const { c, sleeps } = client();
    const err = (await rejection(listDeployments(c))) as ApiError;
    expect(err).toBeInstanceOf(ApiError);
    expect(err.message).toBe(
      'GET /openapi/v1/elastic/deploy/list: HTTP 502 Bad Gateway, not a JSON response: "502 Bad Gateway 502 Bad Gateway nginx" (after 3 attempts)',
    );
    expect(err.details).toMatchObject({ httpStatus: 502, bodyExcerpt: '502 Bad Gateway 502 Bad Gateway nginx' });
    expect(err.exitCode).toBe(ExitCode.ERROR);
    expect(sandbox.requests).toHaveLength(3);
    expect(sleeps).toEqual([375, 750]);
  });

  it('a gateway 502 on a write is not retried and its outcome is unknown', async () => {
    sandbox.addFault({ kind: 'html', status: 502, match: { method: 'POST' } });
    const { c, sleeps } = client();
    const err = (await rejection(createDeployment(c, SPEC))) as NetworkError;
    expect(err).toBeInstanceOf(NetworkError);
    expect(err.details).toMatchObject({ outcomeUnknown: true, attempts: 1 });
    expect(err.message).toContain('HTTP 502 Bad Gateway');
    expect(err.message).toContain('yotta deploy list');
    expect(sandbox.requests).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });
});

describe('ids', () => {
  it('keep all 18 digits when the server sends them as bare JSON numbers', async () => {
    const { c } = client();
    const d = await createDeployment(c, SPEC);
    sandbox.addFault({ kind: 'numeric-ids', match: { path: '/list' } });
    sandbox.addFault({ kind: 'numeric-ids', match: { path: '/workers' } });
    sandbox.addFault({ kind: 'numeric-ids', match: { method: 'GET', path: `/${d.id}` } });
    const [listed] = await listDeployments(c);
    expect(listed?.id).toBe(d.id);
    expect(typeof listed?.id).toBe('string');
    const workers = await listWorkers(c, d.id);
    for (const w of workers) expect(w.id).toMatch(/^\d+$/);
    expect((await getDeployment(c, d.id)).id).toBe(d.id);
    expect(Number.isSafeInteger(Number(d.id))).toBe(false);
  });
});

describe('retries', () => {
  it('a GET is retried on 503 with backoff and then succeeds', async () => {
    sandbox.addFault({ kind: 'status', status: 503, times: 2 });
    const { c, sleeps, traces } = client();
    expect(await listDeployments(c)).toEqual([]);
    expect(sandbox.requests).toHaveLength(3);
    expect(sleeps).toEqual([375, 750]);
    expect(traces.map((t) => [t.attempt, t.status])).toEqual([
      [1, 503],
      [2, 503],
      [3, 200],
    ]);
  });

  it('maxAttempts bounds the retries and the error says what was tried', async () => {
    sandbox.addFault({ kind: 'status', status: 504, code: 10002, message: 'system error', times: 10 });
    const { c, sleeps } = client({ maxAttempts: 5 });
    const err = (await rejection(listDeployments(c))) as ApiError;
    expect(err.message).toBe('system error (code 10002) (after 5 attempts)');
    expect(sandbox.requests).toHaveLength(5);
    // Capped exponential backoff, half fixed and half jitter (random() = 0.5 here).
    expect(sleeps).toEqual([375, 750, 1500, 3000]);
  });

  it('Retry-After seconds are honoured exactly', async () => {
    sandbox.addFault({ kind: 'retry-after', retryAfterSeconds: 2, times: 2 });
    const { c, sleeps } = client();
    await listDeployments(c);
    expect(sleeps).toEqual([2000, 2000]);
    expect(sandbox.requests).toHaveLength(3);
  });

  it('a 429 on a write is retried: the rate limiter refused it before it was handled', async () => {
    sandbox.addFault({ kind: 'retry-after', retryAfterSeconds: 1, match: { method: 'POST' } });
    const { c, sleeps } = client();
    const d = await createDeployment(c, SPEC);
    expect(sleeps).toEqual([1000]);
    expect(calls('POST', '/create')).toHaveLength(2);
    expect((await listDeployments(c)).map((x) => x.id)).toEqual([d.id]);
  });

  it('a GET is retried after the connection is reset', async () => {
    sandbox.addFault({ kind: 'reset-before', match: { method: 'GET' } });
    sandbox.addFault({ kind: 'reset-after', match: { method: 'GET' } });
    const { c, sleeps } = client();
    expect(await listDeployments(c)).toEqual([]);
    expect(sandbox.requests).toHaveLength(3);
    expect(sleeps).toHaveLength(2);
  });
});

describe('writes are never re-sent once they may have reached the server', () => {
  it('reset-after on a POST: one request, outcome unknown, and the deployment does exist', async () => {
    sandbox.addFault({ kind: 'reset-after', match: { method: 'POST', path: '/create' } });
    const { c, sleeps } = client();
    const err = (await rejection(createDeployment(c, SPEC))) as NetworkError;
    expect(err).toBeInstanceOf(NetworkError);
    expect(err.details).toEqual({
      method: 'POST',
      path: '/openapi/v1/elastic/deploy/create',
      outcomeUnknown: true,
      check: 'yotta deploy list',
      timedOut: false,
      attempts: 1,
    });
    expect(err.message).toMatch(/the outcome is unknown/);
    expect(err.message).toContain('`yotta deploy list` or `yotta deploy get <id>`');
    expect(err.exitCode).toBe(ExitCode.NETWORK);
    expect(calls('POST', '/create')).toHaveLength(1);
    expect(sleeps).toEqual([]);
    // Why it must not be re-sent: the first one was applied.
    expect(await listDeployments(c)).toHaveLength(1);
  });

  it('reset-before on a POST is treated the same: the client cannot tell it from reset-after', async () => {
    const { c } = client();
    const d = await createDeployment(c, SPEC);
    sandbox.addFault({ kind: 'reset-before', match: { method: 'POST' } });
    const err = (await rejection(stopDeployment(c, d.id))) as NetworkError;
    expect(err.details.outcomeUnknown).toBe(true);
    expect(calls('POST', '/stop')).toHaveLength(1);
  });

  it('a DELETE that times out: one request, timed out, outcome unknown, --timeout named', async () => {
    const { c } = client();
    const d = await createDeployment(c, SPEC);
    await stopDeployment(c, d.id);
    sandbox.addFault({ kind: 'latency', ms: 1000, match: { method: 'DELETE' } });
    const slow = client({ timeoutMs: 100 });
    const err = (await rejection(deleteDeployment(slow.c, d.id))) as NetworkError;
    expect(err.details).toMatchObject({ outcomeUnknown: true, timedOut: true, attempts: 1 });
    expect(err.message).toContain(`DELETE /openapi/v1/elastic/deploy/${d.id} timed out after 100ms`);
    expect(err.message).toContain('--timeout');
    expect(err.message).toContain('yotta deploy get <id>');
    expect(calls('DELETE', d.id)).toHaveLength(1);
  });
});

describe('timeouts', () => {
  it('a slow GET times out per attempt and is retried', async () => {
    sandbox.addFault({ kind: 'latency', ms: 1000, times: 1 });
    const { c, traces } = client({ timeoutMs: 100 });
    expect(await listDeployments(c)).toEqual([]);
    expect(traces[0]?.error).toContain('timed out after 100ms');
    expect(traces[0]?.status).toBeUndefined();
    expect(traces[1]?.status).toBe(200);
  });

  it('after the last attempt: NetworkError with timedOut and a message naming --timeout', async () => {
    sandbox.addFault({ kind: 'latency', ms: 1000, times: 3 });
    const { c } = client({ timeoutMs: 100 });
    const started = performance.now();
    const err = (await rejection(listDeployments(c))) as NetworkError;
    expect(performance.now() - started).toBeLessThan(900);
    expect(err).toBeInstanceOf(NetworkError);
    expect(err.details).toMatchObject({ timedOut: true, outcomeUnknown: false, attempts: 3 });
    expect(err.message).toBe('GET /openapi/v1/elastic/deploy/list timed out after 100ms (after 3 attempts); raise it with --timeout');
  });
});

describe('Ctrl-C', () => {
  it('aborts the request in flight', async () => {
    sandbox.addFault({ kind: 'latency', ms: 5000 });
    const controller = new AbortController();
    const { c } = client({ signal: controller.signal });
    setTimeout(() => controller.abort(new DOMException('interrupted', 'AbortError')), 100);
    const started = performance.now();
    const err = await rejection(listDeployments(c));
    expect(err).toBeInstanceOf(InterruptedError);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('aborts a backoff wait', async () => {
    sandbox.addFault({ kind: 'status', status: 503, times: 5 });
    const controller = new AbortController();
    const { c } = client({
      signal: controller.signal,
      sleep: (_ms, signal) =>
        new Promise((_resolve, reject) => {
          signal?.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
          controller.abort(new DOMException('interrupted', 'AbortError'));
        }),
    });
    const err = await rejection(listDeployments(c));
    expect(err).toBeInstanceOf(InterruptedError);
    expect(sandbox.requests).toHaveLength(1);
  });

  it('sends nothing when already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const { c } = client({ signal: controller.signal });
    await expect(listDeployments(c)).rejects.toBeInstanceOf(InterruptedError);
    expect(sandbox.requests).toEqual([]);
  });
});

describe('trace', () => {
  it('has one event per attempt with the key and secret env values masked, never raw', async () => {
    const { c, traces } = client();
    const errors: string[] = [];
    const d = await createDeployment(c, SPEC);
    await getDeployment(c, d.id);
    sandbox.addFault({ kind: 'status', status: 503, match: { method: 'GET' } });
    await listDeployments(c);
    sandbox.addFault({ kind: 'reset-after', match: { method: 'POST' } });
    errors.push((await rejection(scaleDeployment(c, d.id, 3))).message);
    sandbox.addFault({ kind: 'envelope', code: 10001, message: `echo ${KEY} ${HF_TOKEN}` });
    errors.push((await rejection(createDeployment(c, SPEC))).message);

    expect(traces.map((t) => `${t.method} ${t.attempt} ${t.status ?? 'x'}`)).toEqual([
      'POST 1 200',
      'GET 1 200',
      'GET 1 503',
      'GET 2 200',
      'POST 1 x',
      'POST 1 200',
    ]);
    const create = traces[0]!;
    expect(create.url).toBe(`${sandbox.url}/openapi/v1/elastic/deploy/create`);
    expect(create.requestHeaders['X-API-Key']).toBe(maskKey(KEY));
    expect(create.requestHeaders['Content-Type']).toBe('application/json');
    expect(create.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(create.durationMs).toBeGreaterThanOrEqual(0);
    const sent = JSON.parse(create.requestBody!) as CreateDeploymentRequest;
    expect(sent.environmentVars).toEqual([
      { key: 'HF_TOKEN', value: maskKey(HF_TOKEN) },
      { key: 'LOG_LEVEL', value: 'debug' },
    ]);
    expect(create.responseBody).toContain(maskKey(HF_TOKEN));
    expect(traces[4]?.error).toMatch(/outcome is unknown/);
    expect(errors[1]).toBe(`echo ${maskKey(KEY)} ${maskKey(HF_TOKEN)} (code 10001)`);

    const everything = JSON.stringify(traces) + errors.join('\n');
    expect(everything).not.toContain(KEY);
    expect(everything).not.toContain(HF_TOKEN);
  });
});
