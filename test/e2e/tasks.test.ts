/**
 * End to end: `yotta task ...` as a user runs it (the built CLI in its own process), against an
 * emulator started here, so each test can inject faults and assert what the emulator received:
 * every submission, every task it holds, and that a secret never shows where it must not.
 */
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildCli, runBuiltCli, spawnCli, waitUntil } from '../helpers/built-cli.js';
import type { SpawnResult } from '../helpers/built-cli.js';
import { tempDir } from '../helpers/cli.js';
import { deploymentBody, startTestSandbox } from '../helpers/fixtures.js';
import type { TestSandbox } from '../helpers/fixtures.js';
import type { SandboxOptions } from '../../src/sandbox/index.js';
import { createDeployment } from '../../src/api/deployments.js';
import { submitTask } from '../../src/api/tasks.js';
import type { ElasticDeploymentDetail, Task } from '../../src/api/types.js';
import type { StoredTask } from '../../src/sandbox/tasks.js';

let build: string;
let configDir: string;
let t: TestSandbox;
let queue: ElasticDeploymentDetail;

beforeAll(async () => {
  build = await buildCli();
}, 180_000);

beforeEach(() => {
  configDir = tempDir('yotta-e2e-tasks-');
});

afterEach(async () => {
  await t?.close();
});

/** An emulator (tasks take `taskMs`, 50 ms by default) with one RUNNING QUEUE deployment named `q` exposing port 8000. */
async function world(o: SandboxOptions = {}): Promise<void> {
  t = await startTestSandbox({ taskMs: 50, ...o });
  queue = await createDeployment(t.client, deploymentBody('q', { serviceMode: 'QUEUE', workers: 1, expose: { port: 8000, protocol: 'HTTP' } }));
}

function yotta(args: string[], o: { stdin?: string; env?: Record<string, string> } = {}): Promise<SpawnResult> {
  return runBuiltCli(build, args, { configDir, env: { ...t.env, ...o.env }, ...(o.stdin !== undefined ? { stdin: o.stdin } : {}), killAfterMs: 60_000 });
}

const posts = () => t.sb.requests.filter((r) => r.method === 'POST' && r.path.startsWith('/v2/serverless/'));
const allTasks = async (): Promise<Task[]> => {
  const res = await fetch(`${t.sb.url}/v2/serverless/${queue.id}/tasks?pageSize=100`, { headers: { 'X-API-Key': t.sb.apiKey } });
  return ((await res.json()) as { data: { items: Task[] } }).data.items;
};

describe('yotta task submit (built CLI)', () => {
  it('prints the task id it generated and sent, with the port from expose and the route from --path', async () => {
    await world();
    const r = await yotta(['task', 'submit', 'q', '-d', '{"prompt":"Hello"}', '--path', '/v1/completions']);
    expect(r.code).toBe(0);
    const id = r.stdout.trim();
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(r.stderr).toContain(`Submitted task ${id} to q.`);
    expect(posts()).toHaveLength(1);
    expect(posts()[0]!.body).toEqual({ taskId: id, input: { prompt: 'Hello' }, workerPort: 8000, processUri: '/v1/completions' });
  }, 30_000);

  it('completion offers the ids of recent submissions for task get and task wait', async () => {
    await world();
    const a = (await yotta(['task', 'submit', 'q', '-d', '{}', '--path', '/x'])).stdout.trim();
    const b = (await yotta(['task', 'submit', 'q', '-d', '{}', '--path', '/x'])).stdout.trim();
    const offered = await yotta(['__complete', 'tasks']);
    expect(offered.code).toBe(0);
    expect(offered.stdout).toBe(`${b}\tdeployment ${queue.id}\n${a}\tdeployment ${queue.id}\n`);
    const bash = await yotta(['completion', 'bash']);
    expect(bash.stdout).toContain('__complete tasks');
    expect(bash.stdout).toContain(`'task get|1') REPLY='tasks'`);
  }, 30_000);

  it('--wait prints the output on SUCCESS (exit 0); --json prints the task object', async () => {
    await world();
    const r = await yotta(['task', 'submit', 'q', '-d', '{"prompt":"Hello"}', '--path', '/v1/completions', '--wait']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ echo: { prompt: 'Hello' }, completion: 'Sandbox worker reply to: Hello' });
    const j = await yotta(['task', 'submit', 'q', '-d', '"just text"', '--path', '/run', '--port', '9000', '--wait', '--json']);
    expect(j.code).toBe(0);
    const task = JSON.parse(j.stdout) as Task;
    expect(task).toMatchObject({ status: 'SUCCESS', input: 'just text', workerUrl: expect.stringContaining(':9000/run') });
    expect(j.stderr).toBe('');
  }, 30_000);

  it('--wait: a FAILED task exits 9 with its error; a timeout exits 8 naming the task', async () => {
    await world();
    const failed = await yotta(['task', 'submit', 'q', '-d', '{"fail":"out of memory"}', '--path', '/x', '--wait']);
    expect(failed.code).toBe(9);
    expect(failed.stdout).toBe('');
    expect(failed.stderr).toMatch(/task [0-9a-f]{32} FAILED: out of memory/);
    await t.close();
    await world({ taskMs: 600_000 });
    const slow = await yotta(['task', 'submit', 'q', '-d', '{}', '--path', '/x', '--wait', '--wait-timeout', '1s']);
    expect(slow.code).toBe(8);
    const id = posts()[0]!.body as { taskId: string };
    expect(slow.stderr).toContain(`task ${id.taskId} was still PROCESSING after`);
    expect(slow.stderr).toContain(`yotta task wait q ${id.taskId}`);
  }, 30_000);

  it('a lost reply is checked by task id once: applied → submitted (exit 0), never sent twice', async () => {
    await world();
    t.sb.addFault({ kind: 'reset-after', match: { method: 'POST', path: '/tasks' } });
    const r = await yotta(['task', 'submit', 'q', '-d', '{"n":1}', '--path', '/x']);
    expect(r.code).toBe(0);
    const id = r.stdout.trim();
    expect(r.stderr).toContain(`the reply to the submission was lost, but task ${id} was found: it was submitted`);
    expect(posts()).toHaveLength(1);
    expect(t.sb.requests.filter((q) => q.method === 'GET' && q.path.endsWith(`/tasks/${id}`))).toHaveLength(1);
    expect((await allTasks()).map((x) => x.taskId)).toEqual([id]);
  }, 30_000);

  it('a lost reply whose task does not exist is "not received" (exit 7), and nothing is re-sent', async () => {
    await world();
    t.sb.addFault({ kind: 'reset-before', match: { method: 'POST', path: '/tasks' } });
    const r = await yotta(['task', 'submit', 'q', '-d', '{"n":1}', '--path', '/x']);
    expect(r.code).toBe(7);
    expect(r.stdout).toBe('');
    const sent = (posts()[0]!.body as { taskId: string }).taskId;
    expect(r.stderr).toContain(`task ${sent} does not exist: it was not received`);
    expect(r.stderr).toContain(`--task-id ${sent}`);
    expect(posts()).toHaveLength(1);
    expect(await allTasks()).toEqual([]);
  }, 30_000);

  it('--jsonl: 100 lines against the 40/s limit and injected 429s: every line once, results in input order', async () => {
    await world();
    t.sb.addFault({ kind: 'retry-after', retryAfterSeconds: 0, times: 3, match: { method: 'POST', path: '/tasks' } });
    const lines = Array.from({ length: 100 }, (_, i) => JSON.stringify({ n: i + 1 }));
    const r = await yotta(['task', 'submit', 'q', '-d', '@-', '--jsonl', '--path', '/x'], { stdin: lines.join('\n') + '\n' });
    expect(r.code).toBe(0);
    const out = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { line: number; taskId: string; ok: boolean; error: null });
    expect(out.map((l) => l.line)).toEqual(lines.map((_, i) => i + 1));
    expect(out.every((l) => l.ok && l.error === null)).toBe(true);
    // Each line's task holds that line's input: nothing was mixed up or submitted twice.
    const stored = await (async () => {
      const all: Task[] = [];
      for (const id of out.map((l) => l.taskId)) {
        const res = await fetch(`${t.sb.url}/v2/serverless/${queue.id}/tasks/${id}`, { headers: { 'X-API-Key': t.sb.apiKey } });
        all.push(((await res.json()) as { data: Task }).data);
      }
      return all;
    })();
    expect(stored.map((s) => (s.input as { n: number }).n)).toEqual(lines.map((_, i) => i + 1));
    const sentIds = posts().map((p) => (p.body as { taskId: string }).taskId);
    expect(new Set(sentIds).size).toBe(100);
    // Re-sends happened only for 429s (three injected, plus any the emulator's own limit gave).
    expect(posts().length).toBeGreaterThanOrEqual(103);
    const res = await fetch(`${t.sb.url}/v2/serverless/${queue.id}/tasks?pageSize=1`, { headers: { 'X-API-Key': t.sb.apiKey } });
    expect(((await res.json()) as { data: { total: number } }).data.total).toBe(100);
  }, 60_000);

  it('--jsonl: a line that is not JSON fails alone (exit 10); a lost reply is checked, not re-sent', async () => {
    await world();
    t.sb.addFault({ kind: 'reset-after', match: { method: 'POST', path: '/tasks' } });
    const r = await yotta(['task', 'submit', 'q', '-d', '@-', '--jsonl', '--path', '/x'], { stdin: '{"a":1}\n\nnot json\n{"b":2}\n' });
    expect(r.code).toBe(10);
    const out = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { line: number; ok: boolean; taskId: string | null; error: string | null });
    expect(out.map((l) => [l.line, l.ok])).toEqual([
      [1, true],
      [3, false],
      [4, true],
    ]);
    expect(out[1]!.error).toContain('line 3 of -d @- (standard input) is not valid JSON');
    expect(r.stderr).toContain('1 of 3 lines were not submitted');
    expect(posts()).toHaveLength(2);
    expect((await allTasks()).map((x) => x.taskId).sort()).toEqual([out[0]!.taskId, out[2]!.taskId].sort());
  }, 30_000);

  it('secrets from a file and stdin are sent, but never printed, traced or echoed by task get', async () => {
    await world();
    const headerFile = join(configDir, 'headers.txt');
    writeFileSync(headerFile, '# forwarded to the worker\nAuthorization: Bearer hdr-SECRET-zq81x\nX-Trace: 7\n');
    const r = await yotta(
      ['--debug', 'task', 'submit', 'q', '-d', '{}', '--path', '/x', '-H', `@${headerFile}`, '--webhook', 'https://example.com/hook', '--webhook-key-stdin'],
      { stdin: 'whk-SECRET-pp42y\n' },
    );
    expect(r.code).toBe(0);
    const sent = posts()[0]!.body as { headers: Record<string, string>; webhookAuthKey: string };
    expect(sent.webhookAuthKey).toBe('whk-SECRET-pp42y');
    expect(sent.headers).toEqual({ Authorization: 'Bearer hdr-SECRET-zq81x', 'X-Trace': '7' });
    expect(r.stderr).toContain('http: POST');
    for (const out of [r.stdout, r.stderr]) {
      expect(out).not.toContain('SECRET');
    }
    const id = r.stdout.trim();
    for (const args of [['task', 'get', 'q', id], ['task', 'get', 'q', id, '--json'], ['--debug', 'task', 'get', 'q', id, '--json']]) {
      const g = await yotta(args);
      expect(g.code).toBe(0);
      expect(g.stdout + g.stderr).not.toContain('SECRET');
      expect(g.stdout).toContain('X-Trace');
    }
    // The emulator's state file is no place for the secret either (it keeps a mask).
    expect(JSON.stringify(await allTasks())).not.toContain('SECRET');
    const warned = await yotta(['task', 'submit', 'q', '-d', '{}', '--path', '/x', '-H', 'Authorization: Bearer cli-typed-1234']);
    expect(warned.code).toBe(0);
    expect(warned.stderr).toContain('stays in your shell history');
    expect(warned.stderr).not.toContain('cli-typed-1234');
  }, 60_000);

  it('bad input is refused before anything is sent (exit 2)', async () => {
    await world();
    const cases: [string[], string][] = [
      [['task', 'submit', 'q', '-d', '{oops', '--path', '/x'], '-d: not valid JSON'],
      [['task', 'submit', 'q', '-d', '{}', '--path', 'x'], '--path: "x" is not a worker route'],
      [['task', 'submit', 'q', '-d', '{}', '--path', '/x', '--task-id', 'a-b'], '--task-id: "a-b" is not a task id'],
      [['task', 'submit', 'q', '-d', '{}', '--path', '/x', '--port', '70000'], '--port: "70000" is not a port number'],
      [['task', 'submit', 'q', '-d', '@-', '--path', '/x', '--webhook', 'https://e.com', '--webhook-key-stdin'], '-d @- and --webhook-key-stdin both read standard input'],
      [['task', 'submit', 'q', '-d', '@missing.json', '--path', '/x'], '-d @missing.json: cannot read the file (no such file)'],
      [['task', 'submit', 'q', '-d', '{}', '--path', '/x', '-H', 'NoColon'], '-H: "NoColon" is not a header'],
      [['task', 'submit', 'q', '-d', '@-', '--path', '/x', '--jsonl', '--wait'], '--wait waits for one task'],
      [['task', 'list', 'q', '--status', 'done'], '--status: unknown task status "done"'],
      [['task', 'get', 'q', 'bad/id'], '"bad/id" is not a task id'],
    ];
    const before = t.sb.requests.length;
    for (const [args, message] of cases) {
      const r = await yotta(args, { stdin: '' });
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toContain(message);
    }
    expect(t.sb.requests).toHaveLength(before);
  }, 60_000);

  it('a deployment that is not QUEUE is refused with its mode; the API itself answers 10001', async () => {
    await world();
    const alb = await createDeployment(t.client, deploymentBody('web', { serviceMode: 'ALB', expose: { port: 8000, protocol: 'HTTP' } }));
    const r = await yotta(['task', 'submit', 'web', '-d', '{}', '--path', '/x']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('deployment web is a ALB deployment; tasks are only for QUEUE deployments');
    expect(r.stderr).toContain('yotta deploy call web');
    expect(posts()).toHaveLength(0);
    await expect(submitTask(t.client, alb.id, { taskId: 'x1', input: {}, workerPort: 1, processUri: '/x' })).rejects.toMatchObject({ code: 10001 });
  }, 30_000);
});

describe('yotta task get / list / count / wait (built CLI)', () => {
  it('get shows a task; an unknown id is 24011, exit 4 with the command that lists tasks', async () => {
    await world();
    const { taskId } = await submitTask(t.client, queue.id, { taskId: 'job_1', input: { prompt: 'Hi' }, workerPort: 8000, processUri: '/v1/x' });
    await new Promise((r) => setTimeout(r, 100));
    const g = await yotta(['task', 'get', 'q', taskId]);
    expect(g.code).toBe(0);
    expect(g.stdout).toMatch(/Task ID:\s+job_1/);
    expect(g.stdout).toMatch(/Status:\s+SUCCESS/);
    expect(g.stdout).toContain('"prompt": "Hi"');
    expect(g.stdout).toContain('Sandbox worker reply to: Hi');
    const missing = await yotta(['task', 'get', 'q', 'nope_1']);
    expect(missing.code).toBe(4);
    expect(missing.stderr).toContain('task nope_1 not found on deployment q');
    expect(missing.stderr).toContain('yotta task list q');
    const j = await yotta(['task', 'get', 'q', 'nope_1', '--json']);
    expect(JSON.parse(j.stderr)).toMatchObject({ error: { exitCode: 4, code: 24011 } });
  }, 30_000);

  it('list follows pages (--all, --limit), filters by status, and has -o id and --no-headers', async () => {
    const statePath = join(tempDir('yotta-tasks-state-'), 'state.json');
    await world({ statePath });
    // 230 finished tasks written straight into the state file (the emulator reads it on the next request).
    const file = JSON.parse(readFileSync(statePath, 'utf8')) as { tasks?: StoredTask[] };
    file.tasks = Array.from({ length: 230 }, (_, i) => ({
      deploymentId: queue.id,
      taskId: `t_${String(i).padStart(3, '0')}`,
      status: i % 10 === 0 ? 'FAILED' : 'SUCCESS',
      input: {},
      output: {},
      error: i % 10 === 0 ? 'boom' : null,
      workerPort: 8000,
      processUri: '/x',
      webhook: null,
      headers: {},
      createdAt: 1_700_000_000_000 + i,
      updatedAt: 1_700_000_000_000 + i,
      dueAt: 0,
      deliveryStatus: 'INIT',
      deliveryAttempts: 0,
      deliveredAt: null,
    }));
    writeFileSync(statePath, JSON.stringify(file));
    const all = await yotta(['task', 'list', 'q', '--all', '-o', 'id']);
    expect(all.code).toBe(0);
    const ids = all.stdout.trim().split('\n');
    expect(ids).toHaveLength(230);
    expect(ids[0]).toBe('t_229');
    expect(new Set(ids).size).toBe(230);
    const pages = t.sb.requests.filter((r) => r.method === 'GET' && r.path === `/v2/serverless/${queue.id}/tasks`).map((r) => r.query.pageNumber?.[0]);
    expect(pages).toEqual(['1', '2', '3']);

    const limited = await yotta(['task', 'list', 'q', '--limit', '120', '-o', 'id']);
    expect(limited.stdout.trim().split('\n')).toHaveLength(120);
    const byDefault = await yotta(['task', 'list', 'q', '-o', 'id']);
    expect(byDefault.stdout.trim().split('\n')).toHaveLength(50);

    const failed = await yotta(['task', 'list', 'q', '--status', 'failed', '--all', '--no-headers']);
    const rows = failed.stdout.trim().split('\n');
    expect(rows).toHaveLength(23);
    expect(rows[0]).toMatch(/^t_220\s+FAILED\s+2023-11-14T22:13:20Z\s+2023-11-14T22:13:20Z\s+-\s+boom$/);
    const headed = await yotta(['task', 'list', 'q', '--limit', '2']);
    expect(headed.stdout.split('\n')[0]).toMatch(/^TASK ID\s+STATUS\s+CREATED\s+UPDATED\s+DELIVERY\s+ERROR$/);
    const json = await yotta(['task', 'list', 'q', '--limit', '3', '--json']);
    expect((JSON.parse(json.stdout) as Task[]).map((x) => x.taskId)).toEqual(['t_229', 't_228', 't_227']);
  }, 60_000);

  it('count prints the PROCESSING count; --watch shows it fall to 0 and ends', async () => {
    await world({ taskMs: 1500 });
    for (const n of [1, 2, 3]) await submitTask(t.client, queue.id, { taskId: `c${n}`, input: { n }, workerPort: 8000, processUri: '/x' });
    const once = await yotta(['task', 'count', 'q', '--json']);
    expect(JSON.parse(once.stdout)).toEqual({ processing: 3 });
    const watched = await yotta(['task', 'count', 'q', '--watch', '--interval', '200ms']);
    expect(watched.code).toBe(0);
    const counts = watched.stdout.trim().split('\n').map((l) => Number(/(\d+) processing$/.exec(l)![1]));
    expect(counts[0]).toBe(3);
    expect(counts.at(-1)).toBe(0);
  }, 30_000);

  it('wait: 0 when all succeed, 9 when one FAILED, 10 when mixed with an unknown id; each id reported', async () => {
    await world();
    await submitTask(t.client, queue.id, { taskId: 'ok_1', input: {}, workerPort: 8000, processUri: '/x' });
    await submitTask(t.client, queue.id, { taskId: 'ok_2', input: {}, workerPort: 8000, processUri: '/x' });
    await submitTask(t.client, queue.id, { taskId: 'bad_1', input: { fail: true }, workerPort: 8000, processUri: '/x' });
    const good = await yotta(['task', 'wait', 'q', 'ok_1', 'ok_2']);
    expect(good.code).toBe(0);
    expect(good.stdout).toMatch(/ok_1\s+SUCCESS\n/);
    expect(good.stdout).toMatch(/ok_2\s+SUCCESS\n/);
    const one = await yotta(['task', 'wait', 'q', 'ok_1', 'bad_1']);
    expect(one.code).toBe(9);
    expect(one.stdout).toMatch(/bad_1\s+FAILED\s+the worker failed/);
    expect(one.stderr).toContain('1 of 2 tasks FAILED');
    const mixed = await yotta(['task', 'wait', 'q', 'ok_1', 'missing_1', '--json']);
    expect(mixed.code).toBe(10);
    expect((JSON.parse(mixed.stdout) as { taskId: string; result: string }[]).map((x) => [x.taskId, x.result])).toEqual([
      ['ok_1', 'succeeded'],
      ['missing_1', 'error'],
    ]);
  }, 30_000);

  it('Ctrl-C during a batch: finished lines are printed, the run ends with 130', async () => {
    await world({ taskMs: 50 });
    // Every submission is slow, so a Ctrl-C finds some in flight.
    t.sb.addFault({ kind: 'latency', ms: 400, times: 1000, match: { method: 'POST', path: '/tasks' } });
    const lines = Array.from({ length: 200 }, (_, i) => JSON.stringify({ n: i }));
    const run = spawnCli(build, ['task', 'submit', 'q', '-d', '@-', '--jsonl', '--path', '/x'], { configDir, env: t.env, stdin: lines.join('\n'), killAfterMs: 60_000 });
    await waitUntil(() => run.stdoutSoFar().split('\n').length > 3, 30_000, 'first result lines');
    run.child.kill('SIGINT');
    const r = await run.result;
    expect(r.code).toBe(130);
    const out = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { line: number; ok: boolean; unknown?: boolean });
    expect(out.length).toBeLessThan(200);
    expect(out.map((l) => l.line)).toEqual(out.map((_, i) => i + 1));
    // What was in flight is marked unknown, with the id to check it by.
    const unknown = out.filter((l) => l.unknown);
    expect(unknown.length).toBeGreaterThan(0);
    for (const l of unknown as unknown as { taskId: string; ok: boolean; error: string }[]) {
      expect(l.ok).toBe(false);
      expect(l.taskId).toMatch(/^[0-9a-f]{32}$/);
      expect(l.error).toContain(`the outcome is unknown; check with: yotta task get ${queue.id} ${l.taskId}`);
    }
    expect(r.stderr).toContain('interrupted');
  }, 60_000);
});
