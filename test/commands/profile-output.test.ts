/** A profile's `output` setting is the default format of commands that talk to the API; -o and --json win. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox } from '../../src/sandbox/index.js';
import type { Sandbox } from '../../src/sandbox/index.js';
import { ApiClient } from '../../src/api/client.js';
import { createDeployment } from '../../src/api/deployments.js';
import { runCli, tempDir } from '../helpers/cli.js';

let sb: Sandbox;
let env: Record<string, string>;
let home: string;

beforeEach(async () => {
  sb = await startSandbox({ delays: { workerStartMs: 0, stopMs: 0, terminateMs: 0 } });
  const client = new ApiClient({ baseUrl: sb.url, apiKey: sb.apiKey, userAgent: 'test' });
  await createDeployment(client, {
    name: 'llama',
    image: 'vllm/vllm-openai:latest',
    resources: [{ region: 'us-east-1', gpuType: 'NVIDIA_H100_80G', gpuCount: 1 }],
    containerVolumeInGb: 100,
    workers: 1,
    serviceMode: 'CUSTOM',
    initializationCommand: 'sleep infinity',
  });
  await client.close();
  env = { YOTTA_BASE_URL: sb.url, YOTTA_API_KEY: sb.apiKey };
  home = tempDir();
});

afterEach(async () => {
  await sb.close();
});

describe("the profile's output setting", () => {
  it('makes list print JSON when the profile says json', async () => {
    expect((await runCli(['config', 'set', 'output', 'json'], { env, homeDir: home })).code).toBe(0);
    const r = await runCli(['deploy', 'list'], { env, homeDir: home });
    expect(r.code).toBe(0);
    const data = JSON.parse(r.stdout) as { name: string }[];
    expect(data.map((d) => d.name)).toEqual(['llama']);
    expect(r.stderr).toBe('');
  });

  it('gives way to -o on the command line', async () => {
    await runCli(['config', 'set', 'output', 'json'], { env, homeDir: home });
    const r = await runCli(['-o', 'table', 'deploy', 'list'], { env, homeDir: home });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ID\s+NAME\s+STATUS/);
  });
});
