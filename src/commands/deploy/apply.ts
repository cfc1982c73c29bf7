/** `yotta deploy apply -f FILE`: makes the deployments named in a spec file match it — create, scale or update each. */
import type { Command } from 'commander';
import type { Context } from '../../context.js';
import type { GlobalOptions } from '../../globals.js';
import { globalsOf } from '../../globals.js';
import type { Ui } from '../../output/ui.js';
import type { ApplyItem } from '../../services/apply.js';
import { UsageError } from '../../errors.js';
import { createUi } from '../../output/ui.js';
import { withSession } from '../../session.js';
import { ApplyRun, workersText } from '../../services/apply.js';
import * as plan from '../../services/plan.js';
import * as pricing from '../../services/pricing.js';
import { addWaitFlags } from './poll-flags.js';
import { addConcurrencyFlag } from './selection.js';

export type { ApplyResultJson } from '../../services/apply.js';

/** Options of `deploy apply`. */
export interface ApplyOptions {
  /** Spec file path; `-` reads stdin. May hold several documents separated by `---`. */
  file: string;
  /** Print the plan of each document; send only reads. */
  dryRun?: boolean;
  /** Allow changes that need the deployment stopped: stop, wait, update, start again. */
  restart?: boolean;
  /** Poll until each created, scaled or restarted deployment has reached its target. */
  wait?: boolean;
  /** `--wait-timeout` in ms. */
  waitTimeout?: number;
  /** Show environment values in the plan instead of masking them. */
  showEnv?: boolean;
  /** Requests in flight at once (default 8). */
  concurrency?: number;
  /** The global flags. */
  g: GlobalOptions;
}

/** Adds `deploy apply` to the group. */
export function registerApply(group: Command, ctx: Context): void {
  const cmd = group
    .command('apply')
    .summary('make deployments match a spec file: create, scale or update each, by name')
    .description('Make the deployments named in a spec file look like it: create, scale or update each, by name.')
    .requiredOption('-f, --file <path>', 'spec file (YAML or JSON), several documents separated by ---; "-" reads stdin')
    .option('--restart', 'allow changes that need the deployment stopped: stop it, wait until STOPPED, update it, start it again')
    .option('--dry-run', 'print what would be done for each document (create, scale, update with restart, unchanged); change nothing')
    .option('--show-env', 'show environment variable values in the plan and --json differences (masked by default)');
  addWaitFlags(cmd, 'each created or restarted deployment is RUNNING with every worker up, and each scaled one runs its workers');
  addConcurrencyFlag(cmd)
    .addHelpText(
      'after',
      `
Make the deployments named in a spec file look like it. For each document, the
deployment with that name is
  created    when no deployment has the name;
  unchanged  when every field the document sets already matches (nothing is sent);
  scaled     when only workers differs and it is RUNNING or INITIALIZING (no restart);
  updated    when other fields differ: at once when it is STOPPED (it stays stopped;
             a STOPPING one is waited for); otherwise only with --restart, which stops
             it, waits until it is STOPPED, updates it and starts it again.
             Without --restart the plan is printed and apply exits 5.
image, imageRegistry and serviceMode cannot change on an existing deployment: apply
exits 2 and says so. Fields a document leaves out keep their values. A name that
several deployments share is refused (exit 2) with the candidates listed. On a
terminal, the price change ($/hour) is shown where the API's prices allow.

Documents (separated by ---) are applied side by side (at most --concurrency requests
at once), each reported in file order on stderr, or as one entry of the array printed by --json: {name, id, action, restart, ok, changed, status,
differences, error}. One that fails does not stop the others. Exit 0 when every
document was applied; with one document, that document's own code (2 invalid spec or a
change that needs a new deployment, 5 needs --restart, ...); with several, 10 when
some failed. --dry-run exits the same way, having sent only reads.

String values may use \${VAR} and \${VAR:-default} from the environment, as in create.

Examples:
  $ yotta deploy apply -f deploy.yaml
  $ yotta deploy apply -f deploy.yaml --dry-run
  $ yotta deploy apply -f deploy.yaml --restart --wait
  $ yotta deploy get llama-3-8b -o yaml > llama.yaml && vi llama.yaml && yotta deploy apply -f llama.yaml
  $ cat stack/*.yaml | yotta deploy apply -f - --json | jq -r '.[] | select(.ok | not) | .name'`,
    )
    .action(async (flags: Omit<ApplyOptions, 'g'>, command: Command) => {
      const wait = flags.wait === true || flags.waitTimeout !== undefined;
      await runApply({ ...flags, wait, g: globalsOf(command) }, ctx);
    });
}

/**
 * Reads the file (every problem in any document stops everything, exit 2), lists the deployments
 * once, plans every document, then applies them (services/apply.ts); with --dry-run it prints the plans instead.
 */
export async function runApply(opts: ApplyOptions, ctx: Context): Promise<void> {
  if (opts.dryRun && opts.wait) throw new UsageError('--dry-run changes nothing, so there is nothing to --wait for');
  const ui = createUi(ctx, opts.g);
  const docs = await plan.readNamedDocs(opts.file, ctx);
  const settings = {
    file: opts.file,
    restart: opts.restart === true,
    wait: opts.wait === true,
    waitTimeout: opts.waitTimeout,
    showEnv: opts.showEnv === true,
    dryRun: opts.dryRun === true,
    concurrency: opts.concurrency,
  };
  await withSession(ctx, opts.g, ui, async (session) => {
    const run = new ApplyRun(session, ui, docs, settings);
    await run.plan();
    if (opts.dryRun) {
      for (const item of run.items) {
        if (!ui.machine) printPlan(ui, item, settings.showEnv, settings.restart);
        if (item.plan && !item.error) pricing.showPrice(ui, run.plannedPrice(item));
        if (item.error !== undefined) run.fail(item, item.error);
      }
      ui.info('Dry run: nothing was changed.');
    } else {
      await run.execute();
    }
    await run.finish();
  });
}

/**
 * --dry-run's plan of one document on stdout: `create llama-3-8b`, `unchanged ...`, `scale ...: 2 → 4
 * workers`, `update ...: stop, update, start again`, `replace ...`, then the differences, one a line.
 */
function printPlan(ui: Ui, item: ApplyItem, showEnv: boolean, restartAllowed: boolean): void {
  const label = item.label;
  const colors = ui.outColors;
  const p = item.plan;
  let head: string;
  switch (p?.action) {
    case 'create':
      head = `${colors.green('create')}     ${label}${item.createBody ? ` (${workersText(item.createBody.workers)})` : ''}`;
      break;
    case 'unchanged':
      head = `${colors.dim('unchanged')}  ${label}`;
      break;
    case 'scale':
      head = `${colors.yellow('scale')}      ${label}: ${p.from ?? '?'} → ${workersText(p.to)}, no restart`;
      break;
    case 'update':
      head = p.restart
        ? `${colors.yellow('update')}     ${label}: stop, update, start again${restartAllowed ? '' : ' (needs --restart)'}`
        : p.waitForStop
          ? `${colors.yellow('update')}     ${label}: once it has stopped; it stays STOPPED`
          : `${colors.yellow('update')}     ${label}: it is STOPPED and stays so`;
      break;
    case 'replace':
      head = `${colors.red('replace')}    ${label}: needs a new deployment (not done by apply)`;
      break;
    default:
      head = `${colors.red('error')}      ${label}`;
  }
  const lines = [head];
  if (p && p.action !== 'create') lines.push(...plan.planDifferenceLines(plan.maskDifferences(p.differences, showEnv), colors, !showEnv, '    '));
  ui.out(lines.join('\n'));
}
