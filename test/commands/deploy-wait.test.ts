/**
 * `--wait` on start, stop, scale and delete --force, and waitForDeployment itself: a fake clock is
 * shared by the emulator and the CLI, and sleeps move it, so minutes of waiting take milliseconds.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startSandbox } from '../../src/sandbox/index.js';
import type { Sandbox, SandboxOptions } from '../../src/sandbox/index.js';
import { ApiClient } from '../../src/api/client.js';
import { createDeployment, getDeployment, listWorkers, stopDeployment } from '../../src/api/deployments.js';
import type { CreateDeploymentRequest, ElasticDeploymentDetail } from '../../src/api/types.js';
import { ApiError, ExitCode } from '../../src/errors.js';
import { createUi } from '../../src/output/ui.js';
import { openSession } from '../../src/session.js';
import { reachedTarget, waitForDeployment } from '../../src/services/deployment-wait.js';
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
  sb = await startSandbox({ now: clock.now, delays });
  client = new ApiClient({ baseUrl: sb.url, apiKey: sb.apiKey, userAgent: 'test' });
  const env = { YOTTA_BASE_URL: sb.url, YOTTA_API_KEY: sb.apiKey };
  const run = (args: string[], extra: Parameters<typeof runCli>[1] = {}) =>
    runCli(args, { env, now: clock.now, sleep: clock.sleep, ...extra });
  return { clock, sb, client, env, run };
}

/** Creates a deployment and waits (on the fake clock) until it is in the state wanted, then forgets the requests. */
async function seed(
  s: { clock: FakeClock; sb: Sandbox; client: ApiClient },
  name: string,
  opts: { stopped?: boolean; extra?: Partial<CreateDeploymentRequest> } = {},
): Promise<ElasticDeploymentDetail> {
  const d = await createDeployment(s.client, deploymentBody(name, opts.extra));
  s.clock.t += 24 * 3600_000;
  if (opts.stopped) {
    await stopDeployment(s.client, d.id);
    s.clock.t += 24 * 3600_000;
  }
  s.sb.requests.length = 0;
  return d;
}

// Ids in messages are whole (they can be pasted back).
const short = (id: string): string => id;

describe('start --wait', () => {
  it('waits until RUNNING with every worker up, then says so', async () => {
    const s = await setup({ workerStartMs: 20_000, stopMs: 0, terminateMs: 0 });
    const d = await seed(s, 'llama', { stopped: true });
    const started = s.clock.t;
    const r = await s.run(['deploy', 'start', 'llama', '--wait']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `Starting llama (${short(d.id)})…\n` +
        `Waiting for llama (${d.id}) to be running: INITIALIZING, 0/2 workers running (0s)\n` +
        `Started llama (${short(d.id)}): RUNNING, 2/2 workers running. Next: yotta deploy workers ${d.id}\n`,
    );
    expect(s.clock.t - started).toBeGreaterThanOrEqual(20_000);
    expect(s.clock.t - started).toBeLessThan(26_000);
    expect((await getDeployment(s.client, d.id)).status).toBe('RUNNING');
  });

  it('a start taking 60 s needs at most 30 requests, with pauses growing to 5 s', async () => {
    const s = await setup({ workerStartMs: 60_000, stopMs: 0, terminateMs: 0 });
    const d = await seed(s, 'llama', { stopped: true });
    const r = await s.run(['deploy', 'start', d.id, '--wait', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([
      { id: d.id, name: 'llama', action: 'start', ok: true, status: 'RUNNING', changed: true, error: null },
    ]);
    expect(s.sb.requests.length).toBeLessThanOrEqual(30);
    expect(s.sb.requests.filter((q) => q.method === 'POST')).toHaveLength(1);
    expect(s.clock.sleeps.slice(0, 5)).toEqual([1000, 1500, 2250, 3375, 5000]);
    expect(Math.max(...s.clock.sleeps)).toBe(5000);
  });

  it('stops at once with exit 9 when the deployment turns FAILED', async () => {
    const s = await setup({ workerStartMs: 60_000, stopMs: 0, terminateMs: 0 });
    const d = await seed(s, 'llama', { stopped: true });
    s.clock.onSleep = (n) => {
      if (n === 1) s.sb.failDeployment(d.id);
    };
    const started = s.clock.t;
    const r = await s.run(['deploy', 'start', d.id, '--wait']);
    expect(r.code).toBe(9);
    expect(r.stderr).toContain(`Error: llama (${short(d.id)}) turned FAILED while waiting for it to be running`);
    const [failed] = (await listWorkers(s.client, d.id)).filter((w) => w.status === 'FAILED');
    expect(r.stderr).toContain(`See why with: yotta deploy logs ${d.id} --worker ${failed!.id} --tail 50`);
    // Failed after the 2nd pause; the poll right after it saw FAILED: no further polling.
    expect(s.clock.sleeps).toHaveLength(2);
    expect(s.clock.t - started).toBe(2500);
  });

  it('exit 9 too when the workers fail as they start (SANDBOX_FAIL), with the FAILED status in JSON', async () => {
    const s = await setup({ workerStartMs: 5_000, stopMs: 0, terminateMs: 0 });
    const d = await seed(s, 'doomed', { stopped: true, extra: { environmentVars: [{ key: 'SANDBOX_FAIL', value: '1' }] } });
    const r = await s.run(['deploy', 'start', d.id, '--wait', '--json']);
    expect(r.code).toBe(9);
    const out = JSON.parse(r.stdout) as Array<Record<string, unknown>>;
    expect(out[0]).toMatchObject({ id: d.id, ok: false, status: 'FAILED', changed: true, error: { exitCode: 9, code: null } });
    expect(JSON.parse(r.stderr).error.exitCode).toBe(9);
  });

  it('exits 8 on timeout, saying the last state seen', async () => {
    const s = await setup({ workerStartMs: 3600_000, stopMs: 0, terminateMs: 0 });
    const d = await seed(s, 'llama', { stopped: true });
    const started = s.clock.t;
    const r = await s.run(['deploy', 'start', d.id, '--wait-timeout', '30s']);
    expect(r.code).toBe(8);
    expect(r.stderr).toContain(
      `Error: gave up after 30s waiting for llama (${short(d.id)}) to be running; last seen: INITIALIZING, 0/2 workers running`,
    );
    expect(r.stderr).toContain(`It may still get there; check with: yotta deploy get ${d.id}`);
    expect(s.clock.t - started).toBe(30_000);
  });

  it('the default timeout is 10 minutes', async () => {
    const s = await setup({ workerStartMs: 3600_000, stopMs: 0, terminateMs: 0 });
    const d = await seed(s, 'llama', { stopped: true });
    const r = await s.run(['deploy', 'start', d.id, '--wait']);
    expect(r.code).toBe(8);
    expect(r.stderr).toContain('gave up after 10m00s');
    expect(s.sb.requests.length).toBeLessThanOrEqual(2 + 130);
  });

  it('Ctrl-C stops waiting, leaves the deployment as it is, says how to check: exit 130', async () => {
    const s = await setup({ workerStartMs: 60_000, stopMs: 0, terminateMs: 0 });
    const d = await seed(s, 'llama', { stopped: true });
    const ac = new AbortController();
    s.clock.onSleep = (n) => {
      if (n === 2) ac.abort();
    };
    const r = await s.run(['deploy', 'start', d.id, '--wait'], { signal: ac.signal });
    expect(r.code).toBe(130);
    expect(r.stderr).toContain(`stopped waiting for llama (${short(d.id)}) to be running; it was left as it is (INITIALIZING, 0/2 workers running)`);
    expect(r.stderr).toContain(`Still starting; check with: yotta deploy get ${d.id}, or wait again with: yotta deploy wait ${d.id} --for running`);
    expect(s.sb.requests.filter((q) => q.method !== 'GET').map((q) => q.path)).toEqual([`${BASE}/${d.id}/start`]);
    expect((await getDeployment(s.client, d.id)).status).toBe('INITIALIZING');
  });

  it('a deployment already INITIALIZING: nothing sent, the wait still happens', async () => {
    const s = await setup({ workerStartMs: 20_000, stopMs: 0, terminateMs: 0 });
    const d = await createDeployment(s.client, deploymentBody('fresh'));
    s.sb.requests.length = 0;
    const r = await s.run(['deploy', 'start', d.id, '--wait']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(
      `Waiting for fresh (${d.id}) to be running: INITIALIZING, 0/2 workers running (0s)\n` +
      `fresh (${short(d.id)}) was already INITIALIZING (now RUNNING, 2/2 workers running); nothing sent. Next: yotta deploy get ${d.id}\n`,
    );
    expect(s.sb.requests.every((q) => q.method === 'GET')).toBe(true);
  });

  it('several ids: every start is sent first, then each is waited for within one deadline', async () => {
    const s = await setup({ workerStartMs: 20_000, stopMs: 0, terminateMs: 0 });
    const a = await seed(s, 'llama-a', { stopped: true });
    const b = await seed(s, 'llama-b', { stopped: true });
    const started = s.clock.t;
    const r = await s.run(['deploy', 'start', a.id, b.id, '--wait']);
    expect(r.code).toBe(0);
    const writes = s.sb.requests.filter((q) => q.method === 'POST').map((q) => q.path);
    expect(writes).toEqual([`${BASE}/${a.id}/start`, `${BASE}/${b.id}/start`]);
    expect(r.stderr).toContain(`Started llama-a (${short(a.id)})`);
    expect(r.stderr).toContain(`Started llama-b (${short(b.id)})`);
    // The two starts overlap: about 20 s in all, not 40.
    expect(s.clock.t - started).toBeLessThan(26_000);
  });
});

describe('stop --wait', () => {
  it('waits until STOPPED', async () => {
    const s = await setup({ workerStartMs: 0, stopMs: 8_000, terminateMs: 8_000 });
    const d = await seed(s, 'llama');
    const r = await s.run(['deploy', 'stop', d.id, '--wait']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`Stopped llama (${short(d.id)}). Next: yotta deploy start ${d.id}`);
    expect((await getDeployment(s.client, d.id)).status).toBe('STOPPED');
  });

  it('--wait-timeout alone implies --wait', async () => {
    const s = await setup({ workerStartMs: 0, stopMs: 600_000, terminateMs: 600_000 });
    const d = await seed(s, 'llama');
    const r = await s.run(['deploy', 'stop', d.id, '--wait-timeout', '1m', '--json']);
    expect(r.code).toBe(8);
    const out = JSON.parse(r.stdout) as Array<Record<string, unknown>>;
    expect(out[0]).toMatchObject({ ok: false, status: 'STOPPING', error: { exitCode: 8 } });
  });

  it('a bad --wait-timeout is a usage error, nothing sent', async () => {
    const s = await setup({ workerStartMs: 0, stopMs: 0, terminateMs: 0 });
    const d = await seed(s, 'llama');
    const r = await s.run(['deploy', 'stop', d.id, '--wait-timeout', 'soon']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--wait-timeout');
    expect(s.sb.requests).toEqual([]);
  });
});

describe('scale --wait', () => {
  it('waits until exactly N workers run', async () => {
    const s = await setup({ workerStartMs: 10_000, stopMs: 0, terminateMs: 5_000 });
    const d = await seed(s, 'llama');
    const up = await s.run(['deploy', 'scale', d.id, '4', '--wait', '--json']);
    expect(up.code).toBe(0);
    expect(JSON.parse(up.stdout)).toEqual([
      { id: d.id, name: 'llama', action: 'scale', ok: true, status: 'RUNNING', changed: true, workers: 4, runningWorkers: 4, error: null },
    ]);
    const down = await s.run(['deploy', 'scale', d.id, '1', '--wait']);
    expect(down.code).toBe(0);
    expect(down.stderr).toContain(`Scaled llama (${short(d.id)}) to 1 worker: RUNNING, 1/1 workers running.`);
  });

  it('times out with the worker count last seen', async () => {
    const s = await setup({ workerStartMs: 3600_000, stopMs: 0, terminateMs: 0 });
    const d = await seed(s, 'llama');
    const r = await s.run(['deploy', 'scale', d.id, '3', '--wait-timeout', '20s']);
    expect(r.code).toBe(8);
    expect(r.stderr).toContain('to be running 3 workers; last seen: INITIALIZING, 2/3 workers running');
    expect(r.stderr).toContain(`check with: yotta deploy workers ${d.id}, or wait longer with: yotta deploy wait ${d.id} --for workers=3 --wait-timeout 30m`);
  });
});

describe('delete --force', () => {
  it('does not delete when the stop does not finish in time: exit 8, no DELETE', async () => {
    const s = await setup({ workerStartMs: 0, stopMs: 3600_000, terminateMs: 0 });
    const d = await seed(s, 'llama');
    const r = await s.run(['deploy', 'delete', d.id, '--force', '--yes', '--wait-timeout', '10s']);
    expect(r.code).toBe(8);
    expect(s.sb.requests.filter((q) => q.method === 'DELETE')).toEqual([]);
    expect((await getDeployment(s.client, d.id)).status).toBe('STOPPING');
  });

  it('waits for a slow stop, then deletes', async () => {
    const s = await setup({ workerStartMs: 0, stopMs: 15_000, terminateMs: 0 });
    const d = await seed(s, 'llama');
    const r = await s.run(['deploy', 'delete', d.id, '--force', '--yes']);
    expect(r.code).toBe(0);
    const writes = s.sb.requests.filter((q) => q.method !== 'GET').map((q) => `${q.method} ${q.path}`);
    expect(writes).toEqual([`POST ${BASE}/${d.id}/stop`, `DELETE ${BASE}/${d.id}`]);
    const del = s.sb.requests.find((q) => q.method === 'DELETE')!;
    const stop = s.sb.requests.find((q) => q.method === 'POST')!;
    expect(del.at - stop.at).toBeGreaterThanOrEqual(15_000);
  });
});

describe('waitForDeployment', () => {
  async function session(s: { clock: FakeClock; env: Record<string, string> }) {
    const { ctx } = testContext({ env: s.env, now: s.clock.now, sleep: s.clock.sleep });
    const g = { color: false, input: true };
    const ui = createUi(ctx, g);
    return openSession(ctx, g, ui);
  }

  it('tolerates a few "not found" answers right after create', async () => {
    const s = await setup({ workerStartMs: 5_000, stopMs: 0, terminateMs: 0 });
    const d = await createDeployment(s.client, deploymentBody('fresh'));
    s.sb.addFault({ match: { method: 'GET', path: `/${d.id}` }, kind: 'envelope', code: 24001, message: 'Elastic does not exist', times: 3 });
    const sess = await session(s);
    try {
      const got = await waitForDeployment(sess, d.id, { state: 'running' }, { timeoutMs: 60_000, ui: sess.ui });
      expect(got?.status).toBe('RUNNING');
    } finally {
      await sess.close();
    }
  });

  it('gives up with the API error when it stays not found', async () => {
    const s = await setup({ workerStartMs: 5_000, stopMs: 0, terminateMs: 0 });
    const sess = await session(s);
    try {
      const err = await waitForDeployment(sess, '378888638324150969', { state: 'running' }, { timeoutMs: 60_000, ui: sess.ui }).catch(
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(ApiError);
      expect((err as ApiError).exitCode).toBe(ExitCode.NOT_FOUND);
      expect(s.sb.requests).toHaveLength(4);
    } finally {
      await sess.close();
    }
  });

  it('returns undefined once a deployment is gone when waiting for deleted', async () => {
    const s = await setup({ workerStartMs: 0, stopMs: 0, terminateMs: 0 });
    const sess = await session(s);
    try {
      expect(await waitForDeployment(sess, '378888638324150969', { state: 'deleted' }, { timeoutMs: 1000, ui: sess.ui })).toBeUndefined();
    } finally {
      await sess.close();
    }
  });
});

describe('reachedTarget', () => {
  const d = (status: string, running: number, total: number) =>
    ({ status, runningWorkers: running, totalWorkers: total }) as unknown as ElasticDeploymentDetail;

  it('running needs RUNNING and every worker up', () => {
    expect(reachedTarget(d('RUNNING', 2, 2), { state: 'running' })).toBe(true);
    expect(reachedTarget(d('RUNNING', 1, 2), { state: 'running' })).toBe(false);
    expect(reachedTarget(d('INITIALIZING', 2, 2), { state: 'running' })).toBe(false);
  });

  it('workers needs exactly N running and N asked for', () => {
    expect(reachedTarget(d('RUNNING', 3, 3), { state: 'workers', count: 3 })).toBe(true);
    expect(reachedTarget(d('RUNNING', 4, 3), { state: 'workers', count: 3 })).toBe(false);
    expect(reachedTarget(d('RUNNING', 0, 0), { state: 'workers', count: 0 })).toBe(true);
  });

  it('stopped needs STOPPED', () => {
    expect(reachedTarget(d('STOPPED', 0, 2), { state: 'stopped' })).toBe(true);
    expect(reachedTarget(d('STOPPING', 0, 2), { state: 'stopped' })).toBe(false);
  });
});

describe('on a terminal', () => {
  it('the spinner shows status, worker counts and elapsed time on stderr, then gives way to the result line', async () => {
    const s = await setup({ workerStartMs: 20_000, stopMs: 0, terminateMs: 0 });
    const d = await seed(s, 'llama', { stopped: true });
    // Slow real sleeps a little so that ora (loaded lazily) gets to draw a frame.
    const sleep = async (ms: number, signal?: AbortSignal): Promise<void> => {
      await new Promise((r) => setTimeout(r, 30));
      await s.clock.sleep(ms, signal);
    };
    const r = await runCli(['deploy', 'start', d.id, '--wait'], {
      env: { YOTTA_BASE_URL: s.sb.url, YOTTA_API_KEY: s.sb.apiKey, FORCE_COLOR: '1' },
      now: s.clock.now,
      sleep,
      stderrTTY: true,
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/Waiting for llama \(\d{18}\) to be running: INITIALIZING, 0\/2 workers running \(\d+s\)/);
    expect(r.stderr).toContain(`Started llama (${short(d.id)}): RUNNING, 2/2 workers running.`);
  });
});
