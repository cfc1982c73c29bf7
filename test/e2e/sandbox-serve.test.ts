/**
 * End to end: `yotta sandbox` served by the built CLI in its own process, driven as a user's script
 * would drive it (Yotta's SDK's own create request), with its request log on the real stderr, the
 * state shared with `yotta --sandbox`, `yotta sandbox reset`, and a real SIGTERM to stop it.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { buildCli, spawnCli } from '../helpers/built-cli.js';
import { tempDir } from '../helpers/cli.js';

let build: string;
beforeAll(async () => {
  build = await buildCli();
}, 180_000);

/** Waits until `cond` holds, polling every 20 ms (for up to 10 s). */
async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 20));
  if (!cond()) throw new Error('timed out waiting');
}

describe('yotta sandbox, served by the built CLI', () => {
  it("accepts the SDK's create example, logs it on stderr, shares its state with --sandbox, resets, and stops on SIGTERM", async () => {
    const configDir = tempDir('yotta-e2e-serve-');
    const served = spawnCli(build, ['sandbox', '--delay', '0'], { configDir, stdin: null, killAfterMs: 30_000 });
    await until(() => served.stdoutSoFar().includes('API key'));
    const url = /base URL: (\S+)/.exec(served.stdoutSoFar())![1]!;

    const res = await fetch(`${url}/openapi/v1/elastic/deploy/create`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Api-Key': 'sandbox-0000-key' },
      body:
        '{"name": "Llama-3.2-3B", "image": "vllm/vllm-openai:latest", "resources": [{"region": "us-west-1", "gpuType": "NVIDIA_L4_24G", "gpuCount": 1}], ' +
        '"workers": 1, "serviceMode": "ALB", "credentialId": 361530338086227968, "containerVolumeInGb": 20, ' +
        '"initializationCommand": "vllm serve", "expose": {"port": 8000, "protocol": "http"}}',
    });
    const created = (await res.json()) as { code: number; data: { id: string } };
    expect(created.code).toBe(10000);
    await until(() => served.stderrSoFar().includes('POST /openapi/v1/elastic/deploy/create'));
    expect(served.stderrSoFar()).toMatch(/^\d\d:\d\d:\d\d POST \/openapi\/v1\/elastic\/deploy\/create 200 10000 \d+ms$/m);

    // The served sandbox wrote the default state file, which `yotta --sandbox` reads.
    const got = await spawnCli(build, ['--sandbox', 'deploy', 'get', created.data.id, '--json'], { configDir }).result;
    expect(got.code).toBe(0);
    expect(JSON.parse(got.stdout)).toMatchObject({ id: created.data.id, credentialId: '361530338086227968', expose: { port: 8000, protocol: 'HTTP' } });

    const reset = await spawnCli(build, ['sandbox', 'reset'], { configDir }).result;
    expect(reset.code).toBe(0);
    expect(reset.stderr).toContain('Sandbox reset: deleted');
    const list = await fetch(`${url}/openapi/v1/elastic/deploy/list`, { headers: { 'X-Api-Key': 'sandbox-0000-key' } });
    expect(((await list.json()) as { data: unknown[] }).data).toEqual([]);

    served.child.kill('SIGTERM');
    const done = await served.result;
    expect(done.signal).toBeNull();
    // SIGTERM exits 143 everywhere (issue 12); Ctrl-C is the way that ends the foreground sandbox with 0.
    expect(done.code).toBe(143);
    expect(done.stderr).toContain('Sandbox stopped.');
    expect(done.stderr).not.toMatch(/\n\s+at /); // no stack trace
  }, 60_000);
});
