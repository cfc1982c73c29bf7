/**
 * The built CLI for end-to-end tests: `node bin/yotta.js` from a private build, and a runner that
 * spawns it with a clean environment and captures everything.
 *
 * The build goes to a folder of its own (not the project's dist/, which other test files may be
 * rebuilding at the same time), named after a hash of everything that goes into it. Test files in
 * parallel workers share one build: the first builds into a scratch folder and renames it into
 * place, which is atomic, so nobody ever runs a half-written build. Re-runs with unchanged sources
 * reuse it.
 */
import { execFile, spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/** The project root. */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const execFileAsync = promisify(execFile);
/** Builds older than this, for other source versions, are removed when a new one is made. */
const STALE_BUILD_MS = 24 * 60 * 60 * 1000;

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(full));
    else if (entry.isFile()) out.push(full);
  }
  return out;
}

/** A hash of what the build is made from: src/, build/ (the dependency patches), the build script, the launcher and package.json. */
function sourceHash(): string {
  const h = createHash('sha256');
  const files = [...filesUnder(join(ROOT, 'src')), ...filesUnder(join(ROOT, 'build')), ...['esbuild.config.mjs', 'bin/yotta.js', 'package.json', 'package-lock.json'].map((f) => join(ROOT, f))];
  for (const f of files.sort()) {
    h.update(relative(ROOT, f)).update('\0');
    if (existsSync(f)) h.update(readFileSync(f));
    h.update('\0');
  }
  h.update(process.version);
  return h.digest('hex').slice(0, 16);
}

function removeStaleBuilds(keep: string): void {
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith('yotta-built-') || join(tmpdir(), name) === keep) continue;
    const full = join(tmpdir(), name);
    try {
      if (Date.now() - statSync(full).mtimeMs > STALE_BUILD_MS) rmSync(full, { recursive: true, force: true });
    } catch {
      // Another process may be removing it too.
    }
  }
}

let built: Promise<string> | undefined;

/**
 * Builds the CLI once (per source version) and resolves to the folder holding bin/yotta.js; with
 * YOTTA_TEST_BUILT_CLI set, that folder instead (an installed package). Call it from beforeAll with
 * a generous timeout.
 */
export function buildCli(): Promise<string> {
  // CI points this at the packed tarball, built on another Node, installed with --omit=dev.
  const given = process.env.YOTTA_TEST_BUILT_CLI;
  if (given) return Promise.resolve(given);
  built ??= (async () => {
    const target = join(tmpdir(), `yotta-built-${sourceHash()}`);
    if (existsSync(join(target, 'dist', 'cli.js'))) return target;
    const scratch = join(tmpdir(), `yotta-building-${process.pid}-${Date.now()}`);
    mkdirSync(join(scratch, 'bin'), { recursive: true });
    for (const entry of ['src', 'build', 'node_modules']) symlinkSync(join(ROOT, entry), join(scratch, entry), 'dir');
    copyFileSync(join(ROOT, 'bin', 'yotta.js'), join(scratch, 'bin', 'yotta.js'));
    for (const file of ['package.json', 'esbuild.config.mjs']) copyFileSync(join(ROOT, file), join(scratch, file));
    await execFileAsync(process.execPath, [join(scratch, 'esbuild.config.mjs')], { cwd: scratch, timeout: 120_000 });
    try {
      renameSync(scratch, target);
    } catch {
      // Another worker renamed its identical build into place first; use that one.
      rmSync(scratch, { recursive: true, force: true });
      if (!existsSync(join(target, 'dist', 'cli.js'))) throw new Error(`building the CLI into ${target} failed`);
    }
    removeStaleBuilds(target);
    return target;
  })();
  return built;
}

/** What a spawned CLI did. */
export interface SpawnResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Milliseconds from spawn to exit. */
  ms: number;
}

/** Options of spawnCli. */
export interface SpawnOptions {
  /** Added to a minimal environment (PATH, HOME, YOTTA_CONFIG_DIR). */
  env?: Record<string, string>;
  /** Text for stdin; when undefined stdin is closed at once. Pass `null` to leave it open. */
  stdin?: string | null;
  /** The config folder (also HOME). */
  configDir: string;
  cwd?: string;
  /** SIGKILL after this long, so that a hung CLI fails the test instead of outliving it. Default 15 s. */
  killAfterMs?: number;
}

/** A running CLI: its process and a promise of its result. */
export interface RunningCli {
  child: ChildProcessWithoutNullStreams;
  result: Promise<SpawnResult>;
  /** Everything written to stderr so far. */
  stderrSoFar(): string;
  /** Everything written to stdout so far. */
  stdoutSoFar(): string;
}

/** Starts `node <build>/bin/yotta.js <args>`; never rejects on a non-zero exit. */
export function spawnCli(buildDir: string, args: string[], o: SpawnOptions): RunningCli {
  const started = Date.now();
  const child = spawn(process.execPath, [join(buildDir, 'bin', 'yotta.js'), ...args], {
    cwd: o.cwd ?? ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: o.configDir, YOTTA_CONFIG_DIR: o.configDir, ...o.env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const result = new Promise<SpawnResult>((resolve, reject) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), o.killAfterMs ?? 15_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: Date.now() - started });
    });
  });
  if (o.stdin !== null) child.stdin.end(o.stdin ?? '');
  return { child, result, stderrSoFar: () => stderr, stdoutSoFar: () => stdout };
}

/** Runs the built CLI to the end. */
export function runBuiltCli(buildDir: string, args: string[], o: SpawnOptions): Promise<SpawnResult> {
  return spawnCli(buildDir, args, o).result;
}

/** Resolves once `check()` is true (polled every 10 ms); rejects after `ms`. */
export async function waitUntil(check: () => boolean, ms = 10_000, what = 'a condition'): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
