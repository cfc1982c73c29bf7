/**
 * `yotta deploy wait` through main() against the emulator. A fake clock is shared by the emulator and
 * the CLI and moves only when the CLI sleeps, so minutes of waiting take milliseconds.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startSandbox } from '../../src/sandbox/index.js';
import type { Sandbox, SandboxOptions } from '../../src/sandbox/index.js';
import { ApiClient } from '../../src/api/client.js';
import { createDeployment, deleteDeployment, scaleDeployment, stopDeployment } from '../../src/api/deployments.js';
import type { CreateDeploymentRequest, ElasticDeploymentDetail } from '../../src/api/types.js';
import { parseWaitCondition, runWait } from '../../src/commands/deploy/wait.js';
import { NetworkError } from '../../src/errors.js';
import { reportError } from '../../src/main.js';
import { runCli, testContext } from '../helpers/cli.js';
import { deploymentBody, FakeClock } from '../helpers/fixtures.js';

const BASE = '/openapi/v1/elastic/deploy';


let sb: Sandbox | undefined;
let client: ApiClient | undefined;

afterEach(async () => {
  await client?.close();
  await sb?.close();
  sb = undefined;
  client = undefined;
});

async function setup(delays: NonNullable<SandboxOptions['delays']>) {
  const clock = new FakeClock();
  const box = await startSandbox({ now: clock.now, delays });
  const api = new ApiClient({ baseUrl: box.url, apiKey: box.apiKey, userAgent: 'test' });
  sb = box;
  client = api;
  const env = { YOTTA_BASE_URL: box.url, YOTTA_API_KEY: box.apiKey };
  const run = (args: string[], extra: Parameters<typeof runCli>[1] = {}) => runCli(args, { env, now: clock.now, sleep: clock.sleep, ...extra });
  const calls = () => box.requests.map((q) => `${q.method} ${q.path}`);
  return { clock, sb: box, client: api, run, calls };
}

/** Creates a deployment through the API (INITIALIZING until the workers start), then forgets the requests. */
async function seed(s: { sb: Sandbox; client: ApiClient }, name: string, extra: Partial<CreateDeploymentRequest> = {}): Promise<ElasticDeploymentDetail> {
  const d = await createDeployment(s.client, deploymentBody(name, extra));
  s.sb.requests.length = 0;
  return d;
}

// Ids in messages are whole (they can be pasted back).
const short = (id: string): string => id;

describe('yotta deploy wait', () => {
  it('off a terminal, prints a progress line when the state changes and at least every 30 s; none with -q', async () => {
    const s = await setup({ workerStartMs: 100_000, stopMs: 0, terminateMs: 0 });
    const d = await seed(s, 'llama');
    const r = await s.run(['deploy', 'wait', d.id, '--interval', '5s']);
    expect(r.code).toBe(0);
    const progress = r.stderr.split('\n').filter((l) => l.startsWith('Waiting for llama'));
    // 100 s of INITIALIZING, polled every 5 s: the first line, then one per 30 s without a change.
    expect(progress.map((l) => /\((\S+)\)$/.exec(l)![1])).toEqual(['0s', '30s', '1m00s', '1m30s']);
    expect(progress.every((l) => l.includes(': INITIALIZING, 0/2 workers running ('))).toBe(true);
    const quiet = await s.run(['deploy', 'wait', d.id, '-q']);
    expect(quiet.code).toBe(0);
    expect(quiet.stderr).toBe('');
  });

  it('waits until RUNNING with every worker up (the default), then prints the deployment as a table', async () => {
    const s = await setup({ workerStartMs: 20_000, stopMs: 0, terminateMs: 0 });
    const d = await seed(s, 'llama');
    const started = s.clock.t;
    const r = await s.run(['deploy', 'wait', d.id]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID\s+NAME\s+STATUS\s+WORKERS/);
    expect(lines[1]).toMatch(new RegExp(`^${d.id}\\s+llama\\s+RUNNING\\s+2/2`));
    expect(lines).toHaveLength(2);
    expect(r.stderr).toBe(
      `Waiting up to 10m00s for ${d.id} to be running…\n` +
        // Off a terminal: a progress line when the state changes (here once).
        `Waiting for llama (${d.id}) to be running: INITIALIZING, 0/2 workers running (0s)\n` +
        `llama (${short(d.id)}) is running (RUNNING, 2/2 workers running) after 23s.\n`,
    );
    expect(s.clock.t - started).toBeGreaterThanOrEqual(20_000);
    expect(s.clock.t - started).toBeLessThan(26_000);
    // Only reads, each of the one deployment.
    expect(new Set(s.calls())).toEqual(new Set([`GET ${BASE}/${d.id}`]));
  });

  it('--json prints the deployment exactly as the API sent it, and nothing on stderr', async () => {
    const s = await setup({ workerStartMs: 5_000, stopMs: 0, terminateMs: 0 });
    const d = await seed(s, 'llama');
    const r = await s.run(['deploy', 'wait', d.id, '--json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout) as ElasticDeploymentDetail;
    expect(out).toMatchObject({ id: d.id, name: 'llama', status: 'RUNNING', runningWorkers: 2, totalWorkers: 2 });
    expect(typeof out.id).toBe('string');
  });

  it('takes a name: one list call, then polls the id', async () => {
    const s = await setup({ workerStartMs: 3_000, stopMs: 0, terminateMs: 0 });
    const d = await seed(s, 'llama');
    const r = await s.run(['deploy', 'wait', 'llama', '-q']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain(d.id);
    const calls = s.calls();
    expect(calls[0]).toBe(`GET ${BASE}/list`);
    expect(calls.slice(1).every((c) => c === `GET ${BASE}/${d.id}`)).toBe(true);
  });

  it('--for stopped', async () => {
    const s = await setup({ workerStartMs: 0, stopMs: 30_000, terminateMs: 10_000 });
    const d = await seed(s, 'llama');
    await stopDeployment(s.client, d.id);
    s.sb.requests.length = 0;
    const started = s.clock.t;
    const r = await s.run(['deploy', 'wait', d.id, '--for', 'stopped', '--json']);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as ElasticDeploymentDetail).status).toBe('STOPPED');
    expect(s.clock.t - started).toBeGreaterThanOrEqual(30_000);
  });

  it('--for workers=N waits until exactly N workers run', async () => {
    const s = await setup({ workerStartMs: 8_000, stopMs: 0, terminateMs: 0 });
    const d = await seed(s, 'llama');
    s.clock.t += 60_000;
    await scaleDeployment(s.client, d.id, 4);
    s.sb.requests.length = 0;
    const started = s.clock.t;
    const r = await s.run(['deploy', 'wait', d.id, '--for=workers=4', '-o', 'yaml']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^runningWorkers: 4$/m);
    expect(r.stdout).toMatch(/^totalWorkers: 4$/m);
    expect(s.clock.t - started).toBeGreaterThanOrEqual(8_000);
  });

  it('--for deleted: exit 0 once the deployment is gone; JSON says so', async () => {
    const s = await setup({ workerStartMs: 0, stopMs: 0, terminateMs: 0 });
    const d = await seed(s, 'llama');
    await stopDeployment(s.client, d.id);
    s.clock.t += 1000;
    s.clock.onSleep = async (n) => {
      if (n === 1) await deleteDeployment(s.client!, d.id);
    };
    s.sb.requests.length = 0;
    const r = await s.run(['deploy', 'wait', d.id, '--for', 'deleted', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ id: d.id, deleted: true });
    expect(s.clock.sleeps).toHaveLength(2);
    const table = await s.run(['deploy', 'wait', d.id, '--for', 'deleted']);
    expect(table.code).toBe(0);
    expect(table.stdout).toBe('');
    expect(table.stderr).toContain(`${d.id} is deleted`);
  });

  it('fails fast with exit 9 when the deployment turns FAILED, long before the timeout', async () => {
    const s = await setup({ workerStartMs: 5_000, stopMs: 0, terminateMs: 0 });
    const d = await seed(s, 'doomed', { environmentVars: [{ key: 'SANDBOX_FAIL', value: '1' }] });
    const started = s.clock.t;
    const r = await s.run(['deploy', 'wait', d.id, '--timeout', '10m']);
    expect(r.code).toBe(9);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`Error: doomed (${short(d.id)}) turned FAILED while waiting for it to be running`);
    expect(s.clock.t - started).toBeLessThan(10_000);
  });

  it('exit 9 also for a deployment that is already FAILED, after a few polls rather than the timeout', async () => {
    const s = await setup({ workerStartMs: 60_000, stopMs: 0, terminateMs: 0 });
    const d = await seed(s, 'llama');
    s.sb.failDeployment(d.id);
    const started = s.clock.t;
    const r = await s.run(['deploy', 'wait', d.id, '--json']);
    expect(r.code).toBe(9);
    expect(JSON.parse(r.stderr)).toMatchObject({ error: { exitCode: 9 } });
    expect(s.clock.t - started).toBeLessThan(10_000);
    expect(s.sb.requests.length).toBeLessThanOrEqual(5);
  });

  it('exits 8 when --timeout passes first, naming the last state seen', async () => {
    const s = await setup({ workerStartMs: 3_600_000, stopMs: 0, terminateMs: 0 });
    const d = await seed(s, 'llama');
    const started = s.clock.t;
    const r = await s.run(['deploy', 'wait', d.id, '--timeout', '30s']);
    expect(r.code).toBe(8);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('Waiting up to 30s for');
    expect(r.stderr).toContain('gave up after 30s waiting for llama');
    expect(r.stderr).toContain('last seen: INITIALIZING, 0/2 workers running');
    expect(s.clock.t - started).toBe(30_000);
  });

  it('--timeout on this command is the wait deadline, not the request timeout, wherever it is typed', async () => {
    const s = await setup({ workerStartMs: 3_600_000, stopMs: 0, terminateMs: 0 });
    const d = await seed(s, 'llama');
    // Every answer takes 150 ms of real time; as a request timeout, 50 ms would fail them all (exit 7).
    s.sb.addFault({ kind: 'latency', ms: 150, times: 100 });
    const after = await s.run(['deploy', 'wait', d.id, '--timeout', '50ms']);
    expect(after.code).toBe(8);
    expect(after.stderr).toContain('gave up after');
    const before = await s.run(['--timeout', '50ms', 'deploy', 'wait', d.id]);
    expect(before.code).toBe(8);
  });

  it.each([
    { label: 'by id (the poll times out)', byName: false, path: (id: string) => `${BASE}/${id}` },
    { label: 'by name (the look-up times out)', byName: true, path: () => `${BASE}/list` },
  ])('a request that times out, $label: the server did not answer, how to wait again; never "raise --timeout" (the wait deadline here)', async ({ byName, path }) => {
    const s = await setup({ workerStartMs: 3_600_000, stopMs: 0, terminateMs: 0 });
    const d = await seed(s, 'llama');
    // Every answer is slower than the request timeout. On this command the request timeout is the
    // default (30 s) whatever is typed, so the test sets a short one through runWait's global options.
    s.sb.addFault({ kind: 'latency', ms: 400, times: 100 });
    const { ctx, stdout, stderr } = testContext({ env: { YOTTA_BASE_URL: s.sb.url, YOTTA_API_KEY: s.sb.apiKey }, now: s.clock.now, sleep: s.clock.sleep });
    const ref = byName ? 'llama' : d.id;
    const err = await runWait({ ref, for: 'workers=2', timeout: 600_000, g: { color: false, input: true, timeout: 100 } }, ctx).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(NetworkError);
    expect(reportError(err, ctx, { color: false, input: true })).toBe(7);
    expect(stdout.text).toBe('');
    expect(stderr.text.split('\n').slice(-3)).toEqual([
      `Error: the server did not answer in time: GET ${path(d.id)} timed out after 100ms (after 3 attempts)`,
      'Nothing was changed. Check your network connection and proxy settings (HTTPS_PROXY, NO_PROXY), then wait again: ' +
        `yotta deploy wait ${ref} --for workers=2 (on this command --timeout is how long to wait, not the request timeout).`,
      '',
    ]);
    expect(stderr.text).not.toMatch(/raise/);
    // The one read was tried three times, as every read is; nothing else was sent.
    expect(s.calls()).toEqual([`GET ${path(d.id)}`, `GET ${path(d.id)}`, `GET ${path(d.id)}`]);
  });

  it('tolerates an id that is not listed yet right after create', async () => {
    const s = await setup({ workerStartMs: 2_000, stopMs: 0, terminateMs: 0 });
    const d = await seed(s, 'llama');
    s.sb.addFault({ kind: 'envelope', code: 24001, message: 'deployment not found', times: 2, match: { method: 'GET', path: d.id } });
    const r = await s.run(['deploy', 'wait', d.id, '--json']);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as ElasticDeploymentDetail).status).toBe('RUNNING');
    expect(s.calls().length).toBeGreaterThanOrEqual(3);
  });

  it('tolerates a name that is not listed yet: it is created between two polls', async () => {
    const s = await setup({ workerStartMs: 1_000, stopMs: 0, terminateMs: 0 });
    let created: ElasticDeploymentDetail | undefined;
    s.clock.onSleep = async (n) => {
      if (n === 0) created = await createDeployment(s.client, deploymentBody('fresh'));
    };
    const r = await s.run(['deploy', 'wait', 'fresh', '--json']);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as ElasticDeploymentDetail).id).toBe(created!.id);
    expect(s.calls().filter((c) => c === `GET ${BASE}/list`)).toHaveLength(2);
  });

  it('exit 4 when an id stays unknown, after a few polls', async () => {
    const s = await setup({ workerStartMs: 0, stopMs: 0, terminateMs: 0 });
    const r = await s.run(['deploy', 'wait', '378888638324150969']);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('Error: deployment 378888638324150969 not found');
    expect(r.stderr).toContain('yotta deploy list');
    expect(s.calls()).toHaveLength(4);
  });

  it('exit 4 when a name stays unknown; with --for deleted an unknown name is already gone', async () => {
    const s = await setup({ workerStartMs: 0, stopMs: 0, terminateMs: 0 });
    const r = await s.run(['deploy', 'wait', 'nobody']);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('Error: no deployment named "nobody"');
    expect(s.calls()).toEqual(Array(4).fill(`GET ${BASE}/list`));
    const gone = await s.run(['deploy', 'wait', 'nobody', '--for', 'deleted', '--json']);
    expect(gone.code).toBe(0);
    expect(JSON.parse(gone.stdout)).toEqual({ id: null, name: 'nobody', deleted: true });
  });

  it('refuses a name that matches several deployments, listing them: exit 2', async () => {
    const s = await setup({ workerStartMs: 0, stopMs: 0, terminateMs: 0 });
    const a = await seed(s, 'twin');
    const b = await seed(s, 'twin');
    const r = await s.run(['deploy', 'wait', 'twin']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('2 deployments are named "twin"');
    expect(r.stderr).toContain(a.id);
    expect(r.stderr).toContain(b.id);
  });

  it('--interval sets a fixed pause between polls', async () => {
    const s = await setup({ workerStartMs: 20_000, stopMs: 0, terminateMs: 0 });
    const d = await seed(s, 'llama');
    const r = await s.run(['deploy', 'wait', d.id, '--interval', '2s']);
    expect(r.code).toBe(0);
    expect(s.clock.sleeps).toEqual(Array(10).fill(2000));
    const at = s.sb.requests.map((q) => q.at);
    expect(at.slice(1).map((t, i) => t - at[i]!)).toEqual(Array(10).fill(2000));
  });

  it('Ctrl-C stops waiting and leaves the deployment as it is: exit 130', async () => {
    const s = await setup({ workerStartMs: 60_000, stopMs: 0, terminateMs: 0 });
    const d = await seed(s, 'llama');
    const controller = new AbortController();
    s.clock.onSleep = (n) => {
      if (n === 1) controller.abort(new DOMException('interrupted', 'AbortError'));
    };
    const r = await s.run(['deploy', 'wait', d.id], { signal: controller.signal });
    expect(r.code).toBe(130);
    expect(r.stderr).toContain('stopped waiting for llama');
    expect(s.calls().every((c) => c.startsWith('GET '))).toBe(true);
  });

  it('a bad --for, --timeout or reference is a usage error and nothing is sent', async () => {
    const s = await setup({ workerStartMs: 0, stopMs: 0, terminateMs: 0 });
    for (const args of [
      ['deploy', 'wait', 'llama', '--for', 'ready'],
      ['deploy', 'wait', 'llama', '--for', 'workers=many'],
      ['deploy', 'wait', 'llama', '--timeout', 'soon'],
      ['deploy', 'wait', 'a/b'],
    ]) {
      const r = await s.run(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^Error: /);
    }
    expect(s.sb.requests).toHaveLength(0);
  });

  it('help explains every flag, that --timeout is the wait deadline, and gives examples', async () => {
    const group = await runCli(['deploy', '--help']);
    expect(group.stdout).toMatch(/^ {2}wait \[options\] <id\|name>\s+wait until a deployment is running, stopped, deleted or runs N workers$/m);
    const r = await runCli(['deploy', 'wait', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Exit 0 when');
    for (const flag of ['--for <condition>', '--wait-timeout <duration>', '--interval <duration>']) expect(r.stdout).toContain(flag);
    expect(r.stdout).toContain('--wait-timeout is how long to wait, as on every command that waits');
    expect(r.stdout).toContain('Examples:');
    expect(r.stdout).toContain('$ yotta deploy wait llama-3-8b');
  });
});

describe('parseWaitCondition', () => {
  it('reads the four conditions in any case', () => {
    expect(parseWaitCondition('RUNNING')).toEqual({ state: 'running' });
    expect(parseWaitCondition(' stopped ')).toEqual({ state: 'stopped' });
    expect(parseWaitCondition('deleted')).toEqual({ state: 'deleted' });
    expect(parseWaitCondition('workers=0')).toEqual({ state: 'workers', count: 0 });
    expect(parseWaitCondition('Workers = 12')).toEqual({ state: 'workers', count: 12 });
  });

  it('refuses anything else', () => {
    for (const bad of ['ready', 'workers', 'workers=-1', 'workers=1.5', '']) expect(() => parseWaitCondition(bad)).toThrow(/--for/);
  });
});
