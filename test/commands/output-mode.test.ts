/**
 * One output decision for the whole run (src/globals.ts): however JSON was asked for — `--json`,
 * `-o json`, `-ojson`, `--output=json`, or the profile's `output: json` — a failure is one JSON
 * object on stderr, usage errors included, and success is JSON on stdout.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Sandbox } from '../../src/sandbox/index.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { startTestSandbox } from '../helpers/fixtures.js';

let sb: Sandbox;
let env: Record<string, string>;
let close: () => Promise<void>;

beforeEach(async () => {
  ({ sb, env, close } = await startTestSandbox());
});
afterEach(() => close());

/** A home whose default profile says `output: json`. */
function jsonProfileHome(): string {
  const home = tempDir('yotta-home-');
  const dir = join(home, '.config', 'yotta');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ profiles: { default: { output: 'json' } } }), { mode: 0o600 });
  return home;
}

const MISSING = '111111111111111111';

/** The one JSON error object on stderr, or a failure naming what stderr held instead. */
function jsonError(stderr: string): { exitCode: number; message: string; code: number | null } {
  const lines = stderr.trim().split('\n');
  expect(lines, stderr).toHaveLength(1);
  return (JSON.parse(lines[0]!) as { error: { exitCode: number; message: string; code: number | null } }).error;
}

describe('the JSON error object, however JSON was asked for', () => {
  const spellings: Array<[string, string[], boolean]> = [
    ['--json', ['--json'], false],
    ['-o json', ['-o', 'json'], false],
    ['-ojson', ['-ojson'], false],
    ['--output=json', ['--output=json'], false],
    ['--output json before the command', [], false],
    ['the profile\'s output: json', [], true],
  ];

  it.each(spellings)('deploy get <missing> with %s: one JSON object on stderr, exit 4, nothing on stdout', async (label, flags, profile) => {
    const args = label.startsWith('--output json before') ? ['--output', 'json', 'deploy', 'get', MISSING] : ['deploy', 'get', MISSING, ...flags];
    const r = await runCli(args, { env, homeDir: profile ? jsonProfileHome() : undefined });
    expect(r.code).toBe(4);
    expect(r.stdout).toBe('');
    const e = jsonError(r.stderr);
    expect(e.exitCode).toBe(4);
    expect(e.message).toContain(MISSING);
  });

  it.each(spellings)('a usage error (an unknown flag) with %s is the same JSON object, exit 2, and sends nothing', async (label, flags, profile) => {
    const args = label.startsWith('--output json before') ? ['--output', 'json', 'deploy', 'list', '--bogus'] : ['deploy', 'list', '--bogus', ...flags];
    const r = await runCli(args, { env, homeDir: profile ? jsonProfileHome() : undefined });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(jsonError(r.stderr).message).toMatch(/unknown option '--bogus'/);
    expect(sb.requests).toEqual([]);
  });

  it('a usage error found by the command (a bad id) follows the profile too', async () => {
    const r = await runCli(['deploy', 'get', 'no/such"name'], { env, homeDir: jsonProfileHome() });
    expect(r.code).toBe(2);
    expect(jsonError(r.stderr).exitCode).toBe(2);
  });

  it('the profile\'s output: json makes success JSON as well, and -o table overrides it for both', async () => {
    const home = jsonProfileHome();
    const ok = await runCli(['deploy', 'list'], { env, homeDir: home });
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toEqual([]);
    const text = await runCli(['deploy', 'get', MISSING, '-o', 'table'], { env, homeDir: home });
    expect(text.code).toBe(4);
    expect(text.stderr).toMatch(/^Error: /);
  });

  it('text output keeps the text error: Error: line and hint', async () => {
    const r = await runCli(['deploy', 'get', MISSING], { env });
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/^Error: .*111111111111111111/);
  });
});
