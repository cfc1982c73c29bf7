/**
 * The wire types, exactly as the Elastic Deployment API sends and takes them
 * (../shared/seed/elastic-deployment-api.txt). Ids are strings end to end.
 * Responses are typed with every documented field optional-safe where the docs disagree,
 * and an index signature so that unknown fields pass through untouched.
 */

/** The response envelope of every call. `code` 10000 is success, whatever the HTTP status. */
export interface Envelope<T> {
  code: number;
  message: string;
  data: T;
}

/** Yotta's success code. */
export const SUCCESS_CODE = 10000;

/** Documented deployment statuses; the API may send others (`TERMINATED` is seen in one table). */
export const DEPLOYMENT_STATUSES = ['INITIALIZING', 'RUNNING', 'STOPPING', 'STOPPED', 'FAILED'] as const;
export type KnownDeploymentStatus = (typeof DEPLOYMENT_STATUSES)[number];
/** A deployment status: a documented one, or whatever else the server sends. */
export type DeploymentStatus = KnownDeploymentStatus | (string & {});

/** Documented worker statuses (pod-style names). */
export const WORKER_STATUSES = ['INITIALIZE', 'RUNNING', 'TERMINATING', 'TERMINATED', 'FAILED'] as const;
export type KnownWorkerStatus = (typeof WORKER_STATUSES)[number];
export type WorkerStatus = KnownWorkerStatus | (string & {});

export const SERVICE_MODES = ['ALB', 'QUEUE', 'CUSTOM'] as const;
export type ServiceMode = (typeof SERVICE_MODES)[number];

/** A resource in a request: where workers may run and on what GPU. */
export interface Resource {
  region: string;
  gpuType: string;
  gpuCount: number;
}

/** A resource as the API returns it. */
export interface ResourceResponse {
  region: string;
  regionDisplayName?: string;
  gpuType: string;
  gpuDisplayName?: string;
  gpuCount: number;
  singleCardVramInGb?: number;
  singleCardVcpu?: number;
  singleCardRamInGb?: number;
  [extra: string]: unknown;
}

export interface EnvironmentVar {
  key: string;
  value: string;
}

export interface Expose {
  port: number;
  /** Only `HTTP` is documented. */
  protocol: string;
}

/** Body of POST /create. */
export interface CreateDeploymentRequest {
  name: string;
  image: string;
  imageRegistry?: string;
  resources: Resource[];
  minSingleCardVramInGb?: number;
  minSingleCardVcpu?: number;
  minSingleCardRamInGb?: number;
  containerVolumeInGb: number;
  credentialId?: string;
  workers: number;
  serviceMode: ServiceMode;
  initializationCommand: string;
  environmentVars?: EnvironmentVar[];
  expose?: Expose;
}

/** Body of POST /{id}/update: no image, imageRegistry or serviceMode (they cannot change). */
export interface UpdateDeploymentRequest {
  name: string;
  resources: Resource[];
  minSingleCardVramInGb?: number;
  minSingleCardVcpu?: number;
  minSingleCardRamInGb?: number;
  containerVolumeInGb: number;
  credentialId?: string;
  workers: number;
  initializationCommand?: string;
  environmentVars?: EnvironmentVar[];
  expose?: Expose;
}

/** Body of POST /{id}/workers. */
export interface ScaleDeploymentRequest {
  workers: number;
}

/** ElasticDeploymentDetail. */
export interface ElasticDeploymentDetail {
  id: string;
  name: string;
  creator?: string;
  /** Only for serviceMode ALB. */
  domain?: string;
  imageRegistry?: string;
  image: string;
  resources: ResourceResponse[];
  minSingleCardVramInGb?: number;
  minSingleCardVcpu?: number;
  minSingleCardRamInGb?: number;
  containerVolumeInGb: number;
  credentialId?: string;
  initializationCommand?: string;
  environmentVars?: EnvironmentVar[];
  expose?: Expose;
  totalWorkers: number;
  runningWorkers: number;
  /** Accrued cost, a decimal string. */
  cost?: string;
  perSecondPrice?: string;
  perHourPrice?: string;
  serviceMode: ServiceMode | (string & {});
  status: DeploymentStatus;
  [extra: string]: unknown;
}

/** ElasticDeploymentWorkerDetail. */
export interface ElasticDeploymentWorkerDetail {
  id: string;
  region?: string;
  regionDisplayName?: string;
  gpuType?: string;
  gpuDisplayName?: string;
  gpuCount?: number;
  singleCardVramInGb?: number;
  singleCardVcpu?: number;
  singleCardRamInGb?: number;
  /** Uptime in milliseconds, as a string. */
  uptime?: string;
  cost?: string;
  status: WorkerStatus;
  [extra: string]: unknown;
}

/** Yotta's documented response codes. */
export const ResponseCode = {
  SUCCESS: 10000,
  PARAMETER_ERROR: 10001,
  SYSTEM_ERROR: 10002,
  RECORD_NOT_FOUND: 10007,
  DEPLOYMENT_NOT_FOUND: 24001,
  ACTION_NOT_ALLOWED: 24002,
  DEPLOYMENT_LIMIT: 24003,
  INSUFFICIENT_GPUS: 24009,
  TASK_NOT_FOUND: 24011,
} as const;

/** `direction` of the worker-logs call (v2): Forward pages to newer lines, Backward to older ones. */
export type LogDirection = 'Forward' | 'Backward';

/** Query of GET /v2/serverless/{deploymentId}/workers/{workerId}/logs. */
export interface WorkerLogsQuery {
  /** Default 100, at most 1000. */
  pageSize?: number;
  /** A server-side filter. */
  keyword?: string;
  /** Epoch ms or ISO 8601. */
  startTime?: string;
  endTime?: string;
  /** The page tokens: a timestamp (epoch ms as a string) and an offset. */
  searchAfterTime?: string;
  searchAfterOffset?: string;
  direction?: LogDirection;
}

/** One log line of a worker, as the API sends it. */
export interface WorkerLogLine {
  /** ISO 8601, e.g. 2024-01-15T10:30:15.123Z. */
  timestamp: string;
  log: string;
  /** The line's position in the worker's log (an integer; a digit string when beyond 2^53). */
  offset: number | string;
}

/** `data` of the worker-logs call. The offset token comes back as a string and goes out as an integer. */
export interface WorkerLogsPage {
  logs: WorkerLogLine[];
  hasMore: boolean;
  nextSearchAfterTime?: string | null;
  nextSearchAfterOffset?: string | null;
}

/** Task statuses (v2 tasks of QUEUE deployments); the API may send others. */
export const TASK_STATUSES = ['PROCESSING', 'DELIVERED', 'SUCCESS', 'FAILED'] as const;
export type KnownTaskStatus = (typeof TASK_STATUSES)[number];
export type TaskStatus = KnownTaskStatus | (string & {});

/** Webhook delivery statuses of a task. */
export const TASK_DELIVERY_STATUSES = ['INIT', 'SUCCESS', 'FAILED', 'MAX_RETRIES_EXCEEDED'] as const;

/** Body of POST /v2/serverless/{id}/tasks. */
export interface SubmitTaskRequest {
  /** Letters, digits and underscore, at most 255; the API generates one when omitted. */
  taskId?: string;
  /** Any JSON: what the worker receives. */
  input: unknown;
  workerPort: number;
  /** The worker's route, e.g. `/v1/chat/completions`. */
  processUri: string;
  webhook?: string;
  /** A secret: never printed. */
  webhookAuthKey?: string;
  /** Forwarded to the worker; an Authorization value is a secret. */
  headers?: Record<string, string>;
}

/** What POST /tasks answers. */
export interface SubmitTaskResponse {
  taskId: string;
  [extra: string]: unknown;
}

/** A task as GET /tasks/{taskId} returns it (the list omits input, output and headers). */
export interface Task {
  taskId: string;
  endpointId?: number | string;
  endpointName?: string;
  status: TaskStatus;
  workerUrl?: string;
  webhook?: string | null;
  deliveryStatus?: string | null;
  deliveryAttempts?: number;
  error?: string | null;
  input?: unknown;
  output?: unknown;
  headers?: Record<string, string> | null;
  /** Epoch ms. */
  createdAt?: number;
  updatedAt?: number;
  deliveredAt?: number | null;
  [extra: string]: unknown;
}

/** One page of GET /tasks. */
export interface TaskPage {
  items: Task[];
  page: number;
  size: number;
  total: number;
  pages: number;
  [extra: string]: unknown;
}

/** GET /tasks/count. */
export interface TaskCount {
  processing: number;
  [extra: string]: unknown;
}
