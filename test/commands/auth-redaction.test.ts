import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Sandbox } from '../../src/sandbox/index.js';
import { startSandbox } from '../../src/sandbox/index.js';
import { runCli, tempDir } from '../helpers/cli.js';

// Distinctive, so that any copy of it anywhere is found.
const KEY = 'yk-CANARY-7q4z9x2w-5r8t1m3k';
const WRONG = 'yk-WRONGCANARY-3j6h9g2f-0000';

let sandbox: Sandbox;
let homeDir: string;
const outputs: string[] = [];

beforeAll(async () => {
  sandbox = await startSandbox({ apiKey: KEY, delays: { workerStartMs: 0, stopMs: 0, terminateMs: 0 } });
  homeDir = tempDir('yotta-redact-');
});
afterAll(async () => {
  await sandbox.close();
});

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

async function run(args: string[], opts: { stdin?: string; env?: Record<string, string> } = {}) {
  const r = await runCli(['--debug', ...args], { homeDir, stdin: opts.stdin, env: { YOTTA_BASE_URL: sandbox.url, ...opts.env } });
  // Only what yotta printed is collected; the command line itself holds the key in one case on purpose.
  outputs.push(`${r.stdout}\n${r.stderr}`);
  return r;
}

describe('the API key never leaks', () => {
  it('is in no output of any command run with --debug, and in no file but config.json', async () => {
    expect((await run(['auth', 'login', '--with-token'], { stdin: WRONG })).code).toBe(3);
    expect((await run(['auth', 'login', '--with-token'], { stdin: KEY })).code).toBe(0);
    expect((await run(['auth', 'login', '--with-token', '--json'], { stdin: KEY })).code).toBe(0);
    expect((await run(['auth', 'status'])).code).toBe(0);
    expect((await run(['auth', 'status', '--json'])).code).toBe(0);
    expect((await run(['auth', 'status'], { env: { YOTTA_API_KEY: WRONG } })).code).toBe(3);
    expect((await run(['-o', 'yaml', 'auth', 'status'])).code).toBe(0);
    expect((await run(['config', 'set', 'output', 'wide'])).code).toBe(0);
    expect((await run(['config', 'get', 'output'])).code).toBe(0);
    expect((await run(['config', 'list'])).code).toBe(0);
    expect((await run(['config', 'list', '--all', '--json'])).code).toBe(0);
    expect((await run(['-o', 'yaml', 'config', 'list'])).code).toBe(0);
    expect((await run(['config', 'get', 'api-key'])).code).toBe(2);
    expect((await run(['config', 'set', 'api-key', KEY])).code).toBe(2);
    expect((await run(['config', 'unset', 'output'])).code).toBe(0);
    expect((await run(['deploy', 'list'])).code).toBe(0);
    expect((await run(['deploy', 'list', '--json'])).code).toBe(0);
    expect((await run(['deploy', 'get', 'nope-not-there'])).code).not.toBe(0);
    for (const help of [['--help'], ['auth', '--help'], ['auth', 'login', '--help'], ['auth', 'status', '--help'], ['config', 'list', '--help']]) {
      expect((await run(help)).code).toBe(0);
    }
    expect((await run(['auth', 'logout'])).code).toBe(0);

    // The runs did happen and were traced (masked), so the absence below means something.
    const all = outputs.join('\n');
    expect(all).toContain('X-API-Key: ***1m3k');
    expect(all).toContain('yk-…1m3k');
    expect(all).not.toContain(KEY);
    expect(all).not.toContain(WRONG);
    expect(sandbox.requests.length).toBeGreaterThan(5);

    // Only config.json ever held the key (and logout removed it from there).
    expect((await run(['auth', 'login', '--with-token'], { stdin: KEY })).code).toBe(0);
    const files = filesUnder(homeDir);
    const holding = files.filter((f) => readFileSync(f, 'utf8').includes(KEY));
    expect(holding).toEqual([join(homeDir, '.config', 'yotta', 'config.json')]);
    expect(files.every((f) => !readFileSync(f, 'utf8').includes(WRONG))).toBe(true);
  });

  it('auth login has no option that takes a value, so the key never needs to be in argv', async () => {
    const r = await runCli(['auth', 'login', '--help']);
    // Its own options: those listed before the inherited global ones.
    const options = r.stdout.split('Global Options:')[0]!.split('\n').filter((l) => /^\s+-/.test(l));
    expect(options.map((l) => l.trim().split(/\s{2,}/)[0])).toEqual(['--with-token', '-h, --help']);
  });
});
