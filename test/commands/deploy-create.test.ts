import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { startSandbox } from '../../src/sandbox/index.js';
import type { Sandbox, SandboxOptions } from '../../src/sandbox/index.js';
import type { ElasticDeploymentDetail } from '../../src/api/types.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { deploymentBody } from '../helpers/fixtures.js';

const BASE = '/openapi/v1/elastic/deploy';
/** The sandbox's clock stands still unless a test moves it. */
const CLOCK = 1_700_000_000_000;

const SPEC = `# a deployment
name: llama
image: vllm/vllm-openai:latest
resources:
  - region: us-east-1
    gpuType: NVIDIA_H100_80G
    gpuCount: 1
containerVolumeInGb: 100
workers: 2
serviceMode: alb
initializationCommand: vllm serve meta-llama/Llama-3.2-3B
environmentVars:
  HF_HOME: /data
  HF_TOKEN: \${HF_TOKEN}
expose:
  port: 8000
  protocol: HTTP
`;

/** What SPEC asks for, as the API takes it. */
const BODY = deploymentBody('llama', {
  serviceMode: 'ALB',
  environmentVars: [
    { key: 'HF_HOME', value: '/data' },
    { key: 'HF_TOKEN', value: 'hf_abc123secret' },
  ],
  expose: { port: 8000, protocol: 'HTTP' },
});

const FLAGS = [
  '--name', 'llama',
  '--image', 'vllm/vllm-openai:latest',
  '--region', 'us-east-1',
  '--gpu-type', 'NVIDIA_H100_80G',
  '--volume', '100',
  '--workers', '2',
  '--service-mode', 'alb',
  '--init-cmd', 'vllm serve meta-llama/Llama-3.2-3B',
  '--env', 'HF_HOME=/data',
  '--env', 'HF_TOKEN=hf_abc123secret',
  '--port', '8000',
];

let sb: Sandbox;
let env: Record<string, string>;
let dir: string;

async function setUp(o: SandboxOptions = {}): Promise<void> {
  sb = await startSandbox({ now: () => CLOCK, delays: { workerStartMs: 0, stopMs: 0, terminateMs: 0 }, ...o });
  env = { YOTTA_BASE_URL: sb.url, YOTTA_API_KEY: sb.apiKey, HF_TOKEN: 'hf_abc123secret' };
}

beforeEach(() => {
  dir = tempDir('yotta-create-');
  writeFileSync(join(dir, 'deploy.yaml'), SPEC);
});

afterEach(async () => {
  await sb?.close();
});

const calls = () => sb.requests.map((q) => `${q.method} ${q.path}`);
/** The body of the create request (after the list that checks the name is free). */
const posted = () => sb.requests.find((q) => q.method === 'POST')!.body;
const nextLine = (id: string) => new RegExp(`^Created llama \\(${id}\\)\\. Next: yotta deploy workers ${id} --watch\\n$`);

describe('yotta deploy create', () => {
  it('creates from a spec file: one POST with the normalised body, the deployment on stdout, the next step on stderr', async () => {
    await setUp();
    const r = await runCli(['deploy', 'create', '-f', 'deploy.yaml'], { env, cwd: dir });
    expect(r.code).toBe(0);
    expect(calls()).toEqual([`GET ${BASE}/list`, `POST ${BASE}/create`]);
    expect(posted()).toEqual(BODY);
    const id = /^ID:\s+(\d+)$/m.exec(r.stdout)?.[1];
    expect(id).toMatch(/^\d{18}$/);
    expect(r.stdout).toMatch(/^Name:\s+llama$/m);
    expect(r.stdout).not.toContain('hf_abc123secret');
    expect(r.stderr).toMatch(nextLine(id!));
  });

  it('prints the API data exactly with --json, and nothing on stderr', async () => {
    await setUp();
    const r = await runCli(['deploy', 'create', '-f', 'deploy.yaml', '--json'], { env, cwd: dir, stdoutTTY: true, stderrTTY: true });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const data = JSON.parse(r.stdout) as ElasticDeploymentDetail;
    const res = await fetch(`${sb.url}${BASE}/${data.id}`, { headers: { 'X-API-Key': sb.apiKey } });
    // The clock stands still, so GET answers what create answered.
    expect(data).toEqual(((await res.json()) as { data: unknown }).data);
    expect(typeof data.id).toBe('string');
  });

  it('prints YAML with -o yaml', async () => {
    await setUp();
    const r = await runCli(['deploy', 'create', '-f', 'deploy.yaml', '-o', 'yaml'], { env, cwd: dir });
    expect(r.code).toBe(0);
    expect((parseYaml(r.stdout) as ElasticDeploymentDetail).name).toBe('llama');
    expect(r.stderr).toBe('');
  });

  it('reads the spec from stdin with -f -', async () => {
    await setUp();
    const r = await runCli(['deploy', 'create', '-f', '-', '--json'], { env, stdin: SPEC });
    expect(r.code).toBe(0);
    expect(posted()).toEqual(BODY);
  });

  it('creates from flags alone', async () => {
    await setUp();
    const r = await runCli(['deploy', 'create', ...FLAGS], { env });
    expect(r.code).toBe(0);
    expect(posted()).toEqual(BODY);
  });

  it('lets flags win over the file', async () => {
    await setUp();
    const r = await runCli(['deploy', 'create', '-f', 'deploy.yaml', '--name', 'llama-canary', '--workers', '4', '--env', 'HF_HOME=/cache'], {
      env,
      cwd: dir,
    });
    expect(r.code).toBe(0);
    expect(posted()).toEqual({
      ...BODY,
      name: 'llama-canary',
      workers: 4,
      environmentVars: [
        { key: 'HF_HOME', value: '/cache' },
        { key: 'HF_TOKEN', value: 'hf_abc123secret' },
      ],
    });
  });

  it('looks the same on a terminal, with a spinner on stderr only', async () => {
    await setUp();
    const r = await runCli(['deploy', 'create', '-f', 'deploy.yaml'], { env, cwd: dir, stderrTTY: true });
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('\u001b[');
    expect(r.stdout).toMatch(/^ID:\s+\d{18}$/m);
    expect(r.stderr).toContain('Created llama');
  });

  describe('--dry-run', () => {
    it('prints the exact request body and sends nothing, without needing an API key', async () => {
      await setUp();
      const r = await runCli(['deploy', 'create', '-f', 'deploy.yaml', '--dry-run'], { env: { HF_TOKEN: 'hf_abc123secret' }, cwd: dir });
      expect(r.code).toBe(0);
      // HF_TOKEN looks secret: masked; HF_HOME does not: shown.
      expect(JSON.parse(r.stdout)).toEqual({
        ...BODY,
        environmentVars: [
          { key: 'HF_HOME', value: '/data' },
          { key: 'HF_TOKEN', value: '••••' },
        ],
      });
      expect(r.stdout).not.toContain('hf_abc123secret');
      expect(r.stderr).toBe('Dry run: the request above is valid (secret-looking values masked; --show-env shows them); nothing was sent.\n');
      expect(sb.requests).toHaveLength(0);
      const shown = await runCli(['deploy', 'create', '-f', 'deploy.yaml', '--dry-run', '--show-env'], { env: { HF_TOKEN: 'hf_abc123secret' }, cwd: dir });
      expect(JSON.parse(shown.stdout)).toEqual(BODY);
    });

    it('prints the same body as the one create sends, from flags too', async () => {
      await setUp();
      const dry = await runCli(['deploy', 'create', ...FLAGS, '--dry-run', '--show-env', '--json'], { env });
      expect(dry.stderr).toBe('');
      expect(sb.requests).toHaveLength(0);
      await runCli(['deploy', 'create', ...FLAGS], { env });
      expect(JSON.parse(dry.stdout)).toEqual(posted());
    });

    it('refuses --wait with --dry-run', async () => {
      await setUp();
      const r = await runCli(['deploy', 'create', '-f', 'deploy.yaml', '--dry-run', '--wait'], { env, cwd: dir });
      expect(r.code).toBe(2);
      expect(sb.requests).toHaveLength(0);
    });
  });

  describe('validation, before anything is sent', () => {
    it('reports every problem of the file at once as file:line:col, exit 2', async () => {
      await setUp();
      writeFileSync(
        join(dir, 'bad.yaml'),
        `name: 9lives
image: vllm/vllm-openai:latest
resources:
  - region: us-east-1
    gpuType: NVIDIA_H100_80G
    gpuCount: 1
containerVolumeInGb: 100
workers: two
serviceMode: ALB
initializationCommand: serve
expose:
  port: 70000
  protocol: HTTP
replicas: 3
`,
      );
      const r = await runCli(['deploy', 'create', '-f', 'bad.yaml'], { env, cwd: dir });
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      const lines = r.stderr.trimEnd().split('\n');
      expect(lines[0]).toMatch(/^Error: bad\.yaml:1:7: /);
      expect(r.stderr).toMatch(/^bad\.yaml:8:10: /m);
      expect(r.stderr).toMatch(/^bad\.yaml:12:9: /m);
      expect(r.stderr).toMatch(/^bad\.yaml:14:1: .*replicas/m);
      expect(sb.requests).toHaveLength(0);
    });

    it('reports a YAML syntax error with its position', async () => {
      await setUp();
      writeFileSync(join(dir, 'broken.yaml'), 'name: llama\nimage: [unclosed\n');
      const r = await runCli(['deploy', 'create', '-f', 'broken.yaml'], { env, cwd: dir });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^Error: broken\.yaml:\d+:\d+: /);
      expect(sb.requests).toHaveLength(0);
    });

    it('names the flag of a bad flag value', async () => {
      await setUp();
      const r = await runCli(['deploy', 'create', ...FLAGS, '--workers', 'many'], { env });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^Error: --workers: "many" is not an integer/);
      expect(sb.requests).toHaveLength(0);
    });

    it('says what is missing when neither a file nor flags are given', async () => {
      await setUp();
      const r = await runCli(['deploy', 'create'], { env });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^Error: nothing to create: give a spec file with -f, or flags/);
      expect(sb.requests).toHaveLength(0);
    });

    it('fails on a missing spec file, and on an unset ${VAR}', async () => {
      await setUp();
      const missing = await runCli(['deploy', 'create', '-f', 'nope.yaml'], { env, cwd: dir });
      expect(missing.code).toBe(2);
      expect(missing.stderr).toMatch(/^Error: spec file nope\.yaml not found/);
      const unset = await runCli(['deploy', 'create', '-f', 'deploy.yaml'], { env: { ...env, HF_TOKEN: undefined }, cwd: dir });
      expect(unset.code).toBe(2);
      expect(unset.stderr).toMatch(/^Error: deploy\.yaml:14:\d+: .*HF_TOKEN/);
      expect(sb.requests).toHaveLength(0);
    });

    it('warns about an unknown GPU type on stderr and still sends it (the sandbox then refuses it)', async () => {
      await setUp();
      writeFileSync(join(dir, 'new-gpu.yaml'), SPEC.replace('NVIDIA_H100_80G', 'NVIDIA_X900_512G'));
      const r = await runCli(['deploy', 'create', '-f', 'new-gpu.yaml'], { env, cwd: dir });
      const lines = r.stderr.trimEnd().split('\n');
      expect(lines.filter((l) => l.startsWith('Warning:'))).toHaveLength(1);
      expect(lines[0]).toMatch(/^Warning: new-gpu\.yaml:6:14: resources\[0\]\.gpuType: unknown GPU type "NVIDIA_X900_512G"/);
      expect(calls()).toEqual([`GET ${BASE}/list`, `POST ${BASE}/create`]);
      // The real API knows GPU types the docs may not list yet; the sandbox knows only the documented ones.
      expect(r.code).toBe(2);
      expect(lines[1]).toMatch(/^Error: parameter error: resources\[0\]\.gpuType "NVIDIA_X900_512G" is not a known GPU type \(code 10001\)/);
    });
  });

  describe('--wait', () => {
    it('waits until RUNNING with every worker up, then prints the deployment as it is', async () => {
      let clock = CLOCK;
      await setUp({ now: () => clock, delays: { workerStartMs: 5000, stopMs: 0, terminateMs: 0 } });
      const r = await runCli(['deploy', 'create', '-f', 'deploy.yaml', '--wait', '--json'], {
        env,
        cwd: dir,
        now: () => clock,
        sleep: async (ms) => {
          clock += ms;
        },
      });
      expect(r.code).toBe(0);
      const d = JSON.parse(r.stdout) as ElasticDeploymentDetail;
      expect(d).toMatchObject({ status: 'RUNNING', runningWorkers: 2, totalWorkers: 2 });
      expect(calls().slice(0, 2)).toEqual([`GET ${BASE}/list`, `POST ${BASE}/create`]);
      expect(calls().slice(2).every((c) => c === `GET ${BASE}/${d.id}`)).toBe(true);
      expect(calls().length).toBeGreaterThan(2);
    });

    it('says it is running in the next-step line', async () => {
      await setUp();
      const r = await runCli(['deploy', 'create', '-f', 'deploy.yaml', '--wait'], { env, cwd: dir });
      expect(r.code).toBe(0);
      expect(r.stderr).toMatch(/^Created llama \(\d{18}\); waiting for it to be RUNNING…$/m);
      expect(r.stderr).toMatch(/^llama \(\d{18}\) is RUNNING with every worker up\. Next: yotta deploy workers \d{18}$/m);
    });

    it('exits 8 after --wait-timeout, saying the last state and that the deployment exists', async () => {
      let clock = CLOCK;
      await setUp({ now: () => clock, delays: { workerStartMs: 600_000, stopMs: 0, terminateMs: 0 } });
      const r = await runCli(['deploy', 'create', '-f', 'deploy.yaml', '--wait-timeout', '30s'], {
        env,
        cwd: dir,
        now: () => clock,
        sleep: async (ms) => {
          clock += ms;
        },
      });
      expect(r.code).toBe(8);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^Created llama \(\d{18}\); waiting for it to be RUNNING…$/m);
      expect(r.stderr).toMatch(/^Error: gave up after 30s waiting for llama .* INITIALIZING, 0\/2 workers running/m);
      expect(clock - CLOCK).toBe(30_000);
    });

    it('exits 9 when the deployment turns FAILED', async () => {
      await setUp();
      writeFileSync(join(dir, 'fail.yaml'), SPEC.replace('  HF_HOME: /data', '  HF_HOME: /data\n  SANDBOX_FAIL: "1"'));
      const r = await runCli(['deploy', 'create', '-f', 'fail.yaml', '--wait'], { env, cwd: dir });
      expect(r.code).toBe(9);
      expect(r.stderr).toMatch(/^Error: llama \(\d{18}\) turned FAILED/m);
      expect(calls().filter((c) => c.startsWith('POST'))).toHaveLength(1);
    });
  });

  describe('a name that a deployment already has', () => {
    it('is refused with exit 5, naming the deployment and the flag that allows it; nothing is created', async () => {
      await setUp();
      const first = await runCli(['deploy', 'create', '-f', 'deploy.yaml', '--json'], { env, cwd: dir });
      const id = (JSON.parse(first.stdout) as ElasticDeploymentDetail).id;
      sb.requests.length = 0;
      const r = await runCli(['deploy', 'create', '-f', 'deploy.yaml'], { env, cwd: dir });
      expect(r.code).toBe(5);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain(`Error: a deployment named "llama" already exists: ${id} (RUNNING); nothing was created`);
      expect(r.stderr).toContain('--allow-duplicate-name');
      expect(calls()).toEqual([`GET ${BASE}/list`]);
    });

    it('is created on purpose with --allow-duplicate-name (the one look-up only remembers the older namesake)', async () => {
      await setUp();
      await runCli(['deploy', 'create', '-f', 'deploy.yaml'], { env, cwd: dir });
      sb.requests.length = 0;
      const r = await runCli(['deploy', 'create', '-f', 'deploy.yaml', '--allow-duplicate-name'], { env, cwd: dir });
      expect(r.code).toBe(0);
      expect(calls()).toEqual([`GET ${BASE}/list`, `POST ${BASE}/create`]);
      expect((await runCli(['deploy', 'list', '--json'], { env })).stdout.match(/"name":"llama"/g)?.length ?? JSON.parse((await runCli(['deploy', 'list', '--json'], { env })).stdout).filter((d: { name: string }) => d.name === 'llama').length).toBe(2);
    });
  });

  describe('--wait --json when the wait fails', () => {
    it('prints the deployment as last read on stdout and puts its id in the JSON error (timeout, exit 8)', async () => {
      let clock = CLOCK;
      await setUp({ now: () => clock, delays: { workerStartMs: 600_000, stopMs: 0, terminateMs: 0 } });
      const r = await runCli(['deploy', 'create', '-f', 'deploy.yaml', '--wait-timeout', '30s', '--json'], {
        env,
        cwd: dir,
        now: () => clock,
        sleep: async (ms) => {
          clock += ms;
        },
      });
      expect(r.code).toBe(8);
      const d = JSON.parse(r.stdout) as ElasticDeploymentDetail;
      expect(d).toMatchObject({ name: 'llama', status: 'INITIALIZING' });
      expect(JSON.parse(r.stderr)).toMatchObject({ error: { exitCode: 8, id: d.id } });
    });

    it('does the same when it turns FAILED (exit 9)', async () => {
      await setUp();
      writeFileSync(join(dir, 'fail.yaml'), SPEC.replace('  HF_HOME: /data', '  HF_HOME: /data\n  SANDBOX_FAIL: "1"'));
      const r = await runCli(['deploy', 'create', '-f', 'fail.yaml', '--wait', '--json'], { env, cwd: dir });
      expect(r.code).toBe(9);
      const d = JSON.parse(r.stdout) as ElasticDeploymentDetail;
      expect(d.status).toBe('FAILED');
      expect(JSON.parse(r.stderr)).toMatchObject({ error: { exitCode: 9, id: d.id } });
    });
  });

  describe('API errors', () => {
    it('exits 6 on the deployment limit (24003)', async () => {
      await setUp({ deploymentLimit: 0 });
      const r = await runCli(['deploy', 'create', '-f', 'deploy.yaml'], { env, cwd: dir });
      expect(r.code).toBe(6);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^Error: You've reached the limit of 0 deployment \(code 24003\)/);
    });

    it('exits 6 when GPUs are short (24009), with the code in the JSON error', async () => {
      await setUp({ gpuCapacity: { '*': 0 } });
      const r = await runCli(['deploy', 'create', '-f', 'deploy.yaml', '--json'], { env, cwd: dir });
      expect(r.code).toBe(6);
      expect(r.stdout).toBe('');
      expect(JSON.parse(r.stderr)).toMatchObject({ error: { exitCode: 6, code: 24009 } });
    });

    it('exits 3 without a key and sends nothing', async () => {
      await setUp();
      const r = await runCli(['deploy', 'create', '-f', 'deploy.yaml'], { env: { YOTTA_BASE_URL: sb.url, HF_TOKEN: 'x' }, cwd: dir });
      expect(r.code).toBe(3);
      expect(sb.requests).toHaveLength(0);
    });

    it('exits 3 with a rejected key, never printing it', async () => {
      await setUp();
      const r = await runCli(['deploy', 'create', '-f', 'deploy.yaml'], { env: { ...env, YOTTA_API_KEY: 'bad-key-abcdef123456' }, cwd: dir });
      expect(r.code).toBe(3);
      expect(r.stderr).not.toContain('bad-key-abcdef123456');
      // The name check is the first request, and the key is refused there: nothing is created.
      expect(calls()).toEqual([`GET ${BASE}/list`]);
    });
  });

  describe('a create whose outcome is unknown', () => {
    it('is not sent again; a look-up finds the deployment that was created (exit 7)', async () => {
      await setUp({ faults: [{ match: { method: 'POST', path: '/create' }, kind: 'reset-after' }] });
      const r = await runCli(['deploy', 'create', '-f', 'deploy.yaml'], { env, cwd: dir });
      expect(r.code).toBe(7);
      expect(r.stdout).toBe('');
      expect(calls()).toEqual([`GET ${BASE}/list`, `POST ${BASE}/create`, `GET ${BASE}/list`]);
      expect(r.stderr).toMatch(/^Error: creating "llama" failed midway \(.+\), but a new deployment named "llama" exists now: llama \(\d{18}\), RUNNING\n/);
      expect(r.stderr).toMatch(/^It was not sent again\. Look at it with: yotta deploy get \d{18}\n$/m);
    });

    it('when no deployment of that name is listed yet, says it may still appear and to check before creating it again (exit 7)', async () => {
      await setUp({ faults: [{ match: { method: 'POST', path: '/create' }, kind: 'reset-before' }] });
      const r = await runCli(['deploy', 'create', '-f', 'deploy.yaml', '--json'], { env, cwd: dir });
      expect(r.code).toBe(7);
      expect(calls()).toEqual([`GET ${BASE}/list`, `POST ${BASE}/create`, `GET ${BASE}/list`]);
      const err = JSON.parse(r.stderr) as { error: { exitCode: number; message: string; hint: string } };
      expect(err.error.exitCode).toBe(7);
      // An empty look-up proves nothing (the server may still be creating it), so "not created" is never claimed.
      expect(err.error.message).toMatch(/no new deployment named "llama" is listed yet, but it may still appear: the server may still be creating it$/);
      expect(err.error.message).not.toMatch(/not created/);
      expect(err.error.hint).toBe(
        'It was not sent again. In a minute, check with `yotta deploy list` (or `yotta deploy get llama`) before creating it again; creating it now could make a second deployment.',
      );
      expect(err.error.hint).not.toMatch(/same command again/);
    });
  });

  it('has help with every flag explained and examples', async () => {
    await setUp();
    const r = await runCli(['deploy', 'create', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatchSnapshot();
  });
});
