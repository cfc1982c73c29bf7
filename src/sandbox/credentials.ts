/**
 * The sandbox's registry credentials (`/v2/container-registry-auths`): routes, body checks and the
 * rules around them. Credentials live in the sandbox state (and its file) beside the deployments.
 *
 * - The password is write-only and the sandbox keeps none of it: it logs in to no registry, so it
 *   only checks that one was given. Nothing secret ever reaches the state file or an answer.
 * - Ids are 18-digit numbers sent as bare JSON numbers, as the v2 docs show them.
 * - DELETE of a credential that a deployment (in any status) names in `credentialId` is refused
 *   with 24002, the deployments' own "action not allowed".
 * - A deployment of a private image (see isPrivateImage) whose credentialId names no credential
 *   gets workers that FAIL when they would start, with a `failureReason` saying why.
 */
import { SandboxApiError, paramError } from './validate.js';

/** The path the credential endpoints live under. */
export const CREDENTIALS_PATH = '/v2/container-registry-auths';

/** Registry types the API accepts. */
export const SANDBOX_CREDENTIAL_TYPES = ['DOCKER_HUB', 'GCR', 'ECR', 'ACR', 'PRIVATE'] as const;

/** Images under this registry host are private in the sandbox: they need a valid credential. */
export const PRIVATE_REGISTRY_HOST = 'registry.example.com';

/** A credential as stored (no password). */
export interface StoredCredential {
  id: string;
  name: string;
  type: string;
  username: string;
  /** ms since the epoch. */
  createdAt: number;
}

/** A call on the credential endpoints. */
export type CredentialCall =
  | { op: 'list' | 'create' }
  | { op: 'get' | 'update' | 'delete'; id: string }
  | { op: 'method-not-allowed'; allow: string };

/** The credential call a request is, or undefined when the path is not a credential path. */
export function credentialRoute(method: string, path: string): CredentialCall | undefined {
  if (path === CREDENTIALS_PATH || path === `${CREDENTIALS_PATH}/`) {
    if (method === 'GET') return { op: 'list' };
    if (method === 'POST') return { op: 'create' };
    return { op: 'method-not-allowed', allow: 'GET, POST' };
  }
  if (!path.startsWith(`${CREDENTIALS_PATH}/`)) return undefined;
  const rest = path.slice(CREDENTIALS_PATH.length + 1);
  if (rest.includes('/')) return undefined;
  let id: string;
  try {
    id = decodeURIComponent(rest);
  } catch {
    return undefined;
  }
  if (method === 'GET') return { op: 'get', id };
  if (method === 'PATCH') return { op: 'update', id };
  if (method === 'DELETE') return { op: 'delete', id };
  return { op: 'method-not-allowed', allow: 'GET, PATCH, DELETE' };
}

/** What a credential call needs of the sandbox state. */
export interface CredentialHost {
  credentials: StoredCredential[];
  /** Names and ids of the deployments whose credentialId is `id`. */
  usersOf(id: string): Array<{ id: string; name: string }>;
  /** A fresh id, unused by any record. */
  newId(): string;
}

/** The API's form of a credential: never the password (the sandbox has none to give). */
export function credentialDetail(c: StoredCredential): Record<string, unknown> {
  return { id: c.id, name: c.name, type: c.type, createdAt: new Date(c.createdAt).toISOString() };
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function text(o: Record<string, unknown>, field: string, required: boolean, max = 255): string | undefined {
  const v = o[field];
  if (v === undefined || v === null) {
    if (required) throw paramError(field, 'is required');
    return undefined;
  }
  if (typeof v !== 'string') throw paramError(field, 'must be a string');
  if (v.trim() === '') throw paramError(field, 'must not be empty');
  if (v.length > max) throw paramError(field, `must have at most ${max} characters`);
  return v;
}

function find(host: CredentialHost, id: string): StoredCredential {
  const c = host.credentials.find((x) => x.id === id);
  if (!c) throw new SandboxApiError(10007, 'Record does not exist');
  return c;
}

/** Answers a credential call at time `t`: its `data`, and whether the state changed (to persist it). */
export function applyCredentialCall(host: CredentialHost, call: Exclude<CredentialCall, { op: 'method-not-allowed' }>, body: unknown, t: number): { data: unknown; changed: boolean } {
  switch (call.op) {
    case 'list':
      return { data: host.credentials.map(credentialDetail), changed: false };
    case 'get':
      return { data: credentialDetail(find(host, call.id)), changed: false };
    case 'create': {
      if (!isObj(body)) throw new SandboxApiError(10001, 'parameter error: request body must be a JSON object');
      const name = text(body, 'name', true, 50)!;
      const type = text(body, 'type', true)!;
      if (!(SANDBOX_CREDENTIAL_TYPES as readonly string[]).includes(type)) throw paramError('type', `must be one of ${SANDBOX_CREDENTIAL_TYPES.join(', ')}`);
      const username = text(body, 'username', true)!;
      text(body, 'password', true, 64 * 1024);
      const c: StoredCredential = { id: host.newId(), name, type, username, createdAt: t };
      host.credentials.push(c);
      return { data: credentialDetail(c), changed: true };
    }
    case 'update': {
      const c = find(host, call.id);
      if (!isObj(body)) throw new SandboxApiError(10001, 'parameter error: request body must be a JSON object');
      const name = text(body, 'name', false, 50);
      const username = text(body, 'username', false);
      const password = text(body, 'password', false, 64 * 1024);
      if (name === undefined && username === undefined && password === undefined) {
        throw new SandboxApiError(10001, 'parameter error: give at least one of name, username, password');
      }
      if (name !== undefined) c.name = name;
      if (username !== undefined) c.username = username;
      return { data: credentialDetail(c), changed: true };
    }
    case 'delete': {
      find(host, call.id);
      const users = host.usersOf(call.id);
      if (users.length > 0) {
        throw new SandboxApiError(24002, `Container registry auth is in use by ${users.length} deployment${users.length === 1 ? '' : 's'}: ${users.map((u) => u.name).join(', ')}`);
      }
      host.credentials.splice(host.credentials.findIndex((x) => x.id === call.id), 1);
      return { data: null, changed: true };
    }
  }
}

/** Whether the sandbox treats an image as private: under registry.example.com, by its name or its imageRegistry. */
export function isPrivateImage(image: string, imageRegistry: string | undefined): boolean {
  if (image.toLowerCase().startsWith(`${PRIVATE_REGISTRY_HOST}/`)) return true;
  if (!imageRegistry) return false;
  try {
    return new URL(imageRegistry.includes('://') ? imageRegistry : `https://${imageRegistry}`).hostname.toLowerCase() === PRIVATE_REGISTRY_HOST;
  } catch {
    return false;
  }
}

/**
 * Why the workers of a deployment cannot pull its image, or undefined when they can: a private
 * image needs a credentialId that names a stored credential.
 */
export function imagePullFailure(
  d: { image: string; imageRegistry?: string; credentialId?: string },
  credentials: readonly StoredCredential[],
): string | undefined {
  if (!isPrivateImage(d.image, d.imageRegistry)) return undefined;
  const why =
    d.credentialId === undefined || d.credentialId === ''
      ? 'no credentialId was given'
      : credentials.some((c) => c.id === d.credentialId)
        ? undefined
        : `credential ${d.credentialId} does not exist`;
  if (why === undefined) return undefined;
  return `failed to pull image "${d.image}": pull access denied, the image is private and ${why} (create one with \`yotta credential create\` and set credential in the spec)`;
}
