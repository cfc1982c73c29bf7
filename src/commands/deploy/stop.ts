/** `yotta deploy stop <id|name>... | --all`: stops one or several deployments (their workers are released). */
import type { Command } from 'commander';
import type { Context } from '../../context.js';
import type { StartStopOptions } from './start-stop.js';
import { registerStartStop, runStartStop } from './start-stop.js';

/** Options of `deploy stop`. */
export type StopOptions = StartStopOptions;

/** Adds `deploy stop` to the deploy group. */
export function registerStop(group: Command, ctx: Context): void {
  registerStartStop(group, ctx, {
    action: 'stop',
    summary: 'stop one or several deployments',
    description:
      'Stop one or several deployments, named or chosen with --all (and --status), releasing their workers ' +
      '(billing stops with them). Each is reported, in the order given; one that fails does not stop the others ' +
      '(exit 10 when some failed). A deployment already STOPPED or STOPPING is left alone; one named twice (by ' +
      'name and id) is stopped once. --all asks first on a terminal, naming every deployment; without one (or ' +
      'with --no-input) it needs --yes.',
    statusExample: 'running',
    waitUntil: 'each deployment is STOPPED',
    examples: `  $ yotta deploy stop llama-3-8b
  $ yotta deploy stop 378888638324150969 378888638324150970 --wait
  $ yotta deploy stop llama-3-8b --json | jq -r ".[].status"
  $ yotta deploy stop --all --status running,initializing --yes --concurrency 16`,
  });
}

/** Stops each deployment, optionally waiting until it is STOPPED; see runStartStop. */
export async function runStop(opts: StopOptions, ctx: Context): Promise<void> {
  await runStartStop('stop', opts, ctx);
}
