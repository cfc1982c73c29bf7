/**
 * The emulator's registry credentials over real HTTP: the v2 routes and their envelope, ids as bare
 * 18-digit JSON numbers, the write-only password, body checks (10001), unknown ids (10007), the
 * in-use refusal (24002), persistence beside the deployments (and old state files without
 * credentials), private images failing without a valid credential, and fault injection on the routes.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox } from '../../src/sandbox/index.js';
import type { Sandbox } from '../../src/sandbox/index.js';
import { isPrivateImage } from '../../src/sandbox/credentials.js';
import { tempDir } from '../helpers/cli.js';
import { BASE, createBody } from './helpers.js';

const CRED = '/v2/container-registry-auths';
let sb: Sandbox;
let statePath: string;

beforeEach(async () => {
  statePath = join(tempDir('yotta-sb-cred-'), 'state.json');
  sb = await startSandbox({ statePath, delays: { workerStartMs: 0, stopMs: 0, terminateMs: 0 } });
});
afterEach(async () => {
  await sb.close();
});

/** The envelope's data: credentials, lists of them, deployments or null; the tests read what they expect. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Data = any;

/** One call; the envelope as text (to see bare numbers) and parsed. */
async function call(method: string, path: string, body?: unknown): Promise<{ status: number; text: string; code: number; data: Data }> {
  const res = await fetch(sb.url + path, {
    method,
    headers: { 'X-API-Key': sb.apiKey, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  const json = JSON.parse(text.replace(/"id":(\d+)/g, '"id":"$1"')) as { code: number; data: Data };
  return { status: res.status, text, code: json.code, data: json.data };
}

const create = (over: Record<string, unknown> = {}) => call('POST', CRED, { name: 'acme', type: 'PRIVATE', username: 'robot', password: 's3cret-pw', ...over });

describe('sandbox registry credentials', () => {
  it('create, list, get, update and delete; ids are bare 18-digit numbers; the password never comes back', async () => {
    const made = await create();
    expect(made.code).toBe(10000);
    expect(made.text).toMatch(/"id":\d{18},/);
    expect(Object.keys(made.data)).toEqual(['id', 'name', 'type', 'createdAt']);
    const id = made.data.id as string;
    expect((await call('GET', CRED)).data).toEqual([made.data]);
    expect((await call('GET', `${CRED}/${id}`)).data).toEqual(made.data);
    const patched = await call('PATCH', `${CRED}/${id}`, { name: 'acme-prod', password: 'new-pw' });
    expect(patched.data).toMatchObject({ id, name: 'acme-prod', type: 'PRIVATE' });
    for (const text of [made.text, patched.text, (await call('GET', CRED)).text, readFileSync(statePath, 'utf8')]) {
      expect(text).not.toContain('s3cret-pw');
      expect(text).not.toContain('new-pw');
    }
    expect((await call('DELETE', `${CRED}/${id}`)).data).toBeNull();
    expect((await call('GET', CRED)).data).toEqual([]);
  });

  it.each([
    [{ name: '' }, /name must not be empty/],
    [{ type: 'QUAY' }, /type must be one of DOCKER_HUB, GCR, ECR, ACR, PRIVATE/],
    [{ username: undefined }, /username is required/],
    [{ password: 7 }, /password must be a string/],
    [{ name: 'x'.repeat(51) }, /name must have at most 50 characters/],
  ])('create with %j: 10001 naming the field, nothing stored', async (over, message) => {
    const r = await create(over);
    expect(r.code).toBe(10001);
    expect(JSON.parse(r.text).message).toMatch(message);
    expect((await call('GET', CRED)).data).toEqual([]);
  });

  it('unknown id: 10007 on get, update and delete; an update with nothing to change: 10001; a body that is not JSON: 10001; other methods: 405', async () => {
    for (const [method, body] of [['GET'], ['PATCH', { name: 'x' }], ['DELETE']] as const) {
      expect((await call(method, `${CRED}/123456789012345678`, body)).code).toBe(10007);
    }
    const id = (await create()).data.id as string;
    expect((await call('PATCH', `${CRED}/${id}`, {})).code).toBe(10001);
    expect((await call('POST', CRED, '{nope')).code).toBe(10001);
    const put = await call('PUT', `${CRED}/${id}`, {});
    expect(put.status).toBe(405);
  });

  it('delete of a credential a deployment uses (in any status) is refused with 24002 naming it; once the deployment is gone it works', async () => {
    const id = (await create()).data.id as string;
    const d = (await call('POST', `${BASE}/create`, createBody({ name: 'user-one', credentialId: id }))).data;
    const refused = await call('DELETE', `${CRED}/${id}`);
    expect(refused.code).toBe(24002);
    expect(JSON.parse(refused.text).message).toBe('Container registry auth is in use by 1 deployment: user-one');
    await call('POST', `${BASE}/${d.id}/stop`);
    expect((await call('DELETE', `${CRED}/${id}`)).code).toBe(24002);
    await call('DELETE', `${BASE}/${d.id}`);
    expect((await call('DELETE', `${CRED}/${id}`)).code).toBe(10000);
  });

  it('a private image without a valid credential: its workers FAIL with a failureReason in the state; with one they run', async () => {
    const id = (await create()).data.id as string;
    const image = 'registry.example.com/acme/model:1';
    const none = (await call('POST', `${BASE}/create`, createBody({ name: 'none', image }))).data;
    const wrong = (await call('POST', `${BASE}/create`, createBody({ name: 'wrong', image, credentialId: '999999999999999999' }))).data;
    const good = (await call('POST', `${BASE}/create`, createBody({ name: 'good', image, credentialId: id }))).data;
    const pub = (await call('POST', `${BASE}/create`, createBody({ name: 'public' }))).data;
    const status = async (d: { id: string }) => (await call('GET', `${BASE}/${d.id}`)).data.status as string;
    expect([await status(none), await status(wrong), await status(good), await status(pub)]).toEqual(['FAILED', 'FAILED', 'RUNNING', 'RUNNING']);
    const state = JSON.parse(readFileSync(statePath, 'utf8')) as { deployments: Array<{ name: string; pods: Array<{ failureReason?: string }> }> };
    const reasons = Object.fromEntries(state.deployments.map((d) => [d.name, d.pods[0]?.failureReason]));
    expect(reasons.none).toMatch(/private and no credentialId was given/);
    expect(reasons.wrong).toMatch(/credential 999999999999999999 does not exist/);
    expect(reasons.good).toBeUndefined();
    expect(reasons.public).toBeUndefined();
  });

  it('isPrivateImage: the image path or the imageRegistry host', () => {
    expect(isPrivateImage('registry.example.com/a/b:1', undefined)).toBe(true);
    expect(isPrivateImage('vllm/vllm-openai:latest', 'https://registry.example.com')).toBe(true);
    expect(isPrivateImage('vllm/vllm-openai:latest', 'registry.example.com:5000')).toBe(true);
    expect(isPrivateImage('vllm/vllm-openai:latest', 'https://index.docker.io')).toBe(false);
    expect(isPrivateImage('registry.example.community/a', undefined)).toBe(false);
  });

  it('credentials persist in the state file beside the deployments; a state file from before credentials loads with none', async () => {
    const id = (await create()).data.id as string;
    await sb.close();
    sb = await startSandbox({ statePath });
    expect((await call('GET', CRED)).data.map((c: { id: string }) => c.id)).toEqual([id]);
    await sb.close();
    writeFileSync(statePath, JSON.stringify({ version: 1, deployments: [] }));
    sb = await startSandbox({ statePath });
    expect((await call('GET', CRED)).data).toEqual([]);
    await sb.close();
    writeFileSync(statePath, JSON.stringify({ version: 1, deployments: [], credentials: 'junk' }));
    await expect(startSandbox({ statePath })).rejects.toThrow(/is not a sandbox state/);
    sb = await startSandbox();
  });

  it('fault injection applies to the credential routes as to any other', async () => {
    sb.addFault({ kind: 'status', status: 503, match: { path: CRED } });
    expect((await call('GET', CRED)).status).toBe(503);
    expect((await call('GET', CRED)).status).toBe(200);
  });
});
