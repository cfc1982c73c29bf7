import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Sandbox } from '../../src/sandbox/index.js';
import type { ApiClient } from '../../src/api/client.js';
import { createDeployment } from '../../src/api/deployments.js';
import type { CreateDeploymentRequest, ElasticDeploymentDetail } from '../../src/api/types.js';
import { runCli, tempDir } from '../helpers/cli.js';
import type { RunOptions } from '../helpers/cli.js';
import { deploymentBody, startTestSandbox } from '../helpers/fixtures.js';

const CLOCK = 1_700_000_000_000;

const CREATE = deploymentBody('llama', {
  serviceMode: 'ALB',
  environmentVars: [
    { key: 'HF_TOKEN', value: 'hf_secret_1' },
    { key: 'OLD', value: 'old_value' },
  ],
  expose: { port: 8000, protocol: 'HTTP' },
});

const SPEC = `name: llama
image: vllm/vllm-openai:latest
resources:
  - region: us-east-1
    gpuType: NVIDIA_H100_80G
    gpuCount: 1
containerVolumeInGb: 100
workers: 2
serviceMode: ALB
initializationCommand: vllm serve meta-llama/Llama-3.2-3B
environmentVars:
  HF_TOKEN: hf_secret_1
  OLD: old_value
expose:
  port: 8000
`;

/** SPEC with four differences: workers, a changed, a removed and an added variable. */
const CHANGED = SPEC.replace('workers: 2', 'workers: 4')
  .replace('HF_TOKEN: hf_secret_1', 'HF_TOKEN: hf_secret_2')
  .replace('  OLD: old_value\n', '  NEW: new_value\n');

let sb: Sandbox;
let client: ApiClient;
let env: Record<string, string>;
let close: () => Promise<void>;
let dir: string;

beforeEach(async () => {
  ({ sb, client, env, close } = await startTestSandbox({ now: () => CLOCK }));
  dir = tempDir('yotta-diff-');
});

afterEach(() => close());

// Ids in messages are whole (they can be pasted back).
const short = (id: string): string => id;

async function existing(body: Partial<CreateDeploymentRequest> = {}): Promise<ElasticDeploymentDetail> {
  const d = await createDeployment(client, { ...CREATE, ...body });
  sb.requests.length = 0;
  return d;
}

function diff(text: string, args: string[] = [], o: RunOptions = {}) {
  writeFileSync(join(dir, 'deploy.yaml'), text);
  return runCli(['deploy', 'diff', '-f', 'deploy.yaml', ...args], { cwd: dir, ...o, env: { ...env, ...o.env } });
}

describe('yotta deploy diff', () => {
  it('exits 0 with nothing on stdout when the deployment matches; only reads are sent', async () => {
    const d = await existing();
    const r = await diff(SPEC);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`llama (${short(d.id)}): no differences.\n`);
    expect(sb.requests.map((q) => `${q.method} ${q.path}`)).toEqual(['GET /openapi/v1/elastic/deploy/list']);
  });

  it('exits 1 and shows each differing path with "- have" and "+ want", secret-looking environment values masked', async () => {
    const d = await existing();
    const r = await diff(CHANGED);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(
      `llama (${short(d.id)}): 4 differences (- deployment, + spec)\n` +
        '  workers\n' +
        '  - 2\n' +
        '  + 4\n' +
        '  environmentVars.HF_TOKEN  (values hidden; --show-env shows them)\n' +
        '  - ••••\n' +
        '  + ••••\n' +
        '  environmentVars.NEW\n' +
        '  + new_value\n' +
        '  environmentVars.OLD\n' +
        '  - old_value\n',
    );
    // Exit 1 is the answer, not an error: nothing is printed for it.
    expect(r.stderr).toBe('');
    expect(sb.requests.every((q) => q.method === 'GET')).toBe(true);
  });

  it('--show-env shows the values', async () => {
    await existing();
    const r = await diff(CHANGED, ['--show-env']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('  environmentVars.HF_TOKEN\n  - hf_secret_1\n  + hf_secret_2\n');
    expect(r.stdout).toContain('  environmentVars.OLD\n  - old_value\n');
  });

  it('colours "- have" red and "+ want" green on a terminal', async () => {
    await existing();
    const r = await diff(CHANGED, [], { stdoutTTY: true });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('\u001b[31m  - 2\u001b[39m');
    expect(r.stdout).toContain('\u001b[32m  + 4\u001b[39m');
    expect(r.stdout).toContain('\u001b[1mworkers\u001b[22m');
  });

  it('a deployment that does not exist shows every field as to be created and exits 1', async () => {
    const r = await diff(SPEC.replace('name: llama', 'name: fresh'));
    expect(r.code).toBe(1);
    expect(r.stdout.split('\n').slice(0, 5)).toEqual(['fresh: no deployment has this name; apply would create it with:', '  name', '  + fresh', '  image', '  + vllm/vllm-openai:latest']);
    expect(r.stdout).toContain('  resources\n  + {region: us-east-1, gpuType: NVIDIA_H100_80G, gpuCount: 1}\n');
    expect(r.stdout).toContain('  expose\n  + {port: 8000, protocol: HTTP}\n');
    expect(r.stdout).not.toMatch(/^ {2}- /m);
  });

  it('--json: an array even for one document, of {name, id, equal, differences}, secret-looking values masked', async () => {
    const d = await existing();
    const same = await diff(SPEC, ['--json']);
    expect(same.code).toBe(0);
    expect(JSON.parse(same.stdout)).toEqual([{ name: 'llama', id: d.id, equal: true, differences: [] }]);
    const r = await diff(CHANGED, ['--json']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual([
      {
        name: 'llama',
        id: d.id,
        equal: false,
        differences: [
          { path: 'workers', want: 4, have: 2 },
          { path: 'environmentVars.HF_TOKEN', want: '••••', have: '••••' },
          { path: 'environmentVars.NEW', want: 'new_value', have: null },
          { path: 'environmentVars.OLD', want: null, have: 'old_value' },
        ],
      },
    ]);
    expect(r.stdout).not.toMatch(/hf_secret/);
    const absent = await diff(SPEC.replace('name: llama', 'name: fresh'), ['--json', '--show-env']);
    expect(absent.code).toBe(1);
    const [out] = JSON.parse(absent.stdout) as { id: null; equal: boolean; differences: { path: string; want: unknown; have: unknown }[] }[];
    expect([out!.id, out!.equal]).toEqual([null, false]);
    expect(out!.differences).toContainEqual({ path: 'environmentVars.HF_TOKEN', want: 'hf_secret_1', have: null });
    expect(out!.differences.every((x) => x.have === null)).toBe(true);
  });

  it('compares every document of a file: an array with --json, exit 1 if any differs', async () => {
    await existing();
    const b = await existing({ name: 'beta' });
    const r = await diff(`${SPEC}---\n${SPEC.replace('name: llama', 'name: beta')}`, ['--json']);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { name: string; equal: boolean }[]).map((x) => [x.name, x.equal])).toEqual([
      ['llama', true],
      ['beta', true],
    ]);
    const changed = await diff(`${SPEC}---\n${SPEC.replace('name: llama', 'name: beta').replace('port: 8000', 'port: 8001')}`);
    expect(changed.code).toBe(1);
    expect(changed.stdout).toBe(`beta (${short(b.id)}): 1 difference (- deployment, + spec)\n  expose.port\n  - 8000\n  + 8001\n`);
    expect(changed.stderr).toMatch(/^llama \(\d{18}\): no differences\.\n$/);
  });

  it('errors keep their usual codes: 2 for a bad spec or a shared name, 3 without a key, 10 when some documents failed', async () => {
    const bad = await diff(SPEC.replace('workers: 2', 'workers: -1'));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^Error: deploy\.yaml:8:10: workers/);

    const one = await existing();
    const two = await existing();
    const shared = await diff(SPEC);
    expect(shared.code).toBe(2);
    expect(shared.stderr).toContain(`Error: 2 deployments are named "llama": ${one.id} (RUNNING), ${two.id} (RUNNING); diff cannot tell which one the spec means`);

    const some = await diff(`${SPEC}---\n${SPEC.replace('name: llama', 'name: beta')}`, ['--json']);
    expect(some.code).toBe(10);
    const out = JSON.parse(some.stdout) as { name: string; equal: boolean | null; error?: { exitCode: number } }[];
    expect(out.map((x) => [x.name, x.equal, x.error?.exitCode])).toEqual([
      ['llama', null, 2],
      ['beta', false, undefined],
    ]);

    const noKey = await diff(SPEC, [], { env: { YOTTA_API_KEY: undefined } });
    expect(noKey.code).toBe(3);
  });

  it('help explains the exit codes like git diff --exit-code, every flag, with examples', async () => {
    const group = await runCli(['deploy', '--help']);
    expect(group.stdout).toMatch(/^ {2}diff \[options\]\s+compare a spec file with live deployments$/m);
    const r = await runCli(['deploy', 'diff', '--help']);
    expect(r.stdout).toContain('Exit 0 when everything matches and 1 when something differs (like\n`git diff --exit-code`)');
    for (const flag of ['-f, --file <path>', '--show-env']) expect(r.stdout).toContain(flag);
    expect(r.stdout).toContain('$ yotta deploy diff -f deploy.yaml');
  });
});
