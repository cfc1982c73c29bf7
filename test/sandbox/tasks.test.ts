/**
 * The emulator's tasks (v2 endpoints of QUEUE deployments) and ALB services, over real HTTP: the
 * state rules, codes, pagination, the rate limit and cap, persistence, and the Bearer check.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { startSandbox } from '../../src/sandbox/index.js';
import type { Sandbox, SandboxOptions } from '../../src/sandbox/index.js';
import { TASK_CAP } from '../../src/sandbox/tasks.js';
import { tempDir } from '../helpers/cli.js';
import { call, createBody } from './helpers.js';
import type { ElasticDeploymentDetail } from '../../src/api/types.js';

const open: Sandbox[] = [];
afterEach(async () => {
  while (open.length) await open.pop()!.close();
});

/** A clock the test moves. */
class Clock {
  t = Date.parse('2025-06-01T12:00:00Z');
  now = (): number => this.t;
}

async function sandbox(o: SandboxOptions = {}): Promise<Sandbox> {
  const sb = await startSandbox({ delays: { workerStartMs: 0, stopMs: 0, terminateMs: 0 }, taskMs: 1000, ...o });
  open.push(sb);
  return sb;
}

async function deployment(sb: Sandbox, over: Record<string, unknown>): Promise<ElasticDeploymentDetail> {
  const r = await call(sb, 'POST', '/create', createBody(over));
  expect(r.json?.code).toBe(10000);
  return r.json!.data as ElasticDeploymentDetail;
}

const tasksPath = (id: string, rest = ''): string => `/v2/serverless/${id}/tasks${rest}`;
/** What an answer's data holds, loosely typed: the tests read whatever the emulator answered. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = any;

const v2 = (sb: Sandbox, method: string, id: string, rest = '', body?: unknown) =>
  fetch(`${sb.url}${tasksPath(id, rest)}`, {
    method,
    headers: { 'X-API-Key': sb.apiKey, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  }).then(async (res) => ({ status: res.status, headers: res.headers, json: (await res.json()) as { code: number; message: string; data: Loose } }));

const submit = (sb: Sandbox, id: string, extra: Record<string, unknown> = {}) =>
  v2(sb, 'POST', id, '', { input: { prompt: 'hi' }, workerPort: 8000, processUri: '/v1/x', ...extra });

describe('sandbox tasks', () => {
  it('a task is PROCESSING, then SUCCESS with an output derived from its input once its time has come', async () => {
    const clock = new Clock();
    const sb = await sandbox({ now: clock.now });
    const q = await deployment(sb, { serviceMode: 'QUEUE' });
    const r = await submit(sb, q.id, { taskId: 'job_1', headers: { 'X-Trace': '1' } });
    expect(r.json).toEqual({ code: 10000, message: 'success', data: { taskId: 'job_1' } });
    expect((await v2(sb, 'GET', q.id, '/job_1')).json.data).toMatchObject({ taskId: 'job_1', status: 'PROCESSING', output: null, error: null });
    expect((await v2(sb, 'GET', q.id, '/count')).json.data).toEqual({ processing: 1 });
    clock.t += 1000;
    const done = (await v2(sb, 'GET', q.id, '/job_1')).json.data;
    expect(done).toMatchObject({
      taskId: 'job_1',
      endpointName: 'llama-3-8b',
      status: 'SUCCESS',
      input: { prompt: 'hi' },
      output: { echo: { prompt: 'hi' }, completion: 'Sandbox worker reply to: hi' },
      headers: { 'X-Trace': '1' },
      deliveryStatus: 'INIT',
      createdAt: clock.t - 1000,
      updatedAt: clock.t,
    });
    expect((await v2(sb, 'GET', q.id, '/count')).json.data).toEqual({ processing: 0 });
  });

  it('FAILED when the input asks; DELIVERED with a webhook; a secret header is kept masked', async () => {
    const clock = new Clock();
    const sb = await sandbox({ now: clock.now });
    const q = await deployment(sb, { serviceMode: 'QUEUE' });
    await submit(sb, q.id, { taskId: 'f', input: { fail: 'no GPU memory' } });
    await submit(sb, q.id, { taskId: 'w', webhook: 'https://example.com/hook', webhookAuthKey: 'whk-secret-123', headers: { Authorization: 'Bearer abcdefghijklmnop' } });
    clock.t += 1000;
    expect((await v2(sb, 'GET', q.id, '/f')).json.data).toMatchObject({ status: 'FAILED', error: 'no GPU memory', output: null });
    const w = (await v2(sb, 'GET', q.id, '/w')).json.data;
    expect(w).toMatchObject({ status: 'DELIVERED', deliveryStatus: 'SUCCESS', deliveryAttempts: 1, deliveredAt: clock.t, headers: { Authorization: '***mnop' } });
    expect(JSON.stringify(w)).not.toContain('whk-secret-123');
  });

  it('tasks wait while the deployment is not RUNNING', async () => {
    const clock = new Clock();
    const sb = await sandbox({ now: clock.now, delays: { workerStartMs: 5000, stopMs: 0, terminateMs: 0 } });
    const q = await deployment(sb, { serviceMode: 'QUEUE' });
    await submit(sb, q.id, { taskId: 'early' });
    clock.t += 1000;
    expect((await v2(sb, 'GET', q.id, '/early')).json.data.status).toBe('PROCESSING');
    clock.t += 5000;
    expect((await v2(sb, 'GET', q.id, '/early')).json.data.status).toBe('SUCCESS');
  });

  it('24011 for an unknown task, 24001 for an unknown deployment, 10001 for a deployment that is not QUEUE', async () => {
    const sb = await sandbox();
    const q = await deployment(sb, { serviceMode: 'QUEUE' });
    const alb = await deployment(sb, { name: 'web', serviceMode: 'ALB' });
    expect((await v2(sb, 'GET', q.id, '/nope')).json).toMatchObject({ code: 24011, message: 'Task does not exist' });
    expect((await v2(sb, 'GET', '123456789012345678', '/count')).json.code).toBe(24001);
    const refused = await submit(sb, alb.id);
    expect(refused.json.code).toBe(10001);
    expect(refused.json.message).toContain('only QUEUE deployments take tasks');
    expect((await v2(sb, 'GET', alb.id, '')).json.code).toBe(10001);
  });

  it('checks the body as documented', async () => {
    const sb = await sandbox();
    const q = await deployment(sb, { serviceMode: 'QUEUE' });
    const cases: [Record<string, unknown>, string][] = [
      [{ taskId: 'a-b' }, 'taskId'],
      [{ input: undefined }, 'input is required'],
      [{ workerPort: 0 }, 'workerPort'],
      [{ processUri: 'a b' }, 'processUri'],
      [{ webhook: 'ftp://x' }, 'webhook'],
      [{ headers: { A: 1 } }, 'headers.A'],
    ];
    for (const [extra, field] of cases) {
      const body = { input: {}, workerPort: 8000, processUri: '/x', ...extra };
      if ('input' in extra && extra.input === undefined) delete (body as Record<string, unknown>).input;
      const r = await v2(sb, 'POST', q.id, '', body);
      expect(r.json.code, JSON.stringify(extra)).toBe(10001);
      expect(r.json.message).toContain(field);
    }
    // processUri gains its leading slash; a task id given twice names the same task.
    await submit(sb, q.id, { taskId: 'same', processUri: 'v1/x' });
    expect((await submit(sb, q.id, { taskId: 'same' })).json.data).toEqual({ taskId: 'same' });
    const list = (await v2(sb, 'GET', q.id, '')).json.data;
    expect(list.total).toBe(1);
    expect((await v2(sb, 'GET', q.id, '/same')).json.data.workerUrl).toMatch(/:8000\/v1\/x$/);
  });

  it('pages newest first with page, size, total and pages; filters by status', async () => {
    const clock = new Clock();
    const sb = await sandbox({ now: clock.now });
    const q = await deployment(sb, { serviceMode: 'QUEUE' });
    for (let i = 0; i < 25; i++) {
      await submit(sb, q.id, { taskId: `t${i}`, input: i % 5 === 0 ? { fail: true } : {} });
      clock.t += 100;
    }
    clock.t += 1000;
    const first = (await v2(sb, 'GET', q.id, '')).json.data;
    expect(first).toMatchObject({ page: 1, size: 10, total: 25, pages: 3 });
    expect(first.items.map((t: { taskId: string }) => t.taskId)).toEqual(['t24', 't23', 't22', 't21', 't20', 't19', 't18', 't17', 't16', 't15']);
    expect(first.items[0]).not.toHaveProperty('input');
    const last = (await v2(sb, 'GET', q.id, '?pageNumber=3&pageSize=10')).json.data;
    expect(last.items.map((t: { taskId: string }) => t.taskId)).toEqual(['t4', 't3', 't2', 't1', 't0']);
    const failed = (await v2(sb, 'GET', q.id, '?status=FAILED&pageSize=100')).json.data;
    expect(failed.items.map((t: { taskId: string }) => t.taskId)).toEqual(['t20', 't15', 't10', 't5', 't0']);
    expect((await v2(sb, 'GET', q.id, '?pageSize=0')).json.code).toBe(10001);
  });

  it('answers HTTP 429 with Retry-After past 40 submissions in a second, and past 1,000 waiting tasks', async () => {
    const clock = new Clock();
    const sb = await sandbox({ now: clock.now, taskMs: 3_600_000 });
    const q = await deployment(sb, { serviceMode: 'QUEUE' });
    for (let i = 0; i < 40; i++) expect((await submit(sb, q.id)).json.code).toBe(10000);
    const refused = await submit(sb, q.id);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(refused.json.code).toBe(429);
    clock.t += 1000;
    expect((await submit(sb, q.id)).json.code).toBe(10000);
    // Fill the queue to the cap, a second at a time.
    let n = 41;
    while (n < TASK_CAP) {
      clock.t += 1000;
      for (let i = 0; i < 40 && n < TASK_CAP; i++, n++) expect((await submit(sb, q.id)).json.code).toBe(10000);
    }
    clock.t += 1000;
    const full = await submit(sb, q.id);
    expect(full.status).toBe(429);
    expect(full.json.message).toContain(`already has ${TASK_CAP} tasks waiting`);
    expect((await v2(sb, 'GET', q.id, '/count')).json.data).toEqual({ processing: TASK_CAP });
  }, 60_000);

  it('tasks live in the state file: a second sandbox on it sees them move on; deleting the deployment drops them', async () => {
    const clock = new Clock();
    const statePath = join(tempDir('yotta-sb-tasks-'), 'state.json');
    const a = await sandbox({ now: clock.now, statePath });
    const q = await deployment(a, { serviceMode: 'QUEUE' });
    await submit(a, q.id, { taskId: 'kept' });
    const b = await sandbox({ now: clock.now, statePath });
    expect((await v2(b, 'GET', q.id, '/kept')).json.data.status).toBe('PROCESSING');
    clock.t += 1000;
    expect((await v2(b, 'GET', q.id, '/kept')).json.data.status).toBe('SUCCESS');
    expect((await v2(a, 'GET', q.id, '/kept')).json.data.status).toBe('SUCCESS');
    await call(a, 'POST', `/${q.id}/stop`);
    await call(a, 'DELETE', `/${q.id}`);
    const saved = JSON.parse(readFileSync(statePath, 'utf8')) as { version: number; deployments: unknown[]; tasks?: unknown[] };
    expect(saved).toMatchObject({ version: 1, deployments: [] });
    expect(saved.tasks ?? []).toEqual([]);
  });
});

describe('sandbox ALB services', () => {
  it('serve the domain they hand out, only with the Bearer key, only while RUNNING', async () => {
    const sb = await sandbox();
    const alb = await deployment(sb, { name: 'web', serviceMode: 'ALB' });
    expect(alb.domain).toMatch(new RegExp(`^${sb.url}/alb/[a-z0-9]{12}$`));
    const echo = await fetch(`${alb.domain}/v1/echo?q=1`, { method: 'POST', headers: { Authorization: `Bearer ${sb.apiKey}`, 'X-A': 'b' }, body: 'raw' });
    expect(echo.status).toBe(200);
    const seen = (await echo.json()) as { method: string; path: string; query: unknown; headers: Record<string, string>; body: unknown };
    expect(seen).toMatchObject({ method: 'POST', path: '/v1/echo', query: { q: ['1'] }, body: 'raw' });
    expect(seen.headers['x-a']).toBe('b');
    expect(seen.headers.authorization).toBeUndefined();
    expect((await fetch(`${alb.domain}/`)).status).toBe(401);
    expect((await fetch(`${alb.domain}/`, { headers: { Authorization: 'Bearer wrong' } })).status).toBe(401);
    expect((await fetch(`${sb.url}/alb/nosuchservice/`)).status).toBe(404);
    await call(sb, 'POST', `/${alb.id}/stop`);
    const stopped = await fetch(`${alb.domain}/`, { headers: { Authorization: `Bearer ${sb.apiKey}` } });
    expect(stopped.status).toBe(503);
    expect(await stopped.text()).toContain('STOPPED');
  });

  it('chat completions answer whole, or stream chunks then [DONE]', async () => {
    const sb = await sandbox({ streamChunkMs: 0 });
    const alb = await deployment(sb, { name: 'web', serviceMode: 'ALB' });
    const headers = { Authorization: `Bearer ${sb.apiKey}`, 'content-type': 'application/json' };
    const messages = [{ role: 'user', content: 'Ping' }];
    const whole = await fetch(`${alb.domain}/v1/chat/completions`, { method: 'POST', headers, body: JSON.stringify({ messages }) });
    expect(((await whole.json()) as { choices: { message: { content: string } }[] }).choices[0]!.message.content).toBe('Hello from the Yotta sandbox. You said: Ping');
    const streamed = await fetch(`${alb.domain}/v1/chat/completions`, { method: 'POST', headers, body: JSON.stringify({ messages, stream: true }) });
    expect(streamed.headers.get('content-type')).toBe('text/event-stream');
    const events = (await streamed.text()).split('\n\n').filter(Boolean);
    expect(events.length).toBeGreaterThan(3);
    expect(events.at(-1)).toBe('data: [DONE]');
  });
});
