/**
 * One typed function per registry-credential endpoint (v2, `/v2/container-registry-auths`). Never
 * prints, prompts or formats. Credential ids come back as JSON numbers that may exceed 2^53: the
 * transport parses them losslessly (json.ts) and every id leaves here as its exact digit string.
 * The password is write-only: it is sent by create and update and never comes back.
 */
import type { ApiClient } from './client.js';
import { ApiError, UsageError } from '../errors.js';

/** Every credential endpoint lives under this path. */
export const CREDENTIALS_BASE = '/v2/container-registry-auths';

/** The registry types the API accepts. */
export const CREDENTIAL_TYPES = ['DOCKER_HUB', 'GCR', 'ECR', 'ACR', 'PRIVATE'] as const;
export type CredentialType = (typeof CREDENTIAL_TYPES)[number];

/** A registry credential as the API returns it (no password, ever). */
export interface RegistryCredential {
  /** Possibly 18 digits: always a string here. */
  id: string;
  name: string;
  type: CredentialType | (string & {});
  createdAt?: string;
  [extra: string]: unknown;
}

/** Body of POST /v2/container-registry-auths. */
export interface CreateCredentialRequest {
  name: string;
  type: CredentialType;
  username: string;
  password: string;
}

/** Body of PATCH /v2/container-registry-auths/{id}: any of these. */
export interface UpdateCredentialRequest {
  name?: string;
  username?: string;
  password?: string;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

function unexpected(method: string, path: string, what: string): ApiError {
  const applied = method !== 'GET' ? ', so it was applied,' : '';
  return new ApiError(
    `${method} ${path}: the API reported success${applied} but ${what}`,
    { httpStatus: 200, code: 10000, method, path },
    method !== 'GET' ? 'Check the result with `yotta credential list` before trying again.' : 'This is a problem on the server side; try again later.',
  );
}

/** One credential, its id as a string; anything without a usable id is the server's fault. */
function credentialOf(data: unknown, method: string, path: string, where = 'its data'): RegistryCredential {
  if (!isRecord(data)) throw unexpected(method, path, `${where} is ${describe(data)}, not a credential`);
  const raw = data.id;
  const id =
    typeof raw === 'string' && /^\d+$/.test(raw)
      ? raw
      : typeof raw === 'number' && Number.isSafeInteger(raw) && raw >= 0
        ? String(raw)
        : undefined;
  if (id === undefined) throw unexpected(method, path, `${where} has no usable credential id (got ${describe(raw)})`);
  return (id === raw ? data : { ...data, id }) as RegistryCredential;
}

/** The id as one path segment: digits only (anything else could change the request path). */
function idPath(id: string): string {
  if (!/^\d+$/.test(id)) throw new UsageError(`"${id}" is not a credential id`, 'Ids are listed by `yotta credential list`.');
  return `${CREDENTIALS_BASE}/${id}`;
}

/** GET /v2/container-registry-auths: every credential of the account (`null` reads as none). */
export async function listCredentials(c: ApiClient): Promise<RegistryCredential[]> {
  const data = await c.request<unknown>('GET', CREDENTIALS_BASE);
  if (data === null) return [];
  if (!Array.isArray(data)) throw unexpected('GET', CREDENTIALS_BASE, `its data is ${describe(data)}, not a list of credentials`);
  return data.map((item, i) => credentialOf(item, 'GET', CREDENTIALS_BASE, `item ${i + 1} of its list`));
}

/** GET /v2/container-registry-auths/{id}. */
export async function getCredential(c: ApiClient, id: string): Promise<RegistryCredential> {
  const path = idPath(id);
  return credentialOf(await c.request<unknown>('GET', path), 'GET', path);
}

/** POST /v2/container-registry-auths: stores a credential and returns it (without the password). */
export async function createCredential(c: ApiClient, body: CreateCredentialRequest): Promise<RegistryCredential> {
  return credentialOf(await c.request<unknown>('POST', CREDENTIALS_BASE, { body }), 'POST', CREDENTIALS_BASE);
}

/** PATCH /v2/container-registry-auths/{id}: changes the fields given. */
export async function updateCredential(c: ApiClient, id: string, body: UpdateCredentialRequest): Promise<RegistryCredential> {
  const path = idPath(id);
  return credentialOf(await c.request<unknown>('PATCH', path, { body }), 'PATCH', path);
}

/** DELETE /v2/container-registry-auths/{id}: refused while a deployment uses it. */
export async function deleteCredential(c: ApiClient, id: string): Promise<unknown> {
  return c.request<unknown>('DELETE', idPath(id));
}
