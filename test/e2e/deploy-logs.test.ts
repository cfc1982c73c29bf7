/**
 * `yotta deploy logs` end to end: the built CLI in its own process against the emulator in this one
 * (real HTTP on loopback), with the emulator's clock frozen, moved or sped up so that a backlog
 * exists or lines come fast. "No duplicate, no gap" is checked by the offsets, which the emulator
 * numbers 1, 2, 3... per worker.
 */
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createDeployment, deleteDeployment, listWorkers, scaleDeployment, stopDeployment } from '../../src/api/deployments.js';
import type { ElasticDeploymentDetail } from '../../src/api/types.js';
import { buildCli, runBuiltCli, spawnCli, waitUntil } from '../helpers/built-cli.js';
import type { SpawnResult } from '../helpers/built-cli.js';
import { tempDir } from '../helpers/cli.js';
import { deploymentBody, startTestSandbox } from '../helpers/fixtures.js';
import type { TestSandbox } from '../helpers/fixtures.js';

let buildDir: string;
beforeAll(async () => {
  buildDir = await buildCli();
}, 180_000);

/** The emulator's clock: `speed` times real time (0 = frozen), plus `shift`. */
class SandboxClock {
  private readonly realStart = Date.now();
  private readonly base = Date.now();
  shift = 0;
  constructor(private readonly speed: number) {}
  now = (): number => this.base + (Date.now() - this.realStart) * this.speed + this.shift;
}

let scene: TestSandbox | undefined;
afterEach(async () => {
  await scene?.close();
  scene = undefined;
});

const DELAYS = { workerStartMs: 3000, stopMs: 2000, terminateMs: 2000 };

async function setUp(
  speed: number,
  extra: Parameters<typeof deploymentBody>[1] = {},
  delays: typeof DELAYS = DELAYS,
): Promise<{ clock: SandboxClock; d: ElasticDeploymentDetail }> {
  const clock = new SandboxClock(speed);
  scene = await startTestSandbox({ now: clock.now, delays });
  const d = await createDeployment(scene.client, deploymentBody('llama', { workers: 1, ...extra }));
  return { clock, d };
}

function yotta(args: string[]): Promise<SpawnResult> {
  return runBuiltCli(buildDir, args, { configDir: tempDir('yotta-logs-e2e-'), env: scene!.env, killAfterMs: 30_000 });
}

interface Line {
  workerId: string;
  timestamp: string;
  offset: number;
  log: string;
}

function ndjson(text: string): Line[] {
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Line);
}

/** Each worker's offsets, in the order printed. */
function offsetsByWorker(lines: Line[]): Map<string, number[]> {
  const m = new Map<string, number[]>();
  for (const l of lines) m.set(l.workerId, [...(m.get(l.workerId) ?? []), l.offset]);
  return m;
}

/** Offsets from `first`, each one more than the one before: no line twice, none missing. */
function expectConsecutive(offsets: number[] | undefined, first = 1): void {
  expect(offsets).toBeDefined();
  expect(offsets).toEqual(offsets!.map((_, i) => first + i));
}

const logRequests = () => scene!.sb.requests.filter((r) => r.path.endsWith('/logs'));

describe('yotta deploy logs (built CLI)', () => {
  it('prints the whole backlog of the window across pages, each line once, as NDJSON of the API shape', async () => {
    const { clock, d } = await setUp(0);
    clock.shift = 3 * 3_600_000;
    const r = await yotta(['deploy', 'logs', d.id, '--since', '4h', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = ndjson(r.stdout);
    expect(lines.length).toBeGreaterThan(2000);
    for (const l of lines) {
      expect(Object.keys(l)).toEqual(['workerId', 'timestamp', 'offset', 'log']);
      expect(typeof l.offset).toBe('number');
      expect(l.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    }
    const [worker] = await listWorkers(scene!.client, d.id);
    expectConsecutive(offsetsByWorker(lines).get(worker!.id));
    expect(lines[1]!.log).toBe('Pulling image vllm/vllm-openai:latest from index.docker.io');
    // Three pages of at most 1000, the second and third asked for after the token of the one before.
    const asked = logRequests().map((q) => q.query.searchAfterOffset?.[0]);
    expect(asked).toEqual([undefined, '1000', '2000']);
  }, 60_000);

  it('merges several workers by timestamp, prefixes their labels, and --worker shows one alone', async () => {
    const { clock, d } = await setUp(0, { workers: 2 });
    clock.shift = 10 * 60_000;
    const workers = (await listWorkers(scene!.client, d.id)).map((w) => w.id);
    const merged = await yotta(['deploy', 'logs', 'llama', '--timestamps']);
    expect(merged.code).toBe(0);
    const rows = merged.stdout.split('\n').filter((l) => l !== '');
    const parsed = rows.map((row) => /^\[(\d{6})\] (\S+) (.*)$/.exec(row));
    expect(parsed.every((m) => m !== null)).toBe(true);
    expect(new Set(parsed.map((m) => m![1]))).toEqual(new Set(workers.map((w) => w.slice(-6))));
    const times = parsed.map((m) => Date.parse(m![2]!));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    for (const w of workers) {
      const alone = await yotta(['deploy', 'logs', 'llama', '--worker', w]);
      expect(alone.code).toBe(0);
      // One worker: no prefix, and exactly its lines of the merged output, in the same order.
      const mine = parsed.filter((m) => m![1] === w.slice(-6)).map((m) => m![3]);
      expect(alone.stdout.split('\n').filter((l) => l !== '')).toEqual(mine);
    }
  }, 60_000);

  it('--tail N prints the last N lines of the merged stream, found by reading backwards', async () => {
    const { clock, d } = await setUp(0, { workers: 2 });
    clock.shift = 30 * 60_000;
    const all = ndjson((await yotta(['deploy', 'logs', d.id, '--json'])).stdout);
    scene!.sb.requests.length = 0;
    const r = await yotta(['deploy', 'logs', d.id, '--tail', '50', '--json']);
    expect(r.code).toBe(0);
    expect(ndjson(r.stdout)).toEqual(all.slice(-50));
    expect(logRequests().some((q) => q.query.direction?.[0] === 'Backward')).toBe(true);
    // Pages of at most 50 were asked for going back: nothing near the whole backlog was held.
    expect(logRequests().filter((q) => q.query.direction?.[0] === 'Backward').every((q) => q.query.pageSize?.[0] === '50')).toBe(true);
    const none = await yotta(['deploy', 'logs', d.id, '--tail', '0']);
    expect(none.stdout).toBe('');
    expect(none.code).toBe(0);
  }, 60_000);

  it('--since/--until keep the window and --grep goes to the server as keyword', async () => {
    const { clock, d } = await setUp(0);
    const t0 = clock.now();
    clock.shift = 20 * 60_000;
    const all = ndjson((await yotta(['deploy', 'logs', d.id, '--json'])).stdout);
    const from = new Date(t0 + 5 * 60_000).toISOString();
    const to = new Date(t0 + 6 * 60_000).toISOString();
    const win = await yotta(['deploy', 'logs', d.id, '--since', from, '--until', to, '--json']);
    expect(win.code).toBe(0);
    const inWindow = all.filter((l) => l.timestamp >= from && l.timestamp <= to);
    expect(inWindow.length).toBe(12);
    expect(ndjson(win.stdout)).toEqual(inWindow);
    scene!.sb.requests.length = 0;
    const found = await yotta(['deploy', 'logs', d.id, '--grep', 'Pull complete', '--json']);
    expect(found.code).toBe(0);
    expect(ndjson(found.stdout)).toEqual(all.filter((l) => l.log.includes('Pull complete')));
    expect(logRequests().every((q) => q.query.keyword?.[0] === 'Pull complete')).toBe(true);
  }, 60_000);

  it('--follow crosses pages and a scale-up with no line twice or lost, and ends by itself when the deployment stops', async () => {
    // Real time, with the emulator's clock jumped forward by hours at chosen moments: each jump
    // makes more than a page of new lines appear at once (a heartbeat every 5 s: 720 an hour).
    const { clock, d } = await setUp(1);
    const [first] = (await listWorkers(scene!.client, d.id)).map((w) => w.id);
    const mine = (id: string): number => cli.stdoutSoFar().split(`"workerId":"${id}"`).length - 1;
    const cli = spawnCli(buildDir, ['deploy', 'logs', d.id, '-f', '--json'], { configDir: tempDir('yotta-logs-e2e-'), env: scene!.env, killAfterMs: 60_000 });
    await waitUntil(() => mine(first!) > 10, 20_000, 'the backlog');
    clock.shift += 2 * 3_600_000;
    await waitUntil(() => mine(first!) > 1440, 20_000, 'two hours of lines from the first worker');
    await scaleDeployment(scene!.client, d.id, 2);
    const [, second] = (await listWorkers(scene!.client, d.id)).map((w) => w.id);
    clock.shift += 2 * 3_600_000;
    await waitUntil(() => mine(second!) > 1400, 20_000, 'two hours of lines from the new worker');
    await stopDeployment(scene!.client, d.id);
    clock.shift += 60_000;
    // It ends by itself (--json keeps stderr for warnings and errors, so nothing is said there).
    const r = await cli.result;
    expect(r.signal).toBeNull();
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const lines = ndjson(r.stdout);
    const by = offsetsByWorker(lines);
    expectConsecutive(by.get(first!));
    expectConsecutive(by.get(second!));
    for (const w of [first, second]) expect(lines.filter((l) => l.workerId === w).at(-1)!.log).toBe('Container exited with code 0');
    // Crossing a page while following: a full page of the first worker, then the next asked for at once.
    const asked = logRequests()
      .filter((q) => q.path.includes(first!) && q.query.searchAfterOffset)
      .map((q) => Number(q.query.searchAfterOffset![0]));
    expect(asked.some((o, i) => i > 0 && o === asked[i - 1]! + 1000)).toBe(true);
  }, 90_000);

  it('a deletion ends a follow with exit 0 and says so', async () => {
    const { d } = await setUp(1, {}, { workerStartMs: 0, stopMs: 0, terminateMs: 0 });
    const cli = spawnCli(buildDir, ['deploy', 'logs', d.id, '-f'], { configDir: tempDir('yotta-logs-e2e-'), env: scene!.env });
    await waitUntil(() => cli.stdoutSoFar().includes('Starting container'), 10_000, 'the backlog');
    // Hold the next poll of the deployment while it is stopped and deleted, so that poll finds it gone.
    const mark = scene!.sb.requests.length;
    scene!.sb.addFault({ kind: 'latency', ms: 3000, match: { method: 'GET', path: `/\\/deploy\\/${d.id}$/` } });
    await waitUntil(() => scene!.sb.requests.slice(mark).some((q) => q.method === 'GET' && q.path.endsWith(`/deploy/${d.id}`)), 10_000, 'a poll');
    await stopDeployment(scene!.client, d.id);
    await deleteDeployment(scene!.client, d.id);
    const r = await cli.result;
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`llama (${d.id}) was deleted; no more logs.`);
  }, 60_000);

  it('Ctrl-C ends a follow with exit 0, everything read printed', async () => {
    const { d } = await setUp(50);
    const cli = spawnCli(buildDir, ['deploy', 'logs', d.id, '-f', '--json'], { configDir: tempDir('yotta-logs-e2e-'), env: scene!.env });
    await waitUntil(() => cli.stdoutSoFar().includes('heartbeat') || cli.stdoutSoFar().includes('throughput'), 15_000, 'following lines');
    cli.child.kill('SIGINT');
    const r = await cli.result;
    expect(r.code).toBe(0);
    expect(r.stdout.endsWith('\n')).toBe(true);
    const [w] = await listWorkers(scene!.client, d.id);
    expectConsecutive(offsetsByWorker(ndjson(r.stdout)).get(w!.id));
  }, 60_000);

  it('a follow rides out 503s and re-reads a lost page from its token', async () => {
    const { d } = await setUp(50);
    const cli = spawnCli(buildDir, ['deploy', 'logs', d.id, '-f', '--json'], { configDir: tempDir('yotta-logs-e2e-'), env: scene!.env, killAfterMs: 60_000 });
    await waitUntil(() => cli.stdoutSoFar().includes('throughput'), 15_000, 'following lines');
    // More 503s than the client's own retries: the follow itself must wait and go on.
    scene!.sb.addFault({ kind: 'status', status: 503, times: 4, match: { path: '/logs' } });
    await waitUntil(() => cli.stderrSoFar().includes('still following'), 20_000, 'the warning');
    const before = cli.stdoutSoFar().length;
    await waitUntil(() => cli.stdoutSoFar().length > before + 2000, 20_000, 'lines after the 503s');
    // The answer to one page is lost after the server applied it: the page must be asked again from the same token.
    const mark = scene!.sb.requests.length;
    scene!.sb.addFault({ kind: 'reset-after', times: 1, match: { path: '/logs' } });
    await waitUntil(() => scene!.sb.requests.slice(mark).filter((q) => q.path.endsWith('/logs')).length >= 3, 20_000, 'the re-read');
    const [lost, again] = scene!.sb.requests.slice(mark).filter((q) => q.path.endsWith('/logs'));
    expect(again!.query.searchAfterOffset).toEqual(lost!.query.searchAfterOffset);
    await stopDeployment(scene!.client, d.id);
    const r = await cli.result;
    expect(r.code).toBe(0);
    const lines = ndjson(r.stdout);
    const [w] = await listWorkers(scene!.client, d.id);
    expectConsecutive(offsetsByWorker(lines).get(w!.id));
    expect(lines.at(-1)!.log).toBe('Container exited with code 0');
  }, 90_000);
});

describe('log text is untrusted', () => {
  const nasty = 'echo "\u001b[31mred\u001b[0m\there\rback \u0085 \u202eevil"';

  it('goes byte for byte to a pipe and with C1 and bidi characters escaped into JSON', async () => {
    const { clock, d } = await setUp(0, { initializationCommand: nasty });
    clock.shift = 60_000;
    const piped = await yotta(['deploy', 'logs', d.id]);
    expect(piped.stdout.split('\n')).toContain(`$ ${nasty}`);
    const json = await yotta(['deploy', 'logs', d.id, '--json']);
    const row = json.stdout.split('\n').find((l) => l.includes('echo'))!;
    expect(row).toContain('\\u001b[31mred\\u001b[0m\\there\\rback \\u0085 \\u202eevil');
    for (const raw of ['\u0085', '\u202e', '\u001b']) expect(row).not.toContain(raw);
    expect(JSON.parse(row).log).toBe(`$ ${nasty}`);
  }, 60_000);

  const hasScript = spawnSync('script', ['--version'], { stdio: 'ignore' }).status === 0;
  it.runIf(hasScript)('is escaped on a terminal, tabs kept', async () => {
    const { clock, d } = await setUp(0, { initializationCommand: nasty });
    clock.shift = 60_000;
    const command = [process.execPath, join(buildDir, 'bin', 'yotta.js'), 'deploy', 'logs', d.id].join(' ');
    const home = tempDir('yotta-logs-pty-');
    const transcript = await new Promise<string>((resolve, reject) => {
      const child = spawn('script', ['-qefc', command, '/dev/null'], {
        env: { PATH: process.env.PATH, HOME: home, TERM: 'dumb', YOTTA_CONFIG_DIR: home, ...scene!.env },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      child.on('error', reject);
      child.on('close', () => {
        clearTimeout(timer);
        resolve(out);
      });
      child.stdin.end();
    });
    expect(transcript).toContain('$ echo "\\u001b[31mred\\u001b[0m\there\\rback \\u0085 \\u202eevil"');
    for (const raw of ['\u0085', '\u202e', '\u001b']) expect(transcript).not.toContain(raw);
  }, 60_000);
});

describe('errors', () => {
  it('a --worker the server does not know: exit 4 naming the deployment\'s workers', async () => {
    const { d } = await setUp(0);
    const [w] = await listWorkers(scene!.client, d.id);
    const r = await yotta(['deploy', 'logs', d.id, '--worker', '123456789012345678']);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain(`worker 123456789012345678 not found in deployment ${d.id}; its workers: ${w!.id} (`);
  }, 60_000);

  it('a server without the logs endpoint, for a deployment that exists: exit 1 saying so', async () => {
    const { d } = await setUp(0);
    scene!.sb.addFault({ kind: 'status', status: 404, code: 14000, message: 'endpoint not found', times: 10, match: { path: '/logs' } });
    const r = await yotta(['deploy', 'logs', d.id]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('the server does not offer worker logs');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  }, 60_000);

  it('a deployment with no workers says so; an unknown one is exit 4', async () => {
    const { d } = await setUp(0, {}, { workerStartMs: 0, stopMs: 0, terminateMs: 0 });
    await scaleDeployment(scene!.client, d.id, 0);
    const none = await yotta(['deploy', 'logs', d.id]);
    expect(none.code).toBe(0);
    expect(none.stderr).toContain('has no workers yet');
    const gone = await yotta(['deploy', 'logs', '999999999999999999']);
    expect(gone.code).toBe(4);
    expect(gone.stderr).toContain('deployment 999999999999999999 not found');
  }, 60_000);

  it('bad flags: exit 2, one line naming the flag, nothing sent', async () => {
    await setUp(0);
    scene!.sb.requests.length = 0;
    const cases: [string[], string][] = [
      [['--follow', '--until', '2025-01-01T00:00:00Z'], '--until'],
      [['--tail', 'ten'], '--tail'],
      [['--since', 'yesterday'], '--since'],
      [['--worker', '../x'], '--worker'],
      [['--grep', ''], '--grep'],
      [['-o', 'yaml'], 'YAML'],
    ];
    for (const [flags, named] of cases) {
      const r = await yotta(['deploy', 'logs', 'llama', ...flags]);
      expect(r.code, flags.join(' ')).toBe(2);
      expect(r.stderr).toContain(named);
    }
    expect(scene!.sb.requests).toEqual([]);
  }, 60_000);
});

describe('the way from FAILED to the logs', () => {
  it('deploy workers points at the logs of a FAILED worker, and that command shows why it failed', async () => {
    const { clock, d } = await setUp(0, { environmentVars: [{ key: 'SANDBOX_FAIL', value: '1' }] });
    clock.shift = 10_000;
    const [w] = await listWorkers(scene!.client, d.id);
    const r = await yotta(['deploy', 'workers', d.id]);
    expect(r.code).toBe(0);
    const hint = `yotta deploy logs ${d.id} --worker ${w!.id} --tail 50`;
    expect(r.stderr).toContain(`1 worker is FAILED; see why in its last lines. Next: ${hint}`);
    const logs = await yotta(hint.split(' ').slice(1));
    expect(logs.code).toBe(0);
    expect(logs.stdout.trimEnd().split('\n').slice(-2)).toEqual([
      "Error: SANDBOX_FAIL=1 is set in the deployment's environment, so the sandbox fails this worker as it starts",
      'Container exited with code 1; worker FAILED',
    ]);
  }, 60_000);
});
