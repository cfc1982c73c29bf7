/**
 * The contract with Yotta's own clients: the exact requests Yotta's v1 Python SDK (ElasticApi)
 * sends, byte for byte where it matters, must be accepted by the sandbox. The SDK posts with
 * `requests`' `json=`, so bodies are Python's json.dumps text (", " and ": " separators); it sends
 * `X-Api-Key` and `Content-Type: application/json` on every call, `{}` as the body of start and
 * stop, the status filter as one comma-joined, URL-encoded `statusList`, and only the fields it is
 * given to update. Shapes from issue 18 and ../shared/yotta-api.md; the first three tests are the
 * three requests issue 18 found refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox } from '../../src/sandbox/index.js';
import type { Sandbox } from '../../src/sandbox/index.js';
import type { ElasticDeploymentDetail, ElasticDeploymentWorkerDetail } from '../../src/api/types.js';
import { BASE, NO_DELAYS } from './helpers.js';

let sb: Sandbox;
beforeAll(async () => {
  sb = await startSandbox({ delays: NO_DELAYS });
});
afterAll(async () => {
  await sb.close();
});

interface Envelope<T> {
  code: number;
  message: string;
  data: T;
}

/** One call as the SDK makes it: its headers on every method, the body as raw text. */
async function sdk<T = unknown>(method: 'GET' | 'POST' | 'DELETE', pathAndQuery: string, body?: string): Promise<{ status: number; text: string; json: Envelope<T> }> {
  const res = await fetch(sb.url + BASE + pathAndQuery, {
    method,
    headers: { 'Content-Type': 'application/json', 'User-Agent': 'Yottalabs-Python-SDK/1.0.0', 'X-Api-Key': sb.apiKey },
    ...(body !== undefined ? { body } : {}),
  });
  const text = await res.text();
  return { status: res.status, text, json: JSON.parse(text) as Envelope<T> };
}

/** The data of a call that must succeed; the whole envelope in the failure message otherwise. */
async function accepted<T = unknown>(method: 'GET' | 'POST' | 'DELETE', pathAndQuery: string, body?: string): Promise<T> {
  const r = await sdk<T>(method, pathAndQuery, body);
  expect(r.status, r.text).toBe(200);
  expect(r.json.code, r.text).toBe(10000);
  return r.json.data;
}

/**
 * create_deployment(...) exactly as the SDK's documented example calls it: credential_id=
 * 361530338086227968 (a bare JSON number), expose={"port": 8000, "protocol": "http"}.
 */
const SDK_CREATE_EXAMPLE =
  '{"name": "Llama-3.2-3B", "image": "vllm/vllm-openai:latest", "imageRegistry": "https://index.docker.io/v1", ' +
  '"resources": [{"region": "us-west-1", "gpuType": "NVIDIA_L4_24G", "gpuCount": 1}], ' +
  '"minSingleCardVramInGb": 6, "minSingleCardVcpu": 2, "minSingleCardRamInGb": 4, "workers": 1, "serviceMode": "ALB", ' +
  '"credentialId": 361530338086227968, "containerVolumeInGb": 20, ' +
  '"initializationCommand": "vllm serve meta-llama/Llama-3.2-3B-Instruct --served-model-name meta-llama/Llama-3.2-3B-Instruct ' +
  '--max-model-len 20480 --port 8000 --dtype half --gpu-memory-utilization 0.90 --tensor-parallel-size 1 ' +
  '--chat-template /vllm-workspace/examples/tool_chat_template_llama3.2_json.jinja", ' +
  '"environmentVars": [{"key": "HUGGING_FACE_HUB_TOKEN", "value": "YOUR_HF_TOKEN"}, {"key": "VLLM_PORT", "value": "8000"}, ' +
  '{"key": "CUDA_VISIBLE_DEVICES", "value": "0"}], "expose": {"port": 8000, "protocol": "http"}}';

describe("Yotta's Python SDK: the requests issue 18 found refused are accepted", () => {
  let created: ElasticDeploymentDetail;

  it('create with expose.protocol "http" (lower case, as Yotta\'s examples write it)', async () => {
    created = await accepted<ElasticDeploymentDetail>('POST', '/create', SDK_CREATE_EXAMPLE);
    expect(created.expose).toEqual({ port: 8000, protocol: 'HTTP' });
    expect(created).toMatchObject({ name: 'Llama-3.2-3B', serviceMode: 'ALB', imageRegistry: 'https://index.docker.io/v1', totalWorkers: 1 });
  });

  it('create with credentialId as a bare 18-digit JSON number, every digit kept', async () => {
    // The same request: the id went in as a number beyond 2^53 and comes back whole, as the v1 string.
    expect(created.credentialId).toBe('361530338086227968');
    const raw = await sdk('GET', `/${created.id}`);
    expect(raw.text).toContain('"credentialId":"361530338086227968"');
  });

  it('update of an ALB deployment that sends only what changes, no expose (update_deployment with the four required arguments)', async () => {
    await accepted('POST', `/${created.id}/stop`, '{}');
    const updated = await accepted<ElasticDeploymentDetail>(
      'POST',
      `/${created.id}/update`,
      '{"name": "Llama-3.2-3B-v2", "resources": [{"region": "us-west-1", "gpuType": "NVIDIA_L4_24G", "gpuCount": 1}], "workers": 2, "containerVolumeInGb": 40}',
    );
    expect(updated).toMatchObject({ name: 'Llama-3.2-3B-v2', totalWorkers: 2, containerVolumeInGb: 40, status: 'STOPPED' });
    // Every optional field left out kept its value.
    expect(updated.expose).toEqual({ port: 8000, protocol: 'HTTP' });
    expect(updated.credentialId).toBe('361530338086227968');
    expect(updated.environmentVars).toEqual(created.environmentVars);
    expect(updated.initializationCommand).toBe(created.initializationCommand);
    expect(updated).toMatchObject({ minSingleCardVramInGb: 6, minSingleCardVcpu: 2, minSingleCardRamInGb: 4 });
  });
});

describe("Yotta's Python SDK: a whole life cycle, every request as the SDK sends it", () => {
  let id: string;

  it('create_deployment with a credential id as a string and QUEUE in lower case', async () => {
    const d = await accepted<ElasticDeploymentDetail>(
      'POST',
      '/create',
      '{"name": "queue-worker", "image": "acme/worker:1.2", "resources": [{"region": "us-east-1", "gpuType": "NVIDIA_H100_80G", "gpuCount": 1}], ' +
        '"workers": 2, "serviceMode": "queue", "credentialId": "384410568058921807", "containerVolumeInGb": 100, ' +
        '"initializationCommand": "python worker.py", "environmentVars": [{"key": "MODE", "value": "prod"}]}',
    );
    expect(d).toMatchObject({ serviceMode: 'QUEUE', credentialId: '384410568058921807', status: 'RUNNING' });
    expect(d.resources[0]).toMatchObject({ region: 'us-east-1', regionDisplayName: 'US East' });
    id = d.id;
  });

  it('get_deployments: no filter, the SDK\'s comma-joined URL-encoded statusList, the documented repeated form, and lower case', async () => {
    const ids = (list: ElasticDeploymentDetail[]) => list.map((d) => d.id);
    expect(ids(await accepted('GET', '/list'))).toContain(id);
    expect(ids(await accepted('GET', '/list?statusList=INITIALIZING%2CRUNNING'))).toContain(id);
    expect(ids(await accepted('GET', '/list?statusList=INITIALIZING,RUNNING'))).toContain(id);
    expect(ids(await accepted('GET', '/list?statusList=INITIALIZING&statusList=RUNNING'))).toContain(id);
    expect(ids(await accepted('GET', '/list?statusList=running'))).toContain(id);
    expect(ids(await accepted('GET', '/list?statusList=STOPPED%2CFAILED'))).not.toContain(id);
  });

  it('get_deployment_detail and get_workers with a comma-joined statusList', async () => {
    expect((await accepted<ElasticDeploymentDetail>('GET', `/${id}`)).id).toBe(id);
    const running = await accepted<ElasticDeploymentWorkerDetail[]>('GET', `/${id}/workers?statusList=RUNNING%2CINITIALIZE`);
    expect(running.map((w) => w.status)).toEqual(['RUNNING', 'RUNNING']);
    expect(await accepted('GET', `/${id}/workers?statusList=terminated`)).toEqual([]);
  });

  it('scale_workers to 0 and back (data null)', async () => {
    expect(await accepted('POST', `/${id}/workers`, '{"workers": 0}')).toBeNull();
    expect(await accepted<ElasticDeploymentDetail>('GET', `/${id}`)).toMatchObject({ totalWorkers: 0, status: 'RUNNING' });
    expect(await accepted('POST', `/${id}/workers`, '{"workers": 1}')).toBeNull();
  });

  it('stop_deployment posts {} (data null)', async () => {
    expect(await accepted('POST', `/${id}/stop`, '{}')).toBeNull();
    expect((await accepted<ElasticDeploymentDetail>('GET', `/${id}`)).status).toBe('STOPPED');
  });

  it('update_deployment with optional arguments passed as None clears them (null), the rest are kept', async () => {
    const updated = await accepted<ElasticDeploymentDetail>(
      'POST',
      `/${id}/update`,
      '{"name": "queue-worker", "resources": [{"region": "us-east-1", "gpuType": "NVIDIA_H100_80G", "gpuCount": 1}], "workers": 1, ' +
        '"containerVolumeInGb": 100, "credentialId": null, "environmentVars": null}',
    );
    expect(updated.credentialId).toBeUndefined();
    expect(updated.environmentVars).toEqual([]);
    expect(updated.initializationCommand).toBe('python worker.py');
  });

  it('update_deployment with an empty environment list clears it, and with a bare-number credential id sets it', async () => {
    const updated = await accepted<ElasticDeploymentDetail>(
      'POST',
      `/${id}/update`,
      '{"name": "queue-worker", "resources": [{"region": "us-east-1", "gpuType": "NVIDIA_H100_80G", "gpuCount": 1}], "workers": 1, ' +
        '"containerVolumeInGb": 100, "credentialId": 384410568058921807, "environmentVars": [], "expose": {"port": 9000, "protocol": "Http"}}',
    );
    expect(updated).toMatchObject({ credentialId: '384410568058921807', environmentVars: [], expose: { port: 9000, protocol: 'HTTP' } });
  });

  it('start_deployment posts {}, then stop and delete_deployment (DELETE with the JSON content type and no body)', async () => {
    expect(await accepted('POST', `/${id}/start`, '{}')).toBeNull();
    expect((await accepted<ElasticDeploymentDetail>('GET', `/${id}`)).status).toBe('RUNNING');
    await accepted('POST', `/${id}/stop`, '{}');
    expect(await accepted('DELETE', `/${id}`)).toBeNull();
    expect((await sdk('GET', `/${id}`)).json.code).toBe(24001);
  });
});

describe('what stays refused, as the v1 page says', () => {
  it('an ALB update that clears expose with null', async () => {
    const d = await accepted<ElasticDeploymentDetail>('POST', '/create', SDK_CREATE_EXAMPLE.replace('"Llama-3.2-3B"', '"alb-null"'));
    await accepted('POST', `/${d.id}/stop`, '{}');
    const r = await sdk(
      'POST',
      `/${d.id}/update`,
      '{"name": "alb-null", "resources": [{"region": "us-west-1", "gpuType": "NVIDIA_L4_24G", "gpuCount": 1}], "workers": 1, "containerVolumeInGb": 20, "expose": null}',
    );
    expect(r.json).toMatchObject({ code: 10001, data: null, message: expect.stringContaining('expose is required when serviceMode is ALB') });
  });

  it('a protocol other than HTTP in any case, and a credential id that is not an integer', async () => {
    const tcp = await sdk('POST', '/create', SDK_CREATE_EXAMPLE.replace('"protocol": "http"', '"protocol": "tcp"'));
    expect(tcp.json).toMatchObject({ code: 10001, message: expect.stringContaining('expose.protocol must be HTTP') });
    const fraction = await sdk('POST', '/create', SDK_CREATE_EXAMPLE.replace('361530338086227968', '3.5'));
    expect(fraction.json).toMatchObject({ code: 10001, message: expect.stringContaining('credentialId must be an id') });
  });
});
