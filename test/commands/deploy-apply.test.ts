import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { Sandbox } from '../../src/sandbox/index.js';
import type { ApiClient } from '../../src/api/client.js';
import { createDeployment, getDeployment, listDeployments, stopDeployment } from '../../src/api/deployments.js';
import type { CreateDeploymentRequest, ElasticDeploymentDetail } from '../../src/api/types.js';
import { specFromDeployment } from '../../src/spec/index.js';
import { runCli, tempDir } from '../helpers/cli.js';
import type { RunOptions } from '../helpers/cli.js';
import { deploymentBody, startTestSandbox } from '../helpers/fixtures.js';

const BASE = '/openapi/v1/elastic/deploy';
/** The sandbox's clock stands still; with zero delays every transition is immediate. */
const CLOCK = 1_700_000_000_000;

const CREATE = deploymentBody('llama', {
  serviceMode: 'ALB',
  environmentVars: [{ key: 'HF_TOKEN', value: 'hf_secret_1' }],
  expose: { port: 8000, protocol: 'HTTP' },
});

/** The spec file that matches CREATE. */
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
expose:
  port: 8000
`;

let sb: Sandbox;
let client: ApiClient;
let env: Record<string, string>;
let close: () => Promise<void>;
let dir: string;

beforeEach(async () => {
  ({ sb, client, env, close } = await startTestSandbox({ now: () => CLOCK }));
  dir = tempDir('yotta-apply-');
});

afterEach(() => close());

const calls = () => sb.requests.map((q) => `${q.method} ${q.path}`);
const writes = () => calls().filter((c) => !c.startsWith('GET '));
// Ids in messages are whole (they can be pasted back).
const short = (id: string): string => id;

/** Creates a deployment through the API and forgets the requests that took. */
async function existing(body: Partial<CreateDeploymentRequest> = {}): Promise<ElasticDeploymentDetail> {
  const d = await createDeployment(client, { ...CREATE, ...body });
  sb.requests.length = 0;
  return d;
}

function spec(text: string, file = 'deploy.yaml'): string {
  writeFileSync(join(dir, file), text);
  return file;
}

function apply(args: string[], o: RunOptions = {}) {
  return runCli(['deploy', 'apply', ...args], { cwd: dir, ...o, env: { ...env, ...o.env } });
}

describe('yotta deploy apply: the four paths', () => {
  it('creates a deployment that does not exist: one list, one create, nothing on stdout', async () => {
    const r = await apply(['-f', spec(SPEC)]);
    expect(r.code).toBe(0);
    expect(calls()).toEqual([`GET ${BASE}/list`, `POST ${BASE}/create`]);
    expect(sb.requests[1]!.body).toEqual({ ...CREATE, expose: { port: 8000, protocol: 'HTTP' } });
    const [d] = await listDeployments(client);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`Created llama (${short(d!.id)}).\n`);
  });

  it('leaves a deployment that matches alone: zero writes, reported as unchanged', async () => {
    const d = await existing();
    const r = await apply(['-f', spec(SPEC)]);
    expect(r.code).toBe(0);
    expect(calls()).toEqual([`GET ${BASE}/list`]);
    expect(r.stderr).toBe(`llama (${short(d.id)}): unchanged; nothing sent.\n`);
  });

  it('only workers differ: exactly one scale call, no stop, no update', async () => {
    const d = await existing();
    const r = await apply(['-f', spec(SPEC.replace('workers: 2', 'workers: 4'))]);
    expect(r.code).toBe(0);
    expect(writes()).toEqual([`POST ${BASE}/${d.id}/workers`]);
    expect(sb.requests.find((q) => q.method === 'POST')!.body).toEqual({ workers: 4 });
    expect(r.stderr).toBe(
      `Scaling llama (${short(d.id)}) from 2 to 4 workers…\n` + `Scaled llama (${short(d.id)}) to 4 workers: RUNNING, 4/4 workers running.\n`,
    );
    expect((await getDeployment(client, d.id)).totalWorkers).toBe(4);
  });

  it('another field differs on a running deployment: without --restart, prints the plan, sends nothing, exits 5', async () => {
    const d = await existing();
    const r = await apply(['-f', spec(SPEC.replace('Llama-3.2-3B', 'Llama-3.1-8B').replace('port: 8000', 'port: 9000'))]);
    expect(r.code).toBe(5);
    expect(calls()).toEqual([`GET ${BASE}/list`]);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `llama (${short(d.id)}) differs from the spec:\n` +
        '  ~ initializationCommand: vllm serve meta-llama/Llama-3.2-3B → vllm serve meta-llama/Llama-3.1-8B\n' +
        '  ~ expose.port: 8000 → 9000\n' +
        `Error: llama (${short(d.id)}) is RUNNING; changing initializationCommand and expose.port needs it STOPPED, so nothing was sent\n` +
        'Run again with --restart to stop it, update it and start it again: yotta deploy apply -f deploy.yaml --restart\n',
    );
  });

  it('with --restart: stop, wait until STOPPED, update with the full body, start — in that order', async () => {
    const d = await existing();
    const r = await apply(['-f', spec(SPEC.replace('Llama-3.2-3B', 'Llama-3.1-8B').replace('workers: 2', 'workers: 3')), '--restart']);
    expect(r.code).toBe(0);
    expect(writes()).toEqual([`POST ${BASE}/${d.id}/stop`, `POST ${BASE}/${d.id}/update`, `POST ${BASE}/${d.id}/start`]);
    const stopAt = calls().indexOf(`POST ${BASE}/${d.id}/stop`);
    const updateAt = calls().indexOf(`POST ${BASE}/${d.id}/update`);
    // The wait for STOPPED reads the deployment between the stop and the update.
    expect(calls().slice(stopAt + 1, updateAt)).toContain(`GET ${BASE}/${d.id}`);
    expect(sb.requests[updateAt]!.body).toEqual({
      name: 'llama',
      resources: CREATE.resources,
      minSingleCardVramInGb: 0,
      minSingleCardVcpu: 0,
      minSingleCardRamInGb: 0,
      containerVolumeInGb: 100,
      workers: 3,
      initializationCommand: 'vllm serve meta-llama/Llama-3.1-8B',
      environmentVars: [{ key: 'HF_TOKEN', value: 'hf_secret_1' }],
      expose: { port: 8000, protocol: 'HTTP' },
    });
    expect(r.stderr).toContain(`Stopping llama (${short(d.id)}) to update it (--restart)…\n`);
    expect(r.stderr).toContain(`Updated and restarted llama (${short(d.id)}): RUNNING, 3/3 workers running.\n`);
    const now = await getDeployment(client, d.id);
    expect([now.status, now.totalWorkers, now.initializationCommand]).toEqual(['RUNNING', 3, 'vllm serve meta-llama/Llama-3.1-8B']);
  });

  it('--restart --wait waits for RUNNING after the start', async () => {
    const d = await existing();
    const r = await apply(['-f', spec(SPEC.replace('port: 8000', 'port: 8080')), '--restart', '--wait', '--json']);
    expect(r.code).toBe(0);
    const afterStart = calls().slice(calls().indexOf(`POST ${BASE}/${d.id}/start`) + 1);
    expect(afterStart).toEqual([`GET ${BASE}/${d.id}`]);
    expect(JSON.parse(r.stdout)).toEqual([
      {
        name: 'llama',
        id: d.id,
        action: 'update',
        restart: true,
        ok: true,
        changed: true,
        status: 'RUNNING',
        differences: [{ path: 'expose.port', want: 8080, have: 8000 }],
        error: null,
      },
    ]);
  });

  it('a STOPPED deployment is updated at once without --restart, and stays stopped', async () => {
    const d = await existing();
    await stopDeployment(client, d.id);
    sb.requests.length = 0;
    const r = await apply(['-f', spec(SPEC.replace('containerVolumeInGb: 100', 'containerVolumeInGb: 200').replace('workers: 2', 'workers: 1'))]);
    expect(r.code).toBe(0);
    expect(writes()).toEqual([`POST ${BASE}/${d.id}/update`]);
    expect(r.stderr).toBe(`Updated llama (${short(d.id)}); it is STOPPED. Next: yotta deploy start ${d.id}\n`);
    const now = await getDeployment(client, d.id);
    expect([now.status, now.containerVolumeInGb, now.totalWorkers]).toEqual(['STOPPED', 200, 1]);
  });

  it('a workers-only change on a STOPPED deployment is an update (the API does not scale a stopped one)', async () => {
    const d = await existing();
    await stopDeployment(client, d.id);
    sb.requests.length = 0;
    const r = await apply(['-f', spec(SPEC.replace('workers: 2', 'workers: 5')), '--json']);
    expect(r.code).toBe(0);
    expect(writes()).toEqual([`POST ${BASE}/${d.id}/update`]);
    expect(JSON.parse(r.stdout)[0]).toMatchObject({ action: 'update', restart: false, status: 'STOPPED', changed: true });
  });

  it('refuses a change of image, imageRegistry or serviceMode with exit 2, sending nothing', async () => {
    const d = await existing();
    for (const [from, to, field] of [
      ['image: vllm/vllm-openai:latest', 'image: vllm/vllm-openai:v0.9', 'image'],
      ['serviceMode: ALB', 'serviceMode: queue', 'serviceMode'],
      ['image: vllm/vllm-openai:latest', 'image: vllm/vllm-openai:latest\nimageRegistry: https://ghcr.io', 'imageRegistry'],
    ] as const) {
      const r = await apply(['-f', spec(SPEC.replace(from, to))]);
      expect(r.code, field).toBe(2);
      expect(r.stderr, field).toContain(`Error: llama (${short(d.id)}): ${field} (it has `);
      expect(r.stderr, field).toContain('cannot change on an existing deployment; that needs a new deployment, so nothing was sent');
      expect(r.stderr, field).toContain(`yotta deploy delete ${d.id} --force`);
    }
    expect(writes()).toEqual([]);
  });
});

describe('yotta deploy apply: several documents', () => {
  const multi = (a: string, b: string, c: string) => `${a}---\n${b}---\n${c}`;

  it('applies each document in order and reports each', async () => {
    const b = await existing({ name: 'beta' });
    const r = await apply([
      '-f',
      spec(multi(SPEC.replace('name: llama', 'name: alpha'), SPEC.replace('name: llama', 'name: beta'), SPEC.replace('name: llama', 'name: gamma').replace('workers: 2', 'workers: 1'))),
    ]);
    expect(r.code).toBe(0);
    expect(writes()).toEqual([`POST ${BASE}/create`, `POST ${BASE}/create`]);
    expect((sb.requests.filter((q) => q.method === 'POST') as { body: { name: string } }[]).map((q) => q.body.name)).toEqual(['alpha', 'gamma']);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^Created alpha \(\d{18}\)\.$/);
    expect(lines[1]).toBe(`beta (${short(b.id)}): unchanged; nothing sent.`);
    expect(lines[2]).toMatch(/^Created gamma \(\d{18}\)\.$/);
  });

  it('a failing document does not stop the others: each is reported, and the exit code is 10', async () => {
    const a = await existing({ name: 'alpha' });
    const r = await apply([
      '-f',
      spec(
        multi(
          SPEC.replace('name: llama', 'name: alpha').replace('port: 8000', 'port: 9000'),
          // Valid as a file, but a create needs containerVolumeInGb: found when planning, before anything is sent.
          SPEC.replace('name: llama', 'name: beta').replace('containerVolumeInGb: 100\n', ''),
          SPEC.replace('name: llama', 'name: gamma'),
        ),
      ),
    ]);
    expect(r.code).toBe(10);
    expect(writes()).toEqual([`POST ${BASE}/create`]);
    expect(r.stderr).toContain(`Error: alpha (${short(a.id)}) is RUNNING; changing expose.port needs it STOPPED`);
    expect(r.stderr).toMatch(/Error: deploy\.yaml:\d+:1: missing required key "containerVolumeInGb"/);
    expect(r.stderr).toMatch(/Created gamma \(\d{18}\)\./);
    expect(r.stderr).toMatch(/Error: 2 of 3 documents could not be applied: alpha \(\d{18}\), beta\n$/);
  });

  it('--json prints one result per document, in order, the failures with their error', async () => {
    const a = await existing({ name: 'alpha' });
    await existing({ name: 'beta' });
    const r = await apply(
      [
        '-f',
        '-',
        '--json',
      ],
      {
        stdin: multi(
          SPEC.replace('name: llama', 'name: alpha').replace('workers: 2', 'workers: 3'),
          SPEC.replace('name: llama', 'name: beta').replace('serviceMode: ALB', 'serviceMode: CUSTOM'),
          SPEC.replace('name: llama', 'name: gamma').replace('hf_secret_1', 'hf_secret_2'),
        ),
      },
    );
    expect(r.code).toBe(10);
    const out = JSON.parse(r.stdout) as Record<string, unknown>[];
    expect(out.map((o) => [o.name, o.action, o.ok, o.changed])).toEqual([
      ['alpha', 'scale', true, true],
      ['beta', 'replace', false, false],
      ['gamma', 'create', true, true],
    ]);
    expect(out[0]).toEqual({
      name: 'alpha',
      id: a.id,
      action: 'scale',
      restart: false,
      ok: true,
      changed: true,
      status: 'RUNNING',
      differences: [{ path: 'workers', want: 3, have: 2 }],
      error: null,
    });
    expect(out[1]!.error).toMatchObject({ exitCode: 2, code: null });
    // Environment values never appear unless asked for.
    expect(r.stdout).not.toContain('hf_secret');
    expect(out[2]!.differences).toContainEqual({ path: 'environmentVars.HF_TOKEN', want: '••••', have: null });
    expect(JSON.parse(r.stderr.trim().split('\n').pop()!)).toMatchObject({ error: { exitCode: 10 } });
  });

  it('refuses documents without a name, or two with the same name, before sending anything', async () => {
    const noName = await apply(['-f', spec(`${SPEC}---\nimage: x\n`)]);
    expect(noName.code).toBe(2);
    expect(noName.stderr).toMatch(/^Error: deploy\.yaml:\d+:1: document 2 has no "name"/);
    const twice = await apply(['-f', spec(`${SPEC}---\n${SPEC.replace('workers: 2', 'workers: 3')}`)]);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toContain('name "llama" is also used by document 1 (line 1); each document must name a different deployment');
    expect(sb.requests).toEqual([]);
  });
});

describe('yotta deploy apply --dry-run', () => {
  it('prints the plan of every document and sends only reads', async () => {
    const s = await existing({ name: 'same' });
    const sc = await existing({ name: 'scaled' });
    const up = await existing({ name: 'updated' });
    const text = [
      SPEC.replace('name: llama', 'name: fresh'),
      SPEC.replace('name: llama', 'name: same'),
      SPEC.replace('name: llama', 'name: scaled').replace('workers: 2', 'workers: 4'),
      SPEC.replace('name: llama', 'name: updated').replace('hf_secret_1', 'hf_secret_2').replace('port: 8000', 'port: 8001'),
    ].join('---\n');
    const r = await apply(['-f', spec(text), '--dry-run', '--restart']);
    expect(r.code).toBe(0);
    expect(sb.requests.every((q) => q.method === 'GET')).toBe(true);
    expect(r.stdout).toBe(
      'create     fresh (2 workers)\n' +
        `unchanged  same (${short(s.id)})\n` +
        `scale      scaled (${short(sc.id)}): 2 → 4 workers, no restart\n` +
        '    ~ workers: 2 → 4\n' +
        `update     updated (${short(up.id)}): stop, update, start again\n` +
        '    ~ environmentVars.HF_TOKEN: •••• → •••• (values hidden; --show-env shows them)\n' +
        '    ~ expose.port: 8000 → 8001\n',
    );
    expect(r.stderr).toBe('Dry run: nothing was changed.\n');
  });

  it('exits as the real run would: 5 when a change needs --restart, 2 for a change that needs a new deployment', async () => {
    await existing();
    const restart = await apply(['-f', spec(SPEC.replace('port: 8000', 'port: 8001')), '--dry-run']);
    expect(restart.code).toBe(5);
    expect(restart.stdout).toContain('stop, update, start again (needs --restart)');
    const replace = await apply(['-f', spec(SPEC.replace('serviceMode: ALB', 'serviceMode: QUEUE')), '--dry-run', '--json']);
    expect(replace.code).toBe(2);
    expect(JSON.parse(replace.stdout)[0]).toMatchObject({ action: 'replace', ok: false, differences: [{ path: 'serviceMode', want: 'QUEUE', have: 'ALB' }] });
    expect(sb.requests.every((q) => q.method === 'GET')).toBe(true);
  });

  it('--show-env shows environment values in the plan', async () => {
    await existing();
    const r = await apply(['-f', spec(SPEC.replace('hf_secret_1', 'hf_secret_2')), '--dry-run', '--restart', '--show-env']);
    expect(r.stdout).toContain('~ environmentVars.HF_TOKEN: hf_secret_1 → hf_secret_2');
  });

  it('refuses --dry-run with --wait', async () => {
    const r = await apply(['-f', spec(SPEC), '--dry-run', '--wait']);
    expect(r.code).toBe(2);
    expect(sb.requests).toEqual([]);
  });
});

describe('yotta deploy apply: names, input and help', () => {
  it('refuses a name that several deployments share, listing them (exit 2)', async () => {
    const one = await existing();
    const two = await existing();
    const r = await apply(['-f', spec(SPEC.replace('workers: 2', 'workers: 3'))]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`Error: 2 deployments are named "llama": ${one.id} (RUNNING), ${two.id} (RUNNING); apply cannot tell which one the spec means`);
    expect(writes()).toEqual([]);
  });

  it('needs -f', async () => {
    const r = await apply([]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("required option '-f, --file <path>' not specified");
  });

  it('reports spec problems at their line before sending anything', async () => {
    const r = await apply(['-f', spec(SPEC.replace('workers: 2', 'workers: two'))]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^Error: deploy\.yaml:8:10: workers/);
    expect(sb.requests).toEqual([]);
  });

  it('--wait on a create waits until it is RUNNING', async () => {
    const r = await apply(['-f', spec(SPEC), '--wait', '--json']);
    expect(r.code).toBe(0);
    const [res] = JSON.parse(r.stdout) as { id: string; status: string; action: string }[];
    expect(res).toMatchObject({ action: 'create', status: 'RUNNING' });
    expect(calls().slice(2)).toEqual([`GET ${BASE}/${res!.id}`]);
  });

  it('help gives a summary, explains every flag and the exit codes, with examples', async () => {
    const group = await runCli(['deploy', '--help']);
    expect(group.stdout).toMatch(/^ {2}apply \[options\]\s+make deployments match a spec file: create, scale or update each, by name$/m);
    const r = await runCli(['deploy', 'apply', '--help']);
    for (const flag of ['-f, --file <path>', '--restart', '--dry-run', '--show-env', '--wait', '--wait-timeout <duration>']) expect(r.stdout).toContain(flag);
    expect(r.stdout).toContain('Without --restart the plan is printed and apply exits 5.');
    expect(r.stdout).toContain('with several, 10 when\nsome failed');
    expect(r.stdout).toContain('$ yotta deploy apply -f deploy.yaml --dry-run');
  });
});

describe('export → apply round trip', () => {
  it('a spec made from the deployment (as `get -o yaml` exports it) applies as unchanged', async () => {
    const d = await existing({ environmentVars: [{ key: 'HF_HOME', value: '/data' }], minSingleCardRamInGb: 64 });
    const yaml = stringify(specFromDeployment(await getDeployment(client, d.id)));
    sb.requests.length = 0;
    const r = await apply(['-f', '-'], { stdin: yaml });
    expect(r.code).toBe(0);
    expect(calls()).toEqual([`GET ${BASE}/list`]);
    expect(r.stderr).toBe(`llama (${short(d.id)}): unchanged; nothing sent.\n`);
  });

  it('`deploy get <id> -o yaml` fed to `apply -f -` is unchanged; edited, it applies the edit', async () => {
    const d = await existing({ environmentVars: [{ key: 'HF_HOME', value: '/data' }], minSingleCardVcpu: 8 });
    const exported = await runCli(['deploy', 'get', d.id, '-o', 'yaml'], { env });
    expect(exported.code).toBe(0);
    sb.requests.length = 0;
    const same = await apply(['-f', '-'], { stdin: exported.stdout });
    expect(same.code).toBe(0);
    expect(calls()).toEqual([`GET ${BASE}/list`]);
    expect(same.stderr).toBe(`llama (${short(d.id)}): unchanged; nothing sent.\n`);

    const edited = await apply(['-f', '-', '--json'], { stdin: exported.stdout.replace(/^workers: 2$/m, 'workers: 3') });
    expect(edited.code).toBe(0);
    expect(writes()).toEqual([`POST ${BASE}/${d.id}/workers`]);
    expect(JSON.parse(edited.stdout)[0]).toMatchObject({ action: 'scale', differences: [{ path: 'workers', want: 3, have: 2 }] });
  });
});
