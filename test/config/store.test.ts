import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { parseConfigText, readConfigFile, updateConfig } from '../../src/config/store.js';
import { ConfigError } from '../../src/errors.js';
import { makeCtx, tmp, writeOurConfig } from './util.js';

const mode = (p: string) => statSync(p).mode & 0o777;

describe('parseConfigText', () => {
  const F = '/c/config.json';
  it('reads profiles and keeps unknown keys', () => {
    const cfg = parseConfigText('{"profiles":{"a":{"output":"json","future":1}},"extra":true}', F);
    expect(cfg).toEqual({ profiles: { a: { output: 'json', future: 1 } }, extra: true });
  });
  it('takes an empty file or one without profiles as an empty config', () => {
    expect(parseConfigText('', F)).toEqual({ profiles: {} });
    expect(parseConfigText('  \n', F)).toEqual({ profiles: {} });
    expect(parseConfigText('{}', F)).toEqual({ profiles: {} });
  });
  it.each([
    ['{"profiles": {', /not valid JSON/],
    ['{"profiles": {"a": {"api-key": "yk-SECRETVALUE" x}}}', /not valid JSON \(line 1, column \d+\)/],
    ['[1,2]', /must hold a JSON object/],
    ['{"profiles": []}', /"profiles" must be an object/],
    ['{"profiles": {"a": 1}}', /profile "a" must be an object/],
    ['{"profiles": {"a": {"output": 3}}}', /"output" of profile "a" must be a string/],
  ])('names the file and the problem for %j, without quoting its content', (text, re) => {
    try {
      parseConfigText(text, F);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as Error).message).toMatch(re);
      expect((err as Error).message).toContain(F);
      expect((err as Error).message).not.toContain('SECRET');
      expect((err as ConfigError).hint).toMatch(/never overwrites/);
    }
  });
  it('gives line and column on multi-line files', () => {
    expect(() => parseConfigText('{\n  "profiles": {\n    "a": {,\n', F)).toThrow(/line 3, column \d+/);
  });
});

describe('readConfigFile', () => {
  it('reads a missing file as an empty config', async () => {
    expect(await readConfigFile(join(tmp(), 'none', 'config.json'))).toEqual({ profiles: {} });
  });
  it('names a folder where the file should be', async () => {
    const dir = tmp();
    mkdirSync(join(dir, 'config.json'));
    await expect(readConfigFile(join(dir, 'config.json'))).rejects.toThrow(/cannot read config file .*config\.json: it is a folder/);
  });
});

describe('updateConfig', () => {
  it('creates the folder 0700 and the file 0600, and writes what the change made', async () => {
    const ctx = makeCtx();
    const r = await updateConfig(ctx, (cfg) => {
      cfg.profiles.default = { output: 'wide' };
      return true;
    });
    expect(r.written).toBe(true);
    expect(mode(ctx.env.YOTTA_CONFIG_DIR!)).toBe(0o700);
    expect(mode(r.file)).toBe(0o600);
    expect(JSON.parse(readFileSync(r.file, 'utf8'))).toEqual({ profiles: { default: { output: 'wide' } } });
    // Only the config file is left: no lock, no temporary file.
    expect(readdirSync(ctx.env.YOTTA_CONFIG_DIR!)).toEqual(['config.json']);
  });

  it('tightens a loosened file and folder on the next write', async () => {
    const ctx = makeCtx();
    const file = writeOurConfig(ctx, { profiles: {} });
    chmodSync(file, 0o644);
    chmodSync(ctx.env.YOTTA_CONFIG_DIR!, 0o755);
    await updateConfig(ctx, (cfg) => {
      cfg.profiles.x = { output: 'json' };
      return true;
    });
    expect(mode(file)).toBe(0o600);
    expect(mode(ctx.env.YOTTA_CONFIG_DIR!)).toBe(0o700);
  });

  it('keeps keys it does not know', async () => {
    const ctx = makeCtx();
    const file = writeOurConfig(ctx, { version: 9, profiles: { a: { output: 'json', future: { x: 1 } } } });
    await updateConfig(ctx, (cfg) => {
      cfg.profiles.a!['wait-timeout'] = '5m';
      return true;
    });
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ version: 9, profiles: { a: { output: 'json', future: { x: 1 }, 'wait-timeout': '5m' } } });
  });

  it('writes nothing when the change says so', async () => {
    const ctx = makeCtx();
    const r = await updateConfig(ctx, () => false);
    expect(r.written).toBe(false);
    expect(existsSync(r.file)).toBe(false);
  });

  it('refuses to write over a corrupt file and leaves it byte for byte', async () => {
    const ctx = makeCtx();
    const corrupt = '{"profiles": {"default": {"api-key": "yk-keep-me-1234"}}, oops';
    const file = writeOurConfig(ctx, corrupt);
    await expect(
      updateConfig(ctx, (cfg) => {
        cfg.profiles.default = {};
        return true;
      }),
    ).rejects.toThrow(ConfigError);
    expect(readFileSync(file, 'utf8')).toBe(corrupt);
    expect(existsSync(`${file}.lock`)).toBe(false);
  });

  it('waits for another writer’s lock, and takes over a stale one', async () => {
    const ctx = makeCtx();
    const file = writeOurConfig(ctx, { profiles: {} });
    const lock = `${file}.lock`;
    writeFileSync(lock, '');
    let released = false;
    setTimeout(() => {
      released = true;
      rmSync(lock);
    }, 150);
    await updateConfig(ctx, (cfg) => {
      expect(released).toBe(true);
      cfg.profiles.a = {};
      return true;
    });
    // A lock left by a crashed process (old mtime) does not block forever.
    writeFileSync(lock, '');
    const old = new Date(Date.now() - 60_000);
    const { utimesSync } = await import('node:fs');
    utimesSync(lock, old, old);
    await updateConfig(ctx, (cfg) => {
      cfg.profiles.b = {};
      return true;
    });
    expect(Object.keys(JSON.parse(readFileSync(file, 'utf8')).profiles)).toEqual(['a', 'b']);
    expect(existsSync(lock)).toBe(false);
  });
});

describe('updateConfig across processes', () => {
  let bundleDir: string;
  let writer: string;
  beforeAll(async () => {
    bundleDir = tmp('yotta-writer-');
    writer = join(bundleDir, 'writer.mjs');
    await build({
      entryPoints: [join(import.meta.dirname, 'fixtures', 'writer.ts')],
      outfile: writer,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node22',
      logLevel: 'error',
      banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    });
  });
  afterAll(() => rmSync(bundleDir, { recursive: true, force: true }));

  function run(dir: string, prefix: string, count: number): Promise<{ code: number | null; stderr: string }> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [writer, dir, prefix, String(count)], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', (code) => resolve({ code, stderr }));
    });
  }

  it('three processes writing different keys at once lose nothing and leave a valid file', async () => {
    const dir = join(tmp(), 'cfg');
    const N = 25;
    const results = await Promise.all([run(dir, 'a', N), run(dir, 'b', N), run(dir, 'c', N)]);
    for (const r of results) expect(r).toEqual({ code: 0, stderr: '' });
    const cfg = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as { profiles: Record<string, unknown> };
    expect(Object.keys(cfg.profiles)).toHaveLength(3 * N);
    for (const p of ['a', 'b', 'c']) for (let i = 0; i < N; i++) expect(cfg.profiles[`${p}${i}`]).toEqual({ output: 'json', 'wait-timeout': `${i + 1}s` });
    expect(readdirSync(dir)).toEqual(['config.json']);
    expect(mode(join(dir, 'config.json'))).toBe(0o600);
  }, 60_000);
});
