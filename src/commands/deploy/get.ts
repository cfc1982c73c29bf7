/** `yotta deploy get`: one deployment in full. */
import type { Command } from 'commander';
import type { Context } from '../../context.js';
import type { GlobalOptions } from '../../main.js';
import { globalsOf } from '../../main.js';
import { checkDeploymentRef, explainNotFound, resolveDeploymentId } from './common.js';

/** Options of `deploy get`. */
export interface GetOptions {
  /** Deployment id or name, as typed. */
  ref: string;
  /** Show environment variable values instead of masking them (table/wide only; JSON is always exact). */
  showEnv?: boolean;
  /** The global flags. */
  g: GlobalOptions;
}

/** Adds `deploy get` to the group. */
export function registerGet(group: Command, ctx: Context): void {
  group
    .command('get')
    .description('show one deployment in full')
    .argument('<id|name>', 'deployment id (18 digits) or exact name')
    .option('--show-env', 'show environment variable values (masked by default; --json always has them)')
    .addHelpText(
      'after',
      `
Examples:
  $ yotta deploy get 378888638324150969
  $ yotta deploy get llama-3-8b --show-env
  $ yotta deploy get llama-3-8b --json | jq -r .domain`,
    )
    .action(async (ref: string, opts: { showEnv?: boolean }, cmd: Command) => {
      await runGet({ ref, showEnv: opts.showEnv, g: globalsOf(cmd) }, ctx);
    });
}

/** Prints one deployment: grouped fields for people; with --json the API's `data` exactly as received. */
export async function runGet(opts: GetOptions, ctx: Context): Promise<void> {
  const ref = checkDeploymentRef(opts.ref);
  const [{ createUi }, { withSession }, { getDeployment }, { printDeployment }] = await Promise.all([
    import('../../output/ui.js'),
    import('../../session.js'),
    import('../../api/deployments.js'),
    import('../../output/render.js'),
  ]);
  const ui = createUi(ctx, opts.g);
  const deployment = await withSession(ctx, opts.g, ui, async (session) => {
    const spinner = ui.spinner(`Getting ${ref}…`);
    try {
      const id = await resolveDeploymentId(session.client, ref);
      return await getDeployment(session.client, id);
    } catch (err) {
      throw explainNotFound(err, ref);
    } finally {
      spinner.stop();
    }
  });
  await printDeployment(ui, deployment, { showEnv: opts.showEnv === true });
}
