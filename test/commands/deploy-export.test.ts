/**
 * `yotta deploy get <id> -o yaml` exports a spec that create and apply accept as it is: read-only
 * fields left out, `${` kept literal, every create field equal to the deployment's.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { Sandbox } from '../../src/sandbox/index.js';
import type { ApiClient } from '../../src/api/client.js';
import { createDeployment, getDeployment } from '../../src/api/deployments.js';
import type { CreateDeploymentRequest, ElasticDeploymentDetail } from '../../src/api/types.js';
import { buildCreateRequest, parseSpecText } from '../../src/spec/index.js';
import { escapeInterpolation } from '../../src/commands/deploy/get.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { startTestSandbox } from '../helpers/fixtures.js';

/** A deployment using every field a spec can set, with `${` in a command and in variables. */
const FULL: CreateDeploymentRequest = {
  name: 'llama-3-8b',
  image: 'vllm/vllm-openai:latest',
  imageRegistry: 'https://index.docker.io',
  resources: [
    { region: 'us-east-1', gpuType: 'NVIDIA_H100_80G', gpuCount: 1 },
    { region: 'us-west-1', gpuType: 'NVIDIA_H100_80G', gpuCount: 1 },
  ],
  minSingleCardVramInGb: 80,
  minSingleCardVcpu: 8,
  minSingleCardRamInGb: 64,
  containerVolumeInGb: 200,
  workers: 2,
  serviceMode: 'ALB',
  initializationCommand: 'vllm serve meta-llama/Meta-Llama-3-8B --port ${PORT:-8000} # literal $${ too',
  environmentVars: [
    { key: 'HF_HOME', value: '/data/${USER}' },
    { key: 'HF_TOKEN', value: 'hf_secretvalue123' },
    { key: 'EMPTY', value: '' },
  ],
  expose: { port: 8000, protocol: 'HTTP' },
};

const CLOCK = 1_700_000_000_000;
let sb: Sandbox;
let client: ApiClient;
let env: Record<string, string>;
let close: () => Promise<void>;
let d: ElasticDeploymentDetail;

beforeEach(async () => {
  ({ sb, client, env, close } = await startTestSandbox({ now: () => CLOCK }));
  d = await createDeployment(client, FULL);
  sb.requests.length = 0;
});

afterEach(() => close());

/** The create fields of a deployment, as the API returned them. */
function createFieldsOf(x: ElasticDeploymentDetail): CreateDeploymentRequest {
  return {
    name: x.name,
    image: x.image,
    imageRegistry: x.imageRegistry,
    resources: x.resources.map((r) => ({ region: r.region, gpuType: r.gpuType, gpuCount: r.gpuCount })),
    minSingleCardVramInGb: x.minSingleCardVramInGb,
    minSingleCardVcpu: x.minSingleCardVcpu,
    minSingleCardRamInGb: x.minSingleCardRamInGb,
    containerVolumeInGb: x.containerVolumeInGb,
    workers: x.totalWorkers,
    serviceMode: x.serviceMode as CreateDeploymentRequest['serviceMode'],
    initializationCommand: x.initializationCommand ?? '',
    environmentVars: x.environmentVars,
    expose: x.expose,
  };
}

describe('yotta deploy get -o yaml: export as a spec', () => {
  it('is accepted by the spec loader and create builder as it is, and equals the deployment field for field', async () => {
    const r = await runCli(['deploy', 'get', d.id, '-o', 'yaml'], { env });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    // No variable is set: a `${...}` that was not kept literal would fail to load.
    const docs = parseSpecText(r.stdout, 'exported.yaml', {});
    expect(docs).toHaveLength(1);
    expect(docs[0]!.warnings).toEqual([]);
    const { body, warnings } = buildCreateRequest(docs[0], {});
    expect(warnings).toEqual([]);
    expect(body).toEqual(createFieldsOf(d));
    expect(body).toEqual(FULL);
    expect(body.initializationCommand).toBe(FULL.initializationCommand);
  });

  it('leaves out read-only fields and starts with a comment saying how to apply it', async () => {
    const r = await runCli(['deploy', 'get', 'llama-3-8b', '-o', 'yaml'], { env });
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n').slice(0, 3)).toEqual([
      `# Deployment llama-3-8b (${d.id}) as a spec, from \`yotta deploy get -o yaml\`.`,
      '# Read-only fields (id, status, domain, running workers, prices, cost) are left out.',
      '# Edit it, then: yotta deploy apply -f <this file>',
    ]);
    const doc = parseYaml(r.stdout) as Record<string, unknown>;
    expect(Object.keys(doc)).toEqual([
      'name', 'image', 'imageRegistry', 'resources', 'minSingleCardVramInGb', 'minSingleCardVcpu', 'minSingleCardRamInGb',
      'containerVolumeInGb', 'workers', 'serviceMode', 'initializationCommand', 'environmentVars', 'expose',
    ]);
    for (const key of ['id', 'status', 'domain', 'creator', 'cost', 'perHourPrice', 'perSecondPrice', 'runningWorkers', 'totalWorkers']) {
      expect(doc).not.toHaveProperty(key);
    }
    expect(doc.resources).toEqual(FULL.resources);
    // The live deployment has a domain and prices; the spec does not.
    expect(d.domain).toBeTruthy();
    expect(r.stdout).not.toContain(d.domain!);
  });

  it('keeps --json as the API data exactly', async () => {
    const res = await fetch(`${sb.url}/openapi/v1/elastic/deploy/${d.id}`, { headers: { 'X-API-Key': sb.apiKey } });
    const expected = ((await res.json()) as { data: unknown }).data;
    const r = await runCli(['deploy', 'get', d.id, '--json'], { env });
    expect(JSON.parse(r.stdout)).toEqual(expected);
  });

  it('round-trips through the CLI: export, create from the file, export again — the same spec', async () => {
    const first = await runCli(['deploy', 'get', d.id, '-o', 'yaml'], { env });
    const dir = tempDir('yotta-export-');
    const file = join(dir, 'llama.yaml');
    writeFileSync(file, first.stdout);
    const created = await runCli(['deploy', 'create', '-f', file, '--name', 'llama-copy', '--json'], { env, cwd: dir });
    expect(created.code).toBe(0);
    const copy = JSON.parse(created.stdout) as ElasticDeploymentDetail;
    expect(createFieldsOf(await getDeployment(client, copy.id))).toEqual({ ...FULL, name: 'llama-copy' });
    const second = await runCli(['deploy', 'get', copy.id, '-o', 'yaml'], { env });
    const strip = (text: string) => text.replace(/^#.*\n/gm, '');
    expect(strip(second.stdout)).toBe(strip(first.stdout).replace('name: llama-3-8b', 'name: llama-copy'));
  });

  it('exports a minimal deployment without empty optional fields', async () => {
    const small = await createDeployment(client, {
      name: 'small',
      image: 'busybox',
      resources: [{ region: 'us-east-1', gpuType: 'NVIDIA_H100_80G', gpuCount: 1 }],
      containerVolumeInGb: 20,
      workers: 1,
      serviceMode: 'CUSTOM',
      initializationCommand: 'sleep infinity',
    });
    const r = await runCli(['deploy', 'get', small.id, '-o', 'yaml'], { env });
    expect(r.code).toBe(0);
    const doc = parseYaml(r.stdout) as Record<string, unknown>;
    expect(doc).not.toHaveProperty('environmentVars');
    expect(doc).not.toHaveProperty('expose');
    const { body } = buildCreateRequest(parseSpecText(r.stdout, 'small.yaml', {})[0], {});
    expect(body).toMatchObject({ name: 'small', image: 'busybox', workers: 1, serviceMode: 'CUSTOM', initializationCommand: 'sleep infinity' });
  });
});

describe('escapeInterpolation', () => {
  it('writes every `${` of every string as `$${`, leaving other values alone', () => {
    expect(escapeInterpolation({ a: 'x ${Y} $${Z}', b: [1, '${'], c: null, d: true })).toEqual({ a: 'x $${Y} $$${Z}', b: [1, '$${'], c: null, d: true });
  });
});
