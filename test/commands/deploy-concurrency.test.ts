/**
 * The multi-deployment contract of start, stop, delete and apply, through main() against the
 * emulator: results in the order given whatever order the answers come in, exactly one write per
 * deployment (a deployment named twice, or listed twice by --all, included), exit 10 on a partial
 * failure, --concurrency checked before anything is sent, Ctrl-C in the middle of a batch saying
 * what became of each deployment, and the connections a command opens.
 */
import { createServer, type Server } from 'node:net';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.js';
import type { ApiClient } from '../../src/api/client.js';
import type { ElasticDeploymentDetail } from '../../src/api/types.js';
import { createDeployment, getDeployment, listDeployments, stopDeployment } from '../../src/api/deployments.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { deploymentBody, FakeClock, startTestSandbox } from '../helpers/fixtures.js';
import { startRawServer } from '../api/raw-server.js';

const BASE = '/openapi/v1/elastic/deploy';

let sb: Sandbox;
let client: ApiClient;
let env: Record<string, string>;
let close: () => Promise<void>;

beforeEach(async () => {
  ({ sb, client, env, close } = await startTestSandbox());
});

afterEach(() => close());

/** RUNNING deployments with these names, in order; the requests that made them are forgotten. */
async function seed(...names: string[]): Promise<ElasticDeploymentDetail[]> {
  const out: ElasticDeploymentDetail[] = [];
  for (const name of names) out.push(await createDeployment(client, deploymentBody(name, { workers: 1 })));
  sb.requests.length = 0;
  return out;
}

/** `METHOD path` of the requests that change something, sorted (concurrent requests arrive in any order). */
const writes = (): string[] =>
  sb.requests
    .filter((q) => q.method !== 'GET')
    .map((q) => `${q.method} ${q.path}`)
    .sort();

/** Resolves once `check` holds, looking every 10 ms (the CLI under test runs in this process). */
async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((r) => setTimeout(r, 10));
}

describe('results in the order given', () => {
  it('--json lists every deployment in argument order, though the first one is answered last', async () => {
    const [a, b, c] = await seed('ord-a', 'ord-b', 'ord-c');
    // The first stop is held for a while, so the other two are answered before it.
    sb.addFault({ match: { method: 'POST', path: `${a!.id}/stop` }, kind: 'latency', ms: 300 });
    const r = await runCli(['deploy', 'stop', c!.id, 'ord-a', b!.id, '--json'], { env });
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { id: string; ok: boolean; status: string }[];
    expect(out.map((x) => x.id)).toEqual([c!.id, a!.id, b!.id]);
    expect(out.every((x) => x.ok && x.status === 'STOPPED')).toBe(true);
    expect(writes()).toEqual([`POST ${BASE}/${a!.id}/stop`, `POST ${BASE}/${b!.id}/stop`, `POST ${BASE}/${c!.id}/stop`].sort());
  });

  it('the narration on stderr keeps the order given too', async () => {
    const [a, b, c] = await seed('say-a', 'say-b', 'say-c');
    sb.addFault({ match: { method: 'POST', path: `${a!.id}/stop` }, kind: 'latency', ms: 300 });
    const r = await runCli(['deploy', 'stop', 'say-a', 'say-b', 'say-c'], { env });
    expect(r.code).toBe(0);
    const lines = r.stderr.split('\n').filter((l) => l.startsWith('Stopp'));
    const short = (d: ElasticDeploymentDetail): string => `${d.name} (${d.id})`;
    expect(lines).toEqual([
      `Stopping ${short(a!)}…`,
      expect.stringMatching(new RegExp(`^Stopped ${short(a!).replace(/[()]/g, '\\$&')}\\.`)),
      `Stopping ${short(b!)}…`,
      expect.stringMatching(new RegExp(`^Stopped ${short(b!).replace(/[()]/g, '\\$&')}\\.`)),
      `Stopping ${short(c!)}…`,
      expect.stringMatching(new RegExp(`^Stopped ${short(c!).replace(/[()]/g, '\\$&')}\\.`)),
    ]);
  });

  it('--concurrency 1 gives the same results, one request after another', async () => {
    const [a, b] = await seed('one-a', 'one-b');
    const r = await runCli(['deploy', 'stop', 'one-a', 'one-b', '--concurrency', '1', '--json'], { env });
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { id: string }[]).map((x) => x.id)).toEqual([a!.id, b!.id]);
    // One at a time: each stop arrives after the one before it was answered, in order.
    expect(sb.requests.filter((q) => q.method === 'POST').map((q) => q.path)).toEqual([`${BASE}/${a!.id}/stop`, `${BASE}/${b!.id}/stop`]);
  });
});

describe('exactly one write per deployment', () => {
  it('a deployment named by its name and by its id is stopped once, and reported once', async () => {
    const [a, b] = await seed('llama', 'other');
    const r = await runCli(['deploy', 'stop', 'llama', a!.id, b!.id, 'other', '--json'], { env });
    expect(r.code).toBe(0);
    expect(writes()).toEqual([`POST ${BASE}/${a!.id}/stop`, `POST ${BASE}/${b!.id}/stop`].sort());
    const out = JSON.parse(r.stdout) as { id: string; ok: boolean; changed: boolean }[];
    expect(out).toEqual([
      expect.objectContaining({ id: a!.id, ok: true, changed: true }),
      expect.objectContaining({ id: b!.id, ok: true, changed: true }),
    ]);
  });

  it('the repeat is said on stderr, and the command still exits 0 (no second write to fail)', async () => {
    const [a] = await seed('llama');
    const r = await runCli(['deploy', 'stop', a!.id, 'llama'], { env });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`llama is llama (${a!.id}), named already; it is stopped once.`);
    expect(writes()).toEqual([`POST ${BASE}/${a!.id}/stop`]);
  });

  it('delete --force of a name and its id: one stop, one delete', async () => {
    const [a] = await seed('gone');
    const r = await runCli(['deploy', 'delete', 'gone', a!.id, '--force', '--yes'], { env });
    expect(r.code).toBe(0);
    expect(writes()).toEqual([`DELETE ${BASE}/${a!.id}`, `POST ${BASE}/${a!.id}/stop`]);
  });

  it('--all acts once on an entry the list repeats', async () => {
    const [a, b] = await seed('rep-a', 'rep-b');
    // A server whose list names rep-a twice; everything else goes to the emulator as it is.
    const proxy = await startRawServer((req, res, body) => {
      void (async () => {
        const answer = await fetch(`${sb.url}${req.url}`, {
          method: req.method,
          headers: { 'x-api-key': String(req.headers['x-api-key']), 'content-type': 'application/json' },
          ...(body ? { body } : {}),
        });
        let text = await answer.text();
        if (req.url?.startsWith(`${BASE}/list`)) {
          const envelope = JSON.parse(text) as { data: unknown[] };
          envelope.data = [envelope.data[0], ...envelope.data];
          text = JSON.stringify(envelope);
        }
        res.writeHead(answer.status, { 'content-type': 'application/json' });
        res.end(text);
      })();
    });
    try {
      const r = await runCli(['deploy', 'stop', '--all', '--yes', '--json'], { env: { ...env, YOTTA_BASE_URL: proxy.url } });
      expect(r.code).toBe(0);
      expect(writes()).toEqual([`POST ${BASE}/${a!.id}/stop`, `POST ${BASE}/${b!.id}/stop`].sort());
      expect((JSON.parse(r.stdout) as { id: string }[]).map((x) => x.id).sort()).toEqual([a!.id, b!.id].sort());
    } finally {
      await proxy.close();
    }
  });
});

describe('partial failure', () => {
  it('one failure among several: the others are done, each is reported, exit 10', async () => {
    const [a, b, c] = await seed('pf-a', 'pf-b', 'pf-c');
    sb.addFault({ match: { method: 'POST', path: `${b!.id}/stop` }, kind: 'status', status: 400, code: 10001, message: 'parameter error' });
    const r = await runCli(['deploy', 'stop', 'pf-a', 'pf-b', 'pf-c', '--json'], { env });
    expect(r.code).toBe(10);
    const out = JSON.parse(r.stdout) as { id: string; ok: boolean }[];
    expect(out.map((x) => [x.id, x.ok])).toEqual([
      [a!.id, true],
      [b!.id, false],
      [c!.id, true],
    ]);
    expect((await getDeployment(client, a!.id)).status).toBe('STOPPED');
    expect((await getDeployment(client, c!.id)).status).toBe('STOPPED');
    // Never re-sent: one stop each.
    expect(writes()).toEqual([`POST ${BASE}/${a!.id}/stop`, `POST ${BASE}/${b!.id}/stop`, `POST ${BASE}/${c!.id}/stop`].sort());
    expect(JSON.parse(r.stderr)).toMatchObject({ error: { exitCode: 10, message: expect.stringContaining('1 of 3 deployments could not be stopped') } });
  });

  it('apply with several documents: one fails, the others are applied, exit 10', async () => {
    const [a] = await seed('ap-a');
    await stopDeployment(client, a!.id);
    sb.requests.length = 0;
    const dir = tempDir();
    const doc = (name: string, workers: number): string =>
      `name: ${name}\nimage: vllm/vllm-openai:latest\nresources:\n  - region: us-east-1\n    gpuType: NVIDIA_H100_80G\n    gpuCount: 1\n` +
      `containerVolumeInGb: 100\nworkers: ${workers}\nserviceMode: CUSTOM\ninitializationCommand: vllm serve x\n`;
    writeFileSync(join(dir, 'stack.yaml'), [doc('ap-new-1', 1), doc('ap-a', 3), doc('ap-new-2', 1)].join('---\n'));
    sb.addFault({ match: { method: 'POST', path: `${a!.id}/update` }, kind: 'status', status: 400, code: 10001, message: 'parameter error' });
    const r = await runCli(['deploy', 'apply', '-f', join(dir, 'stack.yaml'), '--json'], { env });
    expect(r.code).toBe(10);
    const out = JSON.parse(r.stdout) as { name: string; ok: boolean; action: string }[];
    expect(out.map((x) => [x.name, x.action, x.ok])).toEqual([
      ['ap-new-1', 'create', true],
      ['ap-a', 'update', false],
      ['ap-new-2', 'create', true],
    ]);
    const names = (await listDeployments(client)).map((d) => d.name).sort();
    expect(names).toEqual(['ap-a', 'ap-new-1', 'ap-new-2']);
    expect(writes().filter((w) => w.endsWith('/create'))).toHaveLength(2);
  });
});

describe('--concurrency', () => {
  it.each([['0'], ['-1'], ['two'], ['65'], ['1.5']])('%s is refused before anything is sent: exit 2', async (value) => {
    await seed('cc');
    const r = await runCli(['deploy', 'stop', 'cc', `--concurrency=${value}`], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`--concurrency: "${value}" is not a whole number from 1 to 64`);
    expect(sb.requests).toEqual([]);
  });

  it('is documented in the help of start, stop, delete and apply', async () => {
    for (const verb of ['start', 'stop', 'delete', 'apply']) {
      const r = await runCli(['deploy', verb, '--help'], { env });
      expect(r.stdout).toContain('--concurrency <n>');
    }
  });
});

describe('Ctrl-C in the middle of a batch', () => {
  it('the writes answered stay done, the one in flight is "outcome unknown", exit 130', async () => {
    const [a, b, c] = await seed('int-a', 'int-b', 'int-c');
    // a's stop is held by the server until long after the test ends.
    sb.addFault({ match: { method: 'POST', path: `${a!.id}/stop` }, kind: 'latency', ms: 20_000 });
    const ac = new AbortController();
    const running = runCli(['deploy', 'stop', 'int-a', 'int-b', 'int-c'], { env, signal: ac.signal });
    // b and c are stopped while a's stop is still held: they ran beside it.
    await until(() => sb.requests.filter((q) => q.method === 'POST').length === 3);
    await until(() => sb.requests.filter((q) => q.method === 'GET' && q.path !== `${BASE}/list`).length >= 2);
    ac.abort();
    const r = await running;
    expect(r.code).toBe(130);
    expect(r.stderr).toContain(`int-a (${a!.id}): interrupted while the stop request was in flight; the outcome is unknown`);
    expect(r.stderr).toContain(`It was not sent again. Check whether it happened with: yotta deploy get ${a!.id}`);
    expect(r.stderr).toContain('Error: interrupted: 2 of 3 finished, 1 with an outcome unknown');
    expect(r.stderr).toContain(`Stopped int-b (${b!.id}).`);
    expect(r.stderr).toContain(`Stopped int-c (${c!.id}).`);
  });

  it('with --concurrency 1 the deployments not reached are "not started", and nothing is sent for them', async () => {
    const [a, b, c] = await seed('seq-a', 'seq-b', 'seq-c');
    sb.addFault({ match: { method: 'POST', path: `${a!.id}/stop` }, kind: 'latency', ms: 20_000 });
    const ac = new AbortController();
    const running = runCli(['deploy', 'stop', 'seq-a', 'seq-b', 'seq-c', '--concurrency', '1', '--json'], { env, signal: ac.signal });
    await until(() => sb.requests.some((q) => q.method === 'POST'));
    ac.abort();
    const r = await running;
    expect(r.code).toBe(130);
    expect(writes()).toEqual([`POST ${BASE}/${a!.id}/stop`]);
    const out = JSON.parse(r.stdout) as { id: string; ok: boolean; error: { exitCode: number; message: string } | null }[];
    expect(out.map((x) => x.id)).toEqual([a!.id, b!.id, c!.id]);
    expect(out.map((x) => x.error?.exitCode)).toEqual([130, 130, 130]);
    expect(out[0]!.error!.message).toContain('the outcome is unknown');
    expect(out[1]!.error!.message).toContain('not stopped; interrupted before anything was sent for it');
    expect(JSON.parse(r.stderr)).toMatchObject({ error: { exitCode: 130, message: 'interrupted: 0 of 3 finished, 1 with an outcome unknown, 2 not started (nothing sent for them)' } });
  });
});

describe('waits of several deployments proceed together', () => {
  it('start --wait of three: every start is sent before the first wait ends, and all end RUNNING', async () => {
    const clock = new FakeClock();
    const s = await startTestSandbox({ delays: { workerStartMs: 5000, stopMs: 0, terminateMs: 0 }, now: clock.now });
    try {
      const ds: ElasticDeploymentDetail[] = [];
      for (const n of ['w-a', 'w-b', 'w-c']) {
        const d = await createDeployment(s.client, deploymentBody(n, { workers: 1 }));
        await stopDeployment(s.client, d.id);
        ds.push(d);
      }
      s.sb.requests.length = 0;
      const r = await runCli(['deploy', 'start', 'w-a', 'w-b', 'w-c', '--wait', '--json'], { env: s.env, now: clock.now, sleep: clock.sleep });
      expect(r.code).toBe(0);
      const out = JSON.parse(r.stdout) as { id: string; status: string }[];
      expect(out.map((x) => [x.id, x.status])).toEqual(ds.map((d) => [d.id, 'RUNNING']));
      // The three starts come before any deployment is seen RUNNING: nobody waited for another's wait.
      const log = s.sb.requests.map((q) => `${q.method} ${q.path}`);
      const lastStart = Math.max(...ds.map((d) => log.indexOf(`POST ${BASE}/${d.id}/start`)));
      const polls = log.slice(lastStart + 1).filter((l) => l.startsWith('GET'));
      expect(lastStart).toBeLessThan(log.length - 1);
      expect(new Set(polls).size).toBe(3);
    } finally {
      await s.close();
    }
  });
});

/** A TCP relay in front of the emulator that counts the connections the CLI opens. */
async function connectionCounter(target: string): Promise<{ url: string; count(): number; close(): Promise<void> }> {
  const { port } = new URL(target);
  let opened = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((inbound) => {
    opened += 1;
    const outbound = connect(Number(port), '127.0.0.1');
    for (const s of [inbound, outbound]) {
      sockets.add(s);
      s.on('error', () => s.destroy());
      s.on('close', () => sockets.delete(s));
    }
    inbound.pipe(outbound).pipe(inbound);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${address.port}`,
    count: () => opened,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

describe('connections are reused', () => {
  it('a wait polls over the one connection it opened', async () => {
    const clock = new FakeClock();
    const s = await startTestSandbox({ delays: { workerStartMs: 20_000, stopMs: 0, terminateMs: 0 }, now: clock.now });
    const relay = await connectionCounter(s.sb.url);
    try {
      const d = await createDeployment(s.client, deploymentBody('poller', { workers: 1 }));
      await stopDeployment(s.client, d.id);
      s.sb.requests.length = 0;
      const r = await runCli(['deploy', 'start', d.id, '--wait'], { env: { ...s.env, YOTTA_BASE_URL: relay.url }, now: clock.now, sleep: clock.sleep });
      expect(r.code).toBe(0);
      expect(s.sb.requests.filter((q) => q.method === 'GET').length).toBeGreaterThan(3);
      expect(relay.count()).toBe(1);
    } finally {
      await relay.close();
      await s.close();
    }
  });

  it('a batch opens at most --concurrency connections', async () => {
    const names = ['c1', 'c2', 'c3', 'c4', 'c5', 'c6'];
    await seed(...names);
    const relay = await connectionCounter(sb.url);
    try {
      const r = await runCli(['deploy', 'stop', ...names, '--concurrency', '2'], { env: { ...env, YOTTA_BASE_URL: relay.url } });
      expect(r.code).toBe(0);
      expect(writes()).toHaveLength(6);
      expect(relay.count()).toBeLessThanOrEqual(2);
    } finally {
      await relay.close();
    }
  });
});
