import { afterEach, describe, expect, it } from 'vitest';
import { startSandbox } from '../../src/sandbox/index.js';
import type { Sandbox } from '../../src/sandbox/index.js';
import type { ElasticDeploymentDetail, ElasticDeploymentWorkerDetail } from '../../src/api/types.js';
import { NO_DELAYS, call, create, data, manualClock } from './helpers.js';

let sb: Sandbox | undefined;
afterEach(async () => {
  await sb?.close();
  sb = undefined;
});

const get = (s: Sandbox, id: string) => data<ElasticDeploymentDetail>(s, 'GET', `/${id}`);
const workers = (s: Sandbox, id: string, q = '') => data<ElasticDeploymentWorkerDetail[]>(s, 'GET', `/${id}/workers${q}`);

describe('with zero delays', () => {
  it('runs the whole life cycle: create, list, stop, update, start, scale, delete', async () => {
    sb = await startSandbox({ delays: NO_DELAYS });
    const d = await create(sb);
    expect(d.id).toMatch(/^[1-9]\d{17}$/);
    expect(d.status).toBe('RUNNING');
    expect(d).toMatchObject({ totalWorkers: 2, runningWorkers: 2, creator: 'sandbox@yotta.local', imageRegistry: 'https://index.docker.io' });
    expect(d.domain).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/alb\/[a-z0-9]{12}$/);

    const list = await data<ElasticDeploymentDetail[]>(sb, 'GET', '/list');
    expect(list.map((x) => x.id)).toEqual([d.id]);

    const before = (await workers(sb, d.id)).map((w) => w.id);
    expect(before).toHaveLength(2);
    for (const id of before) expect(id).toMatch(/^[1-9]\d{17}$/);

    expect(await data(sb, 'POST', `/${d.id}/stop`)).toBeNull();
    expect((await get(sb, d.id)).status).toBe('STOPPED');
    expect((await workers(sb, d.id)).map((w) => w.status)).toEqual(['TERMINATED', 'TERMINATED']);

    const updated = await data<ElasticDeploymentDetail>(sb, 'POST', `/${d.id}/update`, {
      name: 'renamed',
      resources: [{ region: 'us-west-1', gpuType: 'NVIDIA_H100_80G', gpuCount: 2 }],
      containerVolumeInGb: 200,
      workers: 3,
      expose: { port: 9000, protocol: 'HTTP' },
    });
    expect(updated).toMatchObject({ name: 'renamed', totalWorkers: 3, containerVolumeInGb: 200, status: 'STOPPED', image: d.image, domain: d.domain });
    // An optional field left out of an update keeps its value (the reading Yotta's SDK relies on).
    expect(updated.environmentVars).toEqual(d.environmentVars);

    expect(await data(sb, 'POST', `/${d.id}/start`)).toBeNull();
    const after = await workers(sb, d.id);
    expect(after).toHaveLength(3);
    expect(after.every((w) => !before.includes(w.id))).toBe(true);
    expect(after[0]).toMatchObject({ region: 'us-west-1', gpuCount: 2, status: 'RUNNING' });

    expect(await data(sb, 'POST', `/${d.id}/workers`, { workers: 1 })).toBeNull();
    expect((await get(sb, d.id)).totalWorkers).toBe(1);
    expect((await workers(sb, d.id, '?statusList=RUNNING')).length).toBe(1);

    await data(sb, 'POST', `/${d.id}/stop`);
    expect(await data(sb, 'DELETE', `/${d.id}`)).toBeNull();
    expect((await call(sb, 'GET', `/${d.id}`)).json?.code).toBe(24001);
    expect(await data(sb, 'GET', '/list')).toEqual([]);
  });

  it('filters list and workers by repeated (or comma-joined) statusList values', async () => {
    sb = await startSandbox({ delays: NO_DELAYS });
    const a = await create(sb, { name: 'a' });
    const b = await create(sb, { name: 'b' });
    await data(sb, 'POST', `/${b.id}/stop`);
    const ids = async (q: string) => (await data<ElasticDeploymentDetail[]>(sb!, 'GET', `/list${q}`)).map((x) => x.name);
    expect(await ids('?statusList=RUNNING')).toEqual(['a']);
    expect(await ids('?statusList=STOPPED')).toEqual(['b']);
    expect(await ids('?statusList=RUNNING&statusList=STOPPED')).toEqual(['a', 'b']);
    expect(await ids('?statusList=RUNNING,STOPPED')).toEqual(['a', 'b']);
    expect(await ids('?statusList=FAILED')).toEqual([]);
    expect(sb.requests.at(-2)?.query).toEqual({ statusList: ['RUNNING,STOPPED'] });
    expect(await workers(sb, a.id, '?statusList=TERMINATED')).toEqual([]);
    expect((await workers(sb, b.id, '?statusList=TERMINATED&statusList=RUNNING')).length).toBe(2);
  });

  it('fills every documented field of a deployment and a worker, prices as strings', async () => {
    sb = await startSandbox({ delays: NO_DELAYS });
    const d = await create(sb, { serviceMode: 'QUEUE', expose: undefined, credentialId: 'cred-1', minSingleCardVramInGb: 80 });
    expect(d.domain).toBeUndefined();
    expect(d).toMatchObject({
      credentialId: 'cred-1',
      minSingleCardVramInGb: 80,
      minSingleCardVcpu: 0,
      perHourPrice: '3.90', // 2 × (1.85 × 1 + 0.001 × 100)
      perSecondPrice: '0.00108333',
      cost: '0.00',
      resources: [
        {
          region: 'us-east-1',
          regionDisplayName: 'US East',
          gpuType: 'NVIDIA_H100_80G',
          gpuDisplayName: 'H100',
          gpuCount: 1,
          singleCardVramInGb: 80,
          singleCardVcpu: expect.any(Number),
          singleCardRamInGb: expect.any(Number),
        },
      ],
    });
    const [w] = await workers(sb, d.id);
    expect(Object.keys(w!).sort()).toEqual(
      ['id', 'region', 'regionDisplayName', 'gpuType', 'gpuDisplayName', 'gpuCount', 'singleCardVramInGb', 'singleCardVcpu', 'singleCardRamInGb', 'uptime', 'cost', 'status'].sort(),
    );
    expect(typeof w!.uptime).toBe('string');
    expect(typeof w!.cost).toBe('string');
  });

  it('scales to zero and back, and retires terminated workers', async () => {
    sb = await startSandbox({ delays: NO_DELAYS });
    const d = await create(sb);
    await data(sb, 'POST', `/${d.id}/workers`, { workers: 0 });
    expect(await get(sb, d.id)).toMatchObject({ status: 'RUNNING', totalWorkers: 0, runningWorkers: 0 });
    await data(sb, 'POST', `/${d.id}/workers`, { workers: 3 });
    const ws = await workers(sb, d.id);
    expect(ws.map((w) => w.status)).toEqual(['RUNNING', 'RUNNING', 'RUNNING']);
  });
});

describe('with a clock the test moves', () => {
  const delays = { workerStartMs: 3000, stopMs: 2000, terminateMs: 1000 };

  it('moves INITIALIZING → RUNNING → STOPPING → STOPPED as time passes', async () => {
    const clock = manualClock();
    sb = await startSandbox({ delays, now: clock.now });
    const d = await create(sb);
    expect(d).toMatchObject({ status: 'INITIALIZING', runningWorkers: 0 });
    expect((await workers(sb, d.id)).map((w) => [w.status, w.uptime])).toEqual([
      ['INITIALIZE', '0'],
      ['INITIALIZE', '0'],
    ]);
    clock.advance(2999);
    expect((await get(sb, d.id)).status).toBe('INITIALIZING');
    clock.advance(1);
    expect(await get(sb, d.id)).toMatchObject({ status: 'RUNNING', runningWorkers: 2 });

    clock.advance(3_600_000);
    const running = await get(sb, d.id);
    // Two workers for an hour at 1.85 + 0.001 × 100 each.
    expect(running.cost).toBe('3.90');
    expect((await workers(sb, d.id))[0]).toMatchObject({ uptime: '3600000', cost: '1.95', status: 'RUNNING' });

    await data(sb, 'POST', `/${d.id}/stop`);
    expect((await get(sb, d.id)).status).toBe('STOPPING');
    expect((await workers(sb, d.id)).map((w) => w.status)).toEqual(['TERMINATING', 'TERMINATING']);
    expect((await call(sb, 'POST', `/${d.id}/start`)).json?.code).toBe(24002);
    clock.advance(1000);
    expect((await workers(sb, d.id)).map((w) => w.status)).toEqual(['TERMINATED', 'TERMINATED']);
    expect((await get(sb, d.id)).status).toBe('STOPPING');
    clock.advance(1000);
    const stopped = await get(sb, d.id);
    expect(stopped).toMatchObject({ status: 'STOPPED', runningWorkers: 0 });
    // Cost stops accruing once workers stop running.
    clock.advance(3_600_000);
    expect((await get(sb, d.id)).cost).toBe('3.90');

    await data(sb, 'POST', `/${d.id}/start`);
    expect((await get(sb, d.id)).status).toBe('INITIALIZING');
    clock.advance(3000);
    expect(await get(sb, d.id)).toMatchObject({ status: 'RUNNING', cost: '3.90' });
  });

  it('scales up with new INITIALIZE workers and down by terminating the not-yet-running first', async () => {
    const clock = manualClock();
    sb = await startSandbox({ delays, now: clock.now });
    const d = await create(sb, { workers: 1 });
    clock.advance(3000);
    const [first] = await workers(sb, d.id);
    await data(sb, 'POST', `/${d.id}/workers`, { workers: 3 });
    expect(await get(sb, d.id)).toMatchObject({ status: 'INITIALIZING', totalWorkers: 3, runningWorkers: 1 });
    expect((await workers(sb, d.id)).map((w) => w.status).sort()).toEqual(['INITIALIZE', 'INITIALIZE', 'RUNNING']);
    await data(sb, 'POST', `/${d.id}/workers`, { workers: 1 });
    const ws = await workers(sb, d.id);
    expect(ws.find((w) => w.id === first!.id)?.status).toBe('RUNNING');
    expect(ws.filter((w) => w.status === 'TERMINATING')).toHaveLength(2);
    expect((await get(sb, d.id)).status).toBe('RUNNING');
    clock.advance(1000);
    expect((await workers(sb, d.id, '?statusList=TERMINATED')).length).toBe(2);
  });

  it('allows stop while INITIALIZING, and scale only while INITIALIZING or RUNNING', async () => {
    const clock = manualClock();
    sb = await startSandbox({ delays, now: clock.now });
    const d = await create(sb);
    expect((await call(sb, 'POST', `/${d.id}/workers`, { workers: 3 })).json?.code).toBe(10000);
    await data(sb, 'POST', `/${d.id}/stop`);
    expect((await call(sb, 'POST', `/${d.id}/workers`, { workers: 1 })).json?.code).toBe(24002);
    expect((await call(sb, 'POST', `/${d.id}/stop`)).json?.code).toBe(24002);
    clock.advance(2000);
    expect((await call(sb, 'POST', `/${d.id}/stop`)).json?.code).toBe(24002);
    expect((await call(sb, 'POST', `/${d.id}/workers`, { workers: 1 })).json?.code).toBe(24002);
  });
});

describe('the FAILED path', () => {
  it('failDeployment() makes a deployment and its workers FAILED; it can then be stopped, or started again', async () => {
    sb = await startSandbox({ delays: NO_DELAYS });
    const d = await create(sb);
    sb.failDeployment(d.id);
    expect(await get(sb, d.id)).toMatchObject({ status: 'FAILED', runningWorkers: 0 });
    expect((await workers(sb, d.id)).map((w) => w.status)).toEqual(['FAILED', 'FAILED']);
    expect((await call(sb, 'POST', `/${d.id}/workers`, { workers: 1 })).json?.code).toBe(24002);
    expect((await call(sb, 'DELETE', `/${d.id}`)).json?.code).toBe(24002);
    await data(sb, 'POST', `/${d.id}/start`);
    expect((await get(sb, d.id)).status).toBe('RUNNING');
    sb.failDeployment(d.id);
    await data(sb, 'POST', `/${d.id}/stop`);
    expect((await get(sb, d.id)).status).toBe('STOPPED');
    await data(sb, 'DELETE', `/${d.id}`);
    expect(() => sb!.failDeployment(d.id)).toThrow(/no sandbox deployment/);
  });

  it('SANDBOX_FAIL=1 in environmentVars makes the workers fail when they would start', async () => {
    const clock = manualClock();
    sb = await startSandbox({ delays: { workerStartMs: 3000, stopMs: 0, terminateMs: 0 }, now: clock.now });
    const d = await create(sb, { environmentVars: [{ key: 'SANDBOX_FAIL', value: '1' }] });
    expect(d.status).toBe('INITIALIZING');
    clock.advance(3000);
    expect(await get(sb, d.id)).toMatchObject({ status: 'FAILED', runningWorkers: 0, cost: '0.00' });
    expect((await workers(sb, d.id)).map((w) => w.status)).toEqual(['FAILED', 'FAILED']);
    // Once the variable is removed (stop, update with an empty list), the deployment starts normally.
    await data(sb, 'POST', `/${d.id}/stop`);
    await data(sb, 'POST', `/${d.id}/update`, { name: d.name, resources: d.resources, containerVolumeInGb: 100, workers: 1, environmentVars: [] });
    await data(sb, 'POST', `/${d.id}/start`);
    clock.advance(3000);
    expect((await get(sb, d.id)).status).toBe('RUNNING');
  });
});
