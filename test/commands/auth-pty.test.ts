/**
 * End to end on a real pseudo-terminal: the CLI, bundled from src/ with esbuild, runs under
 * util-linux `script`, which gives it a pty. The terminal's own echo is on until yotta switches to
 * raw mode, so a key that shows up in the transcript would prove the prompt was not hidden.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import type { Sandbox } from '../../src/sandbox/index.js';
import { startSandbox } from '../../src/sandbox/index.js';
import { tempDir } from '../helpers/cli.js';

const KEY = 'yk-PTY-CANARY-4k8m2p6q-z9z9';
// util-linux `script` gives the CLI a real terminal (a pty); without it the terminal cases cannot run.
const hasScript = spawnSync('script', ['--version'], { stdio: 'ignore' }).status === 0;

let sandbox: Sandbox;
let bundleDir: string;
let cli: string;

beforeAll(async () => {
  sandbox = await startSandbox({ apiKey: KEY });
  bundleDir = tempDir('yotta-pty-');
  cli = join(bundleDir, 'yotta.mjs');
  const root = resolve(import.meta.dirname, '..', '..');
  await build({
    stdin: { contents: "import { run } from './src/cli.ts';\nawait run('0.0.0-pty');\n", resolveDir: root, loader: 'ts' },
    outfile: cli,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    logLevel: 'error',
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  });
}, 60_000);
afterAll(async () => {
  await sandbox.close();
  rmSync(bundleDir, { recursive: true, force: true });
});

interface PtyRun {
  code: number | null;
  transcript: string;
}

/** Runs `yotta <args>` on a pty; `typeAfterPrompt` is typed once the prompt has appeared. */
function onPty(args: string[], home: string, typeAfterPrompt: string): Promise<PtyRun> {
  return new Promise((resolvePromise, reject) => {
    const command = [process.execPath, cli, ...args].join(' ');
    const child = spawn('script', ['-qefc', command, '/dev/null'], {
      env: { PATH: process.env.PATH, HOME: home, TERM: 'dumb', YOTTA_CONFIG_DIR: join(home, '.config', 'yotta'), YOTTA_BASE_URL: sandbox.url },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let transcript = '';
    let typed = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`timed out; transcript so far:\n${transcript}`));
    }, 15_000);
    const onOutput = (d: Buffer) => {
      transcript += d.toString();
      if (!typed && transcript.includes('Paste your Yotta API key:')) {
        typed = true;
        // Give yotta a moment past writing the prompt to switch the terminal to raw mode.
        setTimeout(() => child.stdin.write(typeAfterPrompt), 100);
      }
    };
    child.stdout.on('data', onOutput);
    child.stderr.on('data', onOutput);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, transcript });
    });
  });
}

describe.skipIf(!hasScript)('auth login on a real terminal', () => {
  it('asks with hidden input, saves the key 0600, and the key never appears on the terminal', async () => {
    const home = tempDir('yotta-pty-home-');
    const r = await onPty(['auth', 'login'], home, `${KEY}\r`);
    expect(r.transcript).toContain('Paste your Yotta API key:');
    expect(r.transcript).toContain('Saved API key yk-…z9z9 to profile "default"');
    expect(r.transcript).not.toContain(KEY);
    expect(r.code).toBe(0);
    const file = join(home, '.config', 'yotta', 'config.json');
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ profiles: { default: { 'api-key': KEY } } });
    expect(statSync(file).mode & 0o777).toBe(0o600);
  }, 30_000);

  it('Ctrl-C at the prompt exits 130 and saves nothing', async () => {
    const home = tempDir('yotta-pty-home-');
    const r = await onPty(['auth', 'login'], home, 'yk-half-typed\u0003');
    expect(r.code).toBe(130);
    expect(r.transcript).not.toContain('yk-half-typed');
    expect(existsSync(join(home, '.config', 'yotta', 'config.json'))).toBe(false);
  }, 30_000);
});
