import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox } from '../../src/sandbox/index.js';
import type { Sandbox } from '../../src/sandbox/index.js';
import type { ElasticDeploymentDetail } from '../../src/api/types.js';
import { BASE, NO_DELAYS, call, create, createBody, data } from './helpers.js';

let sb: Sandbox;
beforeAll(async () => {
  sb = await startSandbox({ delays: NO_DELAYS });
});
afterAll(async () => {
  await sb.close();
});

const h100 = (over: Record<string, unknown> = {}) => ({ region: 'us-east-1', gpuType: 'NVIDIA_H100_80G', gpuCount: 1, ...over });

describe('create validation answers HTTP 200, code 10001, naming the field', () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ['missing name', { name: undefined }, 'name is required'],
    ['name not starting with a letter', { name: '1abc' }, 'name must start with a letter'],
    ['name with a space', { name: 'a b' }, 'name must start with a letter'],
    ['name of 51 characters', { name: 'a'.repeat(51) }, 'name must'],
    ['missing image', { image: undefined }, 'image is required'],
    ['empty image', { image: '' }, 'image must not be empty'],
    ['image of 256 characters', { image: 'i'.repeat(256) }, 'image must have at most 255'],
    ['imageRegistry not a string', { imageRegistry: 5 }, 'imageRegistry must be a string'],
    ['missing resources', { resources: undefined }, 'resources is required'],
    ['empty resources', { resources: [] }, 'resources must have at least one'],
    ['resources not a list', { resources: {} }, 'resources must be a list'],
    ['resource without region', { resources: [{ gpuType: 'NVIDIA_H100_80G', gpuCount: 1 }] }, 'resources[0].region is required'],
    ['unknown gpuType', { resources: [h100({ gpuType: 'NVIDIA_T4' })] }, 'resources[0].gpuType "NVIDIA_T4" is not a known GPU type'],
    ['fractional gpuCount', { resources: [h100({ gpuCount: 1.5 })] }, 'resources[0].gpuCount must be an integer'],
    ['gpuCount as a string', { resources: [h100({ gpuCount: '1' })] }, 'resources[0].gpuCount must be an integer'],
    ['gpuCount 0', { resources: [h100({ gpuCount: 0 })] }, 'resources[0].gpuCount must be at least 1'],
    ['gpuCount 3', { resources: [h100({ gpuCount: 3 })] }, 'resources[0].gpuCount must be a power of two'],
    ['different gpuCounts', { resources: [h100({ gpuCount: 2 }), h100({ region: 'us-west-1', gpuCount: 4 })] }, 'resources[1].gpuCount must equal'],
    ['missing containerVolumeInGb', { containerVolumeInGb: undefined }, 'containerVolumeInGb is required'],
    ['containerVolumeInGb 0', { containerVolumeInGb: 0 }, 'containerVolumeInGb must be greater than 0'],
    ['missing workers', { workers: undefined }, 'workers is required'],
    ['workers 0', { workers: 0 }, 'workers must be at least 1'],
    ['workers 1.5', { workers: 1.5 }, 'workers must be an integer'],
    ['missing serviceMode', { serviceMode: undefined }, 'serviceMode is required'],
    ['unknown serviceMode', { serviceMode: 'lambda' }, 'serviceMode must be one of ALB, QUEUE, CUSTOM'],
    ['ALB without expose', { expose: undefined }, 'expose is required when serviceMode is ALB'],
    ['port 0', { expose: { port: 0, protocol: 'HTTP' } }, 'port must be at least 1'],
    ['port 65536', { expose: { port: 65536, protocol: 'HTTP' } }, 'port must be at most 65535'],
    ['protocol TCP', { expose: { port: 80, protocol: 'TCP' } }, 'expose.protocol must be HTTP'],
    ['environmentVars as a map', { environmentVars: { A: 'b' } }, 'environmentVars must be a list'],
    ['env value a number', { environmentVars: [{ key: 'A', value: 1 }] }, 'environmentVars[0].value must be a string'],
    ['env without key', { environmentVars: [{ value: 'x' }] }, 'environmentVars[0].key is required'],
    ['missing initializationCommand', { initializationCommand: undefined }, 'initializationCommand is required'],
    ['minSingleCardVramInGb 2000', { minSingleCardVramInGb: 2000 }, 'minSingleCardVramInGb must be at most 1536'],
    ['minSingleCardVcpu -1', { minSingleCardVcpu: -1 }, 'minSingleCardVcpu must be at least 0'],
    ['credentialId a fraction', { credentialId: 7.5 }, 'credentialId must be an id: a string or a non-negative integer'],
    ['credentialId a boolean', { credentialId: true }, 'credentialId must be an id'],
  ];
  it.each(cases)('%s', async (_label, over, message) => {
    const r = await call(sb, 'POST', '/create', createBody(over));
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ code: 10001, data: null });
    expect(r.json?.message).toContain('parameter error');
    expect(r.json?.message).toContain(message);
  });

  it('accepts every documented shape: QUEUE without expose, CUSTOM, several resources, optional fields', async () => {
    for (const body of [
      createBody({ name: 'q', serviceMode: 'QUEUE', expose: undefined, environmentVars: undefined }),
      createBody({ name: 'c@x.y_z-1', serviceMode: 'CUSTOM', imageRegistry: 'https://registry.example.com', credentialId: '42' }),
      createBody({ name: 'multi', resources: [h100({ gpuCount: 2 }), h100({ region: 'eu-2', gpuType: 'NVIDIA_H200_141G', gpuCount: 2 })] }),
      createBody({ name: 'a'.repeat(50), minSingleCardVramInGb: 1536, minSingleCardRamInGb: 0, minSingleCardVcpu: 8, initializationCommand: '' }),
    ]) {
      const r = await call(sb, 'POST', '/create', body);
      expect(r.json?.code, r.text).toBe(10000);
    }
  });

  it('rejects a body that is not an object', async () => {
    const r = await call(sb, 'POST', '/create', [1, 2]);
    expect(r.json).toMatchObject({ code: 10001, message: 'parameter error: request body must be a JSON object' });
  });
});

describe('update and scale validation', () => {
  it('update ignores image, imageRegistry, serviceMode and unknown fields, and checks the rest', async () => {
    const d = await create(sb, { name: 'upd' });
    await data(sb, 'POST', `/${d.id}/stop`);
    const base = { name: 'upd', resources: [h100()], containerVolumeInGb: 10, workers: 1, expose: { port: 80, protocol: 'HTTP' } };
    const u = await data<ElasticDeploymentDetail>(sb, 'POST', `/${d.id}/update`, {
      ...base,
      image: 'other:1',
      imageRegistry: 'https://ghcr.io',
      serviceMode: 'QUEUE',
      surprise: true,
    });
    expect(u).toMatchObject({ image: d.image, imageRegistry: d.imageRegistry, serviceMode: 'ALB', containerVolumeInGb: 10 });
    // expose left out keeps the deployment's; sent as null it would be cleared, which ALB refuses.
    expect((await call(sb, 'POST', `/${d.id}/update`, { ...base, expose: undefined })).json?.code).toBe(10000);
    const bad = await call(sb, 'POST', `/${d.id}/update`, { ...base, expose: null });
    expect(bad.json).toMatchObject({ code: 10001, message: expect.stringContaining('expose is required') });
    const noVolume = await call(sb, 'POST', `/${d.id}/update`, { ...base, containerVolumeInGb: undefined });
    expect(noVolume.json?.message).toContain('containerVolumeInGb is required');
    // A deployment scaled to zero can be updated with its own (zero) worker count.
    expect((await call(sb, 'POST', `/${d.id}/update`, { ...base, workers: 0 })).json?.code).toBe(10000);
    expect((await call(sb, 'POST', `/${d.id}/update`, { ...base, workers: -1 })).json?.message).toContain('workers must be at least 0');
  });

  it('update: an optional field left out keeps its value, null clears it, a value replaces it', async () => {
    const d = await create(sb, {
      name: 'keep',
      serviceMode: 'CUSTOM',
      credentialId: '361530338086227968',
      minSingleCardVramInGb: 40,
      minSingleCardVcpu: 4,
      minSingleCardRamInGb: 64,
      expose: { port: 9000, protocol: 'HTTP' },
    });
    await data(sb, 'POST', `/${d.id}/stop`);
    const required = { name: 'keep', resources: [h100()], containerVolumeInGb: 50, workers: 1 };
    const kept = await data<ElasticDeploymentDetail>(sb, 'POST', `/${d.id}/update`, required);
    expect(kept).toMatchObject({
      credentialId: '361530338086227968',
      minSingleCardVramInGb: 40,
      minSingleCardVcpu: 4,
      minSingleCardRamInGb: 64,
      initializationCommand: d.initializationCommand,
      environmentVars: d.environmentVars,
      expose: { port: 9000, protocol: 'HTTP' },
      containerVolumeInGb: 50,
    });
    const cleared = await data<ElasticDeploymentDetail>(sb, 'POST', `/${d.id}/update`, {
      ...required,
      credentialId: null,
      minSingleCardVramInGb: null,
      minSingleCardVcpu: null,
      minSingleCardRamInGb: null,
      initializationCommand: null,
      environmentVars: null,
      expose: null,
    });
    expect(cleared).toMatchObject({ minSingleCardVramInGb: 0, minSingleCardVcpu: 0, minSingleCardRamInGb: 0, initializationCommand: '', environmentVars: [] });
    expect(cleared.credentialId).toBeUndefined();
    expect(cleared.expose).toBeUndefined();
    const replaced = await data<ElasticDeploymentDetail>(sb, 'POST', `/${d.id}/update`, {
      ...required,
      credentialId: 7,
      initializationCommand: 'run',
      environmentVars: [{ key: 'A', value: 'b' }],
    });
    expect(replaced).toMatchObject({ credentialId: '7', initializationCommand: 'run', environmentVars: [{ key: 'A', value: 'b' }] });
    // The required fields stay required, and a field sent is still checked.
    expect((await call(sb, 'POST', `/${d.id}/update`, { ...required, name: undefined })).json?.message).toContain('name is required');
    expect((await call(sb, 'POST', `/${d.id}/update`, { ...required, environmentVars: 'A=b' })).json?.message).toContain('environmentVars must be a list');
  });

  it('scale needs an integer workers ≥ 0', async () => {
    const d = await create(sb, { name: 'scale' });
    for (const [body, message] of [
      [{}, 'workers is required'],
      [{ workers: -1 }, 'workers must be at least 0'],
      [{ workers: '2' }, 'workers must be an integer'],
      [{ workers: 2.5 }, 'workers must be an integer'],
    ] as const) {
      const r = await call(sb, 'POST', `/${d.id}/workers`, body);
      expect(r.json).toMatchObject({ code: 10001, message: expect.stringContaining(message) });
    }
  });

  it('answers 24001 before validating the body of an unknown id', async () => {
    const r = await call(sb, 'POST', '/123456789012345678/workers', { workers: -1 });
    expect(r.json).toMatchObject({ code: 24001, message: 'Elastic does not exist' });
  });
});

describe('transport-level answers are envelopes too', () => {
  it('malformed JSON → HTTP 400 with 10001', async () => {
    const r = await call(sb, 'POST', '/create', '{"name": ');
    expect(r.status).toBe(400);
    expect(r.json).toMatchObject({ code: 10001, message: expect.stringContaining('not valid JSON'), data: null });
    expect(sb.requests.at(-1)?.body).toBe('{"name": ');
  });

  it('an unknown route → HTTP 404 envelope; a wrong method → 405 envelope', async () => {
    const r = await call(sb, 'GET', '/openapi/v1/nothing');
    expect(r.status).toBe(404);
    expect(r.json).toMatchObject({ code: 404, data: null });
    const deep = await call(sb, 'GET', '/1/workers/2');
    expect(deep.status).toBe(404);
    const m = await call(sb, 'PUT', '/create', {});
    expect(m.status).toBe(405);
    expect(m.headers.get('allow')).toBe('POST');
    expect(m.json?.code).toBe(405);
  });

  it('401 with an envelope for a missing or wrong key; the header name is case-insensitive', async () => {
    const none = await call(sb, 'GET', '/list', undefined, {});
    expect(none.status).toBe(401);
    expect(none.json).toMatchObject({ code: 401, message: expect.stringContaining('missing X-API-Key'), data: null });
    const wrong = await call(sb, 'GET', '/list', undefined, { 'X-API-Key': 'nope' });
    expect(wrong.status).toBe(401);
    expect(wrong.text).not.toContain(sb.apiKey);
    for (const name of ['x-api-key', 'X-Api-Key', 'X-API-KEY']) {
      expect((await call(sb, 'GET', '/list', undefined, { [name]: sb.apiKey })).status).toBe(200);
    }
    // A bearer token is not how this API authenticates.
    expect((await call(sb, 'GET', '/list', undefined, { authorization: `Bearer ${sb.apiKey}` })).status).toBe(401);
  });

  it('an id that would change the path is just an unknown id', async () => {
    const r = await call(sb, 'GET', `${BASE}/${encodeURIComponent('../list')}`);
    expect(r.json?.code).toBe(24001);
    const bad = await call(sb, 'GET', `${BASE}/%E0%A4%A`);
    expect(bad.status).toBe(404);
    expect(bad.json?.code).toBe(404);
  });

  it('records method, path, query as arrays, lower-case headers, parsed body and time', async () => {
    const before = sb.requests.length;
    await call(sb, 'POST', '/create', createBody({ name: 'rec' }), { 'X-API-Key': sb.apiKey, 'X-Custom': 'v' });
    await call(sb, 'GET', '/list?statusList=RUNNING&statusList=STOPPED');
    const [c, l] = sb.requests.slice(before);
    expect(c).toMatchObject({ method: 'POST', path: `${BASE}/create`, query: {}, body: { name: 'rec' } });
    expect(c!.headers['x-api-key']).toBe(sb.apiKey);
    expect(c!.headers['x-custom']).toBe('v');
    expect(typeof c!.at).toBe('number');
    expect(l).toMatchObject({ method: 'GET', path: `${BASE}/list`, query: { statusList: ['RUNNING', 'STOPPED'] } });
    expect(l!.body).toBeUndefined();
  });

  it('survives a request node cannot parse, answering with an envelope', async () => {
    const { connect } = await import('node:net');
    const text = await new Promise<string>((resolve, reject) => {
      const s = connect(sb.port, '127.0.0.1', () => s.write('THIS IS NOT HTTP\r\n\r\n'));
      let out = '';
      s.on('data', (c) => (out += c.toString()));
      s.on('end', () => resolve(out));
      s.on('error', reject);
    });
    expect(text).toMatch(/^HTTP\/1.1 400/);
    expect(text).toContain('"code":10001');
    expect((await call(sb, 'GET', '/list')).status).toBe(200);
  });
});
