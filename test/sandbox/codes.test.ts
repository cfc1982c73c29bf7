import { afterEach, describe, expect, it } from 'vitest';
import { startSandbox } from '../../src/sandbox/index.js';
import type { Sandbox } from '../../src/sandbox/index.js';
import type { ElasticDeploymentWorkerDetail } from '../../src/api/types.js';
import { NO_DELAYS, call, create, createBody, data, manualClock } from './helpers.js';

let sb: Sandbox | undefined;
afterEach(async () => {
  await sb?.close();
  sb = undefined;
});

const UNKNOWN = '999999999999999999';

describe('business errors: HTTP 200 with a code', () => {
  it('24001 for every endpoint that takes an unknown id', async () => {
    sb = await startSandbox({ delays: NO_DELAYS });
    const calls: [string, string, unknown?][] = [
      ['GET', `/${UNKNOWN}`],
      ['POST', `/${UNKNOWN}/update`, createBody()],
      ['POST', `/${UNKNOWN}/start`],
      ['POST', `/${UNKNOWN}/stop`],
      ['DELETE', `/${UNKNOWN}`],
      ['POST', `/${UNKNOWN}/workers`, { workers: 1 }],
      ['GET', `/${UNKNOWN}/workers`],
    ];
    for (const [method, path, body] of calls) {
      const r = await call(sb, method, path, body);
      expect(r.status).toBe(200);
      expect(r.json, `${method} ${path}`).toEqual({ code: 24001, message: 'Elastic does not exist', data: null });
    }
  });

  it('24002 for update and delete while running, start while running, stop while stopped', async () => {
    sb = await startSandbox({ delays: NO_DELAYS });
    const d = await create(sb);
    const notAllowed = { code: 24002, message: 'Elastic action not allowed', data: null };
    const upd = { name: 'x', resources: d.resources, containerVolumeInGb: 1, workers: 1, expose: d.expose };
    expect((await call(sb, 'POST', `/${d.id}/update`, upd)).json).toEqual(notAllowed);
    expect((await call(sb, 'DELETE', `/${d.id}`)).json).toEqual(notAllowed);
    expect((await call(sb, 'POST', `/${d.id}/start`)).json).toEqual(notAllowed);
    await data(sb, 'POST', `/${d.id}/stop`);
    expect((await call(sb, 'POST', `/${d.id}/stop`)).json).toEqual(notAllowed);
    expect((await call(sb, 'POST', `/${d.id}/workers`, { workers: 1 })).json).toEqual(notAllowed);
    // Nothing changed on the refused calls.
    expect((await data<{ name: string }>(sb, 'GET', `/${d.id}`)).name).toBe(d.name);
  });

  it('24002 for update and delete while STOPPING', async () => {
    const clock = manualClock();
    sb = await startSandbox({ delays: { workerStartMs: 0, stopMs: 5000, terminateMs: 5000 }, now: clock.now });
    const d = await create(sb);
    await data(sb, 'POST', `/${d.id}/stop`);
    expect((await call(sb, 'DELETE', `/${d.id}`)).json?.code).toBe(24002);
    clock.advance(5000);
    expect((await call(sb, 'DELETE', `/${d.id}`)).json?.code).toBe(10000);
  });

  it('24003 past the deployment limit, with the documented message', async () => {
    sb = await startSandbox({ delays: NO_DELAYS, deploymentLimit: 2 });
    const a = await create(sb, { name: 'a' });
    await create(sb, { name: 'b' });
    const r = await call(sb, 'POST', '/create', createBody({ name: 'c' }));
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ code: 24003, message: "You've reached the limit of 2 deployment", data: null });
    expect(await data<unknown[]>(sb, 'GET', '/list')).toHaveLength(2);
    // Deleting one makes room again.
    await data(sb, 'POST', `/${a.id}/stop`);
    await data(sb, 'DELETE', `/${a.id}`);
    expect((await call(sb, 'POST', '/create', createBody({ name: 'c' }))).json?.code).toBe(10000);
  });

  it('24009 when workers × gpuCount exceed the GPUs of a (region, gpuType), across deployments', async () => {
    sb = await startSandbox({ delays: NO_DELAYS, gpuCapacity: { 'us-east-1/NVIDIA_H100_80G': 8, '*': 0 } });
    const res = [{ region: 'us-east-1', gpuType: 'NVIDIA_H100_80G', gpuCount: 2 }];
    const insufficient = { code: 24009, message: 'Insufficient GPUs available to start the requested number of workers.', data: null };
    // 5 workers × 2 GPUs = 10 > 8.
    expect((await call(sb, 'POST', '/create', createBody({ resources: res, workers: 5 }))).json).toEqual(insufficient);
    expect(await data<unknown[]>(sb, 'GET', '/list')).toEqual([]);
    const a = await create(sb, { name: 'a', resources: res, workers: 3 }); // 6 used
    expect((await call(sb, 'POST', '/create', createBody({ name: 'b', resources: res, workers: 2 }))).json).toEqual(insufficient);
    const b = await create(sb, { name: 'b', resources: res, workers: 1 }); // 8 used
    expect((await call(sb, 'POST', `/${a.id}/workers`, { workers: 4 })).json).toEqual(insufficient);
    expect((await data<{ totalWorkers: number }>(sb, 'GET', `/${a.id}`)).totalWorkers).toBe(3);
    // Another region with no capacity ('*': 0) fails too.
    const west = [{ region: 'us-west-1', gpuType: 'NVIDIA_H100_80G', gpuCount: 1 }];
    expect((await call(sb, 'POST', '/create', createBody({ name: 'w', resources: west, workers: 1 }))).json?.code).toBe(24009);
    // Stopping b frees its GPUs for a.
    await data(sb, 'POST', `/${b.id}/stop`);
    await data(sb, 'POST', `/${a.id}/workers`, { workers: 4 });
    // ...and then b cannot start again: 24009 on start, still STOPPED.
    expect((await call(sb, 'POST', `/${b.id}/start`)).json).toEqual(insufficient);
    expect((await data<{ status: string }>(sb, 'GET', `/${b.id}`)).status).toBe('STOPPED');
  });

  it('places workers on the first resource with room, spilling over to the next', async () => {
    sb = await startSandbox({ delays: NO_DELAYS, gpuCapacity: { 'us-east-1/NVIDIA_H100_80G': 2, 'eu-2/NVIDIA_H200_141G': 2 } });
    const d = await create(sb, {
      workers: 4,
      resources: [
        { region: 'us-east-1', gpuType: 'NVIDIA_H100_80G', gpuCount: 1 },
        { region: 'eu-2', gpuType: 'NVIDIA_H200_141G', gpuCount: 1 },
      ],
    });
    const ws = await data<ElasticDeploymentWorkerDetail[]>(sb, 'GET', `/${d.id}/workers`);
    expect(ws.map((w) => `${w.region}/${w.gpuDisplayName}/${w.regionDisplayName}`)).toEqual([
      'us-east-1/H100/US East',
      'us-east-1/H100/US East',
      'eu-2/H200/EU 2',
      'eu-2/H200/EU 2',
    ]);
  });
});
