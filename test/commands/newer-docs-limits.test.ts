/**
 * Where Yotta's newer docs set limits the v1 page does not (containerVolumeInGb at least 20, workers
 * at least 1 on update), the CLI warns before sending and still sends (the v1 page is our
 * reference, and the emulator follows it); and `deploy update` clears a credential by sending it
 * empty, so it works whether Yotta keeps or clears a field left out of an update.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.js';
import type { ApiClient } from '../../src/api/client.js';
import { createDeployment, getDeployment, stopDeployment } from '../../src/api/deployments.js';
import { runCli } from '../helpers/cli.js';
import { deploymentBody, startTestSandbox } from '../helpers/fixtures.js';

const BASE = '/openapi/v1/elastic/deploy';

let sb: Sandbox;
let client: ApiClient;
let env: Record<string, string>;
let close: () => Promise<void>;

beforeEach(async () => {
  ({ sb, client, env, close } = await startTestSandbox());
});
afterEach(() => close());

const FLAGS = [
  '--name', 'small',
  '--image', 'nginx:latest',
  '--region', 'us-east-1',
  '--gpu-type', 'NVIDIA_RTX_4090_24G',
  '--workers', '1',
  '--service-mode', 'custom',
  '--init-cmd', '',
];

/** The bodies the sandbox received on `path`. */
const bodies = (path: string) => sb.requests.filter((q) => q.method === 'POST' && q.path === path).map((q) => q.body as Record<string, unknown>);

describe('containerVolumeInGb below the newer docs\' 20 GB', () => {
  it('deploy create warns on stderr, naming the flag, and still sends it', async () => {
    const r = await runCli(['deploy', 'create', ...FLAGS, '--volume', '10', '--json'], { env });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('--volume: 10 GB is below 20 GB, the minimum in Yotta\'s newer API docs');
    expect(r.stderr).toContain('sent as written');
    expect(bodies(`${BASE}/create`)).toEqual([expect.objectContaining({ containerVolumeInGb: 10 })]);
    expect(JSON.parse(r.stdout)).toMatchObject({ containerVolumeInGb: 10 });
  });

  it('warns nothing at 20 GB', async () => {
    const r = await runCli(['deploy', 'create', ...FLAGS, '--volume', '20'], { env });
    expect(r.code).toBe(0);
    expect(r.stderr).not.toContain('newer API docs');
  });

  it('deploy update warns about a new small volume, not about one the deployment already has', async () => {
    const d = await createDeployment(client, deploymentBody('small', { containerVolumeInGb: 10 }));
    await stopDeployment(client, d.id);
    const same = await runCli(['deploy', 'update', d.id, '--workers', '3'], { env });
    expect(same.code).toBe(0);
    expect(same.stderr).not.toContain('newer API docs');
    const smaller = await runCli(['deploy', 'update', d.id, '--volume', '5'], { env });
    expect(smaller.code).toBe(0);
    expect(smaller.stderr).toContain('--volume: 5 GB is below 20 GB');
    expect((await getDeployment(client, d.id)).containerVolumeInGb).toBe(5);
  });
});

describe('deploy update --workers 0', () => {
  it('warns that the newer docs want at least 1, points at deploy scale, and still sends it', async () => {
    const d = await createDeployment(client, deploymentBody('zero'));
    await stopDeployment(client, d.id);
    const r = await runCli(['deploy', 'update', d.id, '--workers', '0'], { env });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("workers: 0 is below 1, the minimum for an update in Yotta's newer API docs");
    expect(r.stderr).toContain(`yotta deploy scale ${d.id} 0`);
    expect(bodies(`${BASE}/${d.id}/update`)).toEqual([expect.objectContaining({ workers: 0 })]);
    expect((await getDeployment(client, d.id)).totalWorkers).toBe(0);
  });

  it('says the same under --dry-run, before printing the body, and sends nothing', async () => {
    const d = await createDeployment(client, deploymentBody('zero-dry'));
    await stopDeployment(client, d.id);
    sb.requests.length = 0;
    const r = await runCli(['deploy', 'update', d.id, '--workers', '0', '--dry-run'], { env });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`yotta deploy scale ${d.id} 0`);
    expect(JSON.parse(r.stdout)).toMatchObject({ workers: 0 });
    expect(sb.requests.map((q) => q.method)).toEqual(['GET']);
  });
});

describe('deploy update clears a credential by sending it empty', () => {
  it('sends credentialId "" and the deployment has none afterwards', async () => {
    const d = await createDeployment(client, deploymentBody('private', { credentialId: '361530338086227968' }));
    await stopDeployment(client, d.id);
    const r = await runCli(['deploy', 'update', d.id, '--credential-id', ''], { env });
    expect(r.code).toBe(0);
    expect(bodies(`${BASE}/${d.id}/update`)).toEqual([expect.objectContaining({ credentialId: '' })]);
    expect((await getDeployment(client, d.id)).credentialId).toBeUndefined();
  });

  it('keeps sending the credential the deployment has when it is not changed', async () => {
    const d = await createDeployment(client, deploymentBody('private2', { credentialId: '361530338086227968' }));
    await stopDeployment(client, d.id);
    const r = await runCli(['deploy', 'update', d.id, '--workers', '1'], { env });
    expect(r.code).toBe(0);
    expect(bodies(`${BASE}/${d.id}/update`)).toEqual([expect.objectContaining({ credentialId: '361530338086227968' })]);
    expect((await getDeployment(client, d.id)).credentialId).toBe('361530338086227968');
  });
});
