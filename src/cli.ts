/**
 * The one file that touches `process`: builds the real Context, wires Ctrl-C and broken pipes,
 * runs main() and sets the exit code. Imported by bin/yotta.js after its Node version check.
 */
import { homedir } from 'node:os';
import type { Context } from './context.js';
import { realSleep } from './context.js';
import { main, reportError } from './main.js';
import { ExitCode, YottaError } from './errors.js';
import type { GlobalOptions } from './globals.js';
import { isOutputFormat } from './globals.js';

/**
 * The global flags that choose how an error is printed, read from argv: for an error that comes
 * after main() returned (stdout failing), when commander's parse is no longer at hand. The
 * profile's output setting was recorded for this run by main() and still applies.
 */
function globalsFromArgv(argv: readonly string[]): GlobalOptions {
  let output: GlobalOptions['output'];
  argv.forEach((arg, i) => {
    const m = /^(?:-o|--output)(?:=?(.+))?$/.exec(arg);
    const value = m ? (m[1] ?? argv[i + 1]) : undefined;
    if (value !== undefined && isOutputFormat(value)) output = value;
  });
  return { json: argv.includes('--json'), output, color: !argv.includes('--no-color'), input: !argv.includes('--no-input'), debug: argv.includes('--debug') };
}

declare const YOTTA_VERSION: string | undefined;

/** Runs the CLI on this process and resolves to the exit code (also set as process.exitCode). */
export async function run(version: string): Promise<number> {
  const controller = new AbortController();
  const argv = process.argv.slice(2);
  let interrupts = 0;
  let terminated = false;
  process.on('SIGINT', () => {
    interrupts += 1;
    // A second Ctrl-C exits at once, whatever is still running.
    if (interrupts > 1) process.exit(ExitCode.INTERRUPTED);
    controller.abort(new DOMException('interrupted', 'AbortError'));
  });
  process.on('SIGTERM', () => {
    // 143 (128 + 15) whatever the command was doing, --watch included: SIGTERM is not "the user ended the stream".
    terminated = true;
    controller.abort(new DOMException('terminated', 'AbortError'));
    // Give the command a moment to leave things tidy, then go, as a terminated process must.
    setTimeout(() => process.exit(ExitCode.TERMINATED), 2000).unref();
  });
  // `yotta deploy list | head -1`: the reader went away; end quietly, as other Unix tools do.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    process.exit(stdoutFailed(err));
  });
  // Nowhere left to say anything: end with the error's exit code, quietly.
  process.stderr.on('error', (err: NodeJS.ErrnoException) => process.exit(err.code === 'EPIPE' ? (process.exitCode ?? 0) : ExitCode.ERROR));
  const ctx: Context = {
    stdout: process.stdout,
    stderr: process.stderr,
    // A getter: process.stdin creates its stream (and loads its modules) when first read, and most
    // commands never read it.
    get stdin() {
      return process.stdin;
    },
    env: process.env,
    cwd: process.cwd(),
    homeDir: homedir(),
    version: typeof YOTTA_VERSION === 'string' ? YOTTA_VERSION : version,
    nodeVersion: process.versions.node,
    now: () => Date.now(),
    sleep: realSleep,
    random: Math.random,
    signal: controller.signal,
  };
  // isTTY is undefined (not false) on pipes.
  ctx.stdout.isTTY = Boolean(process.stdout.isTTY);
  ctx.stderr.isTTY = Boolean(process.stderr.isTTY);
  let code: number;
  try {
    code = await main(argv, ctx);
  } catch (err) {
    // A file or device as stdout fails synchronously (ENOSPC on /dev/full, EIO...), in whatever wrote to it.
    const e = err as NodeJS.ErrnoException;
    if (typeof e?.code !== 'string' || e.syscall !== 'write') throw err;
    code = e.code === 'EPIPE' ? ExitCode.OK : stdoutFailed(e);
  }
  if (terminated) code = ExitCode.TERMINATED;
  process.exitCode = code;
  return code;

  /** One line on stderr (JSON under --json) for a failed write to stdout; the exit code. */
  function stdoutFailed(err: NodeJS.ErrnoException): number {
    const message = `cannot write the output to stdout: ${err.code ?? err.message}${err.code === 'ENOSPC' ? ' (no space left on device)' : ''}`;
    return reportError(new YottaError(message), ctx, globalsFromArgv(argv));
  }
}
