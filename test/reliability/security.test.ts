/**
 * Security: HTTPS for every non-loopback base URL (from any source) with nothing sent otherwise; TLS
 * verification never turned off; the API key never in argv, output, errors, --debug traces, crash
 * reports or files other than config.json (in-process and built-CLI matrices with a distinctive
 * key); spec interpolation reading only the variables a file names, and never running a shell.
 */
import { execFileSync } from 'node:child_process';
import { createServer as createHttpsServer } from 'node:https';
import type { Server } from 'node:https';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox } from '../../src/sandbox/index.js';
import type { Sandbox } from '../../src/sandbox/index.js';
import { buildProgram, main, reportError } from '../../src/main.js';
import type { Command } from 'commander';
import { runCli, tempDir, testContext } from '../helpers/cli.js';
import { ROOT, buildCli, runBuiltCli } from '../helpers/built-cli.js';
import { startProxy, startRawServer } from '../api/raw-server.js';
import { NO_DELAYS, VALID_SPEC, expectNoCrash, seed } from './fixtures.js';
import { Counts } from './report.js';

const counts = new Counts('security', 7, 'Security');

/**
 * A key no other text contains, so that any 8 characters of it found anywhere are a leak. Every
 * 8-character window holds a letter beyond f, so a random hex request id or UUID can never match
 * by chance (an all-hex tail once did).
 */
const KEY = 'yk-LEAKCHECK-5f2cX9a7eK1b3dQ4c6eZ8a0b';
const HF_TOKEN = 'hf_SECRETVALUE_93b1Xc7d2Ye4f6Za8';

/** Fails if `text` holds any 8 consecutive characters of `secret` (masks show 4 at most). */
function expectNoFragment(text: string, secret: string, where: string): void {
  for (let i = 0; i + 8 <= secret.length; i++) {
    const piece = secret.slice(i, i + 8);
    if (text.includes(piece)) expect.fail(`${where} contains "${piece}" of a secret:\n${text.slice(Math.max(0, text.indexOf(piece) - 200), text.indexOf(piece) + 200)}`);
  }
}

let sb: Sandbox;
let ids: { running: string; stopped: string; gone: string };
let buildDir: string;

beforeAll(async () => {
  sb = await startSandbox({ apiKey: KEY, delays: NO_DELAYS });
  const [running] = await seed(sb, ['sec-a']);
  const [stopped, gone] = await seed(sb, ['sec-b', 'sec-c'], { stopped: true });
  ids = { running: running!.id, stopped: stopped!.id, gone: gone!.id };
  buildDir = await buildCli();
}, 180_000);

afterAll(async () => {
  await sb.close();
  counts.save();
});

// ---------------------------------------------------------------- HTTPS

describe('HTTPS is required for every non-loopback base URL, wherever it comes from; nothing is sent', () => {
  let proxy: Awaited<ReturnType<typeof startProxy>>;
  beforeAll(async () => {
    proxy = await startProxy();
  });
  afterAll(() => proxy.close());

  const BAD = [
    'http://example.com',
    'HTTP://API.YOTTALABS.AI',
    'http://example.com:443',
    'http://localhost.example.com',
    'http://127.0.0.1.nip.io',
    'http://10.0.0.1',
    'http://0.0.0.0',
    'http://[::ffff:7f00:1]',
    'ftp://api.yottalabs.ai',
    'file:///etc/passwd',
    'javascript:alert(1)',
    'https://user:pass@api.yottalabs.ai',
  ];
  type Run = (url: string, args: string[], stdin?: string) => Promise<{ code: number; stdout: string; stderr: string }>;
  const SOURCES: { name: string; run: Run }[] = [
    {
      name: '--base-url',
      run: (url, args, stdin) => runCli(['--base-url', url, ...args], { stdin, env: { YOTTA_API_KEY: KEY, HTTP_PROXY: proxy.url, HTTPS_PROXY: proxy.url } }),
    },
    {
      name: 'YOTTA_BASE_URL',
      run: (url, args, stdin) => runCli(args, { stdin, env: { YOTTA_BASE_URL: url, YOTTA_API_KEY: KEY, HTTP_PROXY: proxy.url, HTTPS_PROXY: proxy.url } }),
    },
    {
      name: 'the profile in config.json',
      run: (url, args, stdin) => {
        const home = tempDir('yotta-rel-sec-home-');
        mkdirSync(join(home, '.config', 'yotta'), { recursive: true });
        writeFileSync(join(home, '.config', 'yotta', 'config.json'), JSON.stringify({ profiles: { default: { 'base-url': url, 'api-key': KEY } } }));
        return runCli(args, { stdin, homeDir: home, env: { HTTP_PROXY: proxy.url, HTTPS_PROXY: proxy.url } });
      },
    },
    {
      name: "the official CLI's ~/.yotta/config",
      run: (url, args, stdin) => {
        const home = tempDir('yotta-rel-sec-home-');
        mkdirSync(join(home, '.yotta'), { recursive: true });
        writeFileSync(join(home, '.yotta', 'config'), `[default]\napi_key = ${KEY}\nbase_url = ${url}\n`);
        return runCli(args, { stdin, homeDir: home, env: { HTTP_PROXY: proxy.url, HTTPS_PROXY: proxy.url } });
      },
    },
  ];
  const COMMANDS = [['deploy', 'list'], ['deploy', 'delete', '378888638324150969', '--yes'], ['auth', 'login', '--with-token']];

  it.each(SOURCES.flatMap((s) => BAD.map((url) => ({ source: s.name, url }))))('$url from $source → exit 2, nothing sent', async ({ source, url }) => {
    const s = SOURCES.find((x) => x.name === source)!;
    for (const args of COMMANDS) {
      const r = await s.run(url, args, args[0] === 'auth' ? `${KEY}\n` : undefined);
      counts.add('HTTPS', 'non-loopback http://, other schemes, credentials in the URL × 4 sources × 3 commands: exit 2, nothing sent');
      expectNoCrash(r, `${url} ${args.join(' ')}`);
      expect(r.code, `${source} ${url} ${args.join(' ')}\n${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(/base URL/);
      expectNoFragment(r.stdout + r.stderr, KEY, 'output');
    }
    expect(proxy.carried).toEqual([]);
  });

  it('`config set base-url http://…` is refused too, and the file is left alone', async () => {
    const r = await runCli(['config', 'set', 'base-url', 'http://example.com']);
    counts.add('HTTPS', '`config set base-url http://example.com` refused');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/not HTTPS/);
  });

  it('plain http is accepted on loopback (the emulator)', async () => {
    for (const host of ['127.0.0.1', 'localhost']) {
      const r = await runCli(['deploy', 'list', '--json'], { env: { YOTTA_BASE_URL: sb.url.replace('127.0.0.1', host), YOTTA_API_KEY: KEY } });
      counts.add('HTTPS', 'http:// on 127.0.0.1 and localhost accepted');
      expect(r.code, r.stderr).toBe(0);
    }
  });
});

// ---------------------------------------------------------------- TLS

describe('TLS verification is never turned off', () => {
  const SOURCES = join(ROOT, 'src');
  const files = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));

  it.each([
    ['rejectUnauthorized', /rejectUnauthorized/],
    ['NODE_TLS_REJECT_UNAUTHORIZED', /NODE_TLS_REJECT_UNAUTHORIZED/],
    ['checkServerIdentity', /checkServerIdentity/],
    ['an --insecure flag', /['"`]--insecure|['"`]-k['"`,]/],
    ['a custom CA option', /\bca\s*:/],
  ])('no %s anywhere in src/ or the launcher', (_what, pattern) => {
    counts.add('TLS', 'src/ and bin/ grepped for rejectUnauthorized, NODE_TLS_REJECT_UNAUTHORIZED, checkServerIdentity, --insecure, ca:');
    for (const f of [...files(SOURCES), join(ROOT, 'bin', 'yotta.js')]) {
      expect(readFileSync(f, 'utf8'), relative(ROOT, f)).not.toMatch(pattern);
    }
  });

  // The self-signed certificate is made with openssl; without it that one case cannot run.
  const openssl = (() => {
    try {
      execFileSync('openssl', ['version'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();

  it.skipIf(!openssl)('a self-signed certificate is refused (exit 7, TLS named, hint NODE_EXTRA_CA_CERTS): the key never crosses', async () => {
    const dir = tempDir('yotta-rel-tls-');
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
      '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
    ], { stdio: 'ignore' });
    const requests: string[] = [];
    const server: Server = createHttpsServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) }, (req, res) => {
      requests.push(`${req.method} ${req.url} ${String(req.headers['x-api-key'])}`);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"code":10000,"message":"ok","data":[]}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const refused = await runBuiltCli(buildDir, ['deploy', 'list', '--debug'], { configDir: dir, env: { YOTTA_BASE_URL: url, YOTTA_API_KEY: KEY } });
      counts.add('TLS', 'self-signed certificate: refused (exit 7); trusted through NODE_EXTRA_CA_CERTS only');
      expectNoCrash(refused, '', { debug: true });
      expect(refused.code, refused.stderr).toBe(7);
      expect(refused.stderr).toMatch(/TLS failure talking to 127\.0\.0\.1:\d+/);
      expect(refused.stderr).toMatch(/NODE_EXTRA_CA_CERTS/);
      expect(requests).toEqual([]);
      expectNoFragment(refused.stdout + refused.stderr, KEY, 'TLS failure output');
      // The supported way to trust a private CA works, with verification still on.
      const trusted = await runBuiltCli(buildDir, ['deploy', 'list', '--json'], {
        configDir: dir,
        env: { YOTTA_BASE_URL: url, YOTTA_API_KEY: KEY, NODE_EXTRA_CA_CERTS: join(dir, 'cert.pem') },
      });
      counts.add('TLS', 'self-signed certificate: refused (exit 7); trusted through NODE_EXTRA_CA_CERTS only');
      expect(trusted.code, trusted.stderr).toBe(0);
      expect(requests).toEqual([`GET /openapi/v1/elastic/deploy/list ${KEY}`]);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }, 30_000);
});

// ---------------------------------------------------------------- the key

/** Every option of every command, with its flags. */
function allOptions(cmd: Command, path = 'yotta'): { command: string; flags: string; name: string; takesValue: boolean }[] {
  const here = cmd.options.map((o) => ({ command: path, flags: o.flags, name: o.long ?? o.short ?? '', takesValue: o.required || o.optional }));
  return [...here, ...cmd.commands.flatMap((c) => allOptions(c, `${path} ${c.name()}`))];
}

describe('the API key never appears in argv, output, errors, --debug traces, crash reports or files', () => {
  it('no option of any command takes a key, token or secret as its value', async () => {
    const options = allOptions(await buildProgram(testContext().ctx));
    counts.add('Key', 'no option of any command takes a key, token or secret (every option of every command checked)', options.length);
    expect(options.length).toBeGreaterThan(30);
    // By name: `--env <KEY=VALUE>` takes environment variables, `--credential`/`--credential-id` a registry credential's name or id,
    // and a `...-file` option (`--webhook-key-file`) the path of a file holding the secret, not the secret.
    const offending = options.filter((o) => o.takesValue && /key|token|secret|password|credential(?!(-id)?$)/i.test(o.name) && !/-file$/.test(o.name));
    expect(offending).toEqual([]);
  });

  /** Commands run with the key in YOTTA_API_KEY and --debug; `{id}` is replaced per deployment. */
  const MATRIX: { args: string[]; stdin?: string; env?: Record<string, string>; fault?: boolean }[] = [
    { args: ['deploy', 'list'] },
    { args: ['deploy', 'list', '--json'] },
    { args: ['deploy', 'list', '-o', 'yaml'] },
    { args: ['deploy', 'list', '-o', 'wide'] },
    { args: ['deploy', 'get', 'sec-a'] },
    { args: ['deploy', 'get', '{running}', '--json', '--show-env'] },
    { args: ['deploy', 'get', '{running}', '-o', 'yaml'] },
    { args: ['deploy', 'workers', 'sec-a'] },
    { args: ['deploy', 'workers', 'sec-a', '--json'] },
    { args: ['deploy', 'create', '-f', 'spec.yaml'], env: { HF_TOKEN } },
    { args: ['deploy', 'create', '-f', 'spec.yaml', '--json'], env: { HF_TOKEN } },
    { args: ['deploy', 'update', '{stopped}', '--env', `HF_TOKEN=${HF_TOKEN}`] },
    { args: ['deploy', 'scale', '{running}', '2'] },
    { args: ['deploy', 'stop', '{running}', '--json'] },
    { args: ['deploy', 'start', '{stopped}'] },
    { args: ['deploy', 'delete', '{gone}', '--yes'] },
    { args: ['deploy', 'wait', 'sec-a', '--timeout', '5s'] },
    { args: ['deploy', 'get', '999999999999999999'] },
    { args: ['deploy', 'get', 'no-such-name'] },
    { args: ['deploy', 'scale', 'sec-a', 'two'] },
    { args: ['deploy', 'create', '-f', 'spec.yaml'], fault: true },
    { args: ['deploy', 'list'], fault: true },
    { args: ['deploy', 'list', '--json'], fault: true },
    { args: ['auth', 'status'] },
    { args: ['auth', 'status', '--json'] },
    { args: ['config', 'list', '--all'] },
    { args: ['config', 'list', '--all', '--json'] },
    { args: ['config', 'get', 'base-url'] },
    { args: ['nonsense-command'] },
  ];

  const expand = (args: string[]): string[] => args.map((a) => a.replace('{running}', ids.running).replace('{stopped}', ids.stopped).replace('{gone}', ids.gone));

  it.each(MATRIX)('in-process: yotta --debug $args', async ({ args, stdin, env, fault }) => {
    const cwd = tempDir('yotta-rel-sec-');
    writeFileSync(join(cwd, 'spec.yaml'), `${VALID_SPEC}environmentVars:\n  HF_TOKEN: \${HF_TOKEN:-none}\n`);
    if (fault) sb.addFault({ kind: 'reset-after' });
    const r = await runCli(['--debug', ...expand(args)], { cwd, stdin, env: { YOTTA_BASE_URL: sb.url, YOTTA_API_KEY: KEY, ...env } });
    sb.clearFaults();
    counts.add('Key', 'in-process matrix with --debug (reads, writes, errors, faults, auth, config)');
    expectNoFragment(r.stdout + r.stderr, KEY, `yotta --debug ${args.join(' ')}`);
    // A secret-looking env value is masked in traces and errors (stdout may carry it: get --show-env, --json).
    expectNoFragment(r.stderr, HF_TOKEN, `stderr of yotta --debug ${args.join(' ')}`);
    expectNoCrash(r, args.join(' '), { debug: true });
  });

  it('a server that echoes the key in its error message, an HTML page and a trace body: masked everywhere', async () => {
    const server = await startRawServer((req, res) => {
      const key = String(req.headers['x-api-key']);
      if (req.url?.includes('/list')) {
        res.writeHead(502, { 'content-type': 'text/html' });
        res.end(`<html><body>Bad gateway for key ${key}</body></html>`);
      } else {
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ code: 10001, message: `parameter error: key ${key} is not allowed here`, data: { echo: key } }));
      }
    });
    try {
      for (const args of [['deploy', 'list'], ['deploy', 'list', '--json'], ['deploy', 'get', ids.running], ['deploy', 'stop', ids.running, '--json']]) {
        const r = await runCli(['--debug', ...args], { env: { YOTTA_BASE_URL: server.url, YOTTA_API_KEY: KEY } });
        counts.add('Key', 'a server echoing the key (error message, HTML page, response body) × 4 commands, --debug');
        expectNoCrash(r, args.join(' '), { debug: true });
        expect(r.code).not.toBe(0);
        expectNoFragment(r.stdout + r.stderr, KEY, args.join(' '));
      }
    } finally {
      await server.close();
    }
  });

  it('a crash report (an unexpected error quoting the key, under --debug) does not show it', () => {
    const { ctx, stderr } = testContext({ env: { YOTTA_API_KEY: KEY } });
    const err = new TypeError(`Invalid header value for X-API-Key: ${KEY}`);
    for (const g of [{ debug: true, color: true, input: true }, { debug: true, json: true, output: 'json' as const, color: true, input: true }]) {
      const code = reportError(err, ctx, g);
      counts.add('Key', 'crash report (unexpected error quoting the key) in text and JSON, --debug');
      expect(code).toBe(1);
    }
    expect(stderr.text).toMatch(/unexpected error/);
    expectNoFragment(stderr.text, KEY, 'crash report');
  });

  it('built CLI: key from the environment, then from the profile; every stream, the config folder (but config.json) and new temp files', async () => {
    const before = new Set(readdirSync(tmpdir()));
    const started = Date.now();
    const configDir = tempDir('yotta-rel-sec-built-');
    writeFileSync(join(configDir, 'spec.yaml'), `${VALID_SPEC.replace('rel-llama', 'sec-built')}environmentVars:\n  HF_TOKEN: \${HF_TOKEN}\n`);
    const outputs: { stdout: string; stderr: string }[] = [];
    const run = async (args: string[], env: Record<string, string>, stdin?: string) => {
      const r = await runBuiltCli(buildDir, ['--debug', ...args], { configDir, cwd: configDir, env: { YOTTA_BASE_URL: sb.url, HF_TOKEN, ...env }, stdin });
      counts.add('Key', 'built CLI with --debug: key from the environment, then from the stored profile');
      expectNoCrash(r, args.join(' '), { debug: true });
      outputs.push({ stdout: r.stdout, stderr: r.stderr });
      return r;
    };
    const withEnv = { YOTTA_API_KEY: KEY };
    await run(['deploy', 'list', '--json'], withEnv);
    await run(['deploy', 'create', '-f', 'spec.yaml'], withEnv);
    await run(['deploy', 'get', 'sec-built', '-o', 'yaml'], withEnv);
    await run(['__complete', 'deployments'], withEnv);
    expect((await run(['auth', 'login', '--with-token'], {}, `${KEY}\n`)).code).toBe(0);
    // From here on the key comes from the profile only.
    for (const args of [['auth', 'status'], ['deploy', 'list'], ['deploy', 'scale', 'sec-built', '3'], ['deploy', 'get', '999999999999999999'], ['config', 'list', '--all', '--json']]) {
      await run(args, {});
    }
    expect(JSON.parse(readFileSync(join(configDir, 'config.json'), 'utf8')).profiles.default['api-key']).toBe(KEY);

    for (const o of outputs) {
      expectNoFragment(o.stdout + o.stderr, KEY, 'a stream');
      // JSON and YAML on stdout carry environment values as the API sent them; traces and errors never do.
      expectNoFragment(o.stderr, HF_TOKEN, 'stderr');
    }
    const filesUnder = (dir: string, depth = 0): string[] => {
      if (depth > 4) return [];
      let entries;
      try {
        entries = readdirSync(dir, { withFileTypes: true });
      } catch {
        return [];
      }
      return entries.flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name), depth + 1) : e.isFile() ? [join(dir, e.name)] : []));
    };
    const configFiles = filesUnder(configDir).filter((f) => f !== join(configDir, 'config.json'));
    expect(configFiles.length).toBeGreaterThan(0);
    const newTemp = readdirSync(tmpdir())
      .filter((n) => !before.has(n) && !n.startsWith('yotta-built-') && !n.startsWith('yotta-building-'))
      .map((n) => join(tmpdir(), n))
      .filter((p) => existsSync(p) && statSync(p).mtimeMs >= started - 1000)
      .flatMap((p) => (statSync(p).isDirectory() ? filesUnder(p) : [p]))
      .filter((f) => f !== join(configDir, 'config.json'));
    let scanned = 0;
    for (const f of [...configFiles, ...newTemp]) {
      let text: string;
      try {
        if (statSync(f).size > 5_000_000) continue;
        text = readFileSync(f, 'latin1');
      } catch {
        continue;
      }
      scanned += 1;
      expectNoFragment(text, KEY, f);
    }
    expect(scanned).toBeGreaterThan(0);
    // One case, however many files: other test files create temp files at the same time.
    counts.add('Key', 'every file in the config folder (but config.json) and every temp file created during the run, scanned');
  }, 60_000);
});

// ---------------------------------------------------------------- registry passwords

describe('a registry password never appears in output, errors, --debug traces or files', () => {
  /** Distinctive, multi-line (a GCR JSON key is), every 8-character window unlike any id or UUID. */
  const PASSWORD = '{"private_key": "PWLEAK-zq8Xw3Rt7Yk2Vm9Nh4",\n "client_email": "robot@PWLEAK-gs6Jp1Lq5Zx"}';

  it('built CLI with --debug: credential create/update from stdin, list, get, a spec naming it, delete; every stream and the config folder scanned', async () => {
    const configDir = tempDir('yotta-rel-sec-pw-');
    writeFileSync(join(configDir, 'spec.yaml'), `${VALID_SPEC.replace('rel-llama', 'sec-pw')}credential: sec-registry\n`);
    const outputs: string[] = [];
    const run = async (args: string[], stdin?: string) => {
      const r = await runBuiltCli(buildDir, ['--sandbox', '--debug', ...args], { configDir, cwd: configDir, env: { YOTTA_SANDBOX_DELAY_MS: '0' }, stdin });
      counts.add('Registry password', 'built CLI with --debug: credential create, update, list, get, a spec naming it, delete (every stream)');
      expectNoCrash(r, args.join(' '), { debug: true });
      outputs.push(r.stdout + r.stderr);
      return r;
    };
    expect((await run(['credential', 'create', 'sec-registry', '--type', 'GCR', '--username', '_json_key', '--password-stdin'], `${PASSWORD}\n`)).code).toBe(0);
    expect((await run(['credential', 'update', 'sec-registry', '--password-stdin', '--json'], PASSWORD)).code).toBe(0);
    await run(['credential', 'list']);
    await run(['credential', 'list', '--json']);
    await run(['credential', 'get', 'sec-registry', '-o', 'yaml']);
    expect((await run(['deploy', 'create', '-f', 'spec.yaml'])).code).toBe(0);
    expect((await run(['credential', 'delete', 'sec-registry', '--yes'])).code).toBe(5);
    // Refused before anything is sent: the password read from stdin is not echoed in the error.
    expect((await run(['credential', 'create', 'x', '--type', 'NOPE', '--username', 'u', '--password-stdin'], PASSWORD)).code).toBe(2);
    // The trace shows that a password was sent, masked.
    expect(outputs[0]).toContain('"password":"***"');
    for (const o of outputs) expectNoFragment(o, 'PWLEAK-zq8Xw3Rt7Yk2Vm9Nh4', 'a stream');
    for (const o of outputs) expectNoFragment(o, 'PWLEAK-gs6Jp1Lq5Zx', 'a stream');
    const files = readdirSync(configDir).map((n) => join(configDir, n)).filter((f) => statSync(f).isFile());
    expect(files.map((f) => relative(configDir, f))).toContain('sandbox-state.json');
    for (const f of files) expectNoFragment(readFileSync(f, 'latin1'), 'PWLEAK-zq8Xw3Rt7Yk2Vm9Nh4', f);
    counts.add('Registry password', 'every file in the config folder after those runs (the sandbox state included), scanned');
  }, 60_000);

  it('a server that echoes the password in its error message and body: masked in the error and the --debug trace', async () => {
    const server = await startRawServer((_req, res, body) => {
      const sent = (JSON.parse(body || '{}') as { password?: string }).password ?? '';
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ code: 10001, message: `parameter error: password ${sent} is too weak`, data: { password: sent } }));
    });
    try {
      for (const args of [['credential', 'create', 'echo', '--type', 'PRIVATE', '--username', 'u', '--password-stdin'], ['credential', 'update', '123', '--password-stdin', '--json']]) {
        const r = await runCli(['--debug', ...args], { stdin: `${PASSWORD}\n`, env: { YOTTA_BASE_URL: server.url, YOTTA_API_KEY: KEY } });
        counts.add('Registry password', 'a server echoing the password (error message, response body) × create and update, --debug');
        expectNoCrash(r, args.join(' '), { debug: true });
        expect(r.code).toBe(2);
        expectNoFragment(r.stdout + r.stderr, 'PWLEAK-zq8Xw3Rt7Yk2Vm9Nh4', args.join(' '));
      }
    } finally {
      await server.close();
    }
  });
});

// ---------------------------------------------------------------- interpolation

describe('spec interpolation reads only the variables a file names, and never runs a shell', () => {
  it('$(...), backticks and $VAR stay literal, no file is created, no other variable is read', async () => {
    const marker = join(tmpdir(), `yotta-rel-pwned-${process.pid}-${Date.now()}`);
    // (A replacer function: a replacement string would read `$$` itself.)
    const spec =
      VALID_SPEC.replace('vllm serve meta-llama/Llama-3.2-3B', () => `"$(touch ${marker}) \`touch ${marker}\` $HOME \${NAMED} $\${LITERAL}"`) +
      `environmentVars:\n  A: "\${NAMED_TOO:-$(touch ${marker})}"\n  B: "\${UNSET_WITH_DEFAULT:-\`touch ${marker}\`}"\n  C: $(touch ${marker})\n`;
    const { ctx, stdout, stderr } = testContext({ cwd: tempDir('yotta-rel-interp-') });
    writeFileSync(join(ctx.cwd, 'spec.yaml'), spec);
    const decoys = { SECRET_TOKEN: 'decoy-secret-1', AWS_SECRET_ACCESS_KEY: 'decoy-secret-2', GITHUB_TOKEN: 'decoy-secret-3', HOME: '/home/decoy' };
    const plain: Record<string, string> = { ...ctx.env, ...decoys, NAMED: 'named-value', NAMED_TOO: '' } as Record<string, string>;
    const read = new Set<string>();
    let enumerated = false;
    ctx.env = new Proxy(plain, {
      get(target, name) {
        if (typeof name === 'string') read.add(name);
        return target[name as string];
      },
      has(target, name) {
        if (typeof name === 'string') read.add(name);
        return name in target;
      },
      ownKeys(target) {
        enumerated = true;
        return Reflect.ownKeys(target);
      },
    });
    const code = await main(['deploy', 'create', '-f', 'spec.yaml', '--dry-run'], ctx);
    counts.add('Interpolation', '$(…), backticks, $VAR, ${VAR:-$(…)} in a spec: kept literally, no shell, only named variables read');
    expect(code, stderr.text).toBe(0);
    const body = JSON.parse(stdout.text) as { initializationCommand: string; environmentVars: { key: string; value: string }[] };
    expect(body.initializationCommand).toBe(`$(touch ${marker}) \`touch ${marker}\` $HOME named-value \${LITERAL}`);
    expect(body.environmentVars).toEqual([
      { key: 'A', value: `$(touch ${marker})` },
      { key: 'B', value: `\`touch ${marker}\`` },
      { key: 'C', value: `$(touch ${marker})` },
    ]);
    expect(existsSync(marker)).toBe(false);
    expect(enumerated).toBe(false);
    for (const decoy of Object.keys(decoys)) expect(read.has(decoy), `${decoy} was read`).toBe(false);
    for (const value of Object.values(decoys)) expect(stdout.text + stderr.text).not.toContain(value);
    // Whatever else was read is the CLI's own settings, not something a spec could name.
    const own = /^(YOTTA_|NO_COLOR$|FORCE_COLOR$|CLICOLOR|TERM$|COLUMNS$|CI$|XDG_|NODE_|HTTPS?_PROXY$|https?_proxy$|NO_PROXY$|no_proxy$)/;
    const named = new Set(['NAMED', 'NAMED_TOO', 'UNSET_WITH_DEFAULT']);
    expect([...read].filter((n) => !named.has(n) && !own.test(n))).toEqual([]);
  });
});
