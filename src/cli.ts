/**
 * The one file that touches `process`: builds the real Context, wires Ctrl-C and broken pipes,
 * runs main() and sets the exit code. Imported by bin/yotta.js after its Node version check.
 */
import { homedir } from 'node:os';
import type { Context } from './context.js';
import { realSleep } from './context.js';
import { main } from './main.js';
import { ExitCode } from './errors.js';

declare const YOTTA_VERSION: string | undefined;

/** Runs the CLI on this process and resolves to the exit code (also set as process.exitCode). */
export async function run(version: string): Promise<number> {
  const controller = new AbortController();
  let interrupts = 0;
  process.on('SIGINT', () => {
    interrupts += 1;
    // A second Ctrl-C exits at once, whatever is still running.
    if (interrupts > 1) process.exit(ExitCode.INTERRUPTED);
    controller.abort(new DOMException('interrupted', 'AbortError'));
  });
  process.on('SIGTERM', () => {
    controller.abort(new DOMException('terminated', 'AbortError'));
    // Give the command a moment to leave things tidy, then go, as a terminated process must.
    setTimeout(() => process.exit(143), 2000).unref();
  });
  // `yotta deploy list | head -1`: the reader went away; end quietly, as other Unix tools do.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw err;
    });
  }
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
  const code = await main(process.argv.slice(2), ctx);
  process.exitCode = code;
  return code;
}
