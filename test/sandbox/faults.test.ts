import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { faultsFromEnv, sandboxOptionsFromEnv, startSandbox } from '../../src/sandbox/index.js';
import type { Sandbox } from '../../src/sandbox/index.js';
import { UsageError } from '../../src/errors.js';
import { NO_DELAYS, call, create, createBody, data } from './helpers.js';

let sb: Sandbox | undefined;
afterEach(async () => {
  await sb?.close();
  sb = undefined;
});

const listCount = async (s: Sandbox) => (await data<unknown[]>(s, 'GET', '/list')).length;

/** A raw exchange with node:http, to see exactly what came back (or that nothing did). */
function raw(s: Sandbox, method: string, path: string, body?: string): Promise<{ status: number; text: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(s.url + path, { method, headers: { 'x-api-key': s.apiKey, 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text, headers: res.headers }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('fault kinds', () => {
  it('latency delays the answer, then answers normally', async () => {
    sb = await startSandbox({ delays: NO_DELAYS, faults: [{ kind: 'latency', ms: 300, match: { path: '/list' } }] });
    const t0 = performance.now();
    const r = await call(sb, 'GET', '/list');
    expect(performance.now() - t0).toBeGreaterThanOrEqual(280);
    expect(r.json?.code).toBe(10000);
    const t1 = performance.now();
    await call(sb, 'GET', '/list');
    expect(performance.now() - t1).toBeLessThan(280);
  });

  it('status answers that HTTP status with an envelope and does not apply the request', async () => {
    sb = await startSandbox({ delays: NO_DELAYS, faults: [{ kind: 'status', status: 503, match: { method: 'post', path: '/create' } }] });
    const r = await call(sb, 'POST', '/create', createBody());
    expect(r.status).toBe(503);
    expect(r.json).toEqual({ code: 10002, message: 'system error', data: null });
    expect(await listCount(sb)).toBe(0);
    expect((await call(sb, 'POST', '/create', createBody())).json?.code).toBe(10000);
  });

  it('html answers a gateway page, not JSON', async () => {
    sb = await startSandbox({ delays: NO_DELAYS, faults: [{ kind: 'html', status: 504 }] });
    const r = await call(sb, 'GET', '/list');
    expect(r.status).toBe(504);
    expect(r.headers.get('content-type')).toBe('text/html');
    expect(r.json).toBeUndefined();
    expect(r.text).toContain('<html>');
  });

  it('retry-after answers 429 with a Retry-After header', async () => {
    sb = await startSandbox({ delays: NO_DELAYS });
    sb.addFault({ kind: 'retry-after', retryAfterSeconds: 7, times: 2 });
    for (let i = 0; i < 2; i++) {
      const r = await call(sb, 'GET', '/list');
      expect(r.status).toBe(429);
      expect(r.headers.get('retry-after')).toBe('7');
      expect(r.json?.code).toBe(429);
    }
    expect((await call(sb, 'GET', '/list')).status).toBe(200);
  });

  it('reset-before drops the connection without applying the request', async () => {
    sb = await startSandbox({ delays: NO_DELAYS, faults: [{ kind: 'reset-before', match: { path: '/create' } }] });
    await expect(raw(sb, 'POST', '/openapi/v1/elastic/deploy/create', JSON.stringify(createBody()))).rejects.toThrow(/socket hang up|ECONNRESET/);
    expect(await listCount(sb)).toBe(0);
    expect(sb.requests[0]?.path).toBe('/openapi/v1/elastic/deploy/create');
  });

  it('reset-after applies the request, then drops the connection without answering', async () => {
    sb = await startSandbox({ delays: NO_DELAYS, faults: [{ kind: 'reset-after', match: { path: '/create' } }] });
    await expect(call(sb, 'POST', '/create', createBody())).rejects.toThrow();
    expect(await listCount(sb)).toBe(1);
  });

  it('numeric-ids writes every id as a bare JSON number with all 18 digits', async () => {
    sb = await startSandbox({ delays: NO_DELAYS });
    const d = await create(sb, { environmentVars: [{ key: 'TRICK', value: '"id":"123"' }] });
    const [w] = await data<{ id: string }[]>(sb, 'GET', `/${d.id}/workers`);
    sb.addFault({ kind: 'numeric-ids', times: 2 });
    const one = await raw(sb, 'GET', `/openapi/v1/elastic/deploy/${d.id}`);
    expect(one.text).toContain(`"id":${d.id},`);
    expect(one.text).not.toContain(`"id":"${d.id}"`);
    // A string value that merely looks like an id field is left alone.
    expect(one.text).toContain('"value":"\\"id\\":\\"123\\""');
    const ws = await raw(sb, 'GET', `/openapi/v1/elastic/deploy/${d.id}/workers`);
    expect(ws.text).toContain(`"id":${w!.id},`);
    expect((await raw(sb, 'GET', `/openapi/v1/elastic/deploy/${d.id}`)).text).toContain(`"id":"${d.id}"`);
  });

  it('envelope answers HTTP 200 with the given code and message, without applying', async () => {
    sb = await startSandbox({ delays: NO_DELAYS });
    sb.addFault({ kind: 'envelope', code: 10007, message: 'record does not exist', match: { path: '/create' } });
    const r = await call(sb, 'POST', '/create', createBody());
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ code: 10007, message: 'record does not exist', data: null });
    expect(await listCount(sb)).toBe(0);
  });
});

describe('fault matching and counting', () => {
  it('matches by method and by /regex/ path; times counts down; clearFaults removes all', async () => {
    sb = await startSandbox({ delays: NO_DELAYS });
    const d = await create(sb);
    sb.addFault({ kind: 'status', status: 500, match: { method: 'GET', path: '/^\\/openapi\\/v1\\/elastic\\/deploy\\/\\d+$/' }, times: 2 });
    expect((await call(sb, 'GET', '/list')).status).toBe(200);
    expect((await call(sb, 'POST', `/${d.id}/stop`)).status).toBe(200);
    expect((await call(sb, 'GET', `/${d.id}`)).status).toBe(500);
    expect((await call(sb, 'GET', `/${d.id}`)).status).toBe(500);
    expect((await call(sb, 'GET', `/${d.id}`)).status).toBe(200);
    sb.addFault({ kind: 'status', times: 100 });
    expect((await call(sb, 'GET', '/list')).status).toBe(503);
    sb.clearFaults();
    expect((await call(sb, 'GET', '/list')).status).toBe(200);
  });

  it('a fault comes before authentication, as a gateway in front would', async () => {
    sb = await startSandbox({ delays: NO_DELAYS, faults: [{ kind: 'html' }] });
    expect((await call(sb, 'GET', '/list', undefined, {})).status).toBe(502);
  });

  it('rejects a malformed rule', async () => {
    sb = await startSandbox({ delays: NO_DELAYS });
    // @ts-expect-error: an unknown kind, as JSON from the environment could carry
    expect(() => sb!.addFault({ kind: 'explode' })).toThrow(/kind must be one of/);
  });
});

describe('faults and options from the environment', () => {
  it('faultsFromEnv reads YOTTA_SANDBOX_FAULTS as a JSON array', async () => {
    expect(faultsFromEnv({})).toEqual([]);
    const rules = faultsFromEnv({ YOTTA_SANDBOX_FAULTS: '[{"kind":"status","status":503,"match":{"path":"/list"},"times":1}]' });
    expect(rules).toEqual([{ kind: 'status', status: 503, match: { path: '/list' }, times: 1 }]);
    sb = await startSandbox({ delays: NO_DELAYS, faults: rules });
    expect((await call(sb, 'GET', '/list')).status).toBe(503);
    expect((await call(sb, 'GET', '/list')).status).toBe(200);
  });

  it('faultsFromEnv names the variable when it is wrong', () => {
    expect(() => faultsFromEnv({ YOTTA_SANDBOX_FAULTS: '[{' })).toThrow(UsageError);
    expect(() => faultsFromEnv({ YOTTA_SANDBOX_FAULTS: '[{' })).toThrow(/YOTTA_SANDBOX_FAULTS is not valid JSON/);
    expect(() => faultsFromEnv({ YOTTA_SANDBOX_FAULTS: '{"kind":"html"}' })).toThrow(/must be a JSON array/);
    expect(() => faultsFromEnv({ YOTTA_SANDBOX_FAULTS: '[{"kind":"html","status":"x"}]' })).toThrow(/YOTTA_SANDBOX_FAULTS\[0\]: status/);
  });

  it('sandboxOptionsFromEnv reads delays, limits, capacity, key and faults', () => {
    expect(sandboxOptionsFromEnv({})).toEqual({});
    expect(sandboxOptionsFromEnv({ YOTTA_SANDBOX_DELAY_MS: '0' })).toEqual({ delays: { workerStartMs: 0, stopMs: 0, terminateMs: 0 }, taskMs: 0 });
    expect(
      sandboxOptionsFromEnv({
        YOTTA_SANDBOX_DELAY_MS: '100',
        YOTTA_SANDBOX_WORKER_START_MS: '5000',
        YOTTA_SANDBOX_DEPLOYMENT_LIMIT: '3',
        YOTTA_SANDBOX_GPU_CAPACITY: '16',
        YOTTA_SANDBOX_API_KEY: 'sandbox-other-key',
        YOTTA_SANDBOX_FAULTS: '[{"kind":"html"}]',
      }),
    ).toEqual({
      delays: { workerStartMs: 5000, stopMs: 100, terminateMs: 100 },
      taskMs: 100,
      deploymentLimit: 3,
      gpuCapacity: { '*': 16 },
      apiKey: 'sandbox-other-key',
      faults: [{ kind: 'html' }],
    });
    expect(sandboxOptionsFromEnv({ YOTTA_SANDBOX_GPU_CAPACITY: '{"us-east-1/NVIDIA_H100_80G": 8}' }).gpuCapacity).toEqual({
      'us-east-1/NVIDIA_H100_80G': 8,
    });
    expect(() => sandboxOptionsFromEnv({ YOTTA_SANDBOX_DELAY_MS: 'soon' })).toThrow(/YOTTA_SANDBOX_DELAY_MS must be a non-negative integer/);
    expect(() => sandboxOptionsFromEnv({ YOTTA_SANDBOX_GPU_CAPACITY: '{"a": -1}' })).toThrow(/YOTTA_SANDBOX_GPU_CAPACITY/);
  });
});
