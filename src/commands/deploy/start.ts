/** `yotta deploy start <id|name>... | --all`: starts one or several stopped deployments. */
import type { Command } from 'commander';
import type { Context } from '../../context.js';
import type { StartStopOptions } from './start-stop.js';
import { registerStartStop, runStartStop } from './start-stop.js';

/** Options of `deploy start`. */
export type StartOptions = StartStopOptions;

/** Adds `deploy start` to the deploy group. */
export function registerStart(group: Command, ctx: Context): void {
  registerStartStop(group, ctx, {
    action: 'start',
    summary: 'start one or several stopped deployments',
    description:
      'Start one or several stopped deployments, named or chosen with --all (and --status). Each is reported, in ' +
      'the order given; one that fails does not stop the others (exit 10 when some failed). A deployment already ' +
      'RUNNING or INITIALIZING is left alone; one named twice (by name and id) is started once. --all asks first ' +
      'on a terminal, naming every deployment; without one (or with --no-input) it needs --yes.',
    statusExample: 'stopped',
    waitUntil: 'each deployment is RUNNING with all its workers up',
    examples: `  $ yotta deploy start llama-3-8b
  $ yotta deploy start 378888638324150969 378888638324150970 --wait
  $ yotta deploy start llama-3-8b --wait --wait-timeout 20m --json
  $ yotta deploy start --all --status stopped --yes --concurrency 4`,
  });
}

/** Starts each deployment, optionally waiting until it runs; see runStartStop. */
export async function runStart(opts: StartOptions, ctx: Context): Promise<void> {
  await runStartStop('start', opts, ctx);
}
