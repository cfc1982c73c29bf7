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

/** Starts `yotta sandbox` in-process; resolves once it printed its URL. */
async function serve(args: string[], env: Record<string, string> = {}) {
  const controller = new AbortController();
  const { ctx, stdout, stderr } = testContext({ signal: controller.signal, env: { YOTTA_SANDBOX_DELAY_MS: '0', ...env } });
  const running = main(['sandbox', '--state', join(tempDir(), 'sb.json'), ...args], ctx);
  await until(() => stdout.text.includes('API key'));
  const url = /base URL: (\S+)/.exec(stdout.text)![1]!;
  const stop = async (): Promise<number> => {
    controller.abort();
    return running;
  };
  return { url, stdout, stderr, stop };
}

/** The request-log lines of a stderr text. */
const logLines = (text: string) => text.split('\n').filter((l) => /^\d\d:\d\d:\d\d /.test(l));

describe('yotta sandbox request log', () => {
  it('logs each request it serves on stderr: method, path and query, HTTP status, envelope code, ms; never a key', async () => {
    const s = await serve([]);
    const key = { 'x-api-key': 'sandbox-0000-key' };
    await fetch(`${s.url}/openapi/v1/elastic/deploy/list?statusList=RUNNING`, { headers: key });
    await fetch(`${s.url}/openapi/v1/elastic/deploy/create`, { method: 'POST', headers: { ...key, 'content-type': 'application/json' }, body: '{}' });
    await fetch(`${s.url}/openapi/v1/elastic/deploy/list`, { headers: { 'x-api-key': 'sekrit-wrong-key-123' } });
    await fetch(`${s.url}/nowhere`, { headers: key });
    await until(() => logLines(s.stderr.text).length === 4);
    expect(await s.stop()).toBe(0);
    const lines = logLines(s.stderr.text).map((l) => l.slice(9));
    expect(lines[0]).toMatch(/^GET \/openapi\/v1\/elastic\/deploy\/list\?statusList=RUNNING 200 10000 \d+ms$/);
    expect(lines[1]).toMatch(/^POST \/openapi\/v1\/elastic\/deploy\/create 200 10001 \d+ms$/);
    expect(lines[2]).toMatch(/^GET \/openapi\/v1\/elastic\/deploy\/list 401 401 \d+ms$/);
    expect(lines[3]).toMatch(/^GET \/nowhere 404 404 \d+ms$/);
    expect(s.stderr.text).not.toContain('sekrit-wrong-key-123');
    expect(s.stdout.text).not.toMatch(/deploy\/list/);
  });

  it('logs injected faults too: an HTML page has no code, a dropped connection no status', async () => {
    const s = await serve([], { YOTTA_SANDBOX_FAULTS: '[{"kind":"html","times":1},{"kind":"reset-before","times":1}]' });
    await fetch(`${s.url}/openapi/v1/elastic/deploy/list`);
    await fetch(`${s.url}/openapi/v1/elastic/deploy/list`).catch(() => undefined);
    await until(() => logLines(s.stderr.text).length === 2);
    await s.stop();
    const lines = logLines(s.stderr.text).map((l) => l.slice(9));
    expect(lines[0]).toMatch(/^GET \/openapi\/v1\/elastic\/deploy\/list 502 - \d+ms$/);
    expect(lines[1]).toMatch(/^GET \/openapi\/v1\/elastic\/deploy\/list dropped - \d+ms$/);
  });

  it('leaves the log out with -q', async () => {
    const s = await serve(['-q']);
    const r = await fetch(`${s.url}/openapi/v1/elastic/deploy/list`, { headers: { 'x-api-key': 'sandbox-0000-key' } });
    expect(((await r.json()) as { code: number }).code).toBe(10000);
    await s.stop();
    expect(logLines(s.stderr.text)).toEqual([]);
  });
});

describe('yotta sandbox reset', () => {
  it('starts the --sandbox state over: the deployments made before are gone', async () => {
    const home = tempDir();
    const env = { YOTTA_SANDBOX_DELAY_MS: '0' };
    const flags = ['--image', 'nginx', '--region', 'us-east-1', '--gpu-type', 'NVIDIA_H100_80G', '--volume', '20', '--workers', '1', '--service-mode', 'custom', '--init-cmd', ''];
    expect((await runCli(['--sandbox', 'deploy', 'create', '--name', 'before', ...flags], { homeDir: home, env })).code).toBe(0);
    const statePath = join(home, '.config', 'yotta', 'sandbox-state.json');
    expect(existsSync(statePath)).toBe(true);

    const reset = await runCli(['sandbox', 'reset'], { homeDir: home, env });
    expect(reset.code).toBe(0);
    expect(reset.stdout).toBe('');
    expect(reset.stderr).toBe(`Sandbox reset: deleted ${statePath}.\n`);
    expect(existsSync(statePath)).toBe(false);

    const list = await runCli(['--sandbox', 'deploy', 'list', '--json'], { homeDir: home, env });
    expect(JSON.parse(list.stdout)).toEqual([]);
    // Again, with nothing left: still a success, and it says so.
    const again = await runCli(['sandbox', 'reset'], { homeDir: home, env });
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('nothing to delete');
  });

  it('resets a running `yotta sandbox` on the same --state file', async () => {
    const statePath = join(tempDir(), 'served.json');
    const controller = new AbortController();
    const { ctx, stdout } = testContext({ signal: controller.signal, env: { YOTTA_SANDBOX_DELAY_MS: '0' } });
    const running = main(['sandbox', '--state', statePath], ctx);
    await until(() => stdout.text.includes('API key'));
    const url = /base URL: (\S+)/.exec(stdout.text)![1]!;
    const headers = { 'x-api-key': 'sandbox-0000-key', 'content-type': 'application/json' };
    const body = { name: 'a', image: 'nginx', resources: [{ region: 'us-east-1', gpuType: 'NVIDIA_H100_80G', gpuCount: 1 }], containerVolumeInGb: 20, workers: 1, serviceMode: 'CUSTOM', initializationCommand: '' };
    await fetch(`${url}/openapi/v1/elastic/deploy/create`, { method: 'POST', headers, body: JSON.stringify(body) });
    const list = async () => ((await (await fetch(`${url}/openapi/v1/elastic/deploy/list`, { headers })).json()) as { data: unknown[] }).data;
    expect(await list()).toHaveLength(1);
    expect((await runCli(['sandbox', 'reset', '--state', statePath])).code).toBe(0);
    expect(await list()).toEqual([]);
    controller.abort();
    expect(await running).toBe(0);
  });

  it('names a state file it cannot delete, exit 2', async () => {
    const dir = tempDir();
    const r = await runCli(['sandbox', 'reset', '--state', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`cannot delete sandbox state file ${dir}`);
    expect(existsSync(dir)).toBe(true);
  });

  it('has help with a summary, its flag and examples', async () => {
    const r = await runCli(['sandbox', 'reset', '--help']);
    expect(r.code).toBe(0);
    for (const text of ['start the sandbox over', '--state <file>', 'Examples:', '$ yotta sandbox reset']) expect(r.stdout).toContain(text);
    const parent = await runCli(['sandbox', '--help']);
    expect(parent.stdout).toMatch(/reset .*start the sandbox over/);
  });
});
