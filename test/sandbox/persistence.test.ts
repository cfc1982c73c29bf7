import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startSandbox } from '../../src/sandbox/index.js';
import type { Sandbox } from '../../src/sandbox/index.js';
import { ConfigError } from '../../src/errors.js';
import { call, create, data, manualClock } from './helpers.js';

const open: Sandbox[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});
async function start(...args: Parameters<typeof startSandbox>): Promise<Sandbox> {
  const s = await startSandbox(...args);
  open.push(s);
  return s;
}

/** A fresh temporary folder (not test/helpers/cli.ts, which loads the whole CLI). */
const tempDir = (prefix: string) => mkdtempSync(join(tmpdir(), prefix));

const delays = { workerStartMs: 3000, stopMs: 2000, terminateMs: 2000 };

describe('state file', () => {
  it('a second sandbox on the same file sees the first one`s deployments, moved on in time', async () => {
    const dir = tempDir('yotta-sandbox-');
    const statePath = join(dir, 'nested', 'state.json');
    const clock = manualClock();
    const first = await start({ statePath, delays, now: clock.now });
    const d = await create(first);
    expect(d.status).toBe('INITIALIZING');
    await first.close();
    open.splice(open.indexOf(first), 1);
    expect(existsSync(statePath)).toBe(true);

    clock.advance(5000);
    const second = await start({ statePath, delays, now: clock.now });
    const later = await data<{ status: string; id: string; runningWorkers: number }>(second, 'GET', `/${d.id}`);
    expect(later).toMatchObject({ id: d.id, status: 'RUNNING', runningWorkers: 2 });

    await data(second, 'POST', `/${d.id}/stop`);
    await second.close();
    open.splice(open.indexOf(second), 1);
    clock.advance(2000);
    const third = await start({ statePath, delays, now: clock.now });
    expect((await data<{ status: string }>(third, 'GET', `/${d.id}`)).status).toBe('STOPPED');
    await data(third, 'DELETE', `/${d.id}`);
    expect(JSON.parse(readFileSync(statePath, 'utf8'))).toEqual({ version: 1, deployments: [], credentials: [] });
  });

  it('writes atomically (no temporary file left behind) and privately', async () => {
    const dir = tempDir('yotta-sandbox-');
    const statePath = join(dir, 'state.json');
    const s = await start({ statePath, delays });
    await create(s);
    await create(s, { name: 'two' });
    expect(readdirSync(dir)).toEqual(['state.json']);
    const { statSync } = await import('node:fs');
    expect(statSync(statePath).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(statePath, 'utf8')).deployments).toHaveLength(2);
  });

  it('two sandboxes sharing a file at the same time see each other`s changes', async () => {
    const statePath = join(tempDir('yotta-sandbox-'), 'state.json');
    const a = await start({ statePath, delays: { workerStartMs: 0, stopMs: 0, terminateMs: 0 } });
    const b = await start({ statePath, delays: { workerStartMs: 0, stopMs: 0, terminateMs: 0 } });
    const d = await create(a);
    expect((await data<unknown[]>(b, 'GET', '/list')).length).toBe(1);
    await data(b, 'POST', `/${d.id}/stop`);
    expect((await data<{ status: string }>(a, 'GET', `/${d.id}`)).status).toBe('STOPPED');
  });

  it('refuses a corrupt state file with an error naming it, and leaves it untouched', async () => {
    const statePath = join(tempDir('yotta-sandbox-'), 'state.json');
    writeFileSync(statePath, '{"version": 1, "deployments": [');
    const err = await startSandbox({ statePath }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toContain(statePath);
    expect((err as ConfigError).hint).toContain('Move');
    expect(readFileSync(statePath, 'utf8')).toBe('{"version": 1, "deployments": [');

    writeFileSync(statePath, '{"something": "else"}');
    await expect(startSandbox({ statePath })).rejects.toThrow(/is not a sandbox state/);
  });

  it('without a state file, nothing is written anywhere', async () => {
    const s = await start({ delays });
    await create(s);
    expect((await call(s, 'GET', '/list')).json?.code).toBe(10000);
  });

  it('failDeployment is persisted too', async () => {
    const statePath = join(tempDir('yotta-sandbox-'), 'state.json');
    const clock = manualClock();
    const a = await start({ statePath, delays, now: clock.now });
    const d = await create(a);
    a.failDeployment(d.id);
    const b = await start({ statePath, delays, now: clock.now });
    expect((await data<{ status: string }>(b, 'GET', `/${d.id}`)).status).toBe('FAILED');
  });
});
