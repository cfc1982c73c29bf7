import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { InStream } from '../../src/context.js';
import type { Sandbox } from '../../src/sandbox/index.js';
import { startSandbox } from '../../src/sandbox/index.js';
import { runCli, tempDir } from '../helpers/cli.js';
import type { RunOptions } from '../helpers/cli.js';

const KEY = 'yk-test-login-key-c123';
const LIST_PATH = '/openapi/v1/elastic/deploy/list';

let sandbox: Sandbox;
beforeEach(async () => {
  sandbox = await startSandbox({ apiKey: KEY, delays: { workerStartMs: 0, stopMs: 0, terminateMs: 0 } });
});
afterEach(async () => {
  await sandbox.close();
});

function home() {
  const homeDir = tempDir('yotta-home-');
  const cfgDir = join(homeDir, '.config', 'yotta');
  return { homeDir, cfgDir, file: join(cfgDir, 'config.json'), official: join(homeDir, '.yotta', 'config') };
}
type Home = ReturnType<typeof home>;
const read = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as { profiles: Record<string, Record<string, string>> };
const mode = (p: string) => statSync(p).mode & 0o777;

function writeOfficial(h: Home, text: string): void {
  mkdirSync(join(h.homeDir, '.yotta'), { recursive: true });
  writeFileSync(h.official, text, { mode: 0o600 });
}
function writeOurs(h: Home, profiles: Record<string, Record<string, string>>): void {
  mkdirSync(h.cfgDir, { recursive: true, mode: 0o700 });
  writeFileSync(h.file, JSON.stringify({ profiles }), { mode: 0o600 });
}

/** Runs yotta against the sandbox (its URL through YOTTA_BASE_URL unless `env` says otherwise). */
function yotta(args: string[], h: Home, opts: RunOptions = {}) {
  return runCli(args, { homeDir: h.homeDir, ...opts, env: { YOTTA_BASE_URL: sandbox.url, ...opts.env } });
}

/** A stdin that looks like a terminal; the test types into it. */
function ttyStdin(): PassThrough & InStream {
  const s = new PassThrough() as PassThrough & InStream;
  s.isTTY = true;
  s.setRawMode = () => s;
  return s;
}

describe('yotta auth login', () => {
  it('--with-token reads the key from stdin, checks it with one call, saves it 0600 and says where', async () => {
    const h = home();
    const r = await yotta(['auth', 'login', '--with-token'], h, { stdin: `  ${KEY}\n` });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`Saved API key yk-…c123 to profile "default" in ${h.file}`);
    expect(r.stdout + r.stderr).not.toContain(KEY);
    expect(read(h.file)).toEqual({ profiles: { default: { 'api-key': KEY } } });
    expect(mode(h.file)).toBe(0o600);
    expect(mode(h.cfgDir)).toBe(0o700);
    expect(sandbox.requests.map((q) => `${q.method} ${q.path}`)).toEqual([`GET ${LIST_PATH}`]);
    expect(sandbox.requests[0]!.headers['x-api-key']).toBe(KEY);
  });

  it('tightens a folder and file that were loosened before', async () => {
    const h = home();
    writeOurs(h, { other: { output: 'json' } });
    chmodSync(h.file, 0o644);
    chmodSync(h.cfgDir, 0o755);
    expect((await yotta(['auth', 'login', '--with-token'], h, { stdin: KEY })).code).toBe(0);
    expect(mode(h.file)).toBe(0o600);
    expect(mode(h.cfgDir)).toBe(0o700);
    expect(read(h.file).profiles).toEqual({ other: { output: 'json' }, default: { 'api-key': KEY } });
  });

  it('asks with a hidden prompt on a terminal and echoes nothing', async () => {
    const h = home();
    const stdin = ttyStdin();
    const run = yotta(['auth', 'login'], h, { stdin, stdinTTY: true, stderrTTY: true });
    await new Promise((r) => setTimeout(r, 50));
    stdin.write(`${KEY}\r`);
    const r = await run;
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^Paste your Yotta API key: \n/);
    expect(r.stdout + r.stderr).not.toContain(KEY);
    expect(read(h.file).profiles.default!['api-key']).toBe(KEY);
  });

  it('Ctrl-C at the prompt exits 130 and saves nothing', async () => {
    const h = home();
    const stdin = ttyStdin();
    const run = yotta(['auth', 'login'], h, { stdin, stdinTTY: true, stderrTTY: true });
    await new Promise((r) => setTimeout(r, 50));
    stdin.write('yk-half\u0003');
    const r = await run;
    expect(r.code).toBe(130);
    expect(existsSync(h.file)).toBe(false);
    expect(sandbox.requests).toEqual([]);
  });

  it('without a terminal and without --with-token: exit 2 naming --with-token, nothing sent', async () => {
    const h = home();
    const r = await yotta(['auth', 'login'], h, { stdin: KEY });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--with-token');
    expect(sandbox.requests).toEqual([]);
  });

  it('--no-input on a terminal refuses to prompt', async () => {
    const h = home();
    const r = await yotta(['--no-input', 'auth', 'login'], h, { stdin: ttyStdin(), stdinTTY: true, stderrTTY: true });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--no-input');
  });

  it.each([
    ['', /no API key given/],
    ['yk-two words-here', /spaces or control characters/],
  ])('refuses stdin %j with exit 2 and sends nothing', async (input, re) => {
    const h = home();
    const r = await yotta(['auth', 'login', '--with-token'], h, { stdin: input });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(re);
    expect(sandbox.requests).toEqual([]);
    expect(existsSync(h.file)).toBe(false);
  });

  it('a key the API rejects: exit 3 and nothing saved', async () => {
    const h = home();
    const r = await yotta(['auth', 'login', '--with-token'], h, { stdin: 'yk-wrong-key-0000' });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('rejected the key');
    expect(r.stderr).toContain('nothing was saved');
    expect(r.stderr).not.toContain('yk-wrong-key-0000');
    expect(existsSync(h.file)).toBe(false);
    expect(sandbox.requests).toHaveLength(1);
  });

  it('saves a --base-url flag to the profile, but not YOTTA_BASE_URL', async () => {
    const h = home();
    let r = await runCli(['--profile', 'local', '--base-url', sandbox.url, 'auth', 'login', '--with-token'], { homeDir: h.homeDir, stdin: KEY });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`Saved base URL ${sandbox.url}`);
    r = await yotta(['auth', 'login', '--with-token'], h, { stdin: KEY });
    expect(r.code).toBe(0);
    expect(read(h.file).profiles).toEqual({ local: { 'api-key': KEY, 'base-url': sandbox.url }, default: { 'api-key': KEY } });
  });

  it('keeps the other settings of the profile', async () => {
    const h = home();
    writeOurs(h, { default: { output: 'wide', 'api-key': 'yk-old-key-000000' } });
    expect((await yotta(['auth', 'login', '--with-token'], h, { stdin: KEY })).code).toBe(0);
    expect(read(h.file).profiles.default).toEqual({ output: 'wide', 'api-key': KEY });
  });

  it('on a corrupt config file: exit 2 naming the file, no request, file unchanged', async () => {
    const h = home();
    mkdirSync(h.cfgDir, { recursive: true });
    writeFileSync(h.file, '{"profiles": nope}');
    const r = await yotta(['auth', 'login', '--with-token'], h, { stdin: KEY });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(h.file);
    expect(readFileSync(h.file, 'utf8')).toBe('{"profiles": nope}');
    expect(sandbox.requests).toEqual([]);
  });

  it('warns when YOTTA_API_KEY will still win over the stored key', async () => {
    const h = home();
    const r = await yotta(['auth', 'login', '--with-token'], h, { stdin: KEY, env: { YOTTA_API_KEY: KEY } });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('YOTTA_API_KEY is set');
  });

  it('--json prints what was saved, the key masked', async () => {
    const h = home();
    const r = await yotta(['auth', 'login', '--with-token', '--json'], h, { stdin: KEY });
    expect(JSON.parse(r.stdout)).toEqual({ profile: 'default', file: h.file, apiKey: 'yk-…c123' });
  });
});

describe('yotta auth status', () => {
  it('shows the masked key from the profile, its source, the base URL and that the API accepts it', async () => {
    const h = home();
    writeOurs(h, { default: { 'api-key': KEY } });
    const r = await yotta(['auth', 'status'], h);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      [
        'Profile:   default',
        `API key:   yk-…c123  (from profile "default" in ${h.file})`,
        `Base URL:  ${sandbox.url}  (from environment variable YOTTA_BASE_URL)`,
        'API:       key accepted',
        '',
      ].join('\n'),
    );
    expect(sandbox.requests.map((q) => q.path)).toEqual([LIST_PATH]);
  });

  it('--json: an object with the key masked and its source', async () => {
    const h = home();
    const r = await yotta(['auth', 'status', '--json'], h, { env: { YOTTA_API_KEY: KEY } });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      profile: 'default',
      apiKey: 'yk-…c123',
      apiKeySource: 'env',
      apiKeyFrom: 'environment variable YOTTA_API_KEY',
      baseUrl: sandbox.url,
      baseUrlSource: 'env',
      baseUrlFrom: 'environment variable YOTTA_BASE_URL',
      configFile: h.file,
      accepted: true,
    });
    expect(r.stdout).not.toContain(KEY);
  });

  it("finds key and base URL in the official CLI's file for the chosen profile", async () => {
    const h = home();
    writeOfficial(h, `[default]\napi_key = wrong\n[team]\napi_key = ${KEY}\nbase_url = ${sandbox.url}\n`);
    const r = await runCli(['--profile', 'team', 'auth', 'status', '--json'], { homeDir: h.homeDir });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      profile: 'team',
      apiKeySource: 'official-cli',
      apiKeyFrom: `Yotta CLI file ${h.official} [team]`,
      baseUrlSource: 'official-cli',
      accepted: true,
    });
  });

  it('a key the API refuses: exit 3, shown as rejected', async () => {
    const h = home();
    const r = await yotta(['auth', 'status'], h, { env: { YOTTA_API_KEY: 'yk-refused-key-9999' } });
    expect(r.code).toBe(3);
    expect(r.stdout).toContain('API:       key rejected');
    expect(r.stderr).toContain('rejected the key from environment variable YOTTA_API_KEY');
    expect(r.stdout + r.stderr).not.toContain('yk-refused-key-9999');
  });

  it('no key anywhere: exit 3 naming the three ways, and no request sent', async () => {
    const h = home();
    const r = await yotta(['auth', 'status'], h);
    expect(r.code).toBe(3);
    expect(r.stdout).toContain('API key:   none');
    expect(r.stderr).toContain('no API key for profile "default"');
    expect(r.stderr).toContain('yotta auth login');
    expect(r.stderr).toContain('YOTTA_API_KEY');
    expect(r.stderr).toContain(h.official);
    expect(sandbox.requests).toEqual([]);
  });

  it('has a summary and an example in its help', async () => {
    for (const verb of ['login', 'status', 'logout']) {
      const r = await runCli(['auth', verb, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`Usage: yotta auth ${verb}`));
      expect(r.stdout).toMatch(/Examples:\n {2}\$ yotta /);
    }
    expect((await runCli(['auth', 'login', '--help'])).stdout).toContain('--with-token');
  });
});

describe('yotta auth logout', () => {
  it('removes the stored key and keeps the rest of the profile', async () => {
    const h = home();
    writeOurs(h, { default: { 'api-key': KEY, output: 'wide' }, other: { 'api-key': KEY } });
    const r = await yotta(['auth', 'logout'], h);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`Removed the API key of profile "default" from ${h.file}`);
    expect(read(h.file).profiles).toEqual({ default: { output: 'wide' }, other: { 'api-key': KEY } });
    expect(sandbox.requests).toEqual([]);
  });

  it('drops a profile that held only the key; a second logout says there is nothing to remove', async () => {
    const h = home();
    writeOurs(h, { default: { 'api-key': KEY } });
    expect((await yotta(['auth', 'logout'], h)).code).toBe(0);
    expect(read(h.file).profiles).toEqual({});
    const r = await yotta(['auth', 'logout'], h);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('No API key is stored for profile "default"');
  });

  it('with no config at all: exit 0 and creates nothing', async () => {
    const h = home();
    const r = await yotta(['auth', 'logout'], h);
    expect(r.code).toBe(0);
    expect(existsSync(h.cfgDir)).toBe(false);
  });

  it("says when a key remains in the environment or the official CLI's file, which it leaves alone", async () => {
    const h = home();
    writeOurs(h, { default: { 'api-key': KEY } });
    const official = `[default]\napi_key = ${KEY}\n`;
    writeOfficial(h, official);
    const r = await yotta(['auth', 'logout'], h, { env: { YOTTA_API_KEY: KEY } });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('YOTTA_API_KEY is still set');
    expect(r.stderr).toContain(`a key remains in section [default] of ${h.official}`);
    expect(readFileSync(h.official, 'utf8')).toBe(official);
    const j = await yotta(['auth', 'logout', '--json'], h, { env: { YOTTA_API_KEY: KEY } });
    expect(JSON.parse(j.stdout)).toEqual({ profile: 'default', file: h.file, removed: false, keyStillAvailableFrom: ['YOTTA_API_KEY', h.official] });
  });

  it('--profile logs out of that profile only', async () => {
    const h = home();
    writeOurs(h, { default: { 'api-key': KEY }, staging: { 'api-key': KEY } });
    expect((await yotta(['--profile', 'staging', 'auth', 'logout'], h)).code).toBe(0);
    expect(read(h.file).profiles).toEqual({ default: { 'api-key': KEY } });
  });
});

describe('auth with --sandbox', () => {
  it('login and status refuse: the sandbox needs no key', async () => {
    const h = home();
    let r = await runCli(['--sandbox', 'auth', 'login', '--with-token'], { homeDir: h.homeDir, stdin: KEY });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('the sandbox needs no login');
    r = await runCli(['--sandbox', 'auth', 'status'], { homeDir: h.homeDir });
    expect(r.code).toBe(2);
    expect(existsSync(h.file)).toBe(false);
  });
});
