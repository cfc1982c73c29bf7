/**
 * Request-body validation for the sandbox, following the seed page and the field rules in
 * ../shared/yotta-api.md. Each check yields Yotta's 10001 "parameter error" with a message that
 * names the field. Unknown fields are ignored, as a lenient Java server does; that includes
 * `image`, `imageRegistry` and `serviceMode` sent to update, which cannot change after create.
 */
import type { CreateDeploymentRequest, EnvironmentVar, Expose, Resource, ServiceMode, UpdateDeploymentRequest } from '../api/types.js';
import { SERVICE_MODES } from '../api/types.js';
import { findGpuType } from '../gpus.js';

/** A business error the sandbox answers with HTTP 200 and this envelope code. */
export class SandboxApiError extends Error {
  constructor(
    readonly code: number,
    message: string,
    /** HTTP status of the answer (200 for business errors, as Yotta does). */
    readonly httpStatus = 200,
  ) {
    super(message);
  }
}

/** A 10001 parameter error naming `field`. */
export function paramError(field: string, problem: string): SandboxApiError {
  return new SandboxApiError(10001, `parameter error: ${field} ${problem}`);
}

const NAME_RE = /^[A-Za-z][A-Za-z0-9@._-]{0,49}$/;
const MAX_MIN_SINGLE_CARD = 1536;

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Whether a JSON field is absent (missing or null). */
function absent(v: unknown): boolean {
  return v === undefined || v === null;
}

function requireObject(body: unknown): Obj {
  if (!isObj(body)) throw new SandboxApiError(10001, 'parameter error: request body must be a JSON object');
  return body;
}

function str(o: Obj, field: string, opts: { required: boolean; min?: number; max?: number }): string | undefined {
  const v = o[field];
  if (absent(v)) {
    if (opts.required) throw paramError(field, 'is required');
    return undefined;
  }
  if (typeof v !== 'string') throw paramError(field, 'must be a string');
  if (opts.min !== undefined && v.length < opts.min) throw paramError(field, opts.min === 1 ? 'must not be empty' : `must have at least ${opts.min} characters`);
  if (opts.max !== undefined && v.length > opts.max) throw paramError(field, `must have at most ${opts.max} characters`);
  return v;
}

function int(o: Obj, field: string, opts: { required: boolean; min: number; max?: number }): number | undefined {
  const v = o[field];
  if (absent(v)) {
    if (opts.required) throw paramError(field, 'is required');
    return undefined;
  }
  if (typeof v !== 'number' || !Number.isInteger(v)) throw paramError(field, 'must be an integer');
  if (v < opts.min) throw paramError(field, `must be at least ${opts.min}`);
  if (opts.max !== undefined && v > opts.max) throw paramError(field, `must be at most ${opts.max}`);
  return v;
}

function name(o: Obj): string {
  const v = str(o, 'name', { required: true })!;
  if (!NAME_RE.test(v)) {
    throw paramError('name', 'must start with a letter and contain only letters, digits and @._- (at most 50 characters)');
  }
  return v;
}

function resources(o: Obj): Resource[] {
  const v = o.resources;
  if (absent(v)) throw paramError('resources', 'is required');
  if (!Array.isArray(v)) throw paramError('resources', 'must be a list');
  if (v.length === 0) throw paramError('resources', 'must have at least one entry');
  const out: Resource[] = [];
  v.forEach((r: unknown, i) => {
    const at = `resources[${i}]`;
    if (!isObj(r)) throw paramError(at, 'must be an object');
    const region = r.region;
    if (typeof region !== 'string' || region.trim() === '') throw paramError(`${at}.region`, absent(region) ? 'is required' : 'must be a non-empty string');
    const gpuType = r.gpuType;
    if (typeof gpuType !== 'string' || gpuType === '') throw paramError(`${at}.gpuType`, absent(gpuType) ? 'is required' : 'must be a non-empty string');
    // The sandbox has inventory only for the documented types.
    if (!findGpuType(gpuType)) throw paramError(`${at}.gpuType`, `"${gpuType}" is not a known GPU type`);
    const gpuCount = r.gpuCount;
    if (absent(gpuCount)) throw paramError(`${at}.gpuCount`, 'is required');
    if (typeof gpuCount !== 'number' || !Number.isInteger(gpuCount)) throw paramError(`${at}.gpuCount`, 'must be an integer');
    if (gpuCount < 1) throw paramError(`${at}.gpuCount`, 'must be at least 1');
    // Yotta's docs say GPU counts are powers of two.
    if ((gpuCount & (gpuCount - 1)) !== 0) throw paramError(`${at}.gpuCount`, 'must be a power of two (1, 2, 4, 8...)');
    if (out.length > 0 && gpuCount !== out[0]!.gpuCount) throw paramError(`${at}.gpuCount`, 'must equal the gpuCount of every other resource');
    out.push({ region, gpuType, gpuCount });
  });
  return out;
}

function containerVolume(o: Obj): number {
  const v = o.containerVolumeInGb;
  if (absent(v)) throw paramError('containerVolumeInGb', 'is required');
  if (typeof v !== 'number' || !Number.isFinite(v)) throw paramError('containerVolumeInGb', 'must be a number');
  if (v <= 0) throw paramError('containerVolumeInGb', 'must be greater than 0');
  return v;
}

function environmentVars(o: Obj): EnvironmentVar[] | undefined {
  const v = o.environmentVars;
  if (absent(v)) return undefined;
  if (!Array.isArray(v)) throw paramError('environmentVars', 'must be a list of {key, value}');
  return v.map((e: unknown, i) => {
    const at = `environmentVars[${i}]`;
    if (!isObj(e)) throw paramError(at, 'must be an object {key, value}');
    if (typeof e.key !== 'string' || e.key === '') throw paramError(`${at}.key`, absent(e.key) ? 'is required' : 'must be a non-empty string');
    if (typeof e.value !== 'string') throw paramError(`${at}.value`, absent(e.value) ? 'is required' : 'must be a string');
    return { key: e.key, value: e.value };
  });
}

function expose(o: Obj): Expose | undefined {
  const v = o.expose;
  if (absent(v)) return undefined;
  if (!isObj(v)) throw paramError('expose', 'must be an object {port, protocol}');
  const port = int(v, 'port', { required: true, min: 1, max: 65535 });
  const protocol = v.protocol;
  if (absent(protocol)) throw paramError('expose.protocol', 'is required');
  if (protocol !== 'HTTP') throw paramError('expose.protocol', 'must be HTTP');
  return { port: port!, protocol };
}

function serviceMode(o: Obj): ServiceMode {
  const v = o.serviceMode;
  if (absent(v)) throw paramError('serviceMode', 'is required');
  if (typeof v !== 'string' || !(SERVICE_MODES as readonly string[]).includes(v)) {
    throw paramError('serviceMode', `must be one of ${SERVICE_MODES.join(', ')}`);
  }
  return v as ServiceMode;
}

function minSingleCard(o: Obj): Pick<CreateDeploymentRequest, 'minSingleCardVramInGb' | 'minSingleCardVcpu' | 'minSingleCardRamInGb'> {
  return {
    minSingleCardVramInGb: int(o, 'minSingleCardVramInGb', { required: false, min: 0, max: MAX_MIN_SINGLE_CARD }),
    minSingleCardVcpu: int(o, 'minSingleCardVcpu', { required: false, min: 0 }),
    minSingleCardRamInGb: int(o, 'minSingleCardRamInGb', { required: false, min: 0, max: MAX_MIN_SINGLE_CARD }),
  };
}

/** Validates a create body; throws a 10001 SandboxApiError naming the first bad field. */
export function validateCreate(body: unknown): CreateDeploymentRequest {
  const o = requireObject(body);
  const n = name(o);
  const image = str(o, 'image', { required: true, min: 1, max: 255 })!;
  const imageRegistry = str(o, 'imageRegistry', { required: false, max: 255 });
  const res = resources(o);
  const mins = minSingleCard(o);
  const volume = containerVolume(o);
  const credentialId = str(o, 'credentialId', { required: false });
  const workers = int(o, 'workers', { required: true, min: 1 })!;
  const mode = serviceMode(o);
  const initializationCommand = str(o, 'initializationCommand', { required: true })!;
  const env = environmentVars(o);
  const exp = expose(o);
  if (mode === 'ALB' && !exp) throw paramError('expose', 'is required when serviceMode is ALB (the HTTP port of your service)');
  return {
    name: n,
    image,
    ...(imageRegistry ? { imageRegistry } : {}),
    resources: res,
    ...mins,
    containerVolumeInGb: volume,
    ...(credentialId !== undefined ? { credentialId } : {}),
    workers,
    serviceMode: mode,
    initializationCommand,
    ...(env ? { environmentVars: env } : {}),
    ...(exp ? { expose: exp } : {}),
  };
}

/**
 * Validates an update body against the deployment's (unchangeable) service mode. Workers may be 0
 * here, so that a deployment scaled to zero and stopped can be updated with its own values.
 */
export function validateUpdate(body: unknown, mode: string): UpdateDeploymentRequest {
  const o = requireObject(body);
  const n = name(o);
  const res = resources(o);
  const mins = minSingleCard(o);
  const volume = containerVolume(o);
  const credentialId = str(o, 'credentialId', { required: false });
  const workers = int(o, 'workers', { required: true, min: 0 })!;
  const initializationCommand = str(o, 'initializationCommand', { required: false });
  const env = environmentVars(o);
  const exp = expose(o);
  if (mode === 'ALB' && !exp) throw paramError('expose', 'is required when serviceMode is ALB (the HTTP port of your service)');
  return {
    name: n,
    resources: res,
    ...mins,
    containerVolumeInGb: volume,
    ...(credentialId !== undefined ? { credentialId } : {}),
    workers,
    ...(initializationCommand !== undefined ? { initializationCommand } : {}),
    ...(env ? { environmentVars: env } : {}),
    ...(exp ? { expose: exp } : {}),
  };
}

/** Validates a scale body `{workers}` (0 allowed). */
export function validateScale(body: unknown): number {
  const o = requireObject(body);
  return int(o, 'workers', { required: true, min: 0 })!;
}
