/**
 * End to end: `yotta deploy call` (the built CLI) against the emulator's ALB services, which it
 * serves on its own loopback listener; plus the transport's own rules (no redirect followed, the
 * key only to the deployment's domain, https or loopback only) against tiny servers of its own.
 */
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createServer } from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { buildCli, runBuiltCli, spawnCli, waitUntil } from '../helpers/built-cli.js';
import type { SpawnResult } from '../helpers/built-cli.js';
import { tempDir } from '../helpers/cli.js';
import { deploymentBody, startTestSandbox } from '../helpers/fixtures.js';
import type { TestSandbox } from '../helpers/fixtures.js';
import type { SandboxOptions } from '../../src/sandbox/index.js';
import { createDeployment, stopDeployment } from '../../src/api/deployments.js';
import type { ElasticDeploymentDetail } from '../../src/api/types.js';
import { callService, checkServiceUrl } from '../../src/api/service-call.js';
import { realSleep } from '../../src/context.js';

let build: string;
let configDir: string;
let t: TestSandbox;
let alb: ElasticDeploymentDetail;

beforeAll(async () => {
  build = await buildCli();
}, 180_000);

beforeEach(() => {
  configDir = tempDir('yotta-e2e-call-');
});

afterEach(async () => {
  await t?.close();
});

async function world(o: SandboxOptions = {}): Promise<void> {
  t = await startTestSandbox(o);
  alb = await createDeployment(t.client, deploymentBody('web', { serviceMode: 'ALB', workers: 1, expose: { port: 8000, protocol: 'HTTP' } }));
}

function yotta(args: string[], o: { stdin?: string; env?: Record<string, string> } = {}): Promise<SpawnResult> {
  return runBuiltCli(build, args, { configDir, env: { ...t.env, ...o.env }, ...(o.stdin !== undefined ? { stdin: o.stdin } : {}), killAfterMs: 30_000 });
}

const served = () => t.sb.requests.filter((r) => r.path.startsWith('/alb/'));

describe('yotta deploy call (built CLI)', () => {
  it("sends the request with the key as Bearer to the deployment's domain and prints the body exactly", async () => {
    await world();
    expect(alb.domain).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/alb\/[a-z0-9]{12}$/);
    const r = await yotta(['deploy', 'call', 'web', '/v1/echo?x=1', '-H', 'X-Trace: 7']);
    expect(r.code).toBe(0);
    const echo = JSON.parse(r.stdout) as { method: string; path: string; query: unknown; headers: Record<string, string> };
    expect(echo).toMatchObject({ method: 'GET', path: '/v1/echo', query: { x: ['1'] } });
    expect(echo.headers['x-trace']).toBe('7');
    expect(echo.headers.authorization).toBeUndefined();
    expect(served()).toHaveLength(1);
    expect(served()[0]!.headers.authorization).toBe(`Bearer ${t.sb.apiKey}`);
    // The body is exactly what the service sent: no added newline.
    expect(r.stdout.endsWith('}')).toBe(true);
  }, 30_000);

  it('POSTs -d (text, @file, @-) as it is, with a JSON content type when it is JSON', async () => {
    await world();
    const body = '{"model":"m","messages":[{"role":"user","content":"Hi"}]}';
    const r = await yotta(['deploy', 'call', 'web', '/v1/chat/completions', '-d', '@-'], { stdin: body });
    expect(r.code).toBe(0);
    const completion = JSON.parse(r.stdout) as { choices: { message: { content: string } }[] };
    expect(completion.choices[0]!.message.content).toBe('Hello from the Yotta sandbox. You said: Hi');
    expect(served()[0]!.body).toEqual(JSON.parse(body));
    expect(served()[0]!.headers['content-type']).toBe('application/json');
    const file = join(configDir, 'request.json');
    writeFileSync(file, '{"messages": [{"role": "user", "content": "From a file"}]}');
    const fromFile = await yotta(['deploy', 'call', 'web', '/v1/chat/completions', '-d', `@${file}`]);
    expect(fromFile.code).toBe(0);
    expect(fromFile.stdout).toContain('You said: From a file');
    const put = await yotta(['deploy', 'call', 'web', '/raw', '-X', 'put', '-d', 'plain text']);
    expect(put.code).toBe(0);
    expect(JSON.parse(put.stdout)).toMatchObject({ method: 'PUT', body: 'plain text', headers: { 'content-type': 'application/octet-stream' } });
  }, 30_000);

  it('streams a chat completion: the first chunk is out while the service is still sending', async () => {
    await world({ streamChunkMs: 400 });
    const body = JSON.stringify({ model: 'm', stream: true, messages: [{ role: 'user', content: 'Hi' }] });
    const run = spawnCli(build, ['deploy', 'call', 'web', '/v1/chat/completions', '-d', body], { configDir, env: t.env, killAfterMs: 30_000 });
    await waitUntil(() => run.stdoutSoFar().includes('"content":"Hello"'), 20_000, 'the first chunk');
    // Still running, with the end of the stream not yet written.
    expect(run.child.exitCode).toBeNull();
    expect(run.stdoutSoFar()).not.toContain('[DONE]');
    const r = await run.result;
    expect(r.code).toBe(0);
    const chunks = r.stdout.split('\n\n').filter(Boolean);
    expect(chunks.at(-1)).toBe('data: [DONE]');
    const text = chunks
      .slice(0, -1)
      .map((c) => (JSON.parse(c.replace(/^data: /, '')) as { choices: { delta: { content: string } }[] }).choices[0]!.delta.content)
      .join('');
    expect(text).toBe('Hello from the Yotta sandbox. You said: Hi');
  }, 30_000);

  it('a non-2xx answer: its body on stdout, exit 1 with the status on stderr; --include prints the head', async () => {
    await world();
    const r = await yotta(['deploy', 'call', 'web', '/v1/chat/completions', '-d', '{"messages": 1}', '--include']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^HTTP\/1\.1 400\r\ncontent-type: application\/json\r\n/);
    expect(r.stdout).toContain('messages is required');
    expect(r.stderr).toContain(`POST ${new URL(alb.domain!).origin}${new URL(alb.domain!).pathname}/v1/chat/completions: HTTP 400`);
  }, 30_000);

  it('refuses a deployment that is not RUNNING (exit 5, with its status) or not ALB (exit 2), sending nothing to a service', async () => {
    await world();
    await stopDeployment(t.client, alb.id);
    const stopped = await yotta(['deploy', 'call', 'web', '/']);
    expect(stopped.code).toBe(5);
    expect(stopped.stderr).toContain('deployment web is STOPPED; only a RUNNING deployment answers calls');
    await createDeployment(t.client, deploymentBody('q', { serviceMode: 'QUEUE' }));
    const queue = await yotta(['deploy', 'call', 'q', '/']);
    expect(queue.code).toBe(2);
    expect(queue.stderr).toContain('only ALB deployments have a domain to call');
    expect(served()).toHaveLength(0);
  }, 30_000);

  it('refuses paths that would leave the domain, and headers yotta sets itself, before anything is sent', async () => {
    await world();
    const before = t.sb.requests.length;
    for (const [args, message] of [
      [['deploy', 'call', 'web', '//evil.example/x'], 'is not a path on the service'],
      [['deploy', 'call', 'web', 'v1/x'], 'is not a path on the service'],
      [['deploy', 'call', 'web', '/x', '-H', 'Authorization: Bearer other'], '-H Authorization: yotta sets this header itself'],
      [['deploy', 'call', 'web', '/x', '-X', 'BREW'], '-X: "BREW" is not an HTTP method'],
      [['deploy', 'call', 'web', '/x', '-X', 'GET', '-d', '{}'], '-d sends a body, which -X GET does not take'],
    ] as [string[], string][]) {
      const r = await yotta(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toContain(message);
    }
    expect(t.sb.requests).toHaveLength(before);
  }, 30_000);

  it('--print-curl prints the command with $YOTTA_API_KEY, never the key, and sends nothing to the service', async () => {
    await world();
    const r = await yotta(['deploy', 'call', 'web', '/v1/chat/completions', '-d', '{"a": "it\'s"}', '--print-curl']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`curl -sS -N ${alb.domain}/v1/chat/completions -H "Authorization: Bearer $YOTTA_API_KEY"`);
    expect(r.stdout).toContain(`--data-binary '{"a": "it'\\''s"}'`);
    expect(r.stdout + r.stderr).not.toContain(t.sb.apiKey);
    expect(served()).toHaveLength(0);
    // A key from the profile, not the variable: the curl line needs the variable set, and says so.
    const login = await yotta(['auth', 'login', '--with-token'], { stdin: `${t.sb.apiKey}\n`, env: { YOTTA_API_KEY: '' } });
    expect(login.code).toBe(0);
    const fromProfile = await yotta(['deploy', 'call', 'web', '/', '--print-curl'], { env: { YOTTA_API_KEY: '' } });
    expect(fromProfile.code).toBe(0);
    expect(fromProfile.stderr).toMatch(/the key in use comes from profile "default" in .*, not YOTTA_API_KEY/);
    expect(fromProfile.stdout + fromProfile.stderr).not.toContain(t.sb.apiKey);
  }, 30_000);

  it('--debug traces the call with the key masked', async () => {
    await world();
    const r = await yotta(['--debug', 'deploy', 'call', 'web', '/x']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('call:   > Authorization: Bearer ***');
    expect(r.stderr).not.toContain(t.sb.apiKey);
  }, 30_000);

  it('works with --sandbox: the in-process emulator serves the domain it hands out', async () => {
    t = await startTestSandbox();
    const env = { YOTTA_SANDBOX_DELAY_MS: '0' };
    const spec = `name: chat\nimage: vllm/vllm-openai:latest\nresources:\n  - region: us-east-1\n    gpuType: NVIDIA_H100_80G\n    gpuCount: 1\ncontainerVolumeInGb: 100\nworkers: 1\nserviceMode: ALB\ninitializationCommand: serve\nexpose:\n  port: 8000\n  protocol: HTTP\n`;
    const created = await runBuiltCli(build, ['--sandbox', 'deploy', 'create', '-f', '-', '--wait'], { configDir, env, stdin: spec });
    expect(created.code).toBe(0);
    const r = await runBuiltCli(build, ['--sandbox', 'deploy', 'call', 'chat', '/v1/chat/completions', '-d', '{"messages":[{"role":"user","content":"Yo"}]}'], { configDir, env });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('You said: Yo');
  }, 30_000);
});

describe('the deploy call transport', () => {
  it('takes https domains, and http only on loopback; the path must stay under the domain', () => {
    expect(checkServiceUrl('https://abc.yottadeos.com', '/v1/x?y=1').href).toBe('https://abc.yottadeos.com/v1/x?y=1');
    expect(checkServiceUrl('http://127.0.0.1:9/alb/abc', '/v1/x').href).toBe('http://127.0.0.1:9/alb/abc/v1/x');
    expect(() => checkServiceUrl('http://abc.yottadeos.com', '/')).toThrow(/not https; the API key would cross the network in clear text/);
    expect(() => checkServiceUrl('https://abc.yottadeos.com', '//evil.example/')).toThrow(/not a path on the service/);
    expect(() => checkServiceUrl('http://127.0.0.1:9/alb/abc', '/../other/x')).toThrow(/leads outside the deployment's domain/);
  });

  it('never follows a redirect: the key does not travel to the Location', async () => {
    const seen: string[] = [];
    const server = createServer((req, res) => {
      seen.push(`${req.method} ${req.url} ${req.headers.authorization ?? ''}`);
      res.writeHead(302, { location: 'http://127.0.0.2:1/steal' });
      res.end('moved');
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const { port } = server.address() as AddressInfo;
    try {
      const chunks: Buffer[] = [];
      const status = await callService({
        url: new URL(`http://127.0.0.1:${port}/x`),
        method: 'GET',
        headers: { Authorization: 'Bearer k' },
        idleTimeoutMs: 5000,
        signal: new AbortController().signal,
        env: {},
        sleep: realSleep,
        onHead: () => undefined,
        onChunk: (c) => void chunks.push(Buffer.from(c)),
      });
      expect(status).toBe(302);
      expect(Buffer.concat(chunks).toString()).toBe('moved');
      expect(seen).toEqual(['GET /x Bearer k']);
    } finally {
      server.closeAllConnections();
      await new Promise((done) => server.close(done));
    }
  });

  it('a body cut off mid-stream is a network error naming how much came (exit 7), not a retry', async () => {
    let hits = 0;
    const server = createServer((_req, res) => {
      hits += 1;
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('partial');
      setTimeout(() => res.socket?.destroy(), 50);
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const { port } = server.address() as AddressInfo;
    try {
      const got: string[] = [];
      const call = callService({
        url: new URL(`http://127.0.0.1:${port}/s`),
        method: 'POST',
        headers: {},
        body: Buffer.from('x'),
        idleTimeoutMs: 5000,
        signal: new AbortController().signal,
        env: {},
        sleep: realSleep,
        onHead: () => undefined,
        onChunk: (c) => void got.push(Buffer.from(c).toString()),
      });
      await expect(call).rejects.toMatchObject({ exitCode: 7, message: expect.stringContaining('the answer was cut off after 7 bytes') });
      expect(got.join('')).toBe('partial');
      expect(hits).toBe(1);
    } finally {
      server.closeAllConnections();
      await new Promise((done) => server.close(done));
    }
  });
});
