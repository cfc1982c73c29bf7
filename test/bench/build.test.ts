/**
 * What the startup work in esbuild.config.mjs and bin/yotta.js must not change: the pre-rendered
 * root help is commander's own text; the trimmed undici still talks through an HTTP proxy; a lazy
 * `import()` of a CommonJS package (yaml) gets its named exports; the bundle leaves out undici's
 * experimental Milo parser and loads node:http2 only for an HTTP/2 connection.
 *
 * The CLI comes from the shared private build (test/helpers/built-cli.ts), so that other test files
 * rebuilding dist/ at the same time cannot interfere.
 */
import { execFile, spawn, spawnSync } from 'node:child_process';
import { cpSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox } from '../../src/sandbox/index.js';
import type { Sandbox } from '../../src/sandbox/index.js';
import { main } from '../../src/main.js';
import { tempDir, testContext } from '../helpers/cli.js';
import { buildCli } from '../helpers/built-cli.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);

let buildDir: string;

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the built `yotta` with stdout and stderr on pipes and only the given environment. */
function yotta(args: string[], env: Record<string, string> = {}): Promise<Result> {
  return new Promise((resolve, reject) => {
    const home = tempDir('yotta-build-test-');
    const child = spawn(process.execPath, [join(buildDir, 'bin', 'yotta.js'), ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: home, YOTTA_CONFIG_DIR: home, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

/** The root help as main() prints it in-process to a pipe (no columns known, so 80). */
async function commanderHelp(args: string[]): Promise<string> {
  const { ctx, stdout } = testContext();
  stdout.columns = undefined as unknown as number;
  const code = await main(args, ctx);
  expect(code).toBe(0);
  return stdout.text;
}

beforeAll(async () => {
  buildDir = await buildCli();
}, 180_000);

describe('the pre-rendered root help', () => {
  it('is the text commander prints to a pipe, for --help, -h and no arguments', async () => {
    const expected = await commanderHelp(['--help']);
    expect(expected).toMatch(/^Usage: yotta /);
    expect(readFileSync(join(buildDir, 'dist', 'help.txt'), 'utf8')).toBe(expected);
    for (const args of [['--help'], ['-h'], []]) {
      const r = await yotta(args);
      expect(r).toEqual({ code: 0, stdout: expected, stderr: '' });
    }
    expect(await commanderHelp([])).toBe(expected);
  });

  it('gives way to commander when the environment could change the text, with the same result here', async () => {
    // A copy of the build whose pre-rendered help carries a mark: the mark shows which path printed.
    const marked = tempDir('yotta-marked-build-');
    cpSync(buildDir, marked, { recursive: true, dereference: false, verbatimSymlinks: true });
    const helpFile = join(marked, 'dist', 'help.txt');
    writeFileSync(helpFile, readFileSync(helpFile, 'utf8') + 'PRE-RENDERED\n');
    const saved = buildDir;
    buildDir = marked;
    try {
      expect((await yotta(['--help'])).stdout).toMatch(/PRE-RENDERED\n$/);
      const expected = await commanderHelp(['--help']);
      for (const env of [{ COLUMNS: '100' }, { CLICOLOR_FORCE: '1' }, { FORCE_COLOR: '0' }] as Record<string, string>[]) {
        const r = await yotta(['--help'], env);
        expect(r.stdout, JSON.stringify(env)).not.toContain('PRE-RENDERED');
        expect(r, JSON.stringify(env)).toEqual({ code: 0, stdout: expected, stderr: '' });
      }
    } finally {
      buildDir = saved;
    }
  });

  it('ends quietly with exit 0 when the reader goes away, as --version does', async () => {
    for (const flag of ['--help', '--version']) {
      const { stdout, stderr } = await run('bash', ['-c', '"$0" "$1" "$2" | true; echo "${PIPESTATUS[0]}"', process.execPath, join(buildDir, 'bin', 'yotta.js'), flag]);
      expect({ flag, stdout, stderr }).toEqual({ flag, stdout: '0\n', stderr: '' });
    }
  });

  // util-linux `script` gives the CLI a real terminal (a pty) of a chosen width.
  const hasScript = spawnSync('script', ['--version'], { stdio: 'ignore' }).status === 0;

  /** `yotta <args>` on a pty `columns` wide; with COLUMNS in the environment, commander always prints the help. */
  async function onTerminal(cli: string, args: string[], columns: number, commander: boolean): Promise<string> {
    const command = `stty cols ${columns}; ${commander ? `COLUMNS=${columns} ` : ''}"$0" "$1" ${args.map((a) => `'${a}'`).join(' ')}`;
    const { stdout } = await run('script', ['-qefc', `bash -c '${command.replace(/'/g, "'\\''")}' ${process.execPath} ${cli}`, '/dev/null'], {
      env: { PATH: process.env.PATH ?? '', HOME: tempDir('yotta-tty-'), TERM: 'dumb' },
    });
    return stdout.replace(/\r\n/g, '\n');
  }

  it.runIf(hasScript)('is what commander prints to a terminal 80 columns wide, or as wide as its longest line or more', async () => {
    const cli = join(buildDir, 'bin', 'yotta.js');
    for (const columns of [80, 104, 105, 200]) {
      expect(await onTerminal(cli, ['--help'], columns, false), `${columns} columns`).toBe(await onTerminal(cli, ['--help'], columns, true));
    }
    expect(await onTerminal(cli, ['--help'], 200, false)).toBe(readFileSync(join(buildDir, 'dist', 'help-wide.txt'), 'utf8'));
  });

  it.runIf(hasScript)('is used on a terminal only at the widths it was rendered for', async () => {
    // A copy of the build whose pre-rendered texts say so: the output tells which path printed it.
    const copy = tempDir('yotta-help-copy-');
    cpSync(buildDir, copy, { recursive: true, dereference: false });
    writeFileSync(join(copy, 'dist', 'help.txt'), 'Usage: yotta (help.txt)\n');
    writeFileSync(join(copy, 'dist', 'help-wide.txt'), `Usage: yotta (help-wide.txt)${' '.repeat(90)}\n`);
    const cli = join(copy, 'bin', 'yotta.js');
    expect(await onTerminal(cli, ['--help'], 80, false)).toBe('Usage: yotta (help.txt)\n');
    expect(await onTerminal(cli, [], 150, false)).toBe(`Usage: yotta (help-wide.txt)${' '.repeat(90)}\n`);
    for (const columns of [79, 100, 117]) expect(await onTerminal(cli, ['--help'], columns, false), `${columns} columns`).toMatch(/^Usage: yotta \[options\] \[command\]\n/);
  });

  it('is not used for anything but the bare root help', async () => {
    const r = await yotta(['deploy', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: yotta deploy /);
  });
});

describe('the bundled HTTP client and lazy imports', () => {
  let sb: Sandbox | undefined;
  let proxy: Server | undefined;

  afterEach(async () => {
    await sb?.close();
    await new Promise<void>((done) => (proxy ? proxy.close(() => done()) : done()));
    sb = undefined;
    proxy = undefined;
  });

  async function seeded(): Promise<Sandbox> {
    const s = await startSandbox({ delays: { workerStartMs: 0, stopMs: 0, terminateMs: 0 } });
    const res = await fetch(`${s.url}/openapi/v1/elastic/deploy/create`, {
      method: 'POST',
      headers: { 'X-API-Key': s.apiKey, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        name: 'llama',
        image: 'vllm/vllm-openai:latest',
        resources: [{ region: 'us-east-1', gpuType: 'NVIDIA_H100_80G', gpuCount: 1 }],
        containerVolumeInGb: 100,
        workers: 1,
        serviceMode: 'CUSTOM',
        initializationCommand: 'vllm serve',
      }),
    });
    expect(((await res.json()) as { code: number }).code).toBe(10000);
    return s;
  }

  it('goes through an HTTPS proxy named by HTTPS_PROXY (the lazily loaded proxy agent)', async () => {
    // A loopback base URL never goes through a proxy (the key would cross it in clear text), so the
    // request is for a remote host: the proxy is asked for a CONNECT tunnel, and refuses it.
    const seen: string[] = [];
    proxy = createServer((_req, res) => res.writeHead(405).end());
    proxy.on('connect', (req: { url?: string }, socket: { end(text: string): void }) => {
      seen.push(`CONNECT ${req.url ?? ''}`);
      socket.end('HTTP/1.1 502 Bad Gateway\r\n\r\n');
    });
    await new Promise<void>((done) => proxy!.listen(0, '127.0.0.1', done));
    const port = (proxy.address() as { port: number }).port;
    const r = await yotta(['deploy', 'list', '--json'], {
      YOTTA_BASE_URL: 'https://api.example.invalid',
      YOTTA_API_KEY: 'yk-proxy-test-0000000000',
      HTTPS_PROXY: `http://127.0.0.1:${port}`,
    });
    expect(r.code, r.stderr).toBe(7);
    expect(seen[0]).toBe('CONNECT api.example.invalid:443');
  });

  it('never sends a loopback request through HTTP_PROXY', async () => {
    sb = await seeded();
    const seen: string[] = [];
    proxy = createServer((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      res.writeHead(502).end();
    });
    await new Promise<void>((done) => proxy!.listen(0, '127.0.0.1', done));
    const port = (proxy.address() as { port: number }).port;
    const r = await yotta(['deploy', 'list', '--json'], {
      YOTTA_BASE_URL: sb.url,
      YOTTA_API_KEY: sb.apiKey,
      HTTP_PROXY: `http://127.0.0.1:${port}`,
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { name: string }[]).map((d) => d.name)).toEqual(['llama']);
    expect(seen).toEqual([]);
  });

  it('prints -o yaml (yaml, a CommonJS package, imported lazily)', async () => {
    sb = await seeded();
    const r = await yotta(['deploy', 'list', '-o', 'yaml'], { YOTTA_BASE_URL: sb.url, YOTTA_API_KEY: sb.apiKey });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^- id: "\d{18}"\n {2}name: llama\n/);
  });

  it('loads only the Node built-ins a command uses: none that commander or an import merely names', async () => {
    sb = await seeded();
    const dir = tempDir('yotta-modules-');
    const preload = join(dir, 'loaded.cjs');
    const out = join(dir, 'loaded.txt');
    writeFileSync(preload, `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(out)}, process.moduleLoadList.join('\\n')));\n`);
    const r = await yotta(['deploy', 'list', '--json'], { YOTTA_BASE_URL: sb.url, YOTTA_API_KEY: sb.apiKey, NODE_OPTIONS: `--require ${preload}` });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const loaded = readFileSync(out, 'utf8').split('\n');
    expect(loaded).toContain('NativeModule net');
    // commander's node:child_process; node:util's parseArgs, diff and worker_threads (read by an
    // import's interop); node:fs/promises and the readline it brings (stdin read for isTTY); perf_hooks;
    // undici's node:assert (asserts that hold) and node:http (the server among it).
    for (const unused of ['child_process', 'worker_threads', 'internal/util/parse_args/parse_args', 'internal/util/diff', 'internal/readline/interface', 'perf_hooks', 'assert', 'http', '_http_server']) {
      expect(loaded, unused).not.toContain(`NativeModule ${unused}`);
    }
  });

  it('draws tables exactly as cli-table3 does unbundled (its width measures go through a cache in the bundle)', async () => {
    sb = await seeded();
    const env = { YOTTA_BASE_URL: sb.url, YOTTA_API_KEY: sb.apiKey };
    for (const args of [['deploy', 'list'], ['gpus']]) {
      const built = await yotta(args, env);
      expect(built.stderr).toBe('');
      expect(built.code).toBe(0);
      const { ctx, stdout } = testContext({ env });
      stdout.columns = undefined as unknown as number;
      expect(await main(args, ctx)).toBe(0);
      expect(built.stdout, args.join(' ')).toBe(stdout.text);
    }
  });

  it('leaves Milo out of the bundle and requires the HTTP/2 client only when a connection needs it', () => {
    const chunks = join(buildDir, 'dist', 'chunks');
    const undici = readdirSync(chunks).find((f) => /^undici-.*\.js$/.test(f));
    expect(undici).toBeDefined();
    const text = readFileSync(join(chunks, undici!), 'utf8');
    expect(text).not.toContain('node_modules/undici/lib/milo/');
    expect(text).toContain('connectH2Impl ??= require_client_h2()');
  });
});
