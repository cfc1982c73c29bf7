/**
 * End to end: the built CLI (`node bin/yotta.js --sandbox ...`) as a user runs it, in its own
 * process, with real time, real signals and the sandbox state persisted in a temporary config folder.
 *
 * The CLI comes from the shared private build (test/helpers/built-cli.ts), never the project's dist/:
 * rebuilding dist/ here would pull it from under other test files running the CLI at the same time.
 */
import { execFile, spawn } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox } from '../../src/sandbox/index.js';
import { ApiClient } from '../../src/api/client.js';
import { createDeployment } from '../../src/api/deployments.js';
import type { ElasticDeploymentDetail } from '../../src/api/types.js';
import { tempDir } from '../helpers/cli.js';
import { buildCli, ROOT } from '../helpers/built-cli.js';

const run = promisify(execFile);
/** bin/yotta.js of the private build, set in beforeAll. */
let BIN: string;

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

let configDir: string;

/** Runs `node bin/yotta.js --sandbox <args>` with the temporary config folder; never throws on a non-zero exit. */
async function yotta(args: string[], env: Record<string, string> = {}): Promise<Result> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, '--sandbox', ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: configDir, YOTTA_CONFIG_DIR: configDir, YOTTA_SANDBOX_DELAY_MS: '0', ...env },
      timeout: 30_000,
      // A hung run must not outlive the test.
      killSignal: 'SIGKILL',
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** Seeds the sandbox state file the CLI's --sandbox will load: one RUNNING deployment named `name`. */
async function seed(name: string): Promise<ElasticDeploymentDetail> {
  const sb = await startSandbox({ statePath: join(configDir, 'sandbox-state.json'), delays: { workerStartMs: 0, stopMs: 0, terminateMs: 0 } });
  const client = new ApiClient({ baseUrl: sb.url, apiKey: sb.apiKey, userAgent: 'e2e-seed' });
  try {
    return await createDeployment(client, {
      name,
      image: 'vllm/vllm-openai:latest',
      resources: [{ region: 'us-east-1', gpuType: 'NVIDIA_H100_80G', gpuCount: 1 }],
      containerVolumeInGb: 100,
      workers: 1,
      serviceMode: 'CUSTOM',
      initializationCommand: 'vllm serve meta-llama/Llama-3.2-3B',
    });
  } finally {
    await client.close();
    await sb.close();
  }
}

// Ids in messages are whole (they can be pasted back).
const short = (id: string): string => id;

beforeAll(async () => {
  BIN = join(await buildCli(), 'bin', 'yotta.js');
}, 180_000);

beforeEach(() => {
  configDir = tempDir('yotta-e2e-lifecycle-');
});

describe('yotta --sandbox deploy start/stop/scale/delete (built CLI)', () => {
  it('scales by name, then stops, starts and deletes, state carried between processes', async () => {
    const d = await seed('llama');

    const scaled = await yotta(['deploy', 'scale', 'llama', '2']);
    expect(scaled.code).toBe(0);
    expect(scaled.stdout).toBe('');
    expect(scaled.stderr).toContain(`Scaled llama (${short(d.id)}) to 2 workers: RUNNING, 2/2 workers running.`);

    const stopped = await yotta(['deploy', 'stop', 'llama', '--wait', '--json']);
    expect(stopped.code).toBe(0);
    expect(JSON.parse(stopped.stdout)).toEqual([
      { id: d.id, name: 'llama', action: 'stop', ok: true, status: 'STOPPED', changed: true, error: null },
    ]);

    const refused = await yotta(['deploy', 'delete', 'llama']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('pass --yes');

    const started = await yotta(['deploy', 'start', d.id, '--wait'], { YOTTA_SANDBOX_WORKER_START_MS: '1200' });
    expect(started.code).toBe(0);
    expect(started.stderr).toContain(`Started llama (${short(d.id)}): RUNNING, 2/2 workers running.`);

    const running = await yotta(['deploy', 'delete', 'llama', '--yes']);
    expect(running.code).toBe(5);
    expect(running.stderr).toContain('--force');

    const deleted = await yotta(['deploy', 'delete', 'llama', '--yes', '--force']);
    expect(deleted.code).toBe(0);
    expect(deleted.stderr).toContain(`Deleted llama (${short(d.id)}).`);

    const gone = await yotta(['deploy', 'stop', d.id]);
    expect(gone.code).toBe(4);
  }, 60_000);

  it('a bad worker count is refused before anything runs', async () => {
    await seed('llama');
    const r = await yotta(['deploy', 'scale', 'llama', 'two']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('"two" is not a whole number of workers');
  });

  it('Ctrl-C while waiting: exit 130, the deployment is left starting, with the command to check', async () => {
    const d = await seed('llama');
    await yotta(['deploy', 'stop', 'llama']);
    const child = spawn(process.execPath, [BIN, '--sandbox', 'deploy', 'start', d.id, '--wait'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: configDir, YOTTA_CONFIG_DIR: configDir, YOTTA_SANDBOX_WORKER_START_MS: '600000' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let armed = false;
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
      // Once the start is sent, let it poll a little, then press Ctrl-C.
      if (!armed && stderr.includes('Starting llama')) {
        armed = true;
        setTimeout(() => child.kill('SIGINT'), 1500);
      }
    });
    const guard = setTimeout(() => child.kill('SIGKILL'), 30_000);
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    clearTimeout(guard);
    expect(code).toBe(130);
    expect(stderr).toContain(`Still starting; check with: yotta deploy get ${d.id}`);
    const after = await yotta(['deploy', 'get', d.id, '--json'], { YOTTA_SANDBOX_WORKER_START_MS: '600000' });
    expect(JSON.parse(after.stdout)).toMatchObject({ id: d.id, status: 'INITIALIZING' });
  }, 60_000);
});
