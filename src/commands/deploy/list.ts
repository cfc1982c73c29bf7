/** `yotta deploy list`: every deployment of the organization, optionally filtered by status. */
import type { Command } from 'commander';
import type { Context } from '../../context.js';
import type { GlobalOptions } from '../../main.js';
import { globalsOf } from '../../main.js';
import { collect, parseDeploymentStatuses } from './common.js';

/** Options of `deploy list`. */
export interface ListOptions {
  /** `--status` values as typed (repeatable, comma-separated, any case). */
  status?: string[];
  /** The global flags. */
  g: GlobalOptions;
}

/** Adds `deploy list` to the group. */
export function registerList(group: Command, ctx: Context): void {
  group
    .command('list')
    .alias('ls')
    .description('list deployments')
    .option(
      '-s, --status <status>',
      'only deployments in this status: INITIALIZING, RUNNING, STOPPING, STOPPED, FAILED (repeatable, comma-separated, any case)',
      collect,
    )
    .addHelpText(
      'after',
      `
Examples:
  $ yotta deploy list
  $ yotta deploy list --status running,initializing
  $ yotta deploy list -o wide
  $ yotta deploy list --json | jq -r '.[] | select(.status == "RUNNING") | .id'`,
    )
    .action(async (opts: { status?: string[] }, cmd: Command) => {
      await runList({ status: opts.status, g: globalsOf(cmd) }, ctx);
    });
}

/** Lists deployments: a table for people; with --json the API's `data` exactly as received. */
export async function runList(opts: ListOptions, ctx: Context): Promise<void> {
  // Checked before anything else: a bad status is a usage error and nothing is sent.
  const statusList = parseDeploymentStatuses(opts.status);
  const [{ createUi }, { withSession }, { listDeployments }, { printDeployments }] = await Promise.all([
    import('../../output/ui.js'),
    import('../../session.js'),
    import('../../api/deployments.js'),
    import('../../output/render.js'),
  ]);
  const ui = createUi(ctx, opts.g);
  const list = await withSession(ctx, opts.g, ui, async (session) => {
    const spinner = ui.spinner('Listing deployments…');
    try {
      return await listDeployments(session.client, statusList ? { statusList } : {});
    } finally {
      spinner.stop();
    }
  });
  await printDeployments(ui, list);
}
