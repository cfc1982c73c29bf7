import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Sandbox } from '../../src/sandbox/index.js';
import type { ApiClient } from '../../src/api/client.js';
import { createDeployment, stopDeployment } from '../../src/api/deployments.js';
import type { ElasticDeploymentDetail, UpdateDeploymentRequest } from '../../src/api/types.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { deploymentBody, startTestSandbox } from '../helpers/fixtures.js';

const BASE = '/openapi/v1/elastic/deploy';
/** The sandbox's clock stands still, so that a GET reads what update answered. */
const CLOCK = 1_700_000_000_000;

const CREATE = deploymentBody('llama', {
  serviceMode: 'ALB',
  environmentVars: [{ key: 'HF_HOME', value: '/data' }],
  expose: { port: 8000, protocol: 'HTTP' },
});

/** The full update body that leaves CREATE as it is. */
const SAME: UpdateDeploymentRequest = {
  name: 'llama',
  resources: [{ region: 'us-east-1', gpuType: 'NVIDIA_H100_80G', gpuCount: 1 }],
  minSingleCardVramInGb: 0,
  minSingleCardVcpu: 0,
  minSingleCardRamInGb: 0,
  containerVolumeInGb: 100,
  workers: 2,
  initializationCommand: 'vllm serve meta-llama/Llama-3.2-3B',
  environmentVars: [{ key: 'HF_HOME', value: '/data' }],
  expose: { port: 8000, protocol: 'HTTP' },
};

let sb: Sandbox;
let client: ApiClient;
let env: Record<string, string>;
let close: () => Promise<void>;
let d: ElasticDeploymentDetail;
let dir: string;

beforeEach(async () => {
  ({ sb, client, env, close } = await startTestSandbox({ now: () => CLOCK }));
  d = await createDeployment(client, CREATE);
  await stopDeployment(client, d.id);
  sb.requests.length = 0;
  dir = tempDir('yotta-update-');
});

afterEach(() => close());

const calls = () => sb.requests.map((q) => `${q.method} ${q.path}`);
// Ids in messages are whole (they can be pasted back).
const short = (id: string): string => id;

describe('yotta deploy update', () => {
  it('reads the deployment, sends the full body with the change, prints it and says what to run next', async () => {
    const r = await runCli(['deploy', 'update', d.id, '--workers', '4'], { env });
    expect(r.code).toBe(0);
    expect(calls()).toEqual([`GET ${BASE}/${d.id}`, `POST ${BASE}/${d.id}/update`]);
    expect(sb.requests[1]!.body).toEqual({ ...SAME, workers: 4 });
    expect(r.stdout).toMatch(new RegExp(`^ID:\\s+${d.id}$`, 'm'));
    expect(r.stdout).toMatch(/^Status:\s+STOPPED$/m);
    expect(r.stderr).toBe(`Updated llama (${short(d.id)}). Next: yotta deploy start ${d.id} --wait\n`);
  });

  it('prints the API data exactly with --json, nothing on stderr', async () => {
    const r = await runCli(['deploy', 'update', d.id, '--env', 'HF_TOKEN=hf_x', '--json'], { env, stdoutTTY: true, stderrTTY: true });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const res = await fetch(`${sb.url}${BASE}/${d.id}`, { headers: { 'X-API-Key': sb.apiKey } });
    const now = ((await res.json()) as { data: ElasticDeploymentDetail }).data;
    expect(JSON.parse(r.stdout)).toEqual(now);
    expect(now.environmentVars).toEqual([
      { key: 'HF_HOME', value: '/data' },
      { key: 'HF_TOKEN', value: 'hf_x' },
    ]);
  });

  it('takes a name: one list call to find it', async () => {
    const r = await runCli(['deploy', 'update', 'llama', '--volume', '200', '--json'], { env });
    expect(r.code).toBe(0);
    expect(calls()).toEqual([`GET ${BASE}/list`, `GET ${BASE}/${d.id}`, `POST ${BASE}/${d.id}/update`]);
    expect(sb.requests[2]!.body).toEqual({ ...SAME, containerVolumeInGb: 200 });
  });

  it('merges a spec file, and flags win over it', async () => {
    writeFileSync(
      join(dir, 'deploy.yaml'),
      `name: llama
image: vllm/vllm-openai:latest
serviceMode: ALB
workers: 3
initializationCommand: vllm serve meta-llama/Llama-3.1-8B
`,
    );
    const r = await runCli(['deploy', 'update', d.id, '-f', 'deploy.yaml', '--workers', '5'], { env, cwd: dir });
    expect(r.code).toBe(0);
    expect(sb.requests[1]!.body).toEqual({ ...SAME, workers: 5, initializationCommand: 'vllm serve meta-llama/Llama-3.1-8B' });
  });

  it('reads the spec from stdin with -f -', async () => {
    const r = await runCli(['deploy', 'update', d.id, '-f', '-', '--json'], { env, stdin: 'workers: 1\n' });
    expect(r.code).toBe(0);
    expect(sb.requests[1]!.body).toEqual({ ...SAME, workers: 1 });
  });

  it('shows the same on a terminal, the status coloured', async () => {
    const r = await runCli(['deploy', 'update', d.id, '--workers', '3'], { env, stdoutTTY: true, stderrTTY: true });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('\u001b[2mSTOPPED');
    expect(r.stderr).toContain(`Updated llama (${short(d.id)}).`);
  });

  it('refuses (exit 5) a deployment that is not STOPPED, printing the command that stops it and sending no update', async () => {
    const running = await createDeployment(client, { ...CREATE, name: 'busy' });
    sb.requests.length = 0;
    const r = await runCli(['deploy', 'update', running.id, '--init-cmd', 'vllm serve other'], { env });
    expect(r.code).toBe(5);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `Error: busy (${short(running.id)}) is RUNNING; only a STOPPED deployment can be updated; nothing was sent\n` +
        `Stop it first: yotta deploy stop ${running.id} --wait\n`,
    );
    // A worker count change points at scale, which changes it without stopping.
    const workers = await runCli(['deploy', 'update', running.id, '--workers', '4'], { env });
    expect(workers.code).toBe(5);
    expect(workers.stderr).toContain(`To change its worker count while it runs: yotta deploy scale ${running.id} 4; for other fields, stop it first`);
    expect(calls()).toEqual([`GET ${BASE}/${running.id}`, `GET ${BASE}/${running.id}`]);
  });

  it('explains a 24002 from the API (the deployment changed state meanwhile), exit 5', async () => {
    sb.addFault({ match: { method: 'POST', path: '/update' }, kind: 'envelope', code: 24002, message: 'Elastic action not allowed' });
    const r = await runCli(['deploy', 'update', d.id, '--workers', '4'], { env });
    expect(r.code).toBe(5);
    expect(r.stderr).toBe(
      `Error: llama (${short(d.id)}) cannot be updated now: Elastic action not allowed (code 24002)\n` +
        `It must be STOPPED: yotta deploy stop ${d.id} --wait\n`,
    );
  });

  it('does not send an update again when its outcome is unknown (exit 7), and says how to check', async () => {
    sb.addFault({ match: { method: 'POST', path: '/update' }, kind: 'reset-after' });
    const r = await runCli(['deploy', 'update', d.id, '--workers', '4'], { env });
    expect(r.code).toBe(7);
    expect(r.stdout).toBe('');
    expect(calls()).toEqual([`GET ${BASE}/${d.id}`, `POST ${BASE}/${d.id}/update`]);
    expect(r.stderr).toMatch(/the outcome is unknown/);
    expect(r.stderr.trimEnd().split('\n').at(-1)).toBe(`It was not sent again. Check whether it happened with: yotta deploy get ${d.id}`);
  });

  describe('fields that only a new deployment can change (exit 2, no update sent)', () => {
    it('refuses a different image from a flag', async () => {
      const r = await runCli(['deploy', 'update', d.id, '--image', 'vllm/vllm-openai:v0.9'], { env });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^Error: --image: image cannot be changed by update .*create a new deployment instead/);
      expect(calls()).toEqual([`GET ${BASE}/${d.id}`]);
    });

    it('refuses a different serviceMode from the file, at its line and column', async () => {
      writeFileSync(join(dir, 'queue.yaml'), 'workers: 2\nserviceMode: queue\n');
      const r = await runCli(['deploy', 'update', d.id, '-f', 'queue.yaml'], { env, cwd: dir });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^Error: queue\.yaml:2:14: serviceMode cannot be changed by update/);
      expect(calls()).toEqual([`GET ${BASE}/${d.id}`]);
    });

    it('accepts the same image, registry and service mode', async () => {
      const r = await runCli(['deploy', 'update', d.id, '--image', 'vllm/vllm-openai:latest', '--service-mode', 'alb', '--workers', '1'], { env });
      expect(r.code).toBe(0);
      expect(sb.requests[1]!.body).toEqual({ ...SAME, workers: 1 });
    });
  });

  describe('--dry-run', () => {
    it('reads the deployment and prints the exact update body, sending no update', async () => {
      const r = await runCli(['deploy', 'update', d.id, '--workers', '6', '--dry-run'], { env });
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual({ ...SAME, workers: 6 });
      expect(r.stderr).toBe(`Dry run: the update above is valid for llama (${short(d.id)}); nothing was sent.\n`);
      expect(calls()).toEqual([`GET ${BASE}/${d.id}`]);
    });

    it('warns when the deployment is not STOPPED, still exit 0', async () => {
      const running = await createDeployment(client, { ...CREATE, name: 'busy' });
      const r = await runCli(['deploy', 'update', running.id, '--workers', '6', '--dry-run', '--json'], { env });
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual({ ...SAME, name: 'busy', workers: 6 });
      expect(r.stderr).toBe(
        `Warning: busy (${short(running.id)}) is RUNNING; only a STOPPED deployment can be updated. Stop it first: yotta deploy stop ${running.id} --wait\n`,
      );
    });

    it('needs a key, since it reads the live deployment (exit 3, nothing sent)', async () => {
      const r = await runCli(['deploy', 'update', d.id, '--workers', '6', '--dry-run'], { env: { YOTTA_BASE_URL: sb.url } });
      expect(r.code).toBe(3);
      expect(sb.requests).toHaveLength(0);
    });
  });

  describe('bad input, nothing sent', () => {
    it('exit 2 when there is nothing to change', async () => {
      const r = await runCli(['deploy', 'update', d.id], { env });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^Error: nothing to update: give a spec file with -f, or flags/);
      expect(sb.requests).toHaveLength(0);
    });

    it('exit 2 for a bad flag value or reference', async () => {
      const flag = await runCli(['deploy', 'update', d.id, '--workers', 'lots'], { env });
      expect(flag.code).toBe(2);
      expect(flag.stderr).toMatch(/^Error: --workers: "lots" is not an integer/);
      const ref = await runCli(['deploy', 'update', '../x', '--workers', '1'], { env });
      expect(ref.code).toBe(2);
      expect(sb.requests).toHaveLength(0);
    });

    it.each([
      { args: ['--workers', '-1'], says: '--workers: must be at least 0, got -1' },
      { args: ['--workers=-1', '--dry-run'], says: '--workers: must be at least 0, got -1' },
      { args: ['--port', '70000'], says: '--port: must be at most 65535, got 70000' },
      { args: ['--port', '0'], says: '--port: must be at least 1, got 0' },
      { args: ['--volume', '-5'], says: '--volume: must be greater than 0, got -5' },
      { args: ['--gpu-count', '0'], says: '--gpu-count: must be at least 1, got 0' },
      { args: ['--region', ''], says: '--region: must not be empty' },
      { args: ['--name', '1x'], says: '--name: must start with a letter and contain only letters, digits and @._-, got "1x"' },
      { args: ['--min-vram', '99999'], says: '--min-vram: must be at most 1536, got 99999' },
      { args: ['--resource', 'us-east-1:NVIDIA_H100_80G:1', '--resource', 'eu-west-1:NVIDIA_H100_80G:2'], says: '--resource: resources[1].gpuCount: every resource must have the same gpuCount' },
      { args: ['--workers', '-1', '--port', '0'], says: '--workers: must be at least 0, got -1\n--port: must be at least 1, got 0' },
    ].map((c) => ({ ...c, label: c.args.join(' ') })))('exit 2 for a value no deployment can take ("$label"), before anything is sent: the deployment is not even read', async ({ args, says }) => {
      const r = await runCli(['deploy', 'update', d.id, ...args], { env });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.startsWith(`Error: ${says}`), r.stderr).toBe(true);
      expect(sb.requests).toHaveLength(0);
    });

    it('exit 2 for a bad spec file, before anything is sent, flags or not', async () => {
      writeFileSync(join(dir, 'bad.yaml'), 'workers: -1\n');
      for (const extra of [[], ['--env', 'A=b']]) {
        const r = await runCli(['deploy', 'update', d.id, '-f', 'bad.yaml', ...extra], { env, cwd: dir });
        expect(r.code, r.stderr).toBe(2);
        expect(r.stderr).toMatch(/^Error: bad\.yaml:1:\d+: workers: must be at least 0, got -1/);
      }
      expect(sb.requests).toHaveLength(0);
    });

    it('exit 2 for a value that only fails against the deployment, found once it is read, naming the flag; no update sent', async () => {
      const two = await createDeployment(client, {
        ...CREATE,
        name: 'two-places',
        resources: [
          { region: 'us-east-1', gpuType: 'NVIDIA_H100_80G', gpuCount: 1 },
          { region: 'eu-west-1', gpuType: 'NVIDIA_H100_80G', gpuCount: 1 },
        ],
      });
      await stopDeployment(client, two.id);
      sb.requests.length = 0;
      const r = await runCli(['deploy', 'update', two.id, '--region', 'us-west-2'], { env });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^Error: --region: the spec has 2 resources; give --gpu-type too/);
      expect(calls()).toEqual([`GET ${BASE}/${two.id}`]);
    });
  });

  it('exits 4 for an unknown id', async () => {
    const r = await runCli(['deploy', 'update', '999999999999999999', '--workers', '1'], { env });
    expect(r.code).toBe(4);
    expect(r.stderr).toBe('Error: deployment 999999999999999999 not found\nRun `yotta deploy list` to see ids and names.\n');
    expect(calls()).toEqual([`GET ${BASE}/999999999999999999`]);
  });

  it('exits 3 without a key or with a rejected one', async () => {
    const none = await runCli(['deploy', 'update', d.id, '--workers', '1'], { env: { YOTTA_BASE_URL: sb.url } });
    expect(none.code).toBe(3);
    expect(sb.requests).toHaveLength(0);
    const bad = await runCli(['deploy', 'update', d.id, '--workers', '1'], { env: { ...env, YOTTA_API_KEY: 'rejected-key-98765' } });
    expect(bad.code).toBe(3);
    expect(bad.stderr).not.toContain('rejected-key-98765');
  });

  it('has help with every flag explained and examples', async () => {
    const r = await runCli(['deploy', 'update', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatchSnapshot();
  });
});
