/** `yotta deploy wait`: blocks until a deployment is running, stopped, deleted or runs N workers. */
import type { Command } from 'commander';
import { Option } from 'commander';
import type { Context } from '../../context.js';
import type { GlobalOptions } from '../../globals.js';
import { globalsOf } from '../../globals.js';
import type { ElasticDeploymentDetail } from '../../api/types.js';
import { parseDuration, formatDuration } from '../../duration.js';
import { ApiError, ExitCode, NetworkError, UsageError } from '../../errors.js';
import type { WaitTarget } from '../../services/deployment-wait.js';
import { checkDeploymentRef, isDeploymentId } from '../../services/resolve.js';
import { parseWorkerCount } from './arguments.js';
import { createUi } from '../../output/ui.js';
import { withSession } from '../../session.js';
import * as waiting from '../../services/deployment-wait.js';
import { printMachine, printDeployments } from '../../output/render.js';
import { describeRef } from '../../output/format.js';

/** Options of `deploy wait`. */
export interface DeployWaitOptions {
  /** Deployment id or name, as typed. */
  ref: string;
  /** The condition as typed: running, stopped, deleted or workers=N (default running). */
  for?: string;
  /** How long to wait, in ms (default: the profile's wait-timeout, else 10 minutes). */
  timeout?: number;
  /** Pause between polls, in ms; fixed when given (default 1 s, growing to 5 s). */
  interval?: number;
  /** The global flags. */
  g: GlobalOptions;
}

/** Parses `--for`: running, stopped, deleted or workers=N (any case, spaces around `=` allowed). */
export function parseWaitCondition(value: string): WaitTarget {
  const text = value.trim().toLowerCase();
  if (text === 'running' || text === 'stopped' || text === 'deleted') return { state: text };
  const m = /^workers\s*=\s*(.*)$/.exec(text);
  if (m) return { state: 'workers', count: parseWorkerCount(m[1]!, '--for workers=N') };
  throw new UsageError(`--for: "${value}" is not a condition; use running, stopped, deleted or workers=N`);
}

/** Adds `deploy wait` to the group. */
export function registerWait(group: Command, ctx: Context): void {
  group
    .command('wait')
    .summary('wait until a deployment is running, stopped, deleted or runs N workers')
    .description(
      'Poll a deployment until it meets a condition, then print its state (a table, or the deployment ' +
        'with --json). Exit 0 when it is met, 8 when --wait-timeout passes first, 5 when it is STOPPED and the ' +
        'condition needs it running (it will not start by itself), 9 as soon as the deployment ' +
        'turns FAILED. A deployment created a moment ago that is not listed yet is waited for. Only reads: ' +
        'nothing is changed, and Ctrl-C leaves the deployment as it is.\n\n' +
        '--wait-timeout is how long to wait, as on every command that waits. --timeout still means the ' +
        'same here (a deprecated spelling, with a notice); each HTTP request then keeps the default request timeout.',
    )
    .argument('<id|name>', 'deployment id (18 digits) or exact name')
    .option(
      '--for <condition>',
      'running (RUNNING with every worker up), stopped, deleted, or workers=N (exactly N workers running)',
      'running',
    )
    .addOption(
      new Option('--wait-timeout <duration>', "how long to wait, e.g. 90s, 10m (default 10m, or the profile's wait-timeout)").argParser((v) =>
        parseDuration(v, '--wait-timeout'),
      ),
    )
    .addOption(new Option('--timeout <duration>', 'deprecated: use --wait-timeout').argParser((v) => parseDuration(v, '--timeout')).hideHelp())
    .addOption(
      new Option('--interval <duration>', 'pause between polls, e.g. 2s (default 1s, growing to 5s; at least 1s)').argParser((v) =>
        waiting.parsePollInterval(v),
      ),
    )
    .addHelpText(
      'after',
      `
Examples:
  $ yotta deploy wait llama-3-8b
  $ yotta deploy stop llama-3-8b && yotta deploy wait 378888638324150969 --for stopped --wait-timeout 5m
  $ yotta deploy start llama-3-8b && yotta deploy scale llama-3-8b 4 && yotta deploy wait llama-3-8b --for workers=4 --interval 2s
  $ yotta deploy create -f deploy.yaml --json | jq -r .id | xargs -I{} yotta deploy wait {} --for running`,
    )
    .action(async (ref: string, flags: { for?: string; timeout?: number; waitTimeout?: number; interval?: number }, cmd: Command) => {
      const g = globalsOf(cmd);
      // The program owns a global --timeout (the request timeout) and consumes it wherever it is typed,
      // so `deploy wait --timeout 10m` arrives there. Typed on this command's line it means the wait;
      // the requests keep their default timeout. Our own option holds it should the program ever leave it to us.
      let root = cmd;
      while (root.parent) root = root.parent;
      const typed = root.getOptionValueSource('timeout') === 'cli';
      // With --wait-timeout given, a --timeout typed too is the global one: each request's limit.
      const old = flags.waitTimeout !== undefined ? undefined : (flags.timeout ?? (typed ? g.timeout : undefined));
      if (old !== undefined) {
        ctx.stderr.write('Notice: `deploy wait --timeout` is deprecated; use --wait-timeout (the limit of every wait).\n');
      }
      await runWait(
        {
          ref,
          for: flags.for,
          timeout: flags.waitTimeout ?? old,
          interval: flags.interval,
          g: typed && flags.waitTimeout === undefined ? { ...g, timeout: undefined } : g,
        },
        ctx,
      );
    });
}

/** Says which deployment was not found (the API only says "not found"); the exit code (4) and API code stay. */
function explainMissing(err: unknown, ref: string): unknown {
  if (err instanceof ApiError && err.exitCode === ExitCode.NOT_FOUND) {
    return new ApiError(`deployment ${ref} not found`, err.details, 'Run `yotta deploy list` to see ids and names.');
  }
  return err;
}

/**
 * A request that timed out, in this command's words. The client advises raising --timeout, but on
 * `deploy wait` --timeout is how long to wait (the requests keep the default timeout), so that advice
 * would change the wrong limit. Say that the server did not answer, that nothing changed, and how to
 * wait again. The exit code (7) and the details stay.
 */
function explainRequestTimeout(err: unknown, ref: string, target: WaitTarget): unknown {
  if (!(err instanceof NetworkError) || !err.details.timedOut) return err;
  // "GET /path timed out after 30s (after 3 attempts); raise it with --timeout": keep what happened.
  const happened = err.message.replace(/\s*\(raise the limit with --timeout\)/, '').replace(/;\s*raise it with --timeout\s*$/, '');
  const condition = target.state === 'workers' ? `workers=${target.count}` : target.state;
  return new NetworkError(
    `the server did not answer in time: ${happened}`,
    err.details,
    `Nothing was changed. Check your network connection and proxy settings (HTTPS_PROXY, NO_PROXY), then wait again: ` +
      `yotta deploy wait ${ref} --for ${condition} (on this command --timeout is how long to wait, not the request timeout).`,
  );
}

/** Waits for the condition and prints the deployment's final state; see registerWait for exit codes. */
export async function runWait(opts: DeployWaitOptions, ctx: Context): Promise<void> {
  const ref = checkDeploymentRef(opts.ref);
  const target = parseWaitCondition(opts.for ?? 'running');
  const ui = createUi(ctx, opts.g);
  await withSession(ctx, opts.g, ui, async (session) => {
    const timeoutMs = opts.timeout ?? session.settings.waitTimeoutMs ?? waiting.DEFAULT_WAIT_TIMEOUT_MS;
    const started = ctx.now();
    const deadline = started + timeoutMs;
    ui.info(`Waiting up to ${formatDuration(timeoutMs)} for ${ref} to be ${waiting.describeTarget(target)}…`);
    let id: string | undefined;
    let d: ElasticDeploymentDetail | undefined;
    try {
      id = await waiting.resolveForWait(session, ref, target, deadline, opts.interval ?? 1000);
      if (id !== undefined) {
        try {
          d = await waiting.waitForDeployment(session, id, target, {
            ui,
            timeoutMs: Math.max(0, deadline - ctx.now()),
            ...(opts.interval !== undefined ? { intervalMs: opts.interval, maxIntervalMs: opts.interval } : {}),
          });
        } catch (err) {
          throw explainMissing(err, ref);
        }
      }
    } catch (err) {
      throw explainRequestTimeout(err, ref, target);
    }
    const after = formatDuration(ctx.now() - started);
    if (d) {
      ui.success(`${describeRef(d.id, d.name)} is ${waiting.describeTarget(target)} (${waiting.describeState(d)}) after ${after}.`);
      if (!(await printMachine(ui, d))) await printDeployments(ui, [d]);
      return;
    }
    ui.success(id === undefined ? `No deployment is named "${ref}" (any longer).` : `${ref} is deleted (after ${after}).`);
    await printMachine(ui, { id: id ?? null, ...(isDeploymentId(ref) ? {} : { name: ref }), deleted: true });
  });
}
