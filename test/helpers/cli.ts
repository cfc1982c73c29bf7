/**
 * Runs the CLI in-process through main() with captured streams, a chosen environment and TTY flags.
 * The seam every command test goes through.
 */
import { PassThrough, Readable } from 'node:stream';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Context, InStream, OutStream } from '../../src/context.js';
import { main } from '../../src/main.js';

/** A stream that records what was written. */
export class CaptureStream implements OutStream {
  chunks: string[] = [];
  constructor(
    public isTTY = false,
    public columns = 120,
  ) {}
  write(chunk: string): boolean {
    this.chunks.push(String(chunk));
    return true;
  }
  get text(): string {
    return this.chunks.join('');
  }
  // The bits of tty.WriteStream that a spinner uses on a TTY.
  clearLine(): boolean {
    return true;
  }
  cursorTo(): boolean {
    return true;
  }
  moveCursor(): boolean {
    return true;
  }
  on(): this {
    return this;
  }
  once(): this {
    return this;
  }
  removeListener(): this {
    return this;
  }
}

export interface RunOptions {
  env?: Record<string, string | undefined>;
  /** Text for stdin, or a stream. */
  stdin?: string | InStream;
  stdinTTY?: boolean;
  stdoutTTY?: boolean;
  stderrTTY?: boolean;
  cwd?: string;
  homeDir?: string;
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  signal?: AbortSignal;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A fresh temporary folder. */
export function tempDir(prefix = 'yotta-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Builds a test Context. Sleeps are instant unless `sleep` is given. */
export function testContext(opts: RunOptions = {}): { ctx: Context; stdout: CaptureStream; stderr: CaptureStream } {
  const stdout = new CaptureStream(opts.stdoutTTY ?? false);
  const stderr = new CaptureStream(opts.stderrTTY ?? false);
  let stdin: InStream;
  if (typeof opts.stdin === 'string') stdin = Readable.from([opts.stdin]) as InStream;
  else if (opts.stdin) stdin = opts.stdin;
  else {
    const empty = new PassThrough();
    empty.end();
    stdin = empty as InStream;
  }
  if (opts.stdinTTY) stdin.isTTY = true;
  const home = opts.homeDir ?? tempDir('yotta-home-');
  const ctx: Context = {
    stdout,
    stderr,
    stdin,
    env: { YOTTA_CONFIG_DIR: join(home, '.config', 'yotta'), ...opts.env },
    cwd: opts.cwd ?? process.cwd(),
    homeDir: home,
    version: '0.0.0-test',
    nodeVersion: process.versions.node,
    now: opts.now ?? (() => Date.now()),
    sleep: opts.sleep ?? (async (_ms, signal) => {
      if (signal?.aborted) throw signal.reason;
    }),
    random: () => 0.5,
    signal: opts.signal ?? new AbortController().signal,
  };
  return { ctx, stdout, stderr };
}

/** Runs `yotta <args>` in-process and returns exit code and captured output. */
export async function runCli(args: string[], opts: RunOptions = {}): Promise<RunResult> {
  const { ctx, stdout, stderr } = testContext(opts);
  const code = await main(args, ctx);
  return { code, stdout: stdout.text, stderr: stderr.text };
}
