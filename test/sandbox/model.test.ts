import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { startSandbox } from '../../src/sandbox/index.js';
import type { ElasticDeploymentDetail, ElasticDeploymentWorkerDetail } from '../../src/api/types.js';
import { call, createBody, manualClock } from './helpers.js';

const KNOWN_CODES = new Set([10000, 10001, 24001, 24002, 24003, 24009]);
const DEPLOYMENT_STATUSES = new Set(['INITIALIZING', 'RUNNING', 'STOPPING', 'STOPPED', 'FAILED']);
const WORKER_STATUSES = new Set(['INITIALIZE', 'RUNNING', 'TERMINATING', 'TERMINATED', 'FAILED']);

type Op =
  | { op: 'create'; workers: number; fail: boolean }
  | { op: 'stop' | 'start' | 'delete' | 'fail'; pick: number }
  | { op: 'scale'; pick: number; workers: number }
  | { op: 'advance'; ms: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('create' as const), workers: fc.integer({ min: 1, max: 4 }), fail: fc.boolean() }),
  fc.record({ op: fc.constantFrom('stop' as const, 'start' as const, 'delete' as const, 'fail' as const), pick: fc.nat(5) }),
  fc.record({ op: fc.constant('scale' as const), pick: fc.nat(5), workers: fc.integer({ min: 0, max: 4 }) }),
  fc.record({ op: fc.constant('advance' as const), ms: fc.constantFrom(0, 500, 1000, 3000, 10_000) }),
);

describe('the state machine under random operations', () => {
  it('always answers an envelope and keeps its invariants', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 25 }), async (ops) => {
        const clock = manualClock();
        const sb = await startSandbox({
          now: clock.now,
          delays: { workerStartMs: 1000, stopMs: 2000, terminateMs: 1000 },
          deploymentLimit: 4,
          gpuCapacity: { '*': 8 },
        });
        try {
          const ids: string[] = [];
          for (const o of ops) {
            const id = 'pick' in o ? (ids[o.pick % Math.max(ids.length, 1)] ?? '100000000000000000') : '';
            let status: string | undefined;
            if (id) status = ((await call(sb, 'GET', `/${id}`)).json?.data as ElasticDeploymentDetail | null)?.status;
            let r;
            switch (o.op) {
              case 'advance':
                clock.advance(o.ms);
                continue;
              case 'fail':
                if (ids.includes(id)) sb.failDeployment(id);
                continue;
              case 'create':
                r = await call(
                  sb,
                  'POST',
                  '/create',
                  createBody({ workers: o.workers, resources: [{ region: 'us-east-1', gpuType: 'NVIDIA_H100_80G', gpuCount: 2 }], environmentVars: o.fail ? [{ key: 'SANDBOX_FAIL', value: '1' }] : [] }),
                );
                if (r.json?.code === 10000) ids.push((r.json.data as ElasticDeploymentDetail).id);
                break;
              case 'scale':
                r = await call(sb, 'POST', `/${id}/workers`, { workers: o.workers });
                break;
              case 'delete':
                r = await call(sb, 'DELETE', `/${id}`);
                if (r.json?.code === 10000) {
                  expect(status).toBe('STOPPED');
                  ids.splice(ids.indexOf(id), 1);
                }
                break;
              default:
                r = await call(sb, 'POST', `/${id}/${o.op}`);
            }
            expect(r.status).toBe(200);
            expect(KNOWN_CODES.has(r.json!.code)).toBe(true);
            if (o.op === 'stop' && r.json?.code === 10000) expect(['INITIALIZING', 'RUNNING', 'FAILED']).toContain(status);
            if (o.op === 'start' && r.json?.code === 10000) expect(['STOPPED', 'FAILED']).toContain(status);
          }
          // Invariants over everything that is left.
          const list = (await call(sb, 'GET', '/list')).json!.data as ElasticDeploymentDetail[];
          expect(list.map((d) => d.id).sort()).toEqual([...ids].sort());
          let gpusHeld = 0;
          for (const d of list) {
            expect(d.id).toMatch(/^[1-9]\d{17}$/);
            expect(DEPLOYMENT_STATUSES.has(d.status)).toBe(true);
            expect(d.runningWorkers).toBeLessThanOrEqual(d.totalWorkers);
            expect(Number(d.cost)).toBeGreaterThanOrEqual(0);
            const ws = (await call(sb, 'GET', `/${d.id}/workers`)).json!.data as ElasticDeploymentWorkerDetail[];
            for (const w of ws) {
              expect(w.id).toMatch(/^[1-9]\d{17}$/);
              expect(WORKER_STATUSES.has(w.status)).toBe(true);
              if (['INITIALIZE', 'RUNNING', 'TERMINATING'].includes(w.status)) gpusHeld += w.gpuCount ?? 0;
            }
            if (d.status === 'STOPPED') expect(ws.every((w) => w.status === 'TERMINATED' || w.status === 'FAILED')).toBe(true);
            if (d.status === 'RUNNING') expect(ws.filter((w) => w.status === 'RUNNING').length).toBe(d.runningWorkers);
          }
          expect(gpusHeld).toBeLessThanOrEqual(8);
        } finally {
          await sb.close();
        }
      }),
      // A fixed seed keeps CI deterministic; it once found FAILED workers coming back as TERMINATING
      // (and holding GPUs) when their deployment was stopped. Change the seed to explore further.
      { numRuns: 60, seed: 230496400 },
    );
  });
});
