/**
 * What the reliability suites share: a valid spec, seeding deployments into an emulator, reading
 * what it recorded, and the checks every run must pass (no stack trace, no "unexpected error").
 */
import { expect } from 'vitest';
import { ApiClient } from '../../src/api/client.js';
import { createDeployment, stopDeployment } from '../../src/api/deployments.js';
import type { CreateDeploymentRequest, ElasticDeploymentDetail } from '../../src/api/types.js';
import type { RecordedRequest, Sandbox } from '../../src/sandbox/index.js';

/** Where every endpoint lives. */
export const BASE = '/openapi/v1/elastic/deploy';

/** Transitions take no time unless a test says otherwise. */
export const NO_DELAYS = { workerStartMs: 0, stopMs: 0, terminateMs: 0 };

/** A valid spec file (CUSTOM mode: no port needed). */
export const VALID_SPEC = `name: rel-llama
image: vllm/vllm-openai:latest
resources:
  - region: us-east-1
    gpuType: NVIDIA_H100_80G
    gpuCount: 1
containerVolumeInGb: 100
workers: 1
serviceMode: CUSTOM
initializationCommand: vllm serve meta-llama/Llama-3.2-3B
`;

/** A valid create body for seeding. */
export function createBody(name: string, over: Partial<CreateDeploymentRequest> = {}): CreateDeploymentRequest {
  return {
    name,
    image: 'vllm/vllm-openai:latest',
    resources: [{ region: 'us-east-1', gpuType: 'NVIDIA_H100_80G', gpuCount: 1 }],
    containerVolumeInGb: 100,
    workers: 1,
    serviceMode: 'CUSTOM',
    initializationCommand: 'vllm serve meta-llama/Llama-3.2-3B',
    ...over,
  };
}

/** Creates deployments straight through the API client (not the CLI), optionally stopped; the recorded requests are cleared. */
export async function seed(sb: Sandbox, names: string[], o: { stopped?: boolean } = {}): Promise<ElasticDeploymentDetail[]> {
  const client = new ApiClient({ baseUrl: sb.url, apiKey: sb.apiKey, userAgent: 'reliability-seed' });
  try {
    const out: ElasticDeploymentDetail[] = [];
    for (const name of names) {
      const d = await createDeployment(client, createBody(name));
      if (o.stopped) await stopDeployment(client, d.id);
      out.push(d);
    }
    return out;
  } finally {
    await client.close();
    sb.requests.length = 0;
  }
}

/** `METHOD path` of each recorded request. */
export function calls(sb: Sandbox): string[] {
  return sb.requests.map((r: RecordedRequest) => `${r.method} ${r.path}`);
}

/** The recorded requests that change something (every POST and DELETE). */
export function writes(sb: Sandbox): string[] {
  return sb.requests.filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.path}`);
}

/** A stack-trace line as Node prints it. */
export const STACK_LINE = /^\s+at .+(\(|:\d+)/m;

/**
 * Every run must end without a stack trace, an "unexpected error" (our bug) or an EPIPE/unhandled
 * trace. Under --debug (`debug`), stack traces of expected errors are what was asked for.
 */
export function expectNoCrash(r: { code: number | null; stderr: string }, context = '', o: { debug?: boolean } = {}): void {
  const why = `${context}\nexit ${r.code}\nstderr:\n${r.stderr}`;
  if (!o.debug) expect(r.stderr, why).not.toMatch(STACK_LINE);
  expect(r.stderr, why).not.toMatch(/unexpected error|this is a bug in yotta/i);
  expect(r.stderr, why).not.toMatch(/EPIPE|Unhandled|UnhandledPromiseRejection|TypeError|ReferenceError|RangeError/);
}

/** The first line of stderr that starts with "Error:", without the label. */
export function errorLine(stderr: string): string {
  return /^Error: (.*)$/m.exec(stderr)?.[1] ?? '';
}

/** A well-formed deployment as the API returns it, for raw servers. `i` makes the id and name unique. */
export function fakeDeployment(i: number): ElasticDeploymentDetail {
  return {
    id: String(378888638324150000n + BigInt(i)),
    name: `rel-${String(i).padStart(5, '0')}`,
    image: 'vllm/vllm-openai:latest',
    resources: [{ region: 'us-east-1', regionDisplayName: 'US East 1', gpuType: 'NVIDIA_H100_80G', gpuDisplayName: 'H100', gpuCount: 1 }],
    containerVolumeInGb: 100,
    totalWorkers: 2,
    runningWorkers: 1,
    cost: '12.50',
    perHourPrice: '3.80',
    serviceMode: 'CUSTOM',
    status: 'RUNNING',
  };
}

/** A success envelope around `data`, as JSON text. */
export function envelope(data: unknown): string {
  return JSON.stringify({ code: 10000, message: 'success', data });
}

/** The error as text: the message (and hint) of a --json error object on stderr, else stderr as it is. */
export function errorMessage(stderr: string): string {
  const line = stderr.split('\n').find((l) => l.startsWith('{"error"'));
  if (!line) return stderr;
  const e = (JSON.parse(line) as { error: { message: string; hint?: string } }).error;
  return `Error: ${e.message}${e.hint ? `\n${e.hint}` : ''}`;
}
