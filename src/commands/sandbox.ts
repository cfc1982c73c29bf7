/** Registers `yotta sandbox`, the local API emulator served in the foreground, and `yotta sandbox reset`. */
import { Option } from 'commander';
import type { Command } from 'commander';
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Context } from '../context.js';
import { ConfigError, UsageError } from '../errors.js';
import { parseDuration } from '../duration.js';
import { globalsOf } from '../globals.js';
import { defaultSandboxStatePath } from '../sandbox/paths.js';
import type { ServedRequest } from '../sandbox/index.js';
import { escapeControls } from '../text.js';

/** Options of `yotta sandbox`, after parsing. */
export interface SandboxCommandOptions {
  port: number;
  /** State file; undefined means the default in the config folder. */
  state?: string;
  /** One delay for every transition, in ms. */
  delayMs?: number;
  /** Leave out the request log (`-q`). */
  quiet?: boolean;
}

/** Options of `yotta sandbox reset`. */
export interface SandboxResetOptions {
  /** State file; undefined means the default in the config folder. */
  state?: string;
}

const HELP_AFTER = `
The sandbox speaks the same Elastic Deployment API as Yotta, on 127.0.0.1, with deployments that
move from INITIALIZING to RUNNING (and STOPPING to STOPPED) after a few seconds. Its state is kept
in a file, so it survives restarts and is shared with \`yotta --sandbox ...\`; \`yotta sandbox reset\`
starts over. Each request it serves is logged on stderr (time, method, path and query, HTTP status,
envelope code, milliseconds; never a header, so never the key); -q leaves the log out.

A deployment whose environment contains SANDBOX_FAIL=1 goes FAILED when its workers would start.
QUEUE deployments run tasks: each ends SUCCESS (or DELIVERED, with a webhook) 2s after it was
submitted while the deployment is RUNNING, with the input echoed and a made-up completion as its
output; an input with "fail": true (or a message) ends FAILED. At most 40 submissions a second
per deployment (HTTP 429 beyond). ALB deployments' domains are served on the sandbox's own
address (http://127.0.0.1:PORT/alb/<name>): an echo of any request, and an OpenAI-style
POST /v1/chat/completions that streams with "stream": true; both need Authorization: Bearer <key>.
Environment: YOTTA_SANDBOX_DELAY_MS, YOTTA_SANDBOX_WORKER_START_MS, YOTTA_SANDBOX_STOP_MS,
YOTTA_SANDBOX_TERMINATE_MS, YOTTA_SANDBOX_TASK_MS, YOTTA_SANDBOX_STREAM_MS,
YOTTA_SANDBOX_DEPLOYMENT_LIMIT, YOTTA_SANDBOX_GPU_CAPACITY,
YOTTA_SANDBOX_API_KEY, YOTTA_SANDBOX_FAULTS (a JSON array of fault rules).

Examples:
  $ yotta sandbox --port 8787
  $ export YOTTA_BASE_URL=http://127.0.0.1:8787 YOTTA_API_KEY=sandbox-0000-key   # in another terminal
  $ yotta deploy list
  $ yotta sandbox --state sandbox.json --delay 0
  $ yotta sandbox reset
`;

const RESET_HELP_AFTER = `
Deletes the sandbox's state file, so the next \`yotta --sandbox ...\` or \`yotta sandbox\` starts
with no deployments. Only the sandbox's own file is touched, never a real deployment; a
\`yotta sandbox\` already running on that file starts over too.

Examples:
  $ yotta sandbox reset
  $ yotta sandbox reset --state sandbox.json
`;

function parsePort(v: string): number {
  if (!/^\d+$/.test(v) || Number(v) > 65535) throw new UsageError(`--port: "${v}" is not a port number (0-65535)`);
  return Number(v);
}

function parseDelay(v: string): number {
  return /^0+(\.0*)?(ms|s)?$/.test(v.trim()) ? 0 : parseDuration(v, '--delay');
}

/** Adds the `sandbox` command and its `reset` subcommand. */
export function registerSandboxCommand(program: Command, ctx: Context): void {
  const sandbox = program
    .command('sandbox')
    .description('serve a local emulator of the Yotta API, to try every command without an account')
    .addOption(new Option('--port <n>', 'port to listen on, on 127.0.0.1 (default: any free port)').argParser(parsePort))
    .addOption(new Option('--state <file>', 'state file to load and keep up to date (default: <config folder>/sandbox-state.json)'))
    .addOption(
      new Option('--delay <duration>', 'how long every transition (and every task) takes, e.g. 0, 500ms, 2s (default: workers start in 3s, stop in 2s, tasks take 2s)').argParser(
        parseDelay,
      ),
    )
    .addHelpText('after', HELP_AFTER)
    .action(async (opts: { port?: number; state?: string; delay?: number }, command: Command) => {
      await runSandbox({ port: opts.port ?? 0, state: opts.state, delayMs: opts.delay, quiet: globalsOf(command).quiet }, ctx);
    });
  sandbox
    .command('reset')
    .description("start the sandbox over: delete its state file (every sandbox deployment)")
    .addOption(new Option('--state <file>', 'state file to delete (default: <config folder>/sandbox-state.json)'))
    .addHelpText('after', RESET_HELP_AFTER)
    .action((opts: { state?: string }, command: Command) => {
      // commander hands `--state` to `sandbox` (which has the same flag) wherever it is typed.
      runSandboxReset({ state: opts.state ?? command.parent?.opts<{ state?: string }>().state }, ctx);
    });
}

/** Deletes the sandbox's state file; says so on stderr (also when there was none). */
export function runSandboxReset(opts: SandboxResetOptions, ctx: Context): void {
  const statePath = opts.state ? resolve(ctx.cwd, opts.state) : defaultSandboxStatePath(ctx);
  let existed = true;
  try {
    rmSync(statePath);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') existed = false;
    else throw new ConfigError(`cannot delete sandbox state file ${statePath}: ${(err as Error).message}`);
  }
  ctx.stderr.write(existed ? `Sandbox reset: deleted ${statePath}.\n` : `Sandbox reset: nothing to delete (no ${statePath}).\n`);
}

/** One line of the request log: `12:04:05 POST /openapi/v1/elastic/deploy/create 200 10000 3ms`. */
export function servedLine(r: ServedRequest, at: number): string {
  const time = new Date(at).toTimeString().slice(0, 8);
  const status = r.status === undefined ? 'dropped' : String(r.status);
  const code = r.code === undefined ? '-' : String(r.code);
  return `${time} ${escapeControls(`${r.method} ${r.target}`, 'escape')} ${status} ${code} ${Math.round(r.ms)}ms\n`;
}

/** Serves the sandbox until ctx.signal aborts (Ctrl-C), then closes it. */
export async function runSandbox(opts: SandboxCommandOptions, ctx: Context): Promise<void> {
  const { startSandbox, sandboxOptionsFromEnv } = await import('../sandbox/index.js');
  const statePath = opts.state ? resolve(ctx.cwd, opts.state) : defaultSandboxStatePath(ctx);
  const fromEnv = sandboxOptionsFromEnv(ctx.env);
  const delays =
    opts.delayMs !== undefined ? { workerStartMs: opts.delayMs, stopMs: opts.delayMs, terminateMs: opts.delayMs } : fromEnv.delays;
  let sandbox;
  try {
    const taskMs = opts.delayMs ?? fromEnv.taskMs;
    sandbox = await startSandbox({
      ...fromEnv,
      ...(delays ? { delays } : {}),
      ...(taskMs !== undefined ? { taskMs } : {}),
      port: opts.port,
      statePath,
      now: () => ctx.now(),
      ...(opts.quiet ? {} : { onServed: (r: ServedRequest) => ctx.stderr.write(servedLine(r, ctx.now())) }),
    });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new UsageError(`port ${opts.port} on 127.0.0.1 is already in use`, 'Pick another with --port, or leave it out to use any free port.');
    }
    throw err;
  }
  ctx.stdout.write(`base URL: ${sandbox.url}\nAPI key:  ${sandbox.apiKey}\n`);
  ctx.stderr.write(
    `Sandbox state: ${statePath}\n` +
      `In another terminal:\n  export YOTTA_BASE_URL=${sandbox.url} YOTTA_API_KEY=${sandbox.apiKey}\n` +
      `Press Ctrl-C to stop.\n`,
  );
  await new Promise<void>((done) => {
    if (ctx.signal.aborted) done();
    else ctx.signal.addEventListener('abort', () => done(), { once: true });
  });
  await sandbox.close();
  ctx.stderr.write('Sandbox stopped.\n');
}
