/**
 * The sandbox's worker-logs endpoint over real HTTP: lines derived from the worker's timeline,
 * pagination with the page tokens both ways, the time window, the keyword, replaced workers, the
 * errors, and fault injection on the route.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startSandbox } from '../../src/sandbox/index.js';
import type { Sandbox } from '../../src/sandbox/index.js';
import type { ElasticDeploymentWorkerDetail } from '../../src/api/types.js';
import { HEARTBEAT_MS } from '../../src/sandbox/worker-logs.js';
import { create, data, manualClock } from './helpers.js';

let sb: Sandbox | undefined;
afterEach(async () => {
  await sb?.close();
  sb = undefined;
});

interface Page {
  logs: { timestamp: string; log: string; offset: number }[];
  hasMore: boolean;
  nextSearchAfterTime: string | null;
  nextSearchAfterOffset: string | null;
}

const DELAYS = { workerStartMs: 3000, stopMs: 2000, terminateMs: 2000 };

/** The v2 path, called as it is (call() prefixes v1 paths). */
async function raw(s: Sandbox, path: string): Promise<{ status: number; code: number | undefined; message: string | undefined }> {
  const res = await fetch(s.url + path, { headers: { 'X-API-Key': s.apiKey } });
  const body = (await res.json()) as { code?: number; message?: string };
  return { status: res.status, code: body.code, message: body.message };
}

/** Every line in the window, page after page with the tokens. */
async function allForward(s: Sandbox, id: string, worker: string, q: Record<string, string> = {}): Promise<Page['logs']> {
  const out: Page['logs'] = [];
  let tokens: Record<string, string> = {};
  for (let i = 0; i < 1000; i++) {
    const page = await get(s, id, worker, { ...q, ...tokens });
    out.push(...page.logs);
    if (!page.hasMore) return out;
    tokens = { searchAfterTime: page.nextSearchAfterTime!, searchAfterOffset: page.nextSearchAfterOffset! };
  }
  throw new Error('too many pages');
}

/** One page (fails the test on anything but success). */
async function get(s: Sandbox, id: string, worker: string, q: Record<string, string>): Promise<Page> {
  const res = await fetch(`${s.url}/v2/serverless/${id}/workers/${worker}/logs?${new URLSearchParams(q).toString()}`, { headers: { 'X-API-Key': s.apiKey } });
  const body = (await res.json()) as { code: number; data: Page };
  if (body.code !== 10000) throw new Error(`logs failed: ${JSON.stringify(body)}`);
  return body.data;
}

describe('worker logs in the sandbox', () => {
  it('tells a worker life: image pull, the command echoed, vLLM start, metrics every few seconds, shutdown on stop', async () => {
    const clock = manualClock();
    sb = await startSandbox({ delays: DELAYS, now: clock.now });
    const d = await create(sb, { workers: 1 });
    const [w] = await data<ElasticDeploymentWorkerDetail[]>(sb, 'GET', `/${d.id}/workers`);
    clock.advance(3000 + 60_000);
    await data(sb, 'POST', `/${d.id}/stop`);
    clock.advance(5000);
    const lines = await allForward(sb, d.id, w!.id, { pageSize: '7' });
    const text = lines.map((l) => l.log);
    expect(text[1]).toBe('Pulling image vllm/vllm-openai:latest from index.docker.io');
    expect(text).toContain('$ vllm serve meta-llama/Llama-3-8B');
    expect(text.some((t) => /Starting vLLM API server on http:\/\/0\.0\.0\.0:8000/.test(t))).toBe(true);
    expect(text.filter((t) => t.includes('Avg prompt throughput'))).toHaveLength(60_000 / HEARTBEAT_MS - 1);
    expect(text.slice(-2)).toEqual(['INFO:     Finished server process [1]', 'Container exited with code 0']);
    // Offsets 1..n with no gap, timestamps never going back.
    expect(lines.map((l) => l.offset)).toEqual(lines.map((_, i) => i + 1));
    const ts = lines.map((l) => Date.parse(l.timestamp));
    expect([...ts].sort((a, b) => a - b)).toEqual(ts);
  });

  it('gives the same lines to every reader, and only lines up to the clock', async () => {
    const clock = manualClock();
    sb = await startSandbox({ delays: DELAYS, now: clock.now, statePath: undefined });
    const d = await create(sb, { workers: 1, image: 'ghcr.io/acme/worker:1.2', initializationCommand: 'python serve.py' });
    const [w] = await data<ElasticDeploymentWorkerDetail[]>(sb, 'GET', `/${d.id}/workers`);
    clock.advance(3000 + 20_000);
    const first = await allForward(sb, d.id, w!.id);
    const again = await allForward(sb, d.id, w!.id);
    expect(again).toEqual(first);
    expect(first.filter((l) => l.log.startsWith('heartbeat: ok, uptime'))).toHaveLength(4);
    expect(first.map((l) => l.log)).toContain('$ python serve.py');
    for (const l of first) expect(Date.parse(l.timestamp)).toBeLessThanOrEqual(clock.now());
  });

  it('pages backward from the newest line and forward from any token, with no line twice', async () => {
    const clock = manualClock();
    sb = await startSandbox({ delays: DELAYS, now: clock.now });
    const d = await create(sb, { workers: 1 });
    const [w] = await data<ElasticDeploymentWorkerDetail[]>(sb, 'GET', `/${d.id}/workers`);
    clock.advance(3000 + 100_000);
    const all = await allForward(sb, d.id, w!.id, { pageSize: '1000' });
    const back1 = await get(sb, d.id, w!.id, { direction: 'Backward', pageSize: '5' });
    expect(back1.logs.map((l) => l.offset)).toEqual([0, 1, 2, 3, 4].map((i) => all.length - i));
    expect(back1.hasMore).toBe(true);
    const back2 = await get(sb, d.id, w!.id, { direction: 'Backward', pageSize: '5', searchAfterTime: back1.nextSearchAfterTime!, searchAfterOffset: back1.nextSearchAfterOffset! });
    expect(back2.logs.map((l) => l.offset)).toEqual([5, 6, 7, 8, 9].map((i) => all.length - i));
    const fwd = await get(sb, d.id, w!.id, { pageSize: '3', searchAfterTime: back2.nextSearchAfterTime!, searchAfterOffset: back2.nextSearchAfterOffset! });
    expect(fwd.logs.map((l) => l.offset)).toEqual([8, 7, 6].map((i) => all.length - i));
  });

  it('filters by time window and keyword on the server', async () => {
    const clock = manualClock();
    sb = await startSandbox({ delays: DELAYS, now: clock.now });
    const d = await create(sb, { workers: 1 });
    const [w] = await data<ElasticDeploymentWorkerDetail[]>(sb, 'GET', `/${d.id}/workers`);
    const t0 = clock.now();
    clock.advance(3000 + 60_000);
    const from = t0 + 3000 + 20_000;
    const to = new Date(t0 + 3000 + 30_000).toISOString();
    const window = await allForward(sb, d.id, w!.id, { startTime: String(from), endTime: to });
    expect(window.map((l) => Date.parse(l.timestamp))).toEqual([20_000, 25_000, 30_000].map((x) => t0 + 3000 + x));
    const found = await allForward(sb, d.id, w!.id, { keyword: 'PULL COMPLETE' });
    expect(found.length).toBeGreaterThanOrEqual(3);
    for (const l of found) expect(l.log).toMatch(/Pull complete$/);
  });

  it('keeps the logs of a worker replaced by a restart, ending in the SANDBOX_FAIL error', async () => {
    const clock = manualClock();
    sb = await startSandbox({ delays: DELAYS, now: clock.now });
    const d = await create(sb, { workers: 1, environmentVars: [{ key: 'SANDBOX_FAIL', value: '1' }] });
    const [w] = await data<ElasticDeploymentWorkerDetail[]>(sb, 'GET', `/${d.id}/workers`);
    clock.advance(4000);
    expect(w).toBeDefined();
    await data(sb, 'POST', `/${d.id}/start`);
    const now = await data<ElasticDeploymentWorkerDetail[]>(sb, 'GET', `/${d.id}/workers`);
    expect(now.map((x) => x.id)).not.toContain(w!.id);
    const lines = await allForward(sb, d.id, w!.id);
    expect(lines.slice(-2).map((l) => l.log)).toEqual([
      "Error: SANDBOX_FAIL=1 is set in the deployment's environment, so the sandbox fails this worker as it starts",
      'Container exited with code 1; worker FAILED',
    ]);
  });

  it('answers 40402 for an unknown worker, 14000 for an unknown deployment, 10001 for bad parameters', async () => {
    sb = await startSandbox({ delays: DELAYS });
    const d = await create(sb, { workers: 1 });
    expect(await raw(sb, `/v2/serverless/${d.id}/workers/123/logs`)).toMatchObject({ status: 404, code: 40402 });
    expect(await raw(sb, `/v2/serverless/999999999999999999/workers/123/logs`)).toMatchObject({ status: 404, code: 14000 });
    const [w] = await data<ElasticDeploymentWorkerDetail[]>(sb, 'GET', `/${d.id}/workers`);
    expect(await raw(sb, `/v2/serverless/${d.id}/workers/${w!.id}/logs?pageSize=1001`)).toMatchObject({ code: 10001 });
    expect(await raw(sb, `/v2/serverless/${d.id}/workers/${w!.id}/logs?direction=Sideways`)).toMatchObject({ code: 10001 });
    expect(await raw(sb, `/v2/serverless/${d.id}/workers/${w!.id}/logs?startTime=yesterday`)).toMatchObject({ code: 10001 });
  });

  it('injects faults on the logs route like on any other', async () => {
    sb = await startSandbox({ delays: DELAYS, faults: [{ kind: 'status', status: 503, match: { path: '/logs' } }] });
    const d = await create(sb, { workers: 1 });
    const [w] = await data<ElasticDeploymentWorkerDetail[]>(sb, 'GET', `/${d.id}/workers`);
    expect(await raw(sb, `/v2/serverless/${d.id}/workers/${w!.id}/logs`)).toMatchObject({ status: 503 });
    expect(await raw(sb, `/v2/serverless/${d.id}/workers/${w!.id}/logs`)).toMatchObject({ status: 200, code: 10000 });
  });

  it('serves a page deep in a million-line backlog without building the backlog', async () => {
    const clock = manualClock();
    sb = await startSandbox({ delays: DELAYS, now: clock.now });
    const d = await create(sb, { workers: 1 });
    const [w] = await data<ElasticDeploymentWorkerDetail[]>(sb, 'GET', `/${d.id}/workers`);
    clock.advance(3000 + 1_000_000 * HEARTBEAT_MS);
    const back = await get(sb, d.id, w!.id, { direction: 'Backward', pageSize: '2' });
    expect(back.logs[0]!.offset).toBeGreaterThan(1_000_000);
    const mid = await get(sb, d.id, w!.id, { pageSize: '1000', searchAfterTime: String(clock.now() - 500_000 * HEARTBEAT_MS), searchAfterOffset: '1' });
    expect(mid.logs).toHaveLength(1000);
    expect(mid.hasMore).toBe(true);
  });
});
