/**
 * The config file under stress: corrupt or half-written files (table and property), a config folder
 * that cannot be created, a lock left by another process, Ctrl-C while waiting for that lock, and
 * several built yotta processes writing (and reading) the config at the same time. Clear errors,
 * the file never overwritten when it cannot be read, atomic writes, nothing lost.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox } from '../../src/sandbox/index.js';
import type { Sandbox } from '../../src/sandbox/index.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { buildCli, runBuiltCli, spawnCli } from '../helpers/built-cli.js';
import { calls, expectNoCrash } from './fixtures.js';
import { Counts } from './report.js';

const counts = new Counts('config', 6, 'Config file');
const KEY_IN_FILE = 'yk-cfg-7f3a9c2e5b1d4e6f';
let sb: Sandbox;
let buildDir: string;

beforeAll(async () => {
  sb = await startSandbox();
  buildDir = await buildCli();
}, 180_000);

afterAll(async () => {
  await sb.close();
  counts.save();
});

const VALID = JSON.stringify({ profiles: { default: { 'api-key': KEY_IN_FILE, output: 'json' }, other: { 'wait-timeout': '5m' } } }, null, 2) + '\n';

/** A config folder holding `content` as config.json. */
function folderWith(content: string | Uint8Array): string {
  const dir = tempDir('yotta-rel-cfg-');
  writeFileSync(join(dir, 'config.json'), content);
  return dir;
}

function cli(dir: string, args: string[], stdin?: string) {
  return runCli(args, { env: { YOTTA_CONFIG_DIR: dir, YOTTA_BASE_URL: sb.url }, stdin });
}

/** The commands that read the config, and the ones that write it. */
const READERS = [['deploy', 'list'], ['config', 'get', 'output'], ['config', 'list', '--all'], ['auth', 'status']];
const WRITERS: { args: string[]; stdin?: string }[] = [
  { args: ['config', 'set', 'output', 'yaml'] },
  { args: ['config', 'unset', 'output'] },
  { args: ['auth', 'login', '--with-token'], stdin: `${'sandbox-0000-key'}\n` },
  { args: ['auth', 'logout'] },
];

describe('a corrupt or partly written config file: a clear error naming the file, never overwritten, the key never shown', () => {
  const CORRUPT: [string, string | Uint8Array][] = [
    ['cut off mid-key (a crash while writing)', VALID.slice(0, 40)],
    ['cut off after the first profile', VALID.slice(0, VALID.indexOf('other') - 2)],
    ['only an opening brace', '{'],
    ['a list', '[]'],
    ['a string', '"profiles"'],
    ['profiles is a list', '{"profiles": []}'],
    ['a profile is a number', '{"profiles": {"default": 5}}'],
    ['the key is a number', '{"profiles": {"default": {"api-key": 12345}}}'],
    ['trailing comma', '{"profiles": {"default": {"output": "json",}}}'],
    ['NUL bytes', '\u0000\u0000\u0000'],
    ['binary junk', Uint8Array.from([0xff, 0xfe, 0x00, 0x7b, 0x80, 0x81])],
    ['YAML instead of JSON', 'profiles:\n  default:\n    api-key: yk-cfg-7f3a9c2e5b1d4e6f\n'],
  ];

  it.each(CORRUPT)('%s', async (_what, content) => {
    for (const args of READERS) {
      const dir = folderWith(content);
      const r = await cli(dir, args);
      counts.add('Corrupt file', 'corrupt or cut-off config.json × every reading command: exit 2, file named');
      expectNoCrash(r, args.join(' '));
      expect(r.code, `${args.join(' ')}\n${r.stderr}`).toBe(2);
      expect(r.stderr).toContain(join(dir, 'config.json'));
      expect(r.stderr).toMatch(/never overwrites a config file it cannot read/);
      expect(r.stdout + r.stderr).not.toContain(KEY_IN_FILE.slice(3, 15));
    }
    for (const w of WRITERS) {
      const dir = folderWith(content);
      const before = readFileSync(join(dir, 'config.json'));
      const r = await cli(dir, w.args, w.stdin);
      counts.add('Corrupt file', 'corrupt or cut-off config.json × every writing command: exit 2, left byte for byte');
      expectNoCrash(r, w.args.join(' '));
      expect(r.code, `${w.args.join(' ')}\n${r.stderr}`).toBe(2);
      expect(readFileSync(join(dir, 'config.json')).equals(before)).toBe(true);
      expect(readdirSync(dir).sort()).toEqual(['config.json']);
    }
    expect(calls(sb)).toEqual([]);
  });

  it('a UTF-8 BOM or an empty file are read fine', async () => {
    for (const content of [`\uFEFF${VALID}`, '', '  \n']) {
      const dir = folderWith(content);
      const r = await cli(dir, ['config', 'set', 'output', 'wide']);
      counts.add('Corrupt file', 'BOM or empty config.json: read and written fine');
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')).profiles.default.output).toBe('wide');
    }
  });

  it('property: any cut or byte change of a valid file either still works or is refused, and is never overwritten when refused', async () => {
    const damage = fc.oneof(
      fc.nat({ max: VALID.length }).map((n) => VALID.slice(0, n)),
      fc.tuple(fc.nat({ max: VALID.length - 1 }), fc.integer({ min: 0, max: 255 })).map(([at, byte]) => {
        const b = Buffer.from(VALID);
        b[at] = byte;
        return new Uint8Array(b);
      }),
    );
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(damage, fc.constantFrom(...WRITERS), async (content, w) => {
        const dir = folderWith(content);
        const before = readFileSync(join(dir, 'config.json'));
        const r = await cli(dir, w.args, w.stdin);
        runs += 1;
        expectNoCrash(r, `${w.args.join(' ')} on ${JSON.stringify(Buffer.from(before).toString())}`);
        expect([0, 2], r.stderr).toContain(r.code);
        if (r.code === 2) expect(readFileSync(join(dir, 'config.json')).equals(before)).toBe(true);
        else {
          // Written, or left alone when there was nothing to change (an empty file stays empty).
          const after = readFileSync(join(dir, 'config.json'));
          if (!after.equals(before)) expect(() => JSON.parse(after.toString('utf8'))).not.toThrow();
        }
        expect(readdirSync(dir).filter((f) => f !== 'config.json')).toEqual([]);
      }),
      { numRuns: 200, seed: 0x5eed3001, endOnFailure: true },
    );
    counts.add('Corrupt file', 'property: random cuts and byte changes of a valid file × every writing command', runs);
  });
});

describe('a config folder that cannot be created or written', () => {
  it.each([
    ['under a regular file', (d: string) => join(d, 'a-file', 'yotta')],
    ['is itself a regular file', (d: string) => join(d, 'a-file')],
  ])('the folder %s: writes exit 2 naming it; reads say why', async (_what, place) => {
    const base = tempDir('yotta-rel-cfgdir-');
    writeFileSync(join(base, 'a-file'), 'not a folder\n');
    const dir = place(base);
    for (const w of WRITERS.slice(0, 3)) {
      const r = await cli(dir, w.args, w.stdin);
      counts.add('Unwritable folder', 'config folder under or at a regular file × writing and reading commands: exit 2, clear');
      expectNoCrash(r);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/a part of its path is not a folder|a file is in the way/);
      expect(r.stderr).toMatch(/point YOTTA_CONFIG_DIR .* at a folder/);
    }
    const read = await runCli(['deploy', 'list'], { env: { YOTTA_CONFIG_DIR: dir, YOTTA_BASE_URL: sb.url, YOTTA_API_KEY: sb.apiKey } });
    counts.add('Unwritable folder', 'config folder under or at a regular file × writing and reading commands: exit 2, clear');
    expectNoCrash(read);
    expect(read.code).toBe(2);
    expect(read.stderr).toMatch(/point YOTTA_CONFIG_DIR .* at a folder/);
    expect(readFileSync(join(base, 'a-file'), 'utf8')).toBe('not a folder\n');
  });

  it('config.json is a folder: exit 2, named', async () => {
    const dir = tempDir('yotta-rel-cfgdir-');
    mkdirSync(join(dir, 'config.json'));
    const r = await cli(dir, ['config', 'set', 'output', 'json']);
    counts.add('Unwritable folder', 'config.json is a folder: exit 2');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/it is a folder, not a file/);
  });
});

describe("another process's lock", () => {
  it('a stale lock (from a crashed writer) is taken over', async () => {
    const dir = folderWith(VALID);
    writeFileSync(join(dir, 'config.json.lock'), '');
    const old = new Date(Date.now() - 60_000);
    utimesSync(join(dir, 'config.json.lock'), old, old);
    const r = await cli(dir, ['config', 'set', 'output', 'yaml']);
    counts.add('Locks', 'a stale lock is taken over; Ctrl-C while waiting for a live one exits 130 at once');
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(dir, 'config.json.lock'))).toBe(false);
  });

  it('Ctrl-C while waiting for a live lock: exit 130 at once, the file and the other lock untouched (built CLI)', async () => {
    const dir = folderWith(VALID);
    writeFileSync(join(dir, 'config.json.lock'), '');
    const running = spawnCli(buildDir, ['config', 'set', 'output', 'yaml'], { configDir: dir });
    // Time to start, install its Ctrl-C handler and reach the lock (nothing shows that it has), generous for a busy machine.
    await new Promise((r) => setTimeout(r, 1500));
    expect(running.child.exitCode).toBeNull();
    const sent = Date.now();
    running.child.kill('SIGINT');
    const r = await running.result;
    counts.add('Locks', 'a stale lock is taken over; Ctrl-C while waiting for a live one exits 130 at once');
    expectNoCrash(r);
    expect(r.code, r.stderr).toBe(130);
    expect(Date.now() - sent).toBeLessThan(3000);
    expect(readFileSync(join(dir, 'config.json'), 'utf8')).toBe(VALID);
    expect(existsSync(join(dir, 'config.json.lock'))).toBe(true);
  });
});

describe('several yotta processes writing the config at once (built CLI)', () => {
  it('twelve writers (config set, auth login) and readers at once: nothing lost, always valid JSON, 0600, no leftovers', async () => {
    const dir = tempDir('yotta-rel-cfgrace-');
    const env = { YOTTA_BASE_URL: sb.url };
    const writers = Array.from({ length: 12 }, (_, i) =>
      i % 3 === 2
        ? runBuiltCli(buildDir, ['--profile', `p${i}`, 'auth', 'login', '--with-token'], { configDir: dir, env, stdin: `${sb.apiKey}\n`, killAfterMs: 40_000 })
        : runBuiltCli(buildDir, ['--profile', `p${i}`, 'config', 'set', 'wait-timeout', `${i + 1}m`], { configDir: dir, env, killAfterMs: 40_000 }),
    );
    const readers = Array.from({ length: 6 }, () => runBuiltCli(buildDir, ['config', 'list', '--all', '--json'], { configDir: dir, env, killAfterMs: 40_000 }));
    const results = await Promise.all([...writers, ...readers]);
    counts.add('Concurrent processes', '12 writers (config set, auth login) and 6 readers at once: every change kept, file always valid', 18);
    for (const r of results) {
      expectNoCrash(r);
      expect(r.code, r.stderr).toBe(0);
    }
    for (const r of results.slice(12)) expect(() => JSON.parse(r.stdout)).not.toThrow();
    const file = join(dir, 'config.json');
    const cfg = JSON.parse(readFileSync(file, 'utf8')) as { profiles: Record<string, Record<string, string>> };
    for (let i = 0; i < 12; i++) {
      if (i % 3 === 2) expect(cfg.profiles[`p${i}`]?.['api-key']).toBe(sb.apiKey);
      else expect(cfg.profiles[`p${i}`]?.['wait-timeout']).toBe(`${i + 1}m`);
    }
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(readdirSync(dir).sort()).toEqual(['config.json']);
  }, 60_000);
});
