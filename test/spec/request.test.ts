/** Request bodies: file and flags merged (flags win), live deployment as the base of an update, every problem at its origin. */
import { stringify } from 'yaml';
import { describe, expect, test } from 'vitest';
import { SpecError, UsageError } from '../../src/errors.js';
import {
  buildCreateRequest,
  buildUpdateRequest,
  diffSpec,
  parseSpecText,
  singleDoc,
  specFromDeployment,
  specFromFlags,
} from '../../src/spec/index.js';
import type { SpecFlags } from '../../src/spec/index.js';
import { VALID, errorOf, liveDeployment, specProblems } from './fixtures.js';

const doc = (text: string, env: Record<string, string | undefined> = {}) => singleDoc(parseSpecText(text, 'deploy.yaml', env));
const flags = (opts: Record<string, unknown>): SpecFlags => specFromFlags(opts);

const VALID_BODY = {
  name: 'llama-3-8b',
  image: 'vllm/vllm-openai:latest',
  resources: [{ region: 'us-east-1', gpuType: 'NVIDIA_H100_80G', gpuCount: 1 }],
  containerVolumeInGb: 100,
  workers: 2,
  serviceMode: 'ALB',
  initializationCommand: 'vllm serve meta-llama/Llama-3.2-3B',
  environmentVars: [{ key: 'HF_HOME', value: '/data' }],
  expose: { port: 8000, protocol: 'HTTP' },
};

describe('buildCreateRequest', () => {
  test('a file alone gives the exact body, with no undefined keys', () => {
    const { body, warnings } = buildCreateRequest(doc(VALID), {});
    expect(body).toStrictEqual(VALID_BODY);
    expect(warnings).toEqual([]);
  });

  test('flags override the file; --env replaces a variable of the same name and adds new ones', () => {
    const { body } = buildCreateRequest(
      doc(VALID),
      flags({ workers: '4', name: 'llama-canary', env: ['HF_HOME=/cache', 'NEW=1'], port: '9000', serviceMode: 'custom' }),
    );
    expect(body).toStrictEqual({
      ...VALID_BODY,
      name: 'llama-canary',
      workers: 4,
      serviceMode: 'CUSTOM',
      environmentVars: [
        { key: 'HF_HOME', value: '/cache' },
        { key: 'NEW', value: '1' },
      ],
      expose: { port: 9000, protocol: 'HTTP' },
    });
  });

  test('flags alone make a complete body; optional fields appear only when given', () => {
    const { body } = buildCreateRequest(
      undefined,
      flags({
        name: 'worker',
        image: 'me/worker:1',
        region: 'us-east-1',
        gpuType: 'NVIDIA_L4_24G',
        volume: '50',
        workers: '1',
        serviceMode: 'queue',
        initCmd: 'python worker.py',
        minVcpu: '4',
        credentialId: '42',
        imageRegistry: 'https://registry.example.com',
      }),
    );
    expect(body).toStrictEqual({
      name: 'worker',
      image: 'me/worker:1',
      imageRegistry: 'https://registry.example.com',
      resources: [{ region: 'us-east-1', gpuType: 'NVIDIA_L4_24G', gpuCount: 1 }],
      minSingleCardVcpu: 4,
      containerVolumeInGb: 50,
      credentialId: '42',
      workers: 1,
      serviceMode: 'QUEUE',
      initializationCommand: 'python worker.py',
    });
  });

  test('empty imageRegistry and credentialId are left out (Docker Hub, no credential)', () => {
    const { body } = buildCreateRequest(doc(`${VALID}imageRegistry: ''\ncredentialId: ''\n`), {});
    expect(body).toStrictEqual(VALID_BODY);
  });

  test('fields missing with no file are named by their flags', () => {
    expect(specProblems(() => buildCreateRequest(undefined, flags({ name: 'a', image: 'b' })))).toEqual([
      '--region and --gpu-type (or --resource): required to create a deployment (or give a spec file with -f)',
      '--volume: required to create a deployment (or give a spec file with -f)',
      '--workers: required to create a deployment (or give a spec file with -f)',
      '--service-mode: required to create a deployment (or give a spec file with -f)',
      '--init-cmd: required to create a deployment (or give a spec file with -f)',
    ]);
  });

  test('fields missing from a file are reported at its top mapping, with the flag that could give them', () => {
    expect(specProblems(() => buildCreateRequest(doc('# my spec\nname: a\nimage: b\nresources: [{region: r, gpuType: NVIDIA_H100_80G, gpuCount: 1}]\ncontainerVolumeInGb: 10\nserviceMode: QUEUE\n'), {}))).toEqual([
      'deploy.yaml:2:1: missing required key "workers" (add it to the spec, or pass --workers)',
      'deploy.yaml:2:1: missing required key "initializationCommand" (add it to the spec, or pass --init-cmd)',
    ]);
    // A flag fills the gap.
    expect(buildCreateRequest(doc('name: a\nimage: b\nresources: [{region: r, gpuType: NVIDIA_H100_80G, gpuCount: 1}]\ncontainerVolumeInGb: 10\nserviceMode: QUEUE\n'), flags({ workers: '1', initCmd: '' })).body).toMatchObject({
      workers: 1,
      initializationCommand: '',
    });
  });

  test.each([
    [{ workers: '0' }, '--workers: must be at least 1, got 0'],
    [{ port: '70000' }, '--port: must be at most 65535, got 70000'],
    [{ port: '0' }, '--port: must be at least 1, got 0'],
    [{ name: '9lives' }, '--name: must start with a letter and contain only letters, digits and @._-, got "9lives"'],
    [{ name: 'n'.repeat(51) }, '--name: must be at most 50 characters long, got 51'],
    [{ image: '' }, '--image: must not be empty'],
    [{ volume: '-1' }, '--volume: must be greater than 0, got -1'],
    [{ minVram: '2000' }, '--min-vram: must be at most 1536, got 2000'],
    [{ minRam: '-1' }, '--min-ram: must be at least 0, got -1'],
    [{ minVcpu: '-1' }, '--min-vcpu: must be at least 0, got -1'],
    [{ gpuCount: '0' }, '--gpu-count: must be at least 1, got 0'],
    [{ resource: ['a:NVIDIA_H100_80G:1', 'b:NVIDIA_H100_80G:0'] }, '--resource: resources[1].gpuCount: must be at least 1, got 0'],
    [
      { resource: ['a:NVIDIA_H100_80G:1', 'b:NVIDIA_H100_80G:2'] },
      '--resource: resources[1].gpuCount: every resource must have the same gpuCount (resources[0] has 1), got 2',
    ],
  ])('a bad flag value %j is reported as --flag: message', (opts, message) => {
    expect(specProblems(() => buildCreateRequest(doc(VALID), flags(opts)))).toEqual([message]);
  });

  test('file and flag problems are reported together, the file first', () => {
    const err = errorOf(() => buildCreateRequest(doc(VALID.replace(/expose:\n.*\n.*\n/, '')), flags({ workers: '0' })));
    expect(err).toBeInstanceOf(SpecError);
    expect((err as SpecError).exitCode).toBe(2);
    expect(err.message).toBe(
      [
        'deploy.yaml:9:14: serviceMode: ALB needs expose: the HTTP port your service listens on (expose: {port: 8000} in the spec, or --port 8000)',
        '--workers: must be at least 1, got 0',
      ].join('\n'),
    );
  });

  test('ALB needs expose: from the file, from --port, or it is an error at --service-mode', () => {
    const noExpose = VALID.replace(/expose:\n.*\n.*\n/, '').replace('serviceMode: ALB', 'serviceMode: QUEUE');
    expect(buildCreateRequest(doc(noExpose), {}).body.expose).toBeUndefined();
    expect(specProblems(() => buildCreateRequest(doc(noExpose), flags({ serviceMode: 'alb' })))).toEqual([
      '--service-mode: ALB needs expose: the HTTP port your service listens on (expose: {port: 8000} in the spec, or --port 8000)',
    ]);
    expect(buildCreateRequest(doc(noExpose), flags({ serviceMode: 'alb', port: '8080' })).body).toMatchObject({
      serviceMode: 'ALB',
      expose: { port: 8080, protocol: 'HTTP' },
    });
  });

  describe('resource flags against the file', () => {
    const two = VALID.replace(
      '    gpuCount: 1\n',
      '    gpuCount: 1\n  - region: us-west-1\n    gpuType: NVIDIA_H100_80G\n    gpuCount: 1\n',
    );

    test('--gpu-count alone sets the count of every resource', () => {
      expect(buildCreateRequest(doc(two), flags({ gpuCount: '2' })).body.resources).toEqual([
        { region: 'us-east-1', gpuType: 'NVIDIA_H100_80G', gpuCount: 2 },
        { region: 'us-west-1', gpuType: 'NVIDIA_H100_80G', gpuCount: 2 },
      ]);
    });

    test('--region with --gpu-type replaces the resources, keeping the count unless --gpu-count is given', () => {
      expect(buildCreateRequest(doc(two), flags({ region: 'eu-2', gpuType: 'NVIDIA_H200_141G' })).body.resources).toEqual([
        { region: 'eu-2', gpuType: 'NVIDIA_H200_141G', gpuCount: 1 },
      ]);
      expect(buildCreateRequest(doc(two), flags({ region: 'eu-2', gpuType: 'NVIDIA_H200_141G', gpuCount: '4' })).body.resources).toEqual([
        { region: 'eu-2', gpuType: 'NVIDIA_H200_141G', gpuCount: 4 },
      ]);
    });

    test('--gpu-type alone changes the only resource', () => {
      expect(buildCreateRequest(doc(VALID), flags({ gpuType: 'NVIDIA_H200_141G' })).body.resources).toEqual([
        { region: 'us-east-1', gpuType: 'NVIDIA_H200_141G', gpuCount: 1 },
      ]);
    });

    test('--region alone is ambiguous with several resources, and impossible with none', () => {
      expect(specProblems(() => buildCreateRequest(doc(two), flags({ region: 'eu-2' })))).toEqual([
        '--region: the spec has 2 resources; give --gpu-type too to replace them with one, or use --resource region:gpuType:count (repeatable)',
      ]);
      expect(specProblems(() => buildCreateRequest(undefined, flags({ gpuCount: '2', name: 'a' })))[0]).toBe(
        '--gpu-count: the spec has no resources to change; give both --region and --gpu-type, or --resource region:gpuType:count',
      );
    });

    test('--resource replaces the file resources', () => {
      expect(buildCreateRequest(doc(two), flags({ resource: ['ap-southeast-1:NVIDIA_H100_80G:1'] })).body.resources).toEqual([
        { region: 'ap-southeast-1', gpuType: 'NVIDIA_H100_80G', gpuCount: 1 },
      ]);
    });
  });

  test('zero workers in the file: fine for a file (update takes it), not for create', () => {
    const file = doc(VALID.replace('workers: 2', 'workers: 0'));
    expect(file.spec.workers).toBe(0);
    expect(specProblems(() => buildCreateRequest(file, {}))).toEqual(['deploy.yaml:8:10: workers: must be at least 1, got 0']);
    expect(buildUpdateRequest(liveDeployment(), file, {}).body.workers).toBe(0);
  });

  test("the file's YAML warnings are passed on; spec warnings are recomputed after flags", () => {
    const file = doc(VALID.replace('image: vllm', 'image: !custom vllm').replace('gpuType: NVIDIA_H100_80G', 'gpuType: H100'));
    expect(file.warnings).toHaveLength(2);
    expect(buildCreateRequest(file, {}).warnings).toEqual([
      'deploy.yaml:2:8: Unresolved tag: !custom',
      'deploy.yaml:5:14: resources[0].gpuType: unknown GPU type "H100"; it is sent as written (`yotta gpus` lists the known types)',
    ]);
    expect(buildCreateRequest(file, flags({ gpuType: 'NVIDIA_H100_80G' })).warnings).toEqual(['deploy.yaml:2:8: Unresolved tag: !custom']);
  });

  test('warnings name where the value came from', () => {
    const file = VALID.replace('gpuType: NVIDIA_H100_80G', 'gpuType: H100');
    expect(buildCreateRequest(doc(file), {}).warnings).toEqual([
      'deploy.yaml:5:14: resources[0].gpuType: unknown GPU type "H100"; it is sent as written (`yotta gpus` lists the known types)',
    ]);
    expect(buildCreateRequest(doc(VALID), flags({ gpuType: 'NVIDIA_H100_80GB', gpuCount: '3' })).warnings).toEqual([
      '--gpu-type: unknown GPU type "NVIDIA_H100_80GB" (did you mean "NVIDIA_H100_80G"?); it is sent as written (`yotta gpus` lists the known types)',
      "--gpu-count: 3 is not a power of two; Yotta's docs give GPU counts as powers of two (1, 2, 4, 8)",
    ]);
    expect(buildCreateRequest(doc(VALID), flags({ resource: ['a:NVIDIA_H100_80G:1', 'b:TPU_V5:1'] })).warnings).toEqual([
      '--resource: resources[1].gpuType: unknown GPU type "TPU_V5"; it is sent as written (`yotta gpus` lists the known types)',
    ]);
  });
});

describe('buildUpdateRequest', () => {
  const live = liveDeployment();
  const LIVE_UPDATE = {
    name: 'llama-3-8b',
    resources: [{ region: 'us-east-1', gpuType: 'NVIDIA_H100_80G', gpuCount: 1 }],
    minSingleCardVramInGb: 80,
    containerVolumeInGb: 100,
    workers: 2,
    initializationCommand: 'vllm serve meta-llama/Llama-3.2-3B',
    environmentVars: [
      { key: 'HF_HOME', value: '/data' },
      { key: 'HF_TOKEN', value: 'hf_secret' },
    ],
    expose: { port: 8000, protocol: 'HTTP' },
  };

  test('starts from the live deployment: the full documented update body, workers = totalWorkers', () => {
    expect(buildUpdateRequest(live, undefined, flags({ workers: '3' }))).toStrictEqual({ body: { ...LIVE_UPDATE, workers: 3 }, warnings: [] });
  });

  test('a partial file overlays the live values, then flags overlay the file', () => {
    const { body } = buildUpdateRequest(live, doc('workers: 4\nenvironmentVars:\n  HF_HOME: /cache\n'), flags({ env: ['EXTRA=1'], volume: '200' }));
    expect(body).toStrictEqual({
      ...LIVE_UPDATE,
      workers: 4,
      containerVolumeInGb: 200,
      // The file's list is the whole set; --env adds to it.
      environmentVars: [
        { key: 'HF_HOME', value: '/cache' },
        { key: 'EXTRA', value: '1' },
      ],
    });
  });

  test('--env replaces one live variable in place', () => {
    expect(buildUpdateRequest(live, undefined, flags({ env: ['HF_TOKEN=hf_new'] })).body.environmentVars).toEqual([
      { key: 'HF_HOME', value: '/data' },
      { key: 'HF_TOKEN', value: 'hf_new' },
    ]);
  });

  test('a spec exported from the deployment (same image, registry and mode) is accepted unchanged', () => {
    const exported = doc(stringify(specFromDeployment(live)));
    expect(buildUpdateRequest(live, exported, {}).body).toStrictEqual(LIVE_UPDATE);
    expect(buildUpdateRequest(live, undefined, flags({ image: live.image, serviceMode: 'alb' })).body).toStrictEqual(LIVE_UPDATE);
  });

  test('a different image, registry or service mode is refused (exit 2): a new deployment is needed', () => {
    const file = doc(`${VALID.replace('vllm/vllm-openai:latest', 'vllm/vllm-openai:v0.6')}`);
    const err = errorOf(() => buildUpdateRequest(live, file, flags({ serviceMode: 'queue', imageRegistry: 'https://r.example.com' })));
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).exitCode).toBe(2);
    expect(err.message.split('\n')).toEqual([
      'deploy.yaml:2:8: image cannot be changed by update (the deployment has "vllm/vllm-openai:latest", this asks for "vllm/vllm-openai:v0.6"); create a new deployment instead: `yotta deploy create`',
      '--image-registry: imageRegistry cannot be changed by update (the deployment has Docker Hub (none set), this asks for "https://r.example.com"); create a new deployment instead: `yotta deploy create`',
      '--service-mode: serviceMode cannot be changed by update (the deployment has "ALB", this asks for "QUEUE"); create a new deployment instead: `yotta deploy create`',
    ]);
  });

  test('workers may be 0 on update', () => {
    expect(buildUpdateRequest(liveDeployment({ totalWorkers: 0 }), undefined, {}).body.workers).toBe(0);
    expect(specProblems(() => buildUpdateRequest(live, undefined, flags({ workers: '-1' })))).toEqual(['--workers: must be at least 0, got -1']);
  });

  test('a live value that breaks the rules is named as the deployment\'s, with how to fix it', () => {
    const odd = liveDeployment({ name: '9-from-the-console' });
    expect(specProblems(() => buildUpdateRequest(odd, undefined, {}))).toEqual([
      'deployment 378888638324150969: name: must start with a letter and contain only letters, digits and @._-, got "9-from-the-console" (its current value; set name in the spec or with --name)',
    ]);
    expect(buildUpdateRequest(odd, undefined, flags({ name: 'fixed' })).body.name).toBe('fixed');
  });

  test('file and flag problems of an update are reported like those of a create', () => {
    expect(specProblems(() => buildUpdateRequest(live, doc('name: ok\nexpose: {port: 80}\n'), flags({ port: '0', gpuCount: '0' })))).toEqual([
      '--gpu-count: must be at least 1, got 0',
      '--port: must be at least 1, got 0',
    ]);
  });

  test('live values optional in the update body are left out when the deployment has none', () => {
    const bare = liveDeployment({ minSingleCardVramInGb: undefined, environmentVars: [], expose: undefined, initializationCommand: undefined, serviceMode: 'QUEUE' });
    expect(buildUpdateRequest(bare, undefined, {}).body).toStrictEqual({
      name: 'llama-3-8b',
      resources: [{ region: 'us-east-1', gpuType: 'NVIDIA_H100_80G', gpuCount: 1 }],
      containerVolumeInGb: 100,
      workers: 2,
      initializationCommand: '',
    });
  });
});

describe('specFromDeployment', () => {
  test('drops read-only fields and keeps what create takes back', () => {
    expect(specFromDeployment(liveDeployment({ imageRegistry: 'https://registry.example.com', credentialId: '99' }))).toStrictEqual({
      name: 'llama-3-8b',
      image: 'vllm/vllm-openai:latest',
      imageRegistry: 'https://registry.example.com',
      resources: [{ region: 'us-east-1', gpuType: 'NVIDIA_H100_80G', gpuCount: 1 }],
      minSingleCardVramInGb: 80,
      containerVolumeInGb: 100,
      credentialId: '99',
      workers: 2,
      serviceMode: 'ALB',
      initializationCommand: 'vllm serve meta-llama/Llama-3.2-3B',
      environmentVars: [
        { key: 'HF_HOME', value: '/data' },
        { key: 'HF_TOKEN', value: 'hf_secret' },
      ],
      expose: { port: 8000, protocol: 'HTTP' },
    });
  });

  test('round trip: get -o yaml, then create -f gives the deployment back', () => {
    const d = liveDeployment({ credentialId: '378888638324150969', minSingleCardVcpu: 8 });
    const yamlText = stringify(specFromDeployment(d));
    const { body, warnings } = buildCreateRequest(doc(yamlText), {});
    expect(warnings).toEqual([]);
    expect(body).toStrictEqual({
      name: d.name,
      image: d.image,
      resources: [{ region: 'us-east-1', gpuType: 'NVIDIA_H100_80G', gpuCount: 1 }],
      minSingleCardVramInGb: 80,
      minSingleCardVcpu: 8,
      containerVolumeInGb: 100,
      credentialId: '378888638324150969',
      workers: 2,
      serviceMode: 'ALB',
      initializationCommand: d.initializationCommand,
      environmentVars: d.environmentVars,
      expose: d.expose,
    });
    expect(diffSpec(doc(yamlText).spec, d)).toEqual([]);
  });
});

describe('diffSpec', () => {
  const live = liveDeployment();

  test('only fields present in the spec count', () => {
    expect(diffSpec({}, live)).toEqual([]);
    expect(diffSpec({ name: 'llama-3-8b' }, live)).toEqual([]);
    expect(diffSpec({ workers: 3 }, live)).toEqual([{ path: 'workers', want: 3, have: 2 }]);
  });

  test('compares the case-free and empty-means-absent fields sensibly', () => {
    expect(diffSpec({ serviceMode: 'ALB', imageRegistry: '', credentialId: '' }, live)).toEqual([]);
    expect(diffSpec({ imageRegistry: 'https://r.example.com' }, live)).toEqual([{ path: 'imageRegistry', want: 'https://r.example.com', have: undefined }]);
    expect(diffSpec({ serviceMode: 'QUEUE' }, live)).toEqual([{ path: 'serviceMode', want: 'QUEUE', have: 'ALB' }]);
  });

  test('resources compare as a set', () => {
    const two = liveDeployment({
      resources: [
        { region: 'a', gpuType: 'G', gpuCount: 1 },
        { region: 'b', gpuType: 'G', gpuCount: 1 },
      ],
    });
    const swapped = [
      { region: 'b', gpuType: 'G', gpuCount: 1 },
      { region: 'a', gpuType: 'G', gpuCount: 1 },
    ];
    expect(diffSpec({ resources: swapped }, two)).toEqual([]);
    expect(diffSpec({ resources: [swapped[0]!] }, two)).toEqual([
      { path: 'resources', want: [swapped[0]], have: [swapped[1], swapped[0]] },
    ]);
  });

  test('environment variables differ one by one; the spec list is the whole set', () => {
    expect(diffSpec({ environmentVars: [{ key: 'HF_HOME', value: '/cache' }, { key: 'NEW', value: '1' }] }, live)).toEqual([
      { path: 'environmentVars.HF_HOME', want: '/cache', have: '/data' },
      { path: 'environmentVars.NEW', want: '1', have: undefined },
      { path: 'environmentVars.HF_TOKEN', want: undefined, have: 'hf_secret' },
    ]);
  });

  test('expose differs by port and protocol, or as a whole when the deployment has none', () => {
    expect(diffSpec({ expose: { port: 9000, protocol: 'http' } }, live)).toEqual([{ path: 'expose.port', want: 9000, have: 8000 }]);
    expect(diffSpec({ expose: { port: 9000, protocol: 'HTTP' } }, liveDeployment({ expose: undefined }))).toEqual([
      { path: 'expose', want: { port: 9000, protocol: 'HTTP' }, have: undefined },
    ]);
  });
});
