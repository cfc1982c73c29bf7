import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import type { Sandbox } from '../../src/sandbox/index.js';
import type { ApiClient } from '../../src/api/client.js';
import { createDeployment, stopDeployment } from '../../src/api/deployments.js';
import type { CreateDeploymentRequest, ElasticDeploymentDetail } from '../../src/api/types.js';
import { runCli } from '../helpers/cli.js';
import { runningTotal, totalLine } from '../../src/commands/deploy/list.js';
import { deploymentBody, startTestSandbox } from '../helpers/fixtures.js';

const LIST_PATH = '/openapi/v1/elastic/deploy/list';

const body = (name: string): CreateDeploymentRequest => deploymentBody(name, { serviceMode: 'ALB', expose: { port: 8000, protocol: 'HTTP' } });

/** The sandbox's clock stands still, so that uptime and cost read the same from every call. */
const CLOCK = 1_700_000_000_000;

let sb: Sandbox;
let client: ApiClient;
let env: Record<string, string>;
let close: () => Promise<void>;

beforeEach(async () => {
  ({ sb, client, env, close } = await startTestSandbox({ now: () => CLOCK }));
});

afterEach(() => close());

/** Creates deployments straight through the API, then forgets those requests. */
async function seed(...names: string[]): Promise<ElasticDeploymentDetail[]> {
  const out: ElasticDeploymentDetail[] = [];
  for (const n of names) out.push(await createDeployment(client, body(n)));
  sb.requests.length = 0;
  return out;
}

/** The `data` of GET /list as the sandbox sends it, read without the CLI. */
async function rawList(query = ''): Promise<unknown> {
  const res = await fetch(`${sb.url}${LIST_PATH}${query}`, { headers: { 'X-API-Key': sb.apiKey } });
  const envelope = (await res.json()) as { data: unknown };
  return envelope.data;
}

describe('yotta deploy list', () => {
  it('prints a table of every deployment on stdout, one GET; the total for people on stderr, only when it is a terminal', async () => {
    const [a, b] = await seed('llama-a', 'llama-b');
    const piped = await runCli(['deploy', 'list'], { env });
    expect(piped.code).toBe(0);
    expect(piped.stderr).toBe('');
    sb.requests.length = 0;
    const r = await runCli(['deploy', 'list'], { env: { ...env, NO_COLOR: '1' }, stderrTTY: true });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(piped.stdout);
    expect(r.stderr).toBe('Total: $7.80/h billed now, for 2 deployments with running workers\n');
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID\s+NAME\s+STATUS\s+WORKERS\s+GPU\s+REGION\s+\$\/HOUR$/);
    // Rows only after the header: `yotta deploy list | awk 'NR>1'` yields ids and nothing else.
    expect(lines).toHaveLength(3);
    expect(lines.slice(1).map((l) => l.split(/\s+/)[0])).toEqual([a!.id, b!.id]);
    expect(r.stdout).toContain(a!.id);
    expect(r.stdout).toContain(b!.id);
    expect(r.stdout).toMatch(/llama-a\s+RUNNING\s+2\/2\s+1× H100\s+us-east-1/);
    expect(r.stdout).not.toContain('\u001b[');
    expect(sb.requests.map((q) => `${q.method} ${q.path}`)).toEqual([`GET ${LIST_PATH}`]);
    expect(sb.requests[0]!.headers['x-api-key']).toBe(sb.apiKey);
  });

  it('shows the same rows on a terminal, with the status coloured', async () => {
    await seed('llama-a');
    const plain = await runCli(['deploy', 'list'], { env });
    const tty = await runCli(['deploy', 'list'], { env, stdoutTTY: true, stderrTTY: true });
    expect(tty.code).toBe(0);
    expect(tty.stdout).toContain('\u001b[32mRUNNING\u001b[39m');
    // eslint-disable-next-line no-control-regex
    expect(tty.stdout.replace(/\u001b\[\d+m/g, '')).toBe(plain.stdout);
  });

  it('adds image, mode, domain and cost with -o wide', async () => {
    await seed('llama-a');
    const r = await runCli(['deploy', 'list', '-o', 'wide'], { env });
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toMatch(/IMAGE\s+MODE\s+DOMAIN\s+COST$/);
    expect(r.stdout).toContain('vllm/vllm-openai:latest');
    expect(r.stdout).toMatch(/ALB\s+http:\/\/127\.0\.0\.1:\d+\/alb\/[a-z0-9]{12}/);
  });

  it('prints the API data exactly with --json, ids as strings', async () => {
    await seed('llama-a', 'llama-b');
    const expected = await rawList();
    sb.requests.length = 0;
    const r = await runCli(['deploy', 'list', '--json'], { env });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual(expected);
    expect(typeof (JSON.parse(r.stdout) as { id: unknown }[])[0]!.id).toBe('string');
    expect(sb.requests).toHaveLength(1);
  });

  it('prints JSON the same with or without a terminal: no colour, no spinner', async () => {
    await seed('llama-a');
    const pipe = await runCli(['deploy', 'list', '--json'], { env });
    const tty = await runCli(['deploy', 'list', '--json'], { env, stdoutTTY: true, stderrTTY: true });
    expect(tty.stdout).toBe(pipe.stdout);
    expect(tty.stderr).toBe('');
  });

  it('prints YAML with -o yaml', async () => {
    await seed('llama-a');
    const expected = await rawList();
    const r = await runCli(['deploy', 'list', '-o', 'yaml'], { env });
    expect(r.code).toBe(0);
    expect(parseYaml(r.stdout)).toEqual(expected);
  });

  it('says "No deployments." on stderr and prints nothing on stdout when there are none', async () => {
    const r = await runCli(['deploy', 'list'], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('No deployments.\n');
    const json = await runCli(['deploy', 'list', '--json'], { env });
    expect(json.stdout).toBe('[]\n');
  });

  it('sends --status values upper-cased as repeated statusList parameters, from repeats and commas', async () => {
    const [a, b] = await seed('llama-a', 'llama-b');
    await stopDeployment(client, b!.id);
    sb.requests.length = 0;
    const r = await runCli(['deploy', 'list', '--status', 'stopped', '-s', 'Initializing,STOPPED', '--json'], { env });
    expect(r.code).toBe(0);
    expect(sb.requests).toHaveLength(1);
    expect(sb.requests[0]!.query).toEqual({ statusList: ['STOPPED', 'INITIALIZING'] });
    const ids = (JSON.parse(r.stdout) as { id: string }[]).map((d) => d.id);
    expect(ids).toEqual([b!.id]);
    expect(ids).not.toContain(a!.id);
  });

  it('refuses an unknown status with exit 2 and sends nothing', async () => {
    const r = await runCli(['deploy', 'list', '--status', 'running,sleeping'], { env });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^Error: --status: unknown deployment status "sleeping"; use one of INITIALIZING, RUNNING/);
    expect(sb.requests).toHaveLength(0);
  });

  it('exits 3 without a key, naming the ways to give one, and sends nothing', async () => {
    const r = await runCli(['deploy', 'list'], { env: { YOTTA_BASE_URL: sb.url } });
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^Error: no API key for profile "default"/);
    expect(r.stderr).toContain('YOTTA_API_KEY');
    expect(sb.requests).toHaveLength(0);
  });

  it('exits 3 when the key is rejected, without printing the key', async () => {
    const r = await runCli(['deploy', 'list'], { env: { YOTTA_BASE_URL: sb.url, YOTTA_API_KEY: 'wrong-key-123456789' } });
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^Error: /);
    expect(r.stderr).not.toContain('wrong-key-123456789');
    expect(sb.requests).toHaveLength(1);
  });

  it('reports an error as one JSON object on stderr with --json', async () => {
    const r = await runCli(['deploy', 'list', '--json'], { env: { YOTTA_BASE_URL: sb.url, YOTTA_API_KEY: 'wrong-key-123456789' } });
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
    const err = JSON.parse(r.stderr) as { error: { exitCode: number; httpStatus: number } };
    expect(err.error).toMatchObject({ exitCode: 3, httpStatus: 401 });
  });

  describe('the total $/hour line', () => {
    it('sums what is billed now over the deployments with running workers, on stderr; a STOPPED row shows $0.00', async () => {
      const [, b] = await seed('llama-a', 'llama-b', 'llama-c');
      await stopDeployment(client, b!.id);
      const r = await runCli(['deploy', 'list'], { env: { ...env, NO_COLOR: '1' }, stderrTTY: true });
      expect(r.code).toBe(0);
      expect(r.stderr).toBe('Total: $7.80/h billed now, for 2 deployments with running workers\n');
      expect(r.stdout).toMatch(new RegExp(`${b!.id}\\s+llama-b\\s+STOPPED\\s+0/2 .*\\$0\\.00\\n`));
      const wide = await runCli(['deploy', 'list', '-o', 'wide'], { env: { ...env, NO_COLOR: '1' }, stderrTTY: true });
      expect(wide.stderr).toBe('Total: $7.80/h billed now, for 2 deployments with running workers\n');
    });

    it('says when none of the listed deployments runs', async () => {
      const [a] = await seed('llama-a');
      await stopDeployment(client, a!.id);
      const r = await runCli(['deploy', 'list', '--status', 'stopped'], { env: { ...env, NO_COLOR: '1' }, stderrTTY: true });
      expect(r.stderr).toBe('Total: $0.00/h billed now (no workers running)\n');
      expect(r.stdout).not.toContain('Total');
    });

    it('counts a deployment by the share of its workers running: INITIALIZING with none running costs nothing yet', () => {
      const d = (status: string, runningWorkers: number, totalWorkers: number, perHourPrice: string) =>
        ({ status, runningWorkers, totalWorkers, perHourPrice }) as unknown as ElasticDeploymentDetail;
      expect(runningTotal([d('INITIALIZING', 0, 2, '3.9'), d('RUNNING', 1, 2, '3.9'), d('STOPPED', 0, 2, '5')])).toEqual({
        perHour: 1.95,
        running: 1,
        unpriced: 0,
      });
      expect(totalLine([d('INITIALIZING', 0, 2, '3.9')])).toBe('Total: $0.00/h billed now (no workers running)');
    });

    it('is never part of JSON or YAML, which stay the API data', async () => {
      await seed('llama-a');
      const json = await runCli(['deploy', 'list', '--json'], { env });
      expect(json.stdout).not.toContain('Total');
      const yaml = await runCli(['deploy', 'list', '-o', 'yaml'], { env });
      expect(yaml.stdout).not.toContain('Total');
    });

    it('adds prices without float drift and counts running deployments without a price', () => {
      const d = (status: string, perHourPrice?: unknown) => ({ status, perHourPrice, runningWorkers: 1, totalWorkers: 1 }) as unknown as ElasticDeploymentDetail;
      expect(runningTotal([d('RUNNING', '0.1'), d('RUNNING', '0.2'), d('RUNNING', '12.345')])).toEqual({ perHour: 12.645, running: 3, unpriced: 0 });
      expect(runningTotal([d('RUNNING', 0.5), d('RUNNING'), d('RUNNING', 'n/a')])).toMatchObject({ running: 1, unpriced: 2 });
    });

    it('names running deployments without a price', async () => {
      const list = [
        { status: 'RUNNING', perHourPrice: '1.5', runningWorkers: 1, totalWorkers: 1 },
        { status: 'RUNNING', runningWorkers: 1, totalWorkers: 1 },
      ] as unknown as ElasticDeploymentDetail[];
      expect(totalLine(list)).toBe('Total: $1.50/h billed now, for 1 deployment with running workers (1 without a price)');
    });
  });

  describe('for scripts', () => {
    it('--no-headers prints the rows alone', async () => {
      const [a] = await seed('llama-a');
      const r = await runCli(['deploy', 'list', '--no-headers'], { env });
      expect(r.code).toBe(0);
      expect(r.stdout.trimEnd().split('\n')).toHaveLength(1);
      expect(r.stdout.startsWith(`${a!.id}   llama-a`)).toBe(true);
    });

    it('-o id prints one id per line, nothing else, and nothing for an empty list', async () => {
      const [a, b] = await seed('llama-a', 'llama-b');
      await stopDeployment(client, b!.id);
      const r = await runCli(['deploy', 'list', '-o', 'id'], { env });
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(`${a!.id}\n${b!.id}\n`);
      const stopped = await runCli(['deploy', 'list', '--status', 'stopped', '-o', 'id'], { env });
      expect(stopped.stdout).toBe(`${b!.id}\n`);
      const none = await runCli(['deploy', 'list', '--status', 'failed', '-o', 'id'], { env });
      expect(none.stdout).toBe('');
    });

    it('-o id is refused where the results have no ids', async () => {
      const r = await runCli(['gpus', '-o', 'id']);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('-o id: these results have no ids');
    });
  });

  it('has help with every flag explained and examples', async () => {
    const r = await runCli(['deploy', 'list', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatchSnapshot();
  });
});
