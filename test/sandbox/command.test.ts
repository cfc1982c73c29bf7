import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/main.js';
import { runCli, tempDir, testContext } from '../helpers/cli.js';

/** Waits until `cond` holds, polling every 10 ms (for up to 5 s). */
async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!cond()) throw new Error('timed out waiting');
}

describe('yotta sandbox', () => {
  it('serves in the foreground, prints the URL and key, and stops cleanly on Ctrl-C', async () => {
    const controller = new AbortController();
    const statePath = join(tempDir(), 'sb.json');
    const { ctx, stdout, stderr } = testContext({ signal: controller.signal, env: { YOTTA_SANDBOX_DELAY_MS: '0' } });
    const running = main(['sandbox', '--state', statePath], ctx);
    await until(() => stdout.text.includes('API key'));
    const url = /base URL: (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout.text)?.[1];
    expect(url).toBeDefined();
    expect(stdout.text).toContain('API key:  sandbox-0000-key');
    expect(stderr.text).toContain(`export YOTTA_BASE_URL=${url} YOTTA_API_KEY=sandbox-0000-key`);
    expect(stderr.text).toContain(statePath);

    const res = await fetch(`${url}/openapi/v1/elastic/deploy/create`, {
      method: 'POST',
      headers: { 'x-api-key': 'sandbox-0000-key', 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'cli',
        image: 'nginx',
        resources: [{ region: 'us-east-1', gpuType: 'NVIDIA_RTX_4090_24G', gpuCount: 1 }],
        containerVolumeInGb: 20,
        workers: 1,
        serviceMode: 'CUSTOM',
        initializationCommand: '',
      }),
    });
    const body = (await res.json()) as { code: number; data: { status: string } };
    expect(body.code).toBe(10000);
    expect(body.data.status).toBe('RUNNING'); // YOTTA_SANDBOX_DELAY_MS=0

    controller.abort();
    expect(await running).toBe(0);
    expect(stderr.text).toContain('Sandbox stopped.');
    await expect(fetch(`${url}/openapi/v1/elastic/deploy/list`)).rejects.toThrow();
    expect(JSON.parse(readFileSync(statePath, 'utf8')).deployments).toHaveLength(1);
  });

  it('keeps its state in the config folder by default, and takes --port and --delay', async () => {
    const controller = new AbortController();
    const home = tempDir();
    const { ctx, stdout } = testContext({ signal: controller.signal, homeDir: home, env: { YOTTA_SANDBOX_FAULTS: '[{"kind":"html"}]' } });
    const running = main(['sandbox', '--port', '0', '--delay', '0'], ctx);
    await until(() => stdout.text.includes('API key'));
    const url = /base URL: (\S+)/.exec(stdout.text)![1]!;
    // YOTTA_SANDBOX_FAULTS applies to the served sandbox.
    expect((await fetch(`${url}/openapi/v1/elastic/deploy/list`)).status).toBe(502);
    controller.abort();
    expect(await running).toBe(0);
    // testContext points YOTTA_CONFIG_DIR at <home>/.config/yotta; nothing changed, so no file yet.
    expect(existsSync(join(home, '.config', 'yotta', 'sandbox-state.json'))).toBe(false);
  });

  it('rejects a bad port or delay with a usage error', async () => {
    const port = await runCli(['sandbox', '--port', '70000']);
    expect(port.code).toBe(2);
    expect(port.stderr).toContain('--port: "70000" is not a port number');
    const delay = await runCli(['sandbox', '--delay', 'soon']);
    expect(delay.code).toBe(2);
    expect(delay.stderr).toContain('--delay');
  });

  it('reports a corrupt state file by name, exit 2', async () => {
    const statePath = join(tempDir(), 'bad.json');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(statePath, 'not json');
    const r = await runCli(['sandbox', '--state', statePath]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(statePath);
  });

  it('reports a port in use', async () => {
    const { createServer } = await import('node:net');
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    const r = await runCli(['sandbox', '--port', String(port)]);
    blocker.close();
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`port ${port} on 127.0.0.1 is already in use`);
  });

  it('has help with a summary, every flag and an example', async () => {
    const r = await runCli(['sandbox', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('serve a local emulator of the Yotta API');
    for (const flag of ['--port <n>', '--state <file>', '--delay <duration>', 'Examples:', 'SANDBOX_FAIL=1', 'YOTTA_SANDBOX_FAULTS']) {
      expect(r.stdout).toContain(flag);
    }
  });
});
