/**
 * The sandbox's state machine. Nothing runs on a timer: every record keeps the timestamps at which
 * it changes (a worker turns RUNNING at `runningAt`, TERMINATED at `terminatedAt`...), and each
 * status is computed from them at the clock time of the request. So a state saved to a file by one
 * CLI process "moves on" when the next process loads it later.
 *
 * Rules (Yotta documents only update and delete; the rest is the sandbox's choice, listed in the
 * README's "How faithful is the sandbox"):
 * - create/start: workers INITIALIZE, each RUNNING after `workerStartMs`; the deployment is
 *   INITIALIZING until every worker runs, then RUNNING. Starting gives new worker ids.
 * - stop: allowed when INITIALIZING, RUNNING or FAILED. Workers TERMINATING, TERMINATED after
 *   `terminateMs`; the deployment STOPPING, then STOPPED after max(`stopMs`, `terminateMs`).
 * - start: allowed when STOPPED or FAILED. update and delete: only when STOPPED.
 * - scale: allowed when INITIALIZING or RUNNING; adds INITIALIZE workers or terminates the surplus
 *   (those not yet running first, then the newest). Scaling to 0 leaves it RUNNING with no workers.
 * - FAILED: `fail()` (the Sandbox's `failDeployment`), or environment variable SANDBOX_FAIL=1 in the
 *   deployment's environmentVars, which makes every worker FAILED at the moment it would start.
 * - 24003 when creating past `deploymentLimit`; 24009 when placing workers would need more GPUs of
 *   a (region, gpuType) than `gpuCapacity` leaves free. GPUs of INITIALIZE, RUNNING and
 *   TERMINATING workers of every deployment count as used. A worker goes to the first resource
 *   of its deployment with room.
 * - Cost accrues per worker while it is RUNNING, at the rate fixed when it was placed.
 */
import { randomInt } from 'node:crypto';
import type {
  CreateDeploymentRequest,
  ElasticDeploymentDetail,
  ElasticDeploymentWorkerDetail,
  EnvironmentVar,
  Expose,
  Resource,
} from '../api/types.js';
import { cardSpec, regionDisplayName } from './catalog.js';
import { formatMoney, workerHourlyRate } from './prices.js';
import { SandboxApiError } from './validate.js';
import type { UpdatePatch } from './validate.js';
import type { CredentialHost, StoredCredential } from './credentials.js';
import { imagePullFailure } from './credentials.js';

/** How long the sandbox's transitions take, in ms. */
export interface SandboxDelays {
  /** From INITIALIZE to RUNNING for each worker. */
  workerStartMs: number;
  /** From STOPPING to STOPPED for the deployment (at least as long as its workers take to end). */
  stopMs: number;
  /** From TERMINATING to TERMINATED for each worker. */
  terminateMs: number;
}

/** Default delays: a few seconds, so that `--wait` and spinners have something to show. */
export const DEFAULT_DELAYS: SandboxDelays = { workerStartMs: 3000, stopMs: 2000, terminateMs: 2000 };

/** How many replaced workers a deployment remembers (for their logs). */
export const PAST_WORKERS_KEPT = 50;

/** Default number of deployments an organization may have (24003 past it). */
export const DEFAULT_DEPLOYMENT_LIMIT = 50;

/** Default GPUs available per (region, gpuType) ('*' applies to every pair). */
export const DEFAULT_GPU_CAPACITY: Readonly<Record<string, number>> = { '*': 64 };

/** Environment variable that makes a deployment's workers fail when they would start. */
export const FAIL_ENV_KEY = 'SANDBOX_FAIL';

/** Docker Hub: Yotta's default registry. */
export const DEFAULT_IMAGE_REGISTRY = 'https://index.docker.io';

/** The e-mail shown as every deployment's creator. */
export const SANDBOX_CREATOR = 'sandbox@yotta.local';

/** A worker as stored: what it runs on and when it changes status. */
export interface StoredWorker {
  id: string;
  region: string;
  gpuType: string;
  gpuCount: number;
  /** Dollars per hour, fixed when placed. */
  hourlyRate: number;
  createdAt: number;
  /** When it turns RUNNING; absent when it is going to fail instead. */
  runningAt?: number;
  /** When it turns FAILED. */
  failedAt?: number;
  /** Why it fails (a private image without a valid credential, SANDBOX_FAIL=1), for worker logs to say. */
  failureReason?: string;
  /** When it began terminating (stop or scale-down), and when it is gone. */
  terminatingAt?: number;
  terminatedAt?: number;
}

/** A deployment as stored (the persisted form). */
export interface StoredDeployment {
  id: string;
  name: string;
  creator: string;
  domain?: string;
  imageRegistry: string;
  image: string;
  resources: Resource[];
  minSingleCardVramInGb: number;
  minSingleCardVcpu: number;
  minSingleCardRamInGb: number;
  containerVolumeInGb: number;
  credentialId?: string;
  initializationCommand: string;
  environmentVars: EnvironmentVar[];
  expose?: Expose;
  serviceMode: string;
  /** Target worker count (totalWorkers). */
  workers: number;
  createdAt: number;
  /** Set by stop; cleared by start. */
  stopRequestedAt?: number;
  stoppedAt?: number;
  /** Set by fail(); cleared by start and stop. */
  failedAt?: number;
  pods: StoredWorker[];
  /** Workers no longer listed (replaced by a scale or a restart), newest last: their logs stay readable. */
  pastPods?: StoredWorker[];
  /** Cost of workers no longer listed. */
  retiredCost: number;
}

/** The persisted state file. */
export interface StateFile {
  version: 1;
  deployments: StoredDeployment[];
  /** Registry credentials (absent in files written before they existed). */
  credentials?: StoredCredential[];
}

/** Limits and delays the state machine runs with. */
export interface StateConfig {
  delays: SandboxDelays;
  deploymentLimit: number;
  gpuCapacity: Readonly<Record<string, number>>;
}

/** A worker's status at time `t`. */
export function workerStatus(w: StoredWorker, t: number): string {
  // A worker that had FAILED before it was told to terminate stays FAILED: it holds no GPUs, and
  // stopping its deployment must not bring it back as TERMINATING.
  const failedFirst = w.failedAt !== undefined && (w.terminatingAt === undefined || w.failedAt <= w.terminatingAt);
  if (failedFirst && t >= w.failedAt!) return 'FAILED';
  if (w.terminatingAt !== undefined && t >= w.terminatingAt) return t >= (w.terminatedAt ?? w.terminatingAt) ? 'TERMINATED' : 'TERMINATING';
  if (w.failedAt !== undefined && t >= w.failedAt) return 'FAILED';
  if (w.runningAt !== undefined && t >= w.runningAt) return 'RUNNING';
  return 'INITIALIZE';
}

/** Milliseconds the worker has been RUNNING up to `t`. */
export function workerUptimeMs(w: StoredWorker, t: number): number {
  if (w.runningAt === undefined || t <= w.runningAt) return 0;
  let end = t;
  if (w.terminatingAt !== undefined) end = Math.min(end, w.terminatingAt);
  if (w.failedAt !== undefined) end = Math.min(end, w.failedAt);
  return Math.max(0, end - w.runningAt);
}

function workerCost(w: StoredWorker, t: number): number {
  return (workerUptimeMs(w, t) / 3_600_000) * w.hourlyRate;
}

/** Whether a worker still holds its GPUs at `t`. */
function holdsGpus(w: StoredWorker, t: number): boolean {
  const s = workerStatus(w, t);
  return s === 'INITIALIZE' || s === 'RUNNING' || s === 'TERMINATING';
}

/** Workers that are part of the deployment's current size (not scaled away or stopped). */
function livePods(d: StoredDeployment): StoredWorker[] {
  return d.pods.filter((w) => w.terminatingAt === undefined);
}

/** A deployment's status at time `t`. */
export function deploymentStatus(d: StoredDeployment, t: number): string {
  if (d.stopRequestedAt !== undefined) return t >= (d.stoppedAt ?? d.stopRequestedAt) ? 'STOPPED' : 'STOPPING';
  if (d.failedAt !== undefined && t >= d.failedAt) return 'FAILED';
  const live = livePods(d);
  const statuses = live.map((w) => workerStatus(w, t));
  if (statuses.includes('FAILED')) return 'FAILED';
  return statuses.every((s) => s === 'RUNNING') ? 'RUNNING' : 'INITIALIZING';
}

/** A random 18-digit id whose first digit is not zero, like Yotta's. */
export function newId(): string {
  return String(randomInt(1, 10)) + String(randomInt(0, 1e9)).padStart(9, '0') + String(randomInt(0, 1e8)).padStart(8, '0');
}

const DOMAIN_CHARS = 'abcdefghijklmnopqrstuvwxyz0123456789';

function newDomain(): string {
  let s = '';
  for (let i = 0; i < 12; i++) s += DOMAIN_CHARS[randomInt(0, DOMAIN_CHARS.length)];
  return `https://${s}.yottadeos.com`;
}

function notFound(): SandboxApiError {
  return new SandboxApiError(24001, 'Elastic does not exist');
}

function notAllowed(): SandboxApiError {
  return new SandboxApiError(24002, 'Elastic action not allowed');
}

/** The items whose status is one of `statuses`, compared without regard to case; all of them when there is no filter. */
function filterByStatus<T extends { status: string }>(items: T[], statuses: string[] | undefined): T[] {
  if (!statuses || statuses.length === 0) return items;
  const wanted = new Set(statuses.map((s) => s.trim().toUpperCase()));
  return items.filter((x) => wanted.has(x.status));
}

/** The sandbox's deployments and every operation on them, each at an explicit time `t`. */
export class SandboxState implements CredentialHost {
  deployments: StoredDeployment[];
  credentials: StoredCredential[];

  constructor(
    readonly config: StateConfig,
    data?: StateFile,
  ) {
    this.deployments = data?.deployments ?? [];
    this.credentials = data?.credentials ?? [];
  }

  /** The persisted form. */
  toFile(): StateFile {
    return { version: 1, deployments: this.deployments, credentials: this.credentials };
  }

  /** The deployments whose credentialId is `id` (a credential in use cannot be deleted). */
  usersOf(id: string): Array<{ id: string; name: string }> {
    return this.deployments.filter((d) => d.credentialId === id).map((d) => ({ id: d.id, name: d.name }));
  }

  /** A fresh 18-digit id no deployment, worker or credential has. */
  newId(): string {
    return this.unusedId();
  }

  private find(id: string): StoredDeployment {
    const d = this.deployments.find((x) => x.id === id);
    if (!d) throw notFound();
    return d;
  }

  private unusedId(): string {
    const taken = new Set<string>();
    for (const d of this.deployments) {
      taken.add(d.id);
      for (const w of d.pods) taken.add(w.id);
    }
    for (const c of this.credentials) taken.add(c.id);
    let id = newId();
    while (taken.has(id)) id = newId();
    return id;
  }

  private capacityOf(region: string, gpuType: string): number {
    return this.config.gpuCapacity[`${region}/${gpuType}`] ?? this.config.gpuCapacity['*'] ?? Number.POSITIVE_INFINITY;
  }

  /** Places `count` new workers for `d` at `t`, or throws 24009 leaving everything unchanged. */
  private place(d: StoredDeployment, count: number, t: number): StoredWorker[] {
    const used = new Map<string, number>();
    for (const other of this.deployments) {
      for (const w of other.pods) {
        if (!holdsGpus(w, t)) continue;
        const key = `${w.region}/${w.gpuType}`;
        used.set(key, (used.get(key) ?? 0) + w.gpuCount);
      }
    }
    const failureReason = d.environmentVars.some((e) => e.key === FAIL_ENV_KEY && e.value === '1')
      ? `${FAIL_ENV_KEY}=1 is set in environmentVars: the sandbox fails this worker on purpose`
      : imagePullFailure(d, this.credentials);
    const startAt = t + this.config.delays.workerStartMs;
    const placed: StoredWorker[] = [];
    for (let i = 0; i < count; i++) {
      const r = d.resources.find((res) => {
        const key = `${res.region}/${res.gpuType}`;
        return (used.get(key) ?? 0) + res.gpuCount <= this.capacityOf(res.region, res.gpuType);
      });
      if (!r) {
        throw new SandboxApiError(24009, 'Insufficient GPUs available to start the requested number of workers.');
      }
      const key = `${r.region}/${r.gpuType}`;
      used.set(key, (used.get(key) ?? 0) + r.gpuCount);
      placed.push({
        id: '',
        region: r.region,
        gpuType: r.gpuType,
        gpuCount: r.gpuCount,
        hourlyRate: workerHourlyRate(r.gpuType, r.gpuCount, d.containerVolumeInGb),
        createdAt: t,
        ...(failureReason !== undefined ? { failedAt: startAt, failureReason } : { runningAt: startAt }),
      });
    }
    for (const w of placed) {
      w.id = this.unusedId();
      d.pods.push(w);
    }
    return placed;
  }

  /** Drops workers already TERMINATED or FAILED, keeping their cost. */
  private retire(d: StoredDeployment, t: number, all = false): void {
    const keep: StoredWorker[] = [];
    const gone: StoredWorker[] = [];
    for (const w of d.pods) {
      const s = workerStatus(w, t);
      if (all || s === 'TERMINATED' || s === 'FAILED') {
        d.retiredCost += workerCost(w, t);
        gone.push(w);
      } else keep.push(w);
    }
    d.pods = keep;
    if (gone.length > 0) d.pastPods = [...(d.pastPods ?? []), ...gone].slice(-PAST_WORKERS_KEPT);
  }

  private terminate(w: StoredWorker, t: number): void {
    if (w.terminatingAt !== undefined) return;
    w.terminatingAt = t;
    w.terminatedAt = t + this.config.delays.terminateMs;
  }

  /** POST /create. */
  create(body: CreateDeploymentRequest, t: number): ElasticDeploymentDetail {
    if (this.deployments.length >= this.config.deploymentLimit) {
      throw new SandboxApiError(24003, `You've reached the limit of ${this.config.deploymentLimit} deployment`);
    }
    const d: StoredDeployment = {
      id: this.unusedId(),
      name: body.name,
      creator: SANDBOX_CREATOR,
      ...(body.serviceMode === 'ALB' ? { domain: newDomain() } : {}),
      imageRegistry: body.imageRegistry || DEFAULT_IMAGE_REGISTRY,
      image: body.image,
      resources: body.resources,
      minSingleCardVramInGb: body.minSingleCardVramInGb ?? 0,
      minSingleCardVcpu: body.minSingleCardVcpu ?? 0,
      minSingleCardRamInGb: body.minSingleCardRamInGb ?? 0,
      containerVolumeInGb: body.containerVolumeInGb,
      ...(body.credentialId !== undefined ? { credentialId: body.credentialId } : {}),
      initializationCommand: body.initializationCommand,
      environmentVars: body.environmentVars ?? [],
      ...(body.expose ? { expose: body.expose } : {}),
      serviceMode: body.serviceMode,
      workers: body.workers,
      createdAt: t,
      pods: [],
      retiredCost: 0,
    };
    this.place(d, body.workers, t);
    this.deployments.push(d);
    return this.detail(d, t);
  }

  /** GET /list, optionally filtered by status (in any case: the SDK calls its filter case-insensitive). */
  list(statuses: string[] | undefined, t: number): ElasticDeploymentDetail[] {
    const all = this.deployments.map((d) => this.detail(d, t));
    return filterByStatus(all, statuses);
  }

  /** GET /{id}. */
  get(id: string, t: number): ElasticDeploymentDetail {
    return this.detail(this.find(id), t);
  }

  /**
   * POST /{id}/update, only when STOPPED. The required fields replace the current ones; an optional
   * field left out keeps its value and one sent as null is cleared (as is an empty environmentVars
   * list). Yotta does not document this; it is the reading under which Yotta's SDK works.
   */
  update(id: string, body: UpdatePatch, t: number): ElasticDeploymentDetail {
    const d = this.find(id);
    if (deploymentStatus(d, t) !== 'STOPPED') throw notAllowed();
    d.name = body.name;
    d.resources = body.resources;
    d.containerVolumeInGb = body.containerVolumeInGb;
    d.workers = body.workers;
    if (body.minSingleCardVramInGb !== undefined) d.minSingleCardVramInGb = body.minSingleCardVramInGb ?? 0;
    if (body.minSingleCardVcpu !== undefined) d.minSingleCardVcpu = body.minSingleCardVcpu ?? 0;
    if (body.minSingleCardRamInGb !== undefined) d.minSingleCardRamInGb = body.minSingleCardRamInGb ?? 0;
    if (body.credentialId !== undefined) {
      // An empty id clears it too: that is how yotta's own `deploy update` removes a credential.
      if (body.credentialId) d.credentialId = body.credentialId;
      else delete d.credentialId;
    }
    if (body.initializationCommand !== undefined) d.initializationCommand = body.initializationCommand ?? '';
    if (body.environmentVars !== undefined) d.environmentVars = body.environmentVars ?? [];
    if (body.expose === null) delete d.expose;
    else if (body.expose !== undefined) d.expose = body.expose;
    return this.detail(d, t);
  }

  /** POST /{id}/start, when STOPPED or FAILED: fresh workers with new ids. */
  start(id: string, t: number): void {
    const d = this.find(id);
    const s = deploymentStatus(d, t);
    if (s !== 'STOPPED' && s !== 'FAILED') throw notAllowed();
    const before = { pods: d.pods, pastPods: d.pastPods, retiredCost: d.retiredCost };
    this.retire(d, t, true);
    try {
      this.place(d, d.workers, t);
    } catch (err) {
      d.pods = before.pods;
      d.pastPods = before.pastPods;
      d.retiredCost = before.retiredCost;
      throw err;
    }
    delete d.stopRequestedAt;
    delete d.stoppedAt;
    delete d.failedAt;
  }

  /** POST /{id}/stop, when INITIALIZING, RUNNING or FAILED. */
  stop(id: string, t: number): void {
    const d = this.find(id);
    const s = deploymentStatus(d, t);
    if (s !== 'INITIALIZING' && s !== 'RUNNING' && s !== 'FAILED') throw notAllowed();
    let until = t + this.config.delays.stopMs;
    for (const w of d.pods) {
      this.terminate(w, t);
      until = Math.max(until, w.terminatedAt ?? t);
    }
    d.stopRequestedAt = t;
    d.stoppedAt = until;
    delete d.failedAt;
  }

  /** DELETE /{id}, only when STOPPED. */
  remove(id: string, t: number): void {
    const d = this.find(id);
    if (deploymentStatus(d, t) !== 'STOPPED') throw notAllowed();
    this.deployments = this.deployments.filter((x) => x !== d);
  }

  /** POST /{id}/workers, when INITIALIZING or RUNNING. */
  scale(id: string, workers: number, t: number): void {
    const d = this.find(id);
    const s = deploymentStatus(d, t);
    if (s !== 'INITIALIZING' && s !== 'RUNNING') throw notAllowed();
    const live = livePods(d);
    if (workers > live.length) {
      this.place(d, workers - live.length, t);
    } else if (workers < live.length) {
      // Surplus: workers not yet running go first, then the newest.
      const order = [...live].sort((a, b) => {
        const ar = workerStatus(a, t) === 'RUNNING' ? 1 : 0;
        const br = workerStatus(b, t) === 'RUNNING' ? 1 : 0;
        return ar - br || b.createdAt - a.createdAt;
      });
      for (const w of order.slice(0, live.length - workers)) this.terminate(w, t);
    }
    d.workers = workers;
    this.retire(d, t);
  }

  /** GET /{id}/workers, optionally filtered by status (in any case). */
  workers(id: string, statuses: string[] | undefined, t: number): ElasticDeploymentWorkerDetail[] {
    const d = this.find(id);
    return filterByStatus(d.pods.map((w) => workerDetail(w, t)), statuses);
  }

  /** Makes a deployment FAILED now: its current workers fail (the Sandbox's `failDeployment`). */
  fail(id: string, t: number): void {
    const d = this.find(id);
    delete d.stopRequestedAt;
    delete d.stoppedAt;
    d.failedAt = t;
    for (const w of livePods(d)) {
      if (w.failedAt === undefined || w.failedAt > t) w.failedAt = t;
    }
  }

  /** ElasticDeploymentDetail of `d` at `t`, with every documented field. */
  detail(d: StoredDeployment, t: number): ElasticDeploymentDetail {
    const first = d.resources[0];
    const perHour = first ? d.workers * workerHourlyRate(first.gpuType, first.gpuCount, d.containerVolumeInGb) : 0;
    const cost = d.retiredCost + d.pods.reduce((sum, w) => sum + workerCost(w, t), 0);
    return {
      id: d.id,
      name: d.name,
      creator: d.creator,
      ...(d.domain !== undefined ? { domain: d.domain } : {}),
      imageRegistry: d.imageRegistry,
      image: d.image,
      resources: d.resources.map((r) => {
        const spec = cardSpec(r.gpuType);
        return {
          region: r.region,
          regionDisplayName: regionDisplayName(r.region),
          gpuType: r.gpuType,
          gpuDisplayName: spec.gpuDisplayName,
          gpuCount: r.gpuCount,
          singleCardVramInGb: spec.singleCardVramInGb,
          singleCardVcpu: spec.singleCardVcpu,
          singleCardRamInGb: spec.singleCardRamInGb,
        };
      }),
      minSingleCardVramInGb: d.minSingleCardVramInGb,
      minSingleCardVcpu: d.minSingleCardVcpu,
      minSingleCardRamInGb: d.minSingleCardRamInGb,
      containerVolumeInGb: d.containerVolumeInGb,
      ...(d.credentialId !== undefined ? { credentialId: d.credentialId } : {}),
      initializationCommand: d.initializationCommand,
      environmentVars: d.environmentVars.map((e) => ({ ...e })),
      ...(d.expose ? { expose: { ...d.expose } } : {}),
      totalWorkers: d.workers,
      runningWorkers: d.pods.filter((w) => workerStatus(w, t) === 'RUNNING').length,
      cost: formatMoney(cost),
      perSecondPrice: formatMoney(perHour / 3600, 8),
      perHourPrice: formatMoney(perHour),
      serviceMode: d.serviceMode,
      status: deploymentStatus(d, t),
    };
  }
}

/** ElasticDeploymentWorkerDetail of `w` at `t`. */
export function workerDetail(w: StoredWorker, t: number): ElasticDeploymentWorkerDetail {
  const spec = cardSpec(w.gpuType);
  return {
    id: w.id,
    region: w.region,
    regionDisplayName: regionDisplayName(w.region),
    gpuType: w.gpuType,
    gpuDisplayName: spec.gpuDisplayName,
    gpuCount: w.gpuCount,
    singleCardVramInGb: spec.singleCardVramInGb,
    singleCardVcpu: spec.singleCardVcpu,
    singleCardRamInGb: spec.singleCardRamInGb,
    uptime: String(workerUptimeMs(w, t)),
    cost: formatMoney(workerCost(w, t)),
    status: workerStatus(w, t),
  };
}
