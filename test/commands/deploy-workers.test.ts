import { afterEach, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { startSandbox } from '../../src/sandbox/index.js';
import type { Sandbox, SandboxOptions } from '../../src/sandbox/index.js';
import { ApiClient } from '../../src/api/client.js';
import { createDeployment } from '../../src/api/deployments.js';
import type { ElasticDeploymentDetail } from '../../src/api/types.js';
import { runCli } from '../helpers/cli.js';
import { deploymentBody } from '../helpers/fixtures.js';

const BASE = '/openapi/v1/elastic/deploy';

const BODY = deploymentBody('llama', { initializationCommand: 'python serve.py' });

/** The sandbox's clock stands still, so that uptime and cost read the same from every call. */
const CLOCK = 1_700_000_000_000;

let sb: Sandbox;
let client: ApiClient;
let env: Record<string, string>;
let d: ElasticDeploymentDetail;

async function setUp(o: SandboxOptions = {}): Promise<void> {
  sb = await startSandbox({ now: () => CLOCK, delays: { workerStartMs: 0, stopMs: 0, terminateMs: 0 }, ...o });
  client = new ApiClient({ baseUrl: sb.url, apiKey: sb.apiKey, userAgent: 'test' });
  env = { YOTTA_BASE_URL: sb.url, YOTTA_API_KEY: sb.apiKey };
  d = await createDeployment(client, BODY);
  sb.requests.length = 0;
}

afterEach(async () => {
  await client.close();
  await sb.close();
});

const calls = () => sb.requests.map((q) => `${q.method} ${q.path}`);

describe('yotta deploy workers', () => {
  it('prints a table of the workers', async () => {
    await setUp();
    const r = await runCli(['deploy', 'workers', d.id], { env });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID\s+STATUS\s+REGION\s+GPU\s+UPTIME\s+COST$/);
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatch(/\s+RUNNING\s+us-east-1\s+1× H100\s/);
    expect(calls()).toEqual([`GET ${BASE}/${d.id}/workers`]);
  });

  it('colours statuses on a terminal, same rows', async () => {
    await setUp();
    const plain = await runCli(['deploy', 'workers', d.id], { env });
    const tty = await runCli(['deploy', 'workers', d.id], { env, stdoutTTY: true, stderrTTY: true });
    expect(tty.stdout).toContain('\u001b[32mRUNNING');
    // eslint-disable-next-line no-control-regex
    expect(tty.stdout.replace(/\u001b\[\d+m/g, '')).toBe(plain.stdout);
  });

  it('prints the API data exactly with --json and YAML with -o yaml', async () => {
    await setUp();
    const res = await fetch(`${sb.url}${BASE}/${d.id}/workers`, { headers: { 'X-API-Key': sb.apiKey } });
    const expected = ((await res.json()) as { data: unknown }).data;
    const json = await runCli(['deploy', 'workers', d.id, '--json'], { env });
    expect(json.code).toBe(0);
    expect(json.stderr).toBe('');
    expect(JSON.parse(json.stdout)).toEqual(expected);
    const yaml = await runCli(['deploy', 'workers', d.id, '-o', 'yaml'], { env });
    expect(parseYaml(yaml.stdout)).toEqual(expected);
  });

  it('sends --status as repeated upper-case statusList parameters', async () => {
    await setUp();
    const r = await runCli(['deploy', 'workers', d.id, '--status', 'running,Initialize', '-s', 'failed', '--json'], { env });
    expect(r.code).toBe(0);
    expect(sb.requests[0]!.query).toEqual({ statusList: ['RUNNING', 'INITIALIZE', 'FAILED'] });
  });

  it('says "No workers." on stderr when none match', async () => {
    await setUp();
    const r = await runCli(['deploy', 'workers', d.id, '--status', 'failed'], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('No workers.\n');
  });

  it('looks a name up first', async () => {
    await setUp();
    const r = await runCli(['deploy', 'workers', 'llama', '--json'], { env });
    expect(r.code).toBe(0);
    expect(calls()).toEqual([`GET ${BASE}/list`, `GET ${BASE}/${d.id}/workers`]);
  });

  it('exits 4 for an unknown id, 2 for a bad status or reference (nothing sent)', async () => {
    await setUp();
    const missing = await runCli(['deploy', 'workers', '123456789012345678'], { env });
    expect(missing.code).toBe(4);
    expect(missing.stderr).toBe('Error: deployment 123456789012345678 not found\nRun `yotta deploy list` to see ids and names.\n');
    sb.requests.length = 0;
    const status = await runCli(['deploy', 'workers', d.id, '--status', 'STOPPED'], { env });
    expect(status.code).toBe(2);
    expect(status.stderr).toMatch(/^Error: --status: unknown worker status "STOPPED"; use one of INITIALIZE, RUNNING/);
    const ref = await runCli(['deploy', 'workers', 'x/y'], { env });
    expect(ref.code).toBe(2);
    expect(sb.requests).toHaveLength(0);
  });

  it('exits 3 without a key, sending nothing', async () => {
    await setUp();
    const r = await runCli(['deploy', 'workers', d.id], { env: { YOTTA_BASE_URL: sb.url } });
    expect(r.code).toBe(3);
    expect(sb.requests).toHaveLength(0);
  });

  // --watch is tested with the other watches in deploy-watch.test.ts.

  it('has help with every flag explained and examples', async () => {
    await setUp();
    const r = await runCli(['deploy', 'workers', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatchSnapshot();
  });
});
