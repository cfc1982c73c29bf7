import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import type { Sandbox } from '../../src/sandbox/index.js';
import type { ApiClient } from '../../src/api/client.js';
import { createDeployment } from '../../src/api/deployments.js';
import type { CreateDeploymentRequest, ElasticDeploymentDetail } from '../../src/api/types.js';
import { runCli } from '../helpers/cli.js';
import { deploymentBody, startTestSandbox } from '../helpers/fixtures.js';

const BASE = '/openapi/v1/elastic/deploy';

const body = (name: string): CreateDeploymentRequest =>
  deploymentBody(name, {
    workers: 1,
    serviceMode: 'ALB',
    environmentVars: [
      { key: 'HF_TOKEN', value: 'hf_secretvalue123' },
      { key: 'HF_HOME', value: '/data' },
    ],
    expose: { port: 8000, protocol: 'HTTP' },
  });

/** The sandbox's clock stands still, so that uptime and cost read the same from every call. */
const CLOCK = 1_700_000_000_000;

let sb: Sandbox;
let client: ApiClient;
let env: Record<string, string>;
let close: () => Promise<void>;
let d: ElasticDeploymentDetail;

beforeEach(async () => {
  ({ sb, client, env, close } = await startTestSandbox({ now: () => CLOCK }));
  d = await createDeployment(client, body('llama'));
  sb.requests.length = 0;
});

afterEach(() => close());

const calls = () => sb.requests.map((q) => `${q.method} ${q.path}`);

describe('yotta deploy get', () => {
  it('shows every field grouped, with environment values masked', async () => {
    const r = await runCli(['deploy', 'get', d.id], { env });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(new RegExp(`^ID:\\s+${d.id}$`, 'm'));
    expect(r.stdout).toMatch(/^Name:\s+llama$/m);
    expect(r.stdout).toMatch(/^Status:\s+RUNNING$/m);
    expect(r.stdout).toMatch(/^Image:\s+vllm\/vllm-openai:latest$/m);
    for (const section of ['Workers', 'Resources', 'Storage', 'Command', 'Environment', 'Expose', 'Cost']) {
      expect(r.stdout).toMatch(new RegExp(`^${section}$`, 'm'));
    }
    expect(r.stdout).toMatch(/^\s+HF_TOKEN:\s+••••$/m);
    expect(r.stdout).not.toContain('hf_secretvalue123');
    // One masking rule: only names that look secret are masked; HF_HOME is not one.
    expect(r.stdout).toMatch(/^\s+HF_HOME:\s+\/data$/m);
    expect(r.stdout).toContain('8000/HTTP');
    expect(calls()).toEqual([`GET ${BASE}/${d.id}`]);
  });

  it('shows environment values with --show-env', async () => {
    const r = await runCli(['deploy', 'get', d.id, '--show-env'], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\s+HF_TOKEN:\s+hf_secretvalue123$/m);
    expect(r.stdout).toMatch(/^\s+HF_HOME:\s+\/data$/m);
  });

  it('colours the status on a terminal and keeps the same content', async () => {
    const plain = await runCli(['deploy', 'get', d.id], { env });
    const tty = await runCli(['deploy', 'get', d.id], { env, stdoutTTY: true, stderrTTY: true });
    expect(tty.code).toBe(0);
    expect(tty.stdout).toContain('\u001b[32mRUNNING');
    // eslint-disable-next-line no-control-regex
    expect(tty.stdout.replace(/\u001b\[\d+m/g, '')).toBe(plain.stdout);
  });

  it('prints the API data exactly with --json (environment values included)', async () => {
    const res = await fetch(`${sb.url}${BASE}/${d.id}`, { headers: { 'X-API-Key': sb.apiKey } });
    const expected = ((await res.json()) as { data: unknown }).data;
    const r = await runCli(['deploy', 'get', d.id, '--json'], { env, stdoutTTY: true, stderrTTY: true });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual(expected);
    expect(r.stdout).not.toContain('\u001b[');
  });

  it('prints the deployment as an editable spec with -o yaml (the export is tested in deploy-export.test.ts)', async () => {
    const r = await runCli(['deploy', 'get', d.id, '-o', 'yaml'], { env });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const doc = parseYaml(r.stdout) as Record<string, unknown>;
    expect(doc.id).toBeUndefined();
    expect(doc.name).toBe('llama');
    expect(doc.environmentVars).toEqual(body('llama').environmentVars);
  });

  it('finds a deployment by its name: one list call, then the get', async () => {
    const r = await runCli(['deploy', 'get', 'llama', '--json'], { env });
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { id: string }).id).toBe(d.id);
    expect(calls()).toEqual([`GET ${BASE}/list`, `GET ${BASE}/${d.id}`]);
  });

  it('exits 4 for an unknown id, naming it and the command that lists ids', async () => {
    const r = await runCli(['deploy', 'get', '999999999999999999'], { env });
    expect(r.code).toBe(4);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('Error: deployment 999999999999999999 not found\nRun `yotta deploy list` to see ids and names.\n');
    expect(calls()).toEqual([`GET ${BASE}/999999999999999999`]);
  });

  it('keeps the API code in the JSON error for an unknown id', async () => {
    const r = await runCli(['deploy', 'get', '999999999999999999', '--json'], { env });
    expect(r.code).toBe(4);
    expect(r.stdout).toBe('');
    expect(JSON.parse(r.stderr)).toEqual({
      error: {
        exitCode: 4,
        code: 24001,
        httpStatus: 200,
        message: 'deployment 999999999999999999 not found',
        hint: 'Run `yotta deploy list` to see ids and names.',
      },
    });
  });

  it('exits 4 for an unknown name', async () => {
    const r = await runCli(['deploy', 'get', 'nosuch'], { env });
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/^Error: no deployment named "nosuch"\n/);
    expect(calls()).toEqual([`GET ${BASE}/list`]);
  });

  it('refuses a reference that could change the request path, sending nothing', async () => {
    for (const ref of ['../list', 'a b', '378888638324150969/stop']) {
      const r = await runCli(['deploy', 'get', ref], { env });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/is not a deployment id or name/);
    }
    expect(sb.requests).toHaveLength(0);
  });

  it('exits 2 without an argument', async () => {
    const r = await runCli(['deploy', 'get'], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/missing required argument/);
    expect(sb.requests).toHaveLength(0);
  });

  it('exits 3 without a key and 3 with a rejected key', async () => {
    const none = await runCli(['deploy', 'get', d.id], { env: { YOTTA_BASE_URL: sb.url } });
    expect(none.code).toBe(3);
    expect(sb.requests).toHaveLength(0);
    const bad = await runCli(['deploy', 'get', d.id], { env: { YOTTA_BASE_URL: sb.url, YOTTA_API_KEY: 'not-the-key-0000' } });
    expect(bad.code).toBe(3);
    expect(bad.stderr).not.toContain('not-the-key-0000');
  });

  it('has help with every flag explained and examples', async () => {
    const r = await runCli(['deploy', 'get', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatchSnapshot();
  });
});
