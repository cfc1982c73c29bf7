/**
 * End to end: the built CLI (`node bin/yotta.js ...`) in its own process, for create, list, get,
 * update and workers — against `--sandbox` (state persisted in a temporary config folder between
 * processes) and against an emulator started by the test.
 *
 * The CLI comes from the shared private build (test/helpers/built-cli.ts: built once per source
 * version into a folder of its own with the project's esbuild.config.mjs), never the project's dist/.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { startSandbox } from '../../src/sandbox/index.js';
import type { Sandbox } from '../../src/sandbox/index.js';
import type { ElasticDeploymentDetail } from '../../src/api/types.js';
import { tempDir } from '../helpers/cli.js';
import { buildCli, ROOT } from '../helpers/built-cli.js';

const BASE = '/openapi/v1/elastic/deploy';

let buildDir: string;
let configDir: string;

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the built `yotta` with `args`, optional stdin text and a clean environment; never throws on a non-zero exit. */
function yotta(args: string[], o: { env?: Record<string, string>; stdin?: string } = {}): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(buildDir, 'bin', 'yotta.js'), ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: configDir, YOTTA_CONFIG_DIR: configDir, YOTTA_SANDBOX_DELAY_MS: '0', ...o.env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    // Within the test's own timeout, so that a hung CLI fails the test and is not left behind.
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
    child.stdin.end(o.stdin ?? '');
  });
}

// Ids in messages are whole (they can be pasted back).
const short = (id: string): string => id;

beforeAll(async () => {
  buildDir = await buildCli();
}, 180_000);

beforeEach(() => {
  configDir = tempDir('yotta-e2e-rw-');
});

describe('yotta --sandbox deploy create/list/get/workers/update (built CLI)', () => {
  it('creates from deploy.example.yaml, then lists, gets and shows workers from later processes', async () => {
    const created = await yotta(['--sandbox', 'deploy', 'create', '-f', 'deploy.example.yaml']);
    expect(created.code).toBe(0);
    const id = /^ID:\s+(\d{18})$/m.exec(created.stdout)?.[1];
    expect(id).toBeDefined();
    expect(created.stdout).toMatch(/^Name:\s+llama-3-8b$/m);
    expect(created.stderr).toBe(`Created llama-3-8b (${short(id!)}). Next: yotta deploy workers ${id} --watch\n`);

    const list = await yotta(['--sandbox', 'deploy', 'list', '--json']);
    expect(list.code).toBe(0);
    expect(list.stderr).toBe('');
    const items = JSON.parse(list.stdout) as ElasticDeploymentDetail[];
    expect(items.map((d) => [d.id, d.name, d.serviceMode])).toEqual([[id, 'llama-3-8b', 'ALB']]);

    const table = await yotta(['--sandbox', 'deploy', 'list']);
    expect(table.stdout).toMatch(new RegExp(`^${id}\\s+llama-3-8b\\s+(RUNNING|INITIALIZING)\\s`, 'm'));

    const got = await yotta(['--sandbox', 'deploy', 'get', 'llama-3-8b', '-o', 'yaml']);
    expect(got.code).toBe(0);
    // -o yaml exports the spec (no read-only id); --json is the API data.
    expect(parseYaml(got.stdout)).toMatchObject({ name: 'llama-3-8b', workers: 2 });
    expect(got.stdout).toContain(`(${id})`);

    const workers = await yotta(['--sandbox', 'deploy', 'workers', id!, '--json']);
    expect(workers.code).toBe(0);
    expect(JSON.parse(workers.stdout)).toHaveLength(2);
  });

  it('refuses to update a running deployment (exit 5), then updates it once stopped', async () => {
    const created = await yotta(['--sandbox', 'deploy', 'create', '-f', 'deploy.example.yaml', '--wait', '--json']);
    expect(created.code).toBe(0);
    const id = (JSON.parse(created.stdout) as ElasticDeploymentDetail).id;

    const refused = await yotta(['--sandbox', 'deploy', 'update', id, '--workers', '3']);
    expect(refused.code).toBe(5);
    // A worker count change on a running deployment points at scale first.
    expect(refused.stderr).toContain(`yotta deploy scale ${id} 3; for other fields, stop it first: yotta deploy stop ${id} --wait`);

    expect((await yotta(['--sandbox', 'deploy', 'stop', id, '--wait'])).code).toBe(0);
    const updated = await yotta(['--sandbox', 'deploy', 'update', id, '--workers', '3', '--json']);
    expect(updated.code).toBe(0);
    expect(JSON.parse(updated.stdout)).toMatchObject({ id, status: 'STOPPED' });
  });

  it('validates before anything else: problems as file:line:col, exit 2', async () => {
    writeFileSync(join(configDir, 'bad.yaml'), 'name: llama\nworkers: 0.5\nserviceMode: http\n');
    const r = await yotta(['--sandbox', 'deploy', 'create', '-f', join(configDir, 'bad.yaml')]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/bad\.yaml:2:10: /);
    expect(r.stderr).toMatch(/bad\.yaml:3:14: /);
  });

  it('--dry-run prints the request body with no API key and no sandbox', async () => {
    const r = await yotta(['deploy', 'create', '-f', 'deploy.example.yaml', '--dry-run'], { env: { HF_TOKEN: 'hf_dry' } });
    expect(r.code).toBe(0);
    const body = JSON.parse(r.stdout) as { name: string; serviceMode: string; environmentVars: { key: string; value: string }[] };
    expect(body).toMatchObject({ name: 'llama-3-8b', serviceMode: 'ALB' });
    // HF_TOKEN looks secret: masked in the printed body (--show-env shows it).
    expect(body.environmentVars).toContainEqual({ key: 'HF_TOKEN', value: '••••' });
    expect(r.stdout).not.toContain('hf_dry');
    expect(r.stderr).toBe('Dry run: the request above is valid (secret-looking values masked; --show-env shows them); nothing was sent.\n');
  });
});

describe('yotta deploy create against an emulator (built CLI)', () => {
  let sb: Sandbox;

  beforeEach(async () => {
    sb = await startSandbox({ delays: { workerStartMs: 0, stopMs: 0, terminateMs: 0 } });
  });

  afterEach(async () => {
    await sb.close();
  });

  it('sends the spec read from stdin, flags winning, with the key header', async () => {
    const spec = 'name: from-stdin\nimage: busybox:latest\nresources:\n  - {region: eu-2, gpuType: NVIDIA_RTX_4090_24G, gpuCount: 1}\n' +
      'containerVolumeInGb: 20\nworkers: 1\nserviceMode: custom\ninitializationCommand: sleep infinity\n';
    const r = await yotta(['deploy', 'create', '-f', '-', '--workers', '2', '--json'], {
      env: { YOTTA_BASE_URL: sb.url, YOTTA_API_KEY: sb.apiKey },
      stdin: spec,
    });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(sb.requests.map((q) => `${q.method} ${q.path}`)).toEqual([`GET ${BASE}/list`, `POST ${BASE}/create`]);
    // The first request checks that the name is free; the second creates.
    expect(sb.requests[0]!.path).toMatch(/\/list$/);
    expect(sb.requests[1]!.headers['x-api-key']).toBe(sb.apiKey);
    expect(sb.requests[1]!.body).toEqual({
      name: 'from-stdin',
      image: 'busybox:latest',
      resources: [{ region: 'eu-2', gpuType: 'NVIDIA_RTX_4090_24G', gpuCount: 1 }],
      containerVolumeInGb: 20,
      workers: 2,
      serviceMode: 'CUSTOM',
      initializationCommand: 'sleep infinity',
    });
    expect((JSON.parse(r.stdout) as ElasticDeploymentDetail).name).toBe('from-stdin');
  });

  it('exits 3 with a rejected key, never showing it', async () => {
    const r = await yotta(['deploy', 'list'], { env: { YOTTA_BASE_URL: sb.url, YOTTA_API_KEY: 'e2e-wrong-key-4321' } });
    expect(r.code).toBe(3);
    expect(r.stderr).not.toContain('e2e-wrong-key-4321');
  });
});
