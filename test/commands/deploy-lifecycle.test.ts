/**
 * `yotta deploy start | stop | delete | scale` through main() against the emulator over loopback
 * HTTP: exit codes, stdout, stderr, and exactly which requests reached the API.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import type { RecordedRequest, Sandbox } from '../../src/sandbox/index.js';
import type { ApiClient } from '../../src/api/client.js';
import { createDeployment, getDeployment, stopDeployment } from '../../src/api/deployments.js';
import type { ElasticDeploymentDetail } from '../../src/api/types.js';
import { runCli } from '../helpers/cli.js';
import { deploymentBody, startTestSandbox } from '../helpers/fixtures.js';

const BASE = '/openapi/v1/elastic/deploy';

let sb: Sandbox;
let client: ApiClient;
let env: Record<string, string>;
let close: () => Promise<void>;

beforeEach(async () => {
  ({ sb, client, env, close } = await startTestSandbox());
});

afterEach(() => close());

/** Creates deployments straight through the API (RUNNING at once), then forgets those requests. */
async function seed(...names: string[]): Promise<ElasticDeploymentDetail[]> {
  const out: ElasticDeploymentDetail[] = [];
  for (const n of names) out.push(await createDeployment(client, deploymentBody(n)));
  sb.requests.length = 0;
  return out;
}

/** Seeds deployments and stops them, so they are STOPPED. */
async function seedStopped(...names: string[]): Promise<ElasticDeploymentDetail[]> {
  const out = await seed(...names);
  for (const d of out) await stopDeployment(client, d.id);
  sb.requests.length = 0;
  return out;
}

/** `METHOD path` of every recorded request. */
function calls(requests: RecordedRequest[] = sb.requests): string[] {
  return requests.map((r) => `${r.method} ${r.path}`);
}

async function statusOf(id: string): Promise<string> {
  return String((await getDeployment(client, id)).status);
}

// Ids in messages are whole (they can be pasted back).
const short = (id: string): string => id;

describe('yotta deploy stop', () => {
  it('stops one deployment by id: narration on stderr, nothing on stdout, GET + POST + GET', async () => {
    const [d] = await seed('llama');
    const r = await runCli(['deploy', 'stop', d!.id], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `Stopping llama (${short(d!.id)})…\n` + `Stopped llama (${short(d!.id)}). Next: yotta deploy start ${d!.id}\n`,
    );
    expect(calls()).toEqual([`GET ${BASE}/${d!.id}`, `POST ${BASE}/${d!.id}/stop`, `GET ${BASE}/${d!.id}`]);
    expect(await statusOf(d!.id)).toBe('STOPPED');
  });

  it('finds a deployment by name with one list call', async () => {
    const [d] = await seed('llama');
    const r = await runCli(['deploy', 'stop', 'llama'], { env });
    expect(r.code).toBe(0);
    expect(calls()).toEqual([`GET ${BASE}/list`, `POST ${BASE}/${d!.id}/stop`, `GET ${BASE}/${d!.id}`]);
  });

  it('--json prints, per id, what happened and the status after', async () => {
    const [d] = await seed('llama');
    const r = await runCli(['deploy', 'stop', d!.id, '--json'], { env });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual([
      { id: d!.id, name: 'llama', action: 'stop', ok: true, status: 'STOPPED', changed: true, error: null },
    ]);
  });

  it('-o yaml prints the same results as YAML', async () => {
    const [d] = await seed('llama');
    const r = await runCli(['deploy', 'stop', d!.id, '-o', 'yaml'], { env });
    expect(r.code).toBe(0);
    expect(parseYaml(r.stdout)).toEqual([
      { id: d!.id, name: 'llama', action: 'stop', ok: true, status: 'STOPPED', changed: true, error: null },
    ]);
  });

  it('reports STOPPING when the stop takes time, and points at the command to check', async () => {
    await close();
    ({ sb, client, env, close } = await startTestSandbox({ delays: { workerStartMs: 0, stopMs: 60_000, terminateMs: 60_000 } }));
    const [d] = await seed('llama');
    const r = await runCli(['deploy', 'stop', 'llama'], { env });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`Stopping llama (${short(d!.id)}): STOPPING, 0/2 workers running. Next: yotta deploy get ${d!.id}`);
  });

  it('sends nothing for a deployment already STOPPED, and says so', async () => {
    const [d] = await seedStopped('llama');
    const r = await runCli(['deploy', 'stop', d!.id, '--json'], { env });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([
      { id: d!.id, name: 'llama', action: 'stop', ok: true, status: 'STOPPED', changed: false, error: null },
    ]);
    expect(calls()).toEqual([`GET ${BASE}/${d!.id}`]);
    const human = await runCli(['deploy', 'stop', d!.id], { env });
    expect(human.stderr).toBe(`llama (${short(d!.id)}) was already STOPPED; nothing sent. Next: yotta deploy get ${d!.id}\n`);
  });

  it('stops several; one unknown id fails alone with exit 10 and the others are done', async () => {
    const [a, b] = await seed('llama-a', 'llama-b');
    const missing = '378888638324150969';
    const r = await runCli(['deploy', 'stop', a!.id, missing, 'llama-b'], { env });
    expect(r.code).toBe(10);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`Stopped llama-a (${short(a!.id)}).`);
    expect(r.stderr).toContain(`Stopped llama-b (${short(b!.id)}).`);
    expect(r.stderr).toContain(`Error: could not stop ${missing}:`);
    expect(r.stderr).toContain('Run `yotta deploy list` to see ids and names.');
    expect(r.stderr).toContain(`Error: 1 of 3 deployments could not be stopped: ${missing}`);
    expect(await statusOf(a!.id)).toBe('STOPPED');
    expect(await statusOf(b!.id)).toBe('STOPPED');
    expect(calls().filter((c) => c.startsWith('POST'))).toEqual([`POST ${BASE}/${a!.id}/stop`, `POST ${BASE}/${b!.id}/stop`]);
  });

  it('--json with one failing id: every id in the array, exit 10, one JSON error on stderr', async () => {
    const [a] = await seed('llama-a');
    const missing = '378888638324150969';
    const r = await runCli(['deploy', 'stop', a!.id, missing, '--json'], { env });
    expect(r.code).toBe(10);
    const out = JSON.parse(r.stdout) as Array<Record<string, unknown>>;
    expect(out[0]).toEqual({ id: a!.id, name: 'llama-a', action: 'stop', ok: true, status: 'STOPPED', changed: true, error: null });
    expect(out[1]).toMatchObject({ id: missing, name: null, action: 'stop', ok: false, status: null, changed: false });
    expect(out[1]!.error).toMatchObject({ exitCode: 4, code: 24001 });
    const err = JSON.parse(r.stderr) as { error: { exitCode: number; message: string } };
    expect(err.error.exitCode).toBe(10);
  });

  it('one id that does not exist: its own exit code 4, nothing else sent', async () => {
    const r = await runCli(['deploy', 'stop', '378888638324150969'], { env });
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('Error: could not stop 378888638324150969:');
    expect(r.stderr).toContain('(code 24001)');
    expect(calls()).toEqual([`GET ${BASE}/378888638324150969`]);
  });

  it('an unknown name: exit 4 naming it, no write', async () => {
    await seed('llama');
    const r = await runCli(['deploy', 'stop', 'nope'], { env });
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('no deployment named "nope"');
    expect(calls()).toEqual([`GET ${BASE}/list`]);
  });

  it('a reference that could change the path: exit 2, nothing sent', async () => {
    const r = await runCli(['deploy', 'stop', '../x'], { env });
    expect(r.code).toBe(2);
    expect(sb.requests).toEqual([]);
  });

  it('--quiet: nothing on stderr when it works', async () => {
    const [d] = await seed('llama');
    const r = await runCli(['deploy', 'stop', d!.id, '-q'], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('');
  });

  it('a stop whose outcome is unknown: exit 7, the command to check, never sent twice', async () => {
    const [d] = await seed('llama');
    sb.addFault({ match: { method: 'POST', path: '/stop' }, kind: 'reset-after' });
    const r = await runCli(['deploy', 'stop', d!.id], { env });
    expect(r.code).toBe(7);
    expect(r.stderr).toContain('outcome is unknown');
    expect(r.stderr).toContain(`Check whether it happened with: yotta deploy get ${d!.id}`);
    expect(calls().filter((c) => c.startsWith('POST'))).toEqual([`POST ${BASE}/${d!.id}/stop`]);
  });
});

describe('yotta deploy start', () => {
  it('starts a stopped deployment and reports its state', async () => {
    const [d] = await seedStopped('llama');
    const r = await runCli(['deploy', 'start', 'llama'], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `Starting llama (${short(d!.id)})…\n` +
        `Started llama (${short(d!.id)}): RUNNING, 2/2 workers running. Next: yotta deploy workers ${d!.id}\n`,
    );
    expect(calls()).toEqual([`GET ${BASE}/list`, `POST ${BASE}/${d!.id}/start`, `GET ${BASE}/${d!.id}`]);
  });

  it('--json: action start, status after', async () => {
    const [a, b] = await seedStopped('llama-a', 'llama-b');
    const r = await runCli(['deploy', 'start', a!.id, b!.id, '--json'], { env });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([
      { id: a!.id, name: 'llama-a', action: 'start', ok: true, status: 'RUNNING', changed: true, error: null },
      { id: b!.id, name: 'llama-b', action: 'start', ok: true, status: 'RUNNING', changed: true, error: null },
    ]);
  });

  it('points at `workers --watch` while the workers are still starting', async () => {
    await close();
    ({ sb, client, env, close } = await startTestSandbox({ delays: { workerStartMs: 60_000, stopMs: 0, terminateMs: 0 } }));
    const [d] = await seedStopped('llama');
    const r = await runCli(['deploy', 'start', d!.id], { env });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(
      `Starting llama (${short(d!.id)}): INITIALIZING, 0/2 workers running. Next: yotta deploy workers ${d!.id} --watch`,
    );
  });

  it('a start the API refuses in the current state: exit 5 with a hint', async () => {
    await close();
    let t = Date.now();
    ({ sb, client, env, close } = await startTestSandbox({ now: () => t, delays: { workerStartMs: 0, stopMs: 60_000, terminateMs: 0 } }));
    const [d] = await seed('llama');
    await stopDeployment(client, d!.id);
    t += 1000;
    sb.requests.length = 0;
    const r = await runCli(['deploy', 'start', d!.id], { env });
    expect(r.code).toBe(5);
    expect(r.stderr).toContain(`Error: could not start llama (${short(d!.id)}): Elastic action not allowed (code 24002)`);
    expect(r.stderr).toContain(`It is STOPPING: wait until it is STOPPED (yotta deploy wait ${d!.id} --for stopped), then start it.`);
  });

  it('a deployment already RUNNING is left alone', async () => {
    const [d] = await seed('llama');
    const r = await runCli(['deploy', 'start', d!.id], { env });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('was already RUNNING; nothing sent.');
    expect(calls()).toEqual([`GET ${BASE}/${d!.id}`]);
  });
});

describe('yotta deploy delete', () => {
  it('without a terminal it needs --yes: exit 2 naming the flag, nothing sent', async () => {
    const [d] = await seedStopped('llama');
    const r = await runCli(['deploy', 'delete', d!.id], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--yes');
    expect(sb.requests).toEqual([]);
  });

  it('--no-input on a terminal also needs --yes', async () => {
    const [d] = await seedStopped('llama');
    const r = await runCli(['deploy', 'delete', d!.id, '--no-input'], { env, stdinTTY: true, stderrTTY: true });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--no-input was given; pass --yes');
    expect(sb.requests).toEqual([]);
  });

  it('--yes deletes a STOPPED deployment', async () => {
    const [d] = await seedStopped('llama');
    const r = await runCli(['deploy', 'delete', 'llama', '--yes'], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`Deleting llama (${short(d!.id)})…\nDeleted llama (${short(d!.id)}). Next: yotta deploy list\n`);
    expect(calls()).toEqual([`GET ${BASE}/list`, `DELETE ${BASE}/${d!.id}`]);
  });

  it('--json: status null after a delete', async () => {
    const [d] = await seedStopped('llama');
    const r = await runCli(['deploy', 'delete', d!.id, '--yes', '--json'], { env });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([
      { id: d!.id, name: 'llama', action: 'delete', ok: true, status: null, changed: true, error: null },
    ]);
  });

  it('asks on a terminal, naming what will go; "y" deletes', async () => {
    const [a, b] = await seedStopped('llama-a', 'llama-b');
    const r = await runCli(['deploy', 'delete', a!.id, b!.id], {
      env: { ...env, NO_COLOR: '1' },
      stdin: 'y\n',
      stdinTTY: true,
      stderrTTY: true,
    });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`Delete 2 deployments: llama-a (${short(a!.id)}), llama-b (${short(b!.id)})? [y/N] `);
    expect(calls().filter((c) => c.startsWith('DELETE'))).toEqual([`DELETE ${BASE}/${a!.id}`, `DELETE ${BASE}/${b!.id}`]);
  });

  it('asks on a terminal; "n" (or just Enter) deletes nothing: "Nothing deleted.", exit 1, not an error', async () => {
    const [d] = await seedStopped('llama');
    for (const answer of ['n\n', '\n', '']) {
      sb.requests.length = 0;
      const r = await runCli(['deploy', 'delete', d!.id], { env: { ...env, NO_COLOR: '1' }, stdin: answer, stdinTTY: true, stderrTTY: true });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`Delete llama (${short(d!.id)})? [y/N] `);
      expect(r.stderr).toContain('Nothing deleted.\n');
      expect(r.stderr).not.toContain('Error');
      expect(calls()).toEqual([`GET ${BASE}/${d!.id}`]);
    }
    expect(await statusOf(d!.id)).toBe('STOPPED');
  });

  it('a RUNNING deployment without --force: refused before any DELETE is sent (the API would answer 24002), exit 5 with the way out', async () => {
    const [d] = await seed('llama');
    sb.requests.length = 0;
    const r = await runCli(['deploy', 'delete', d!.id, '--yes'], { env });
    expect(r.code).toBe(5);
    expect(r.stderr).toContain(`Error: llama (${short(d!.id)}) is RUNNING; only a STOPPED deployment can be deleted, so nothing was sent`);
    expect(r.stderr).toContain(`Stop it first (yotta deploy stop ${d!.id} --wait), or delete with --force`);
    expect(calls().filter((c) => c.startsWith('DELETE'))).toEqual([]);
    expect(await statusOf(d!.id)).toBe('RUNNING');
  });

  it('--force stops a RUNNING deployment, waits for STOPPED, then deletes', async () => {
    const [d] = await seed('llama');
    const r = await runCli(['deploy', 'delete', d!.id, '--force', '--yes'], { env });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`Stopping llama (${short(d!.id)}) first…`);
    expect(r.stderr).toContain(`Deleted llama (${short(d!.id)}).`);
    const writes = calls().filter((c) => !c.startsWith('GET'));
    expect(writes).toEqual([`POST ${BASE}/${d!.id}/stop`, `DELETE ${BASE}/${d!.id}`]);
    const gone = await runCli(['deploy', 'get', d!.id], { env });
    expect(gone.code).toBe(4);
  });

  it('--force on a terminal says which will be stopped first', async () => {
    const [a, b] = await seed('llama-a', 'llama-b');
    await stopDeployment(client, b!.id);
    const r = await runCli(['deploy', 'delete', a!.id, b!.id, '--force'], {
      env: { ...env, NO_COLOR: '1' },
      stdin: 'yes\n',
      stdinTTY: true,
      stderrTTY: true,
    });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`Delete 2 deployments: llama-a (${short(a!.id)}) [RUNNING: stopped first], llama-b (${short(b!.id)})?`);
  });

  it('several ids, one RUNNING: exit 10, the STOPPED one is deleted, each reported', async () => {
    const [a, b] = await seed('llama-a', 'llama-b');
    await stopDeployment(client, b!.id);
    sb.requests.length = 0;
    const r = await runCli(['deploy', 'delete', a!.id, b!.id, '--yes', '--json'], { env });
    expect(r.code).toBe(10);
    const out = JSON.parse(r.stdout) as Array<{ ok: boolean; error: { exitCode: number; code: number } | null }>;
    expect(out.map((o) => o.ok)).toEqual([false, true]);
    expect(out[0]!.error).toMatchObject({ exitCode: 5 });
    expect(await statusOf(a!.id)).toBe('RUNNING');
    expect(calls().filter((c) => c.startsWith('DELETE'))).toEqual([`DELETE ${BASE}/${b!.id}`]);
  });
});

describe('yotta deploy scale', () => {
  it('rejects counts that are not whole numbers ≥ 0: exit 2, nothing sent', async () => {
    const [d] = await seed('llama');
    for (const bad of ['-1', 'two', '1.5', '']) {
      const r = await runCli(['deploy', 'scale', d!.id, bad], { env });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('is not a whole number of workers');
    }
    expect(sb.requests).toEqual([]);
  });

  it('sets the worker count and says how far it got', async () => {
    const [d] = await seed('llama');
    const r = await runCli(['deploy', 'scale', 'llama', '3'], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `Scaling llama (${short(d!.id)}) from 2 to 3 workers…\n` +
        `Scaled llama (${short(d!.id)}) to 3 workers: RUNNING, 3/3 workers running. Next: yotta deploy workers ${d!.id}\n`,
    );
    const post = sb.requests.find((q) => q.method === 'POST');
    expect(post).toMatchObject({ path: `${BASE}/${d!.id}/workers`, body: { workers: 3 } });
  });

  it('--json: action scale, the count asked for and the workers running after', async () => {
    const [d] = await seed('llama');
    const r = await runCli(['deploy', 'scale', d!.id, '0', '--json'], { env });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([
      { id: d!.id, name: 'llama', action: 'scale', ok: true, status: 'RUNNING', changed: true, workers: 0, runningWorkers: 0, error: null },
    ]);
  });

  it('a STOPPED deployment cannot be scaled: exit 5, hint to start it', async () => {
    const [d] = await seedStopped('llama');
    const r = await runCli(['deploy', 'scale', d!.id, '3'], { env });
    expect(r.code).toBe(5);
    expect(r.stderr).toContain(`start it first: yotta deploy start ${d!.id} --wait`);
  });

  it('a scale whose outcome is unknown: exit 7, never re-sent', async () => {
    const [d] = await seed('llama');
    sb.addFault({ match: { method: 'POST', path: '/workers' }, kind: 'reset-after' });
    const r = await runCli(['deploy', 'scale', d!.id, '4', '--json'], { env });
    expect(r.code).toBe(7);
    const out = JSON.parse(r.stdout) as Array<{ ok: boolean; error: { exitCode: number } }>;
    expect(out[0]).toMatchObject({ ok: false, error: { exitCode: 7 } });
    expect(JSON.parse(r.stderr).error.hint).toContain(`yotta deploy get ${d!.id}`);
    expect(calls().filter((c) => c.startsWith('POST'))).toHaveLength(1);
  });
});

describe('help', () => {
  it.each(['start', 'stop', 'delete', 'scale'])('deploy %s --help explains every flag with examples', async (verb) => {
    const r = await runCli(['deploy', verb, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Examples:\n  $ yotta deploy ' + verb);
    expect(r.stdout).toMatchSnapshot();
  });
});
