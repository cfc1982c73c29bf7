/**
 * The fixtures most command tests share: the create-request body of a small deployment, and an
 * emulator started with instant transitions plus an API client and the CLI environment pointing at it.
 */
import { startSandbox } from '../../src/sandbox/index.js';
import type { Sandbox, SandboxOptions } from '../../src/sandbox/index.js';
import { ApiClient } from '../../src/api/client.js';
import type { CreateDeploymentRequest } from '../../src/api/types.js';

/**
 * A create request for one H100 in us-east-1 with a 100 GB volume, two workers, a custom service
 * running vLLM. `extra` replaces or adds fields; a field it replaces keeps its place in the body.
 */
export function deploymentBody(name: string, extra: Partial<CreateDeploymentRequest> = {}): CreateDeploymentRequest {
  return {
    name,
    image: 'vllm/vllm-openai:latest',
    resources: [{ region: 'us-east-1', gpuType: 'NVIDIA_H100_80G', gpuCount: 1 }],
    containerVolumeInGb: 100,
    workers: 2,
    serviceMode: 'CUSTOM',
    initializationCommand: 'vllm serve meta-llama/Llama-3.2-3B',
    ...extra,
  };
}

/** Every transition (worker start, stop, terminate) immediate. */
export const NO_DELAYS = { workerStartMs: 0, stopMs: 0, terminateMs: 0 } as const;

export interface TestSandbox {
  sb: Sandbox;
  /** A client for setting the scene straight through the API (user agent `test`). */
  client: ApiClient;
  /** The environment that points the CLI at the sandbox. */
  env: Record<string, string>;
  /** Closes the client, then the sandbox. */
  close: () => Promise<void>;
}

/** Starts the emulator with NO_DELAYS unless `options` says otherwise (options replace, not merge, `delays`). */
export async function startTestSandbox(options: SandboxOptions = {}): Promise<TestSandbox> {
  const sb = await startSandbox({ delays: NO_DELAYS, ...options });
  const client = new ApiClient({ baseUrl: sb.url, apiKey: sb.apiKey, userAgent: 'test' });
  const env = { YOTTA_BASE_URL: sb.url, YOTTA_API_KEY: sb.apiKey };
  const close = async (): Promise<void> => {
    await client.close();
    await sb.close();
  };
  return { sb, client, env, close };
}

/** A clock that only moves when someone sleeps (or a test moves it), shared by the emulator and the CLI under test. */
export class FakeClock {
  t = Date.parse('2025-06-01T12:00:00Z');
  sleeps: number[] = [];
  /** Called (and awaited) after each sleep, with its index (0-based): lets a test act mid-wait. */
  onSleep?: (n: number) => void | Promise<void>;
  now = (): number => this.t;
  sleep = async (ms: number, signal?: AbortSignal): Promise<void> => {
    if (signal?.aborted) throw signal.reason;
    this.t += ms;
    this.sleeps.push(ms);
    await this.onSleep?.(this.sleeps.length - 1);
    if (signal?.aborted) throw signal.reason;
  };
}
