/**
 * `--watch` of `deploy list`, `get` and `workers` through main() against the emulator, with one fake
 * clock shared by the emulator and the CLI: each sleep of the watch moves the clock on, the emulator's
 * deployments change with it, and the test ends the watch like Ctrl-C does (its signal) after N sleeps.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startSandbox } from '../../src/sandbox/index.js';
import type { Sandbox, SandboxOptions } from '../../src/sandbox/index.js';
import { ApiClient } from '../../src/api/client.js';
import { createDeployment, deleteDeployment, stopDeployment } from '../../src/api/deployments.js';
import type { CreateDeploymentRequest, ElasticDeploymentDetail, ElasticDeploymentWorkerDetail } from '../../src/api/types.js';
import type { RunOptions, RunResult } from '../helpers/cli.js';
import { runCli } from '../helpers/cli.js';
import { deploymentBody } from '../helpers/fixtures.js';

const BASE = '/openapi/v1/elastic/deploy';
/** The redraw's move back over the last frame: carriage return, N rows up, clear to the end of the screen. */
// eslint-disable-next-line no-control-regex
const CURSOR_BACK = /\r\u001b\[(\d+)A\u001b\[J/;
/** Colour escapes. */
// eslint-disable-next-line no-control-regex
const COLOUR = /\u001b\[\d+m/g;
const T0 = 1_700_000_000_000;

const body = (name: string): CreateDeploymentRequest => deploymentBody(name, { initializationCommand: 'python serve.py' });

let clock = T0;
let sb: Sandbox;
let client: ApiClient;
let env: Record<string, string>;

/** A sandbox on the shared clock: workers start 3 s after a create or start; a stop takes 1 s. */
async function setUp(o: SandboxOptions = {}): Promise<void> {
  clock = T0;
  sb = await startSandbox({ now: () => clock, delays: { workerStartMs: 3000, stopMs: 1000, terminateMs: 1000 }, ...o });
  client = new ApiClient({ baseUrl: sb.url, apiKey: sb.apiKey, userAgent: 'test-seed' });
  env = { YOTTA_BASE_URL: sb.url, YOTTA_API_KEY: sb.apiKey };
}

afterEach(async () => {
  await client.close();
  await sb.close();
});

/** Requests the CLI sent (not those the test made to set the scene). */
function cliCalls(): string[] {
  return sb.requests.filter((q) => q.headers['user-agent']?.startsWith('yotta-cli/')).map((q) => `${q.method} ${q.path}`);
}

interface WatchRun extends RunResult {
  /** Every pause the CLI asked for, in ms. */
  sleeps: number[];
}

/**
 * Runs a watching command. Each sleep advances the shared clock, then runs `between(k)` (k from 1),
 * then, at the `stopAfter`-th sleep, aborts the signal as Ctrl-C does.
 */
async function watch(
  args: string[],
  o: { stopAfter: number; between?: (k: number) => Promise<void> } & RunOptions,
): Promise<WatchRun> {
  const ac = new AbortController();
  const sleeps: number[] = [];
  const { stopAfter, between, ...run } = o;
  const r = await runCli(args, {
    env,
    now: () => clock,
    signal: ac.signal,
    sleep: async (ms, signal) => {
      if (signal?.aborted) throw signal.reason;
      sleeps.push(ms);
      clock += ms;
      await between?.(sleeps.length);
      if (sleeps.length >= stopAfter) {
        ac.abort(new DOMException('interrupted', 'AbortError'));
        throw ac.signal.reason;
      }
    },
    ...run,
  });
  return { ...r, sleeps };
}

interface Event {
  type: string;
  at: string;
  deployment?: ElasticDeploymentDetail;
  deploymentId?: string;
  worker?: ElasticDeploymentWorkerDetail;
}

/** Parses an NDJSON stream, checking every line is one JSON object of the documented shape. */
function events(stdout: string): Event[] {
  expect(stdout.endsWith('\n')).toBe(true);
  return stdout
    .slice(0, -1)
    .split('\n')
    .map((line) => {
      const e = JSON.parse(line) as Event;
      expect(['snapshot', 'added', 'changed', 'removed']).toContain(e.type);
      expect(new Date(e.at).toISOString()).toBe(e.at);
      const keys = Object.keys(e).sort();
      expect(keys).toEqual(e.worker ? ['at', 'deploymentId', 'type', 'worker'] : ['at', 'deployment', 'type']);
      return e;
    });
}

const secondsIn = (e: Event): number => (Date.parse(e.at) - T0) / 1000;

/** `t type name status running/total` for each deployment event, sorted within one poll by name. */
function deploymentSummary(list: Event[]): string[] {
  return list
    .filter((e) => e.deployment)
    .map((e) => `${secondsIn(e)} ${e.type} ${e.deployment!.name} ${e.deployment!.status} ${e.deployment!.runningWorkers}/${e.deployment!.totalWorkers}`)
    .sort((a, b) => parseFloat(a) - parseFloat(b) || a.localeCompare(b));
}

/**
 * The scene of most list tests, polls every 2 s from T0: llama-a is created at T0 (RUNNING at 3 s);
 * llama-b at 4 s (RUNNING at 7 s); llama-a is stopped at 8 s (STOPPED at 9 s) and deleted at 12 s.
 */
async function listScene(): Promise<{ a: ElasticDeploymentDetail; between: (k: number) => Promise<void> }> {
  const a = await createDeployment(client, body('llama-a'));
  const between = async (k: number): Promise<void> => {
    if (k === 2) await createDeployment(client, body('llama-b'));
    if (k === 4) await stopDeployment(client, a.id);
    if (k === 6) await deleteDeployment(client, a.id);
  };
  return { a, between };
}

describe('deploy list --watch --json: NDJSON events', () => {
  it('prints a snapshot, then one event per change only, each line the documented JSON; Ctrl-C exits 0', async () => {
    await setUp();
    const { a, between } = await listScene();
    const r = await watch(['deploy', 'list', '--watch', '--json'], { stopAfter: 8, between });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const list = events(r.stdout);
    expect(deploymentSummary(list)).toEqual([
      '0 snapshot llama-a INITIALIZING 0/2',
      '4 added llama-b INITIALIZING 0/2',
      '4 changed llama-a RUNNING 2/2',
      '8 changed llama-a STOPPING 0/2',
      '8 changed llama-b RUNNING 2/2',
      '10 changed llama-a STOPPED 0/2',
      '12 removed llama-a STOPPED 0/2',
    ]);
    // The event carries the API's object as received: ids are strings, every field is there.
    expect(list[0]!.deployment!.id).toBe(a.id);
    expect(list[0]!.deployment).toHaveProperty('perHourPrice');
    // One list call per poll, every 2 s, and nothing else: 8 polls before Ctrl-C.
    expect(r.sleeps).toEqual(Array(8).fill(2000));
    expect(cliCalls()).toEqual(Array(8).fill(`GET ${BASE}/list`));
  });

  it('cost accruing alone is not a change: a RUNNING deployment gives one event however long it runs', async () => {
    await setUp({ delays: { workerStartMs: 0, stopMs: 0, terminateMs: 0 } });
    await createDeployment(client, body('llama-a'));
    const r = await watch(['deploy', 'list', '--watch', '--json'], { stopAfter: 6 });
    expect(r.code).toBe(0);
    const list = events(r.stdout);
    expect(list).toHaveLength(1);
    expect(list[0]!.type).toBe('snapshot');
    expect(cliCalls()).toHaveLength(6);
  });

  it('is the same stream on a terminal: no colour, no cursor movement', async () => {
    await setUp();
    const { between } = await listScene();
    const r = await watch(['deploy', 'list', '--watch', '--json'], { stopAfter: 8, between, stdoutTTY: true, stderrTTY: true });
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('\u001b');
    expect(deploymentSummary(events(r.stdout))).toHaveLength(7);
  });

  it('sends --status with every poll; a deployment leaving the filter is "removed"', async () => {
    await setUp();
    const { between } = await listScene();
    const r = await watch(['deploy', 'list', '--watch', '--json', '--status', 'running'], { stopAfter: 6, between });
    expect(r.code).toBe(0);
    expect(deploymentSummary(events(r.stdout))).toEqual([
      '4 added llama-a RUNNING 2/2',
      '8 added llama-b RUNNING 2/2',
      '8 removed llama-a RUNNING 2/2',
    ]);
    const lists = sb.requests.filter((q) => q.path === `${BASE}/list` && q.headers['user-agent']?.startsWith('yotta-cli/'));
    expect(lists.every((q) => q.query.statusList?.join() === 'RUNNING')).toBe(true);
  });
});

describe('deploy list --watch without a terminal: a line per change', () => {
  it('prints `time name id STATUS running/total` when a deployment changes, and `removed` when it goes', async () => {
    await setUp();
    const { a, between } = await listScene();
    const r = await watch(['deploy', 'list', '--watch'], { stopAfter: 8, between });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const lines = r.stdout.trimEnd().split('\n');
    for (const l of lines) expect(l).toMatch(/^\d\d:\d\d:\d\d llama-[ab] \d{18} /);
    expect(lines.map((l) => l.slice(9).replace(/ \d{18} /, ' '))).toEqual([
      'llama-a INITIALIZING 0/2',
      'llama-a RUNNING 2/2',
      'llama-b INITIALIZING 0/2',
      'llama-a STOPPING 0/2',
      'llama-b RUNNING 2/2',
      'llama-a STOPPED 0/2',
      'llama-a removed',
    ]);
    expect(lines[0]).toContain(` ${a.id} `);
    expect(r.stdout).not.toContain('\u001b');
  });
});

describe('deploy list --watch on a terminal: redrawn in place', () => {
  it('redraws the table (and its total) only when it changed, moving the cursor up over the last frame', async () => {
    await setUp();
    const { between } = await listScene();
    const r = await watch(['deploy', 'list', '--watch'], { stopAfter: 8, between, stdoutTTY: true });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const frames = r.stdout.split(CURSOR_BACK);
    // split with a capture group: frame, rows, frame, rows, frame...
    const bodies = frames.filter((_f, i) => i % 2 === 0);
    const rows = frames.filter((_f, i) => i % 2 === 1).map(Number);
    // Five changes among eight polls: created, a running + b added, a stopping + b running, a stopped, a deleted.
    expect(bodies).toHaveLength(5);
    // Each move goes back exactly over the frame before it: header, blank, table rows, total.
    for (let i = 0; i < rows.length; i += 1) expect(rows[i]).toBe(bodies[i]!.split('\n').length - 1);
    const plain = bodies.map((b) => b.replace(COLOUR, ''));
    expect(plain[0]).toMatch(/^Every 2s, last change \d\d:\d\d:\d\d \(Ctrl-C to stop\)\n\nID\s+NAME\s+STATUS/);
    expect(plain[0]).toMatch(/llama-a\s+INITIALIZING\s+0\/2/);
    // What is billed now: nothing while no worker runs yet.
    expect(plain[0]).toContain('Total: $0.00/h billed now (no workers running)\n');
    expect(plain[2]).toContain('Total: $3.90/h billed now, for 1 deployment with running workers\n');
    expect(plain[4]).not.toContain('llama-a');
    expect(plain[4]).toMatch(/llama-b\s+RUNNING\s+2\/2/);
    expect(cliCalls()).toHaveLength(8);
  });

  it('--interval sets the pause, and --quiet leaves the header out', async () => {
    await setUp();
    await createDeployment(client, body('llama-a'));
    const r = await watch(['deploy', 'list', '--watch', '--interval', '5s', '-q'], { stopAfter: 3, stdoutTTY: true });
    expect(r.code).toBe(0);
    expect(r.sleeps).toEqual([5000, 5000, 5000]);
    expect(r.stdout).not.toContain('Every');
    expect(r.stdout.startsWith('ID ')).toBe(true);
  });
});

describe('deploy get --watch', () => {
  it('streams one deployment as NDJSON and ends with "removed" (exit 0) when it is deleted', async () => {
    await setUp();
    const { a, between } = await listScene();
    const r = await watch(['deploy', 'get', 'llama-a', '--watch', '--json'], { stopAfter: 20, between });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(deploymentSummary(events(r.stdout))).toEqual([
      '0 snapshot llama-a INITIALIZING 0/2',
      '4 changed llama-a RUNNING 2/2',
      '8 changed llama-a STOPPING 0/2',
      '10 changed llama-a STOPPED 0/2',
      '12 removed llama-a STOPPED 0/2',
    ]);
    // The name is looked up once; then one GET of the id per poll; the 404 after deletion ends it.
    expect(cliCalls()).toEqual([`GET ${BASE}/list`, ...Array(7).fill(`GET ${BASE}/${a.id}`)]);
    expect(r.sleeps).toHaveLength(6);
  });

  it('prints a line per change without a terminal, and says on a terminal that the deployment was deleted', async () => {
    await setUp();
    const { a, between } = await listScene();
    const lines = await watch(['deploy', 'get', a.id, '--watch'], { stopAfter: 20, between });
    expect(lines.code).toBe(0);
    expect(lines.stdout.trimEnd().split('\n').map((l) => l.slice(9))).toEqual([
      `llama-a ${a.id} INITIALIZING 0/2`,
      `llama-a ${a.id} RUNNING 2/2`,
      `llama-a ${a.id} STOPPING 0/2`,
      `llama-a ${a.id} STOPPED 0/2`,
      `llama-a ${a.id} removed`,
    ]);

    await client.close();
    await sb.close();
    await setUp();
    const scene = await listScene();
    const tty = await watch(['deploy', 'get', scene.a.id, '--watch'], { stopAfter: 20, between: scene.between, stdoutTTY: true });
    expect(tty.code).toBe(0);
    expect(tty.stdout).toMatch(CURSOR_BACK);
    expect(tty.stdout.replace(COLOUR, '')).toMatch(/Status:\s+STOPPED\n/);
    expect(tty.stderr).toBe(`llama-a (${scene.a.id}) was deleted; nothing left to watch.\n`);
  });

  it('exits 4 when the deployment does not exist at the start', async () => {
    await setUp();
    const r = await watch(['deploy', 'get', '123456789012345678', '--watch', '--json'], { stopAfter: 5 });
    expect(r.code).toBe(4);
    expect(r.stdout).toBe('');
    expect(JSON.parse(r.stderr)).toMatchObject({ error: { exitCode: 4, message: 'deployment 123456789012345678 not found' } });
    expect(r.sleeps).toEqual([]);
  });
});

describe('deploy workers --watch', () => {
  it('keeps watching after every worker runs, until Ctrl-C (exit 0); events for the deployment and each worker', async () => {
    await setUp();
    const d = await createDeployment(client, body('llama'));
    const r = await watch(['deploy', 'workers', 'llama', '--watch', '--json'], { stopAfter: 6 });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const list = events(r.stdout);
    const workerEvents = list.filter((e) => e.worker);
    expect(workerEvents.every((e) => e.deploymentId === d.id)).toBe(true);
    expect(workerEvents.map((e) => `${secondsIn(e)} ${e.type} ${e.worker!.status}`)).toEqual([
      '0 snapshot INITIALIZE',
      '0 snapshot INITIALIZE',
      '4 changed RUNNING',
      '4 changed RUNNING',
    ]);
    expect(deploymentSummary(list)).toEqual(['0 snapshot llama INITIALIZING 0/2', '4 changed llama RUNNING 2/2']);
    // Still polling (deployment and workers) after everything ran at 4 s, until the test's Ctrl-C.
    expect(cliCalls()).toEqual([`GET ${BASE}/list`, ...Array(6).fill([`GET ${BASE}/${d.id}`, `GET ${BASE}/${d.id}/workers`]).flat()]);
  });

  it('redraws the state line and worker table in place on a terminal', async () => {
    await setUp();
    const d = await createDeployment(client, body('llama'));
    const r = await watch(['deploy', 'workers', d.id, '--watch', '--interval', '5s'], { stopAfter: 2, stdoutTTY: true });
    expect(r.code).toBe(0);
    // Header, blank, state line, blank, table header and two workers: 7 rows to go back over.
    expect(r.stdout).toContain('\r\u001b[7A\u001b[J');
    const plain = r.stdout.replace(COLOUR, '');
    expect(plain).toMatch(/^Every 5s, last change .*\n\nllama \(\d{18}\): INITIALIZING, 0\/2 workers running\n\nID\s+STATUS/);
    expect(plain).toMatch(/llama \(\d{18}\): RUNNING, 2\/2 workers running/);
  });

  it('prints a line per change of the deployment or of a worker without a terminal', async () => {
    await setUp();
    const d = await createDeployment(client, body('llama'));
    const r = await watch(['deploy', 'workers', d.id, '--watch'], {
      stopAfter: 6,
      between: async (k) => {
        if (k === 3) await stopDeployment(client, d.id);
      },
    });
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n').map((l) => l.slice(9).replace(/\d{18}/, 'ID'));
    expect(lines).toEqual([
      'llama ID INITIALIZING 0/2',
      'worker ID INITIALIZE',
      'worker ID INITIALIZE',
      'llama ID RUNNING 2/2',
      'worker ID RUNNING',
      'worker ID RUNNING',
      'llama ID STOPPING 0/2',
      'worker ID TERMINATING',
      'worker ID TERMINATING',
      'llama ID STOPPED 0/2',
      'worker ID TERMINATED',
      'worker ID TERMINATED',
    ]);
  });

  it('ends quietly (exit 0) when Ctrl-C comes during a request', async () => {
    await setUp();
    const d = await createDeployment(client, body('llama'));
    const ac = new AbortController();
    sb.addFault({ match: { path: `${d.id}/workers` }, kind: 'latency', ms: 5000 });
    setTimeout(() => ac.abort(new DOMException('interrupted', 'AbortError')), 100);
    const r = await runCli(['deploy', 'workers', d.id, '--watch'], { env, signal: ac.signal });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('');
  });
});

describe('watch failures', () => {
  it('reports a transient failure on stderr, backs off (2 × --interval), and keeps watching', async () => {
    await setUp({ delays: { workerStartMs: 0, stopMs: 0, terminateMs: 0 } });
    await createDeployment(client, body('llama-a'));
    const r = await watch(['deploy', 'list', '--watch', '--json'], {
      stopAfter: 6,
      // Every attempt of the second poll fails: the client tries a GET 3 times, pausing between.
      between: async (k) => {
        if (k === 1) sb.addFault({ match: { path: '/list' }, kind: 'status', status: 503, times: 3 });
      },
    });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('Warning: system error (code 10002) (after 3 attempts); still watching, next try in 4s (failure 1 of 5)\n');
    // interval, the client's two retry pauses, the watch's backoff, then the interval again.
    expect(r.sleeps[0]).toBe(2000);
    expect(r.sleeps[3]).toBe(4000);
    expect(r.sleeps.slice(4)).toEqual([2000, 2000]);
    // The stream is unaffected: one snapshot, no repeat after the recovery.
    expect(events(r.stdout).map((e) => e.type)).toEqual(['snapshot']);
  });

  it('after a failure on a terminal, draws the next frame afresh below the warning', async () => {
    await setUp({ delays: { workerStartMs: 0, stopMs: 0, terminateMs: 0 } });
    await createDeployment(client, body('llama-a'));
    const r = await watch(['deploy', 'list', '--watch'], {
      stopAfter: 6,
      stdoutTTY: true,
      between: async (k) => {
        if (k === 1) sb.addFault({ match: { path: '/list' }, kind: 'status', status: 503, times: 3 });
      },
    });
    expect(r.code).toBe(0);
    expect(r.stdout.match(/Every 2s/g)).toHaveLength(2);
    expect(r.stdout).not.toMatch(CURSOR_BACK);
  });

  it('gives up with the error\'s exit code after 5 failed polls in a row, backing off each time', async () => {
    await setUp();
    await createDeployment(client, body('llama-a'));
    const r = await watch(['deploy', 'list', '--watch'], {
      stopAfter: 100,
      between: async (k) => {
        if (k === 1) sb.addFault({ match: { path: '/list' }, kind: 'status', status: 503, times: 1000 });
      },
    });
    expect(r.code).toBe(1);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines.filter((l) => l.startsWith('Warning: '))).toHaveLength(4);
    expect(lines.filter((l) => l.startsWith('Error: '))).toHaveLength(1);
    expect(r.sleeps.filter((ms) => ms >= 4000)).toEqual([4000, 8000, 16000, 32000]);
    // The first poll's line was printed before the failures.
    expect(r.stdout).toMatch(/^\d\d:\d\d:\d\d llama-a \d{18} INITIALIZING 0\/2\n$/);
  });

  it('ends at once on a failure that will not pass by itself (rejected key: exit 3)', async () => {
    await setUp();
    await createDeployment(client, body('llama-a'));
    const r = await watch(['deploy', 'list', '--watch', '--json'], {
      stopAfter: 100,
      between: async (k) => {
        if (k === 2) sb.addFault({ match: { path: '/list' }, kind: 'status', status: 401, code: 401, message: 'invalid api key', times: 1000 });
      },
    });
    expect(r.code).toBe(3);
    expect(r.stderr).not.toContain('Warning');
    expect(JSON.parse(r.stderr)).toMatchObject({ error: { exitCode: 3 } });
    expect(cliCalls()).toHaveLength(3);
    expect(events(r.stdout).map((e) => e.type)).toEqual(['snapshot']);
  });
});

describe('watch flags', () => {
  it.each([
    [['deploy', 'list', '--interval', '3s'], /--interval only applies with --watch/],
    [['deploy', 'get', '123456789012345678', '--interval', '3s'], /--interval only applies with --watch/],
    [['deploy', 'list', '--watch', '-o', 'yaml'], /cannot print YAML/],
    [['deploy', 'workers', '123456789012345678', '--watch', '-o', 'yaml'], /cannot print YAML/],
    [['deploy', 'list', '--watch', '--interval', '500ms'], /--interval: at least 1s between polls/],
    [['deploy', 'list', '--watch', '--interval', 'soon'], /--interval: "soon" is not a duration/],
  ])('%j is a usage error (exit 2) and sends nothing', async (args, message) => {
    await setUp();
    const r = await runCli(args, { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(sb.requests).toHaveLength(0);
  });
});
