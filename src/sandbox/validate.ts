/**
 * Request-body validation for the sandbox, following the seed page and the field rules in
 * ../shared/yotta-api.md. Each check yields Yotta's 10001 "parameter error" with a message that
 * names the field. Unknown fields are ignored, as a lenient Java server does; that includes
 * `image`, `imageRegistry` and `serviceMode` sent to update, which cannot change after create.
 *
 * It accepts what Yotta's own clients send (README, "How faithful is the sandbox"): enum values in
 * any case (`"protocol": "http"` in the SDK's example, `"alb"`), stored upper-case as documented;
 * an id such as `credentialId` as a string or a bare JSON number (the server parses bodies
 * losslessly, so an 18-digit number arrives here as its exact digits).
 */
import type { CreateDeploymentRequest, EnvironmentVar, Expose, Resource, ServiceMode } from '../api/types.js';
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

/** The protocols the v1 page lists for `expose`. */
const EXPOSE_PROTOCOLS = ['HTTP'] as const;

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
  if (absent(v.protocol)) throw paramError('expose.protocol', 'is required');
  const protocol = enumValue(v.protocol, EXPOSE_PROTOCOLS);
  if (!protocol) throw paramError('expose.protocol', `must be ${EXPOSE_PROTOCOLS.join(' or ')}`);
  return { port: port!, protocol };
}

/** An enum value matched without regard to case (Jackson's ACCEPT_CASE_INSENSITIVE_ENUMS); the documented spelling, or undefined. */
function enumValue<T extends string>(v: unknown, values: readonly T[]): T | undefined {
  return typeof v === 'string' ? values.find((x) => x === v.trim().toUpperCase()) : undefined;
}

function serviceMode(o: Obj): ServiceMode {
  const v = o.serviceMode;
  if (absent(v)) throw paramError('serviceMode', 'is required');
  const mode = enumValue(v, SERVICE_MODES);
  if (!mode) throw paramError('serviceMode', `must be one of ${SERVICE_MODES.join(', ')}`);
  return mode;
}

/**
 * An id field: a string, or a bare JSON integer (Yotta's SDK sends `credentialId` as a number, and
 * the v2 docs type it as an integer). The server's lossless parse turns a number beyond 2^53 into
 * its digit string, so every digit arrives; a safe integer is turned into its digits here.
 */
function idField(o: Obj, field: string): string | undefined {
  const v = o[field];
  if (absent(v)) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return String(v);
  throw paramError(field, 'must be an id: a string or a non-negative integer');
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
  const credentialId = idField(o, 'credentialId');
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
    // An empty id is no credential, as it is on update.
    ...(credentialId ? { credentialId } : {}),
    workers,
    serviceMode: mode,
    initializationCommand,
    ...(env ? { environmentVars: env } : {}),
    ...(exp ? { expose: exp } : {}),
  };
}

/**
 * An update as the sandbox applies it: the required fields, and for each optional one `undefined`
 * (left out: keep the current value) or `null` (sent as null: clear it), or the new value.
 */
export interface UpdatePatch {
  name: string;
  resources: Resource[];
  containerVolumeInGb: number;
  workers: number;
  minSingleCardVramInGb?: number | null;
  minSingleCardVcpu?: number | null;
  minSingleCardRamInGb?: number | null;
  credentialId?: string | null;
  initializationCommand?: string | null;
  environmentVars?: EnvironmentVar[] | null;
  expose?: Expose | null;
}

/** `undefined` when the field was left out, `null` when it was sent as null, else what `read` makes of it. */
function patchField<T>(o: Obj, field: string, read: () => T | undefined): T | null | undefined {
  if (!(field in o) || o[field] === undefined) return undefined;
  if (o[field] === null) return null;
  return read();
}

/** What the deployment has now that an update is checked against. */
export interface UpdateTarget {
  serviceMode: string;
  expose?: Expose;
}

/**
 * Validates an update body against the deployment it changes. The v1 page makes `name`,
 * `resources`, `containerVolumeInGb` and `workers` required; every other field may be left out to
 * keep its value (the reading under which Yotta's SDK works) or sent as null to clear it. Workers
 * may be 0 (the v1 page sets no minimum), so that a deployment scaled to zero and stopped can be
 * updated with its own values. An ALB deployment must still have an expose afterwards.
 */
export function validateUpdate(body: unknown, target: UpdateTarget): UpdatePatch {
  const o = requireObject(body);
  const n = name(o);
  const res = resources(o);
  const mins = minSingleCard(o);
  const volume = containerVolume(o);
  const credentialId = patchField(o, 'credentialId', () => idField(o, 'credentialId'));
  const workers = int(o, 'workers', { required: true, min: 0 })!;
  const initializationCommand = patchField(o, 'initializationCommand', () => str(o, 'initializationCommand', { required: false }));
  const env = patchField(o, 'environmentVars', () => environmentVars(o));
  const exp = patchField(o, 'expose', () => expose(o));
  const exposedAfter = exp === undefined ? target.expose : exp;
  if (enumValue(target.serviceMode, SERVICE_MODES) === 'ALB' && !exposedAfter) {
    throw paramError('expose', 'is required when serviceMode is ALB (the HTTP port of your service)');
  }
  const optional: Partial<UpdatePatch> = {
    minSingleCardVramInGb: patchField(o, 'minSingleCardVramInGb', () => mins.minSingleCardVramInGb),
    minSingleCardVcpu: patchField(o, 'minSingleCardVcpu', () => mins.minSingleCardVcpu),
    minSingleCardRamInGb: patchField(o, 'minSingleCardRamInGb', () => mins.minSingleCardRamInGb),
    credentialId,
    initializationCommand,
    environmentVars: env,
    expose: exp,
  };
  const given = Object.fromEntries(Object.entries(optional).filter(([, v]) => v !== undefined));
  return { ...given, name: n, resources: res, containerVolumeInGb: volume, workers };
}

/** Validates a scale body `{workers}` (0 allowed). */
export function validateScale(body: unknown): number {
  const o = requireObject(body);
  return int(o, 'workers', { required: true, min: 0 })!;
}
