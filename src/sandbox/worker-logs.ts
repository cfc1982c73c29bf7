/**
 * The sandbox's worker logs (GET /v2/serverless/{id}/workers/{workerId}/logs). No line is ever
 * stored: a worker's log is a pure function of its timeline (createdAt, runningAt, failedAt,
 * terminatingAt, terminatedAt), its deployment's image, command and environment, and the clock. Line
 * `i` can be computed on its own, so a page is found by binary search and built lazily, memory stays
 * flat whatever the backlog (a worker that has run for two months has a million lines), and every
 * CLI process sharing the state file sees the same lines with the same offsets.
 *
 * A log, in time order:
 * - boot: scheduling, the image pull, the container start, the initializationCommand echoed as a
 *   shell would (`$ vllm serve ...`) and, for images that look like vLLM, its model loading;
 * - at runningAt: the server is up (vLLM's uvicorn lines, or a generic "listening");
 * - every HEARTBEAT_MS while RUNNING: a vLLM metrics line, or a generic heartbeat;
 * - at the end: for a FAILED worker the error that failed it (SANDBOX_FAIL=1, or the Sandbox's
 *   failDeployment); for a stopped or scaled-away worker SIGTERM, shutdown and the exit.
 *
 * Offsets are line numbers from 1; a line's (timestamp, offset) is its page token, and both grow
 * with the line number, so "after token T" is a binary search.
 */
import type { StoredDeployment, StoredWorker } from './state.js';
import { FAIL_ENV_KEY } from './state.js';
import { paramError, SandboxApiError } from './validate.js';
import { cardSpec } from './catalog.js';

/** How often a RUNNING worker writes its heartbeat (or vLLM metrics) line. */
export const HEARTBEAT_MS = 5000;
/** Default and largest page size, as documented. */
export const DEFAULT_LOG_PAGE_SIZE = 100;
export const MAX_LOG_PAGE_SIZE = 1000;
/** With a keyword, the most lines one request looks at before it answers with what it found (hasMore stays true). */
const KEYWORD_SCAN_LIMIT = 200_000;

/** One line as computed. */
interface Line {
  ts: number;
  text: string;
}

/** A run of lines: `count` of them, the j-th at time `at(j)` with text `text(j)`. */
interface Segment {
  count: number;
  at(j: number): number;
  text(j: number): string;
}

/** A 32-bit hash of a string (FNV-1a). */
function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** A well-mixed 32-bit number from a seed and an index (murmur3's finaliser). */
function mix(seed: number, k: number): number {
  let h = (seed ^ Math.imul(k + 1, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

function hex(seed: number, k: number, length: number): string {
  let s = '';
  for (let i = 0; s.length < length; i++) s += mix(seed, k * 31 + i).toString(16).padStart(8, '0');
  return s.slice(0, length);
}

/** Whether an image (or its command) looks like a vLLM server. */
export function looksLikeVllm(image: string, command: string): boolean {
  return /vllm/i.test(image) || /\bvllm\b/i.test(command);
}

/** The model a vLLM command serves: `vllm serve <model>` or `--model <model>`. */
function modelOf(command: string): string {
  const m = /\bserve\s+([^\s-][^\s]*)/.exec(command) ?? /--model[=\s]+([^\s]+)/.exec(command);
  return m?.[1] ?? 'facebook/opt-125m';
}

/** vLLM's log prefix: `INFO 06-01 12:00:03 [file.py:123]`. */
function vllmPrefix(ts: number, where: string, level = 'INFO'): string {
  const iso = new Date(ts).toISOString();
  return `${level} ${iso.slice(5, 7)}-${iso.slice(8, 10)} ${iso.slice(11, 19)} [${where}]`;
}

function imageRef(image: string): { name: string; tag: string } {
  const at = image.lastIndexOf(':');
  return at > image.lastIndexOf('/') && at > 0 ? { name: image.slice(0, at), tag: image.slice(at + 1) } : { name: image, tag: 'latest' };
}

function fixed(texts: string[], at: (j: number) => number): Segment {
  return { count: texts.length, at, text: (j) => texts[j]! };
}

/** Spreads `n` lines evenly over [from, to] (all at `from` when the span is empty). */
function spread(n: number, from: number, to: number): (j: number) => number {
  const span = Math.max(0, to - from);
  return (j) => from + Math.floor((span * j) / Math.max(1, n));
}

/** The whole potential log of a worker (lines in the future included); `visible(t)` cuts it at a time. */
export class WorkerLog {
  private readonly segments: Segment[];

  constructor(d: StoredDeployment, w: StoredWorker) {
    const seed = hashString(w.id);
    const vllm = looksLikeVllm(d.image, d.initializationCommand);
    const model = modelOf(d.initializationCommand);
    const port = d.expose?.port ?? 8000;
    const failedFirst = w.failedAt !== undefined && (w.terminatingAt === undefined || w.failedAt <= w.terminatingAt);
    const lifeEnd = Math.min(w.terminatingAt ?? Infinity, w.failedAt ?? Infinity);
    const runs = w.runningAt !== undefined && w.runningAt < lifeEnd;
    const bootEnd = Math.min(w.runningAt ?? Infinity, lifeEnd, w.createdAt + 60_000);
    const { name, tag } = imageRef(d.image);
    const registry = d.imageRegistry.replace(/^https?:\/\//, '').replace(/\/+$/, '');
    const spec = cardSpec(w.gpuType);

    const boot = [
      `Scheduled on ${w.gpuCount}x ${spec.gpuDisplayName} in ${w.region} (worker ${w.id})`,
      `Pulling image ${d.image} from ${registry}`,
      `${tag}: Pulling from ${name}`,
    ];
    const layers = 3 + (seed % 4);
    for (let k = 0; k < layers; k++) boot.push(`${hex(seed, k, 12)}: Pull complete`);
    boot.push(`Digest: sha256:${hex(seed, 99, 64)}`, `Status: Downloaded newer image for ${d.image}`);
    boot.push(`Creating container with a ${d.containerVolumeInGb} GB volume`, 'Starting container');
    if (d.initializationCommand.trim() !== '') boot.push(`$ ${d.initializationCommand}`);
    const bootAt = spread(boot.length + (vllm ? 5 : 0), w.createdAt, bootEnd === Infinity ? w.createdAt : bootEnd);
    const segments: Segment[] = [fixed(boot, bootAt)];
    if (vllm) {
      const gib = (2 + (seed % 140) / 10).toFixed(2);
      const loading = [
        (ts: number) => `${vllmPrefix(ts, 'api_server.py:1090')} vLLM API server version 0.9.1`,
        (ts: number) => `${vllmPrefix(ts, 'api_server.py:1091')} args: model='${model}', port=${port}, tensor_parallel_size=${w.gpuCount}`,
        (ts: number) => `${vllmPrefix(ts, 'cuda.py:240')} Using Flash Attention backend on ${spec.gpuDisplayName}.`,
        (ts: number) => `${vllmPrefix(ts, 'gpu_model_runner.py:1329')} Loading model weights took ${gib} GiB`,
        (ts: number) => `${vllmPrefix(ts, 'kv_cache_utils.py:634')} GPU KV cache size: ${(200_000 + (seed % 400_000)).toLocaleString('en-US')} tokens`,
      ];
      const base = boot.length;
      segments.push({ count: loading.length, at: (j) => bootAt(base + j), text: (j) => loading[j]!(bootAt(base + j)) });
    }
    if (runs) {
      const up = vllm
        ? [`${vllmPrefix(w.runningAt!, 'api_server.py:1181')} Starting vLLM API server on http://0.0.0.0:${port}`, 'INFO:     Started server process [1]', 'INFO:     Waiting for application startup.', 'INFO:     Application startup complete.']
        : [`Listening on 0.0.0.0:${port}`, 'Worker ready'];
      segments.push(fixed(up, () => w.runningAt!));
      // Heartbeats at runningAt + k·HEARTBEAT_MS (k ≥ 1), strictly before the worker stops running.
      const beats = lifeEnd === Infinity ? Infinity : Math.max(0, Math.ceil((lifeEnd - w.runningAt!) / HEARTBEAT_MS) - 1);
      segments.push({
        count: beats,
        at: (j) => w.runningAt! + (j + 1) * HEARTBEAT_MS,
        text: (j) => {
          const ts = w.runningAt! + (j + 1) * HEARTBEAT_MS;
          const r = mix(seed, j);
          if (vllm) {
            const running = r % 6;
            const prompt = running === 0 ? 0 : ((r >>> 3) % 4000) / 10;
            const gen = running === 0 ? 0 : ((r >>> 13) % 1500) / 10;
            return (
              `${vllmPrefix(ts, 'loggers.py:118')} Engine 000: Avg prompt throughput: ${prompt.toFixed(1)} tokens/s, ` +
              `Avg generation throughput: ${gen.toFixed(1)} tokens/s, Running: ${running} reqs, Waiting: 0 reqs, ` +
              `GPU KV cache usage: ${(running * ((r >>> 20) % 30) / 10).toFixed(1)}%, Prefix cache hit rate: ${((r >>> 8) % 900 / 10).toFixed(1)}%`
            );
          }
          const uptime = Math.round(((j + 1) * HEARTBEAT_MS) / 1000);
          return `heartbeat: ok, uptime ${uptime}s, GPU util ${r % 101}%, GPU memory ${((r >>> 8) % (spec.singleCardVramInGb * 10)) / 10}/${spec.singleCardVramInGb} GiB`;
        },
      });
    }
    if (failedFirst) {
      const sandboxFail = d.environmentVars.some((e) => e.key === FAIL_ENV_KEY && e.value === '1');
      const end = sandboxFail
        ? [
            `Error: ${FAIL_ENV_KEY}=1 is set in the deployment's environment, so the sandbox fails this worker as it starts`,
            'Container exited with code 1; worker FAILED',
          ]
        : [
            'RuntimeError: CUDA error: an illegal memory access was encountered (the sandbox failed this deployment)',
            'Container exited with code 139; worker FAILED',
          ];
      segments.push(fixed(end, () => w.failedAt!));
    } else if (w.terminatingAt !== undefined) {
      const down = vllm
        ? ['Received SIGTERM; shutting down', 'INFO:     Shutting down', 'INFO:     Waiting for application shutdown.', 'INFO:     Application shutdown complete.', 'INFO:     Finished server process [1]']
        : ['Received SIGTERM; shutting down', 'Worker stopped'];
      const stopAt = spread(down.length, w.terminatingAt, w.terminatedAt ?? w.terminatingAt);
      segments.push(fixed(down, stopAt));
      segments.push(fixed(['Container exited with code 0'], () => w.terminatedAt ?? w.terminatingAt!));
    }
    this.segments = segments;
  }

  /** How many lines exist at time `t` (their timestamps are ≤ t). */
  visible(t: number): number {
    let n = 0;
    for (const s of this.segments) {
      if (s.count === 0) continue;
      if (s.at(s.count === Infinity ? 0 : s.count - 1) <= t && s.count !== Infinity) {
        n += s.count;
        continue;
      }
      // Part of this segment: binary search for the first line after t (the ones after it are later still).
      let lo = 0;
      let hi = s.count === Infinity ? Math.max(1, Math.ceil((t - s.at(0)) / HEARTBEAT_MS) + 2) : s.count;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (s.at(mid) <= t) lo = mid + 1;
        else hi = mid;
      }
      return n + lo;
    }
    return n;
  }

  /** Line `i` (from 0). */
  line(i: number): Line {
    let j = i;
    for (const s of this.segments) {
      if (j < s.count) return { ts: s.at(j), text: s.text(j) };
      j -= s.count;
    }
    throw new RangeError(`no line ${i}`);
  }

  /** The timestamp of line `i`. */
  timeOf(i: number): number {
    let j = i;
    for (const s of this.segments) {
      if (j < s.count) return s.at(j);
      j -= s.count;
    }
    throw new RangeError(`no line ${i}`);
  }
}

/** The first index in [lo, hi) for which `pred` holds (pred is monotone: false…false true…true); hi when none. */
function firstWhere(lo: number, hi: number, pred: (i: number) => boolean): number {
  while (lo < hi) {
    const mid = lo + Math.floor((hi - lo) / 2);
    if (pred(mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** A time parameter: epoch ms, or ISO 8601. */
function timeParam(q: Record<string, string[]>, name: string): number | undefined {
  const v = q[name]?.[0]?.trim();
  if (v === undefined || v === '') return undefined;
  const ms = /^-?\d+$/.test(v) ? Number(v) : Date.parse(v);
  if (!Number.isFinite(ms)) throw paramError(name, 'must be epoch milliseconds or an ISO 8601 time');
  return ms;
}

function intParam(q: Record<string, string[]>, name: string): number | undefined {
  const v = q[name]?.[0]?.trim();
  if (v === undefined || v === '') return undefined;
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(Number(v))) throw paramError(name, 'must be a non-negative integer');
  return Number(v);
}

/** One log line as the API sends it. */
export interface ApiLogLine {
  timestamp: string;
  log: string;
  offset: number;
}

/** `data` of the logs call. */
export interface ApiLogPage {
  logs: ApiLogLine[];
  hasMore: boolean;
  nextSearchAfterTime: string | null;
  nextSearchAfterOffset: string | null;
}

/** Finds the deployment and worker (a current one, or one replaced by a scale or a restart). */
export function findLogTarget(deployments: readonly StoredDeployment[], id: string, workerId: string): { d: StoredDeployment; w: StoredWorker } {
  const d = deployments.find((x) => x.id === id);
  if (!d) throw new SandboxApiError(14000, 'endpoint not found', 404);
  const w = d.pods.find((x) => x.id === workerId) ?? d.pastPods?.find((x) => x.id === workerId);
  if (!w) throw new SandboxApiError(40402, `worker ${workerId} does not exist`, 404);
  return { d, w };
}

/** Answers one logs request at time `t`: the page after (or, Backward, before) the tokens, within the time window and keyword. */
export function workerLogsPage(d: StoredDeployment, w: StoredWorker, q: Record<string, string[]>, t: number): ApiLogPage {
  const pageSize = intParam(q, 'pageSize') ?? DEFAULT_LOG_PAGE_SIZE;
  if (pageSize < 1 || pageSize > MAX_LOG_PAGE_SIZE) throw paramError('pageSize', `must be 1-${MAX_LOG_PAGE_SIZE}`);
  const dirText = q.direction?.[0]?.trim() || 'Forward';
  const dir = dirText.toLowerCase();
  if (dir !== 'forward' && dir !== 'backward') throw paramError('direction', 'must be Forward or Backward');
  const start = timeParam(q, 'startTime');
  const end = timeParam(q, 'endTime');
  const afterTime = timeParam(q, 'searchAfterTime');
  const afterOffset = intParam(q, 'searchAfterOffset');
  if ((afterTime === undefined) !== (afterOffset === undefined)) {
    throw paramError(afterTime === undefined ? 'searchAfterTime' : 'searchAfterOffset', 'must be given with the other page token');
  }
  const keyword = q.keyword?.[0]?.toLowerCase() ?? '';

  const log = new WorkerLog(d, w);
  const n = log.visible(t);
  // The window [lo, hi) of line indexes within startTime..endTime (both inclusive).
  const lo = start === undefined ? 0 : firstWhere(0, n, (i) => log.timeOf(i) >= start);
  const hi = end === undefined ? n : firstWhere(lo, n, (i) => log.timeOf(i) > end);
  // A line's key is (timestamp, offset = i + 1); the first index whose key is after the token.
  const after =
    afterTime === undefined
      ? undefined
      : firstWhere(0, n, (i) => {
          const ts = log.timeOf(i);
          return ts > afterTime || (ts === afterTime && i + 1 > afterOffset!);
        });
  const forward = dir === 'forward';
  const logs: ApiLogLine[] = [];
  let last = -1;
  let scanned = 0;
  if (forward) {
    for (let i = Math.max(lo, after ?? 0); i < hi && logs.length < pageSize && scanned < KEYWORD_SCAN_LIMIT; i++, scanned++) {
      last = i;
      const l = log.line(i);
      if (keyword === '' || l.text.toLowerCase().includes(keyword)) logs.push({ timestamp: new Date(l.ts).toISOString(), log: l.text, offset: i + 1 });
    }
  } else {
    // Backward: the lines before the token (or the newest), newest first.
    for (let i = Math.min(hi, after === undefined ? hi : after - (afterTokenIsLine(log, after, afterTime, afterOffset) ? 1 : 0)) - 1; i >= lo && logs.length < pageSize && scanned < KEYWORD_SCAN_LIMIT; i--, scanned++) {
      last = i;
      const l = log.line(i);
      if (keyword === '' || l.text.toLowerCase().includes(keyword)) logs.push({ timestamp: new Date(l.ts).toISOString(), log: l.text, offset: i + 1 });
    }
  }
  const hasMore = last >= 0 && (forward ? last + 1 < hi : last > lo);
  const tokenOf = (i: number): [string, string] => [String(log.timeOf(i)), String(i + 1)];
  const [nextTime, nextOffset] = last >= 0 ? tokenOf(last) : [afterTime !== undefined ? String(afterTime) : null, afterOffset !== undefined ? String(afterOffset) : null];
  return { logs, hasMore, nextSearchAfterTime: nextTime, nextSearchAfterOffset: nextOffset };
}

/**
 * Backward from a token: `after` is the first index whose key is after the token, so the lines
 * before the token end at `after - 1`, minus the token's own line when the token names one exactly.
 */
function afterTokenIsLine(log: WorkerLog, after: number, afterTime: number | undefined, afterOffset: number | undefined): boolean {
  if (afterTime === undefined || afterOffset === undefined || after <= 0) return false;
  const i = afterOffset - 1;
  return i === after - 1 && log.timeOf(i) === afterTime;
}

/** The route: /v2/serverless/{deploymentId}/workers/{workerId}/logs (groups: the two ids, percent-encoded). */
export const LOGS_ROUTE = /^\/v2\/serverless\/([^/]+)\/workers\/([^/]+)\/logs$/;
