/** `yotta deploy get`: one deployment in full, once or watched; `-o yaml` exports it as an editable spec. */
import type { Command } from 'commander';
import type { Context } from '../../context.js';
import type { ElasticDeploymentDetail } from '../../api/types.js';
import type { GlobalOptions } from '../../globals.js';
import type { Ui } from '../../output/ui.js';
import { globalsOf } from '../../globals.js';
import { checkDeploymentRef, explainNotFound, resolveDeploymentId } from '../../services/resolve.js';
import { WATCH_HELP, addWatchFlags, checkWatchFlags } from './poll-flags.js';
import { runWatch, itemMakers, captureUi, isNotFound } from '../../services/watch.js';
import { specFromDeployment } from '../../spec/deployment.js';
import { printYaml, printDeployment } from '../../output/render.js';
import { safeText, cell, describeRef } from '../../output/format.js';
import { createUi } from '../../output/ui.js';
import { withSession } from '../../session.js';
import { getDeployment } from '../../api/deployments.js';
import { credentialNameOf } from '../../services/credentials.js';

/** Options of `deploy get`. */
export interface GetOptions {
  /** Deployment id or name, as typed. */
  ref: string;
  /** Show environment variable values instead of masking them (table/wide only; JSON is always exact). */
  showEnv?: boolean;
  /** Keep polling and show changes until Ctrl-C (or until the deployment is deleted). */
  watch?: boolean;
  /** Pause between polls with --watch, in ms. */
  interval?: number;
  /** The global flags. */
  g: GlobalOptions;
}

/** Adds `deploy get` to the group. */
export function registerGet(group: Command, ctx: Context): void {
  const cmd = group
    .command('get')
    .summary('show one deployment in full')
    .description(
      'Show one deployment in full. --json prints the API\'s data exactly. -o yaml exports an editable spec: ' +
        'the fields `deploy create` and `deploy apply` accept (read-only ones such as id, status, domain and prices ' +
        'left out, environment values included), so export, edit, apply. With --watch, keep showing changes until ' +
        'Ctrl-C or until the deployment is deleted.',
    )
    .argument('<id|name>', 'deployment id (18 digits) or exact name')
    .option('--show-env', 'show secret-looking environment values (TOKEN, SECRET, KEY, PASSWORD...; masked by default; --json and -o yaml always have them)');
  addWatchFlags(cmd, 'the deployment is')
    .addHelpText(
      'after',
      `
Examples:
  $ yotta deploy get 378888638324150969
  $ yotta deploy get llama-3-8b --show-env
  $ yotta deploy get llama-3-8b --json | jq -r .domain
  $ yotta deploy get llama-3-8b -o yaml > llama.yaml     # export, edit, then: yotta deploy apply -f llama.yaml
  $ yotta deploy get llama-3-8b --watch --json
${WATCH_HELP}`,
    )
    .action(async (ref: string, opts: { showEnv?: boolean; watch?: boolean; interval?: number }, command: Command) => {
      await runGet({ ref, showEnv: opts.showEnv, watch: opts.watch, interval: opts.interval, g: globalsOf(command) }, ctx);
    });
}

/**
 * A copy of `value` in which every `${` of a string is written `$${`: spec files interpolate
 * `${VAR}`, so a command or variable that holds `${...}` reads back as it is.
 */
export function escapeInterpolation<T>(value: T): T {
  // A function replacer: in a replacement string `$$` would itself mean one `$`.
  if (typeof value === 'string') return value.replaceAll('${', () => '$${') as T;
  if (Array.isArray(value)) return value.map((v: unknown) => escapeInterpolation(v)) as T;
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, escapeInterpolation(v)])) as T;
  }
  return value;
}

/**
 * `-o yaml`: the deployment as a spec file that create and apply accept back, with a comment saying
 * so; `credential: <name>` in place of credentialId when the id is a credential's (`credentialName`).
 */
async function printSpec(ui: Ui, d: ElasticDeploymentDetail, credentialName?: string): Promise<void> {
  const who = `${cell(d.name)} (${safeText(String(d.id))})`;
  ui.out(
    `# Deployment ${who} as a spec, from \`yotta deploy get -o yaml\`.\n` +
      '# Read-only fields (id, status, domain, running workers, prices, cost) are left out.\n' +
      '# Edit it, then: yotta deploy apply -f <this file>\n',
  );
  const spec: Record<string, unknown> = specFromDeployment(d);
  const named = credentialName === undefined ? spec : Object.fromEntries(Object.entries(spec).map(([k, v]) => (k === 'credentialId' ? ['credential', credentialName] : [k, v])));
  await printYaml(ui, escapeInterpolation(named));
}

/**
 * Prints one deployment: grouped fields for people; with --json the API's `data` exactly as received;
 * with -o yaml its spec. With --watch, polls until Ctrl-C (see runWatch).
 */
export async function runGet(opts: GetOptions, ctx: Context): Promise<void> {
  const ref = checkDeploymentRef(opts.ref);
  checkWatchFlags(opts, opts.g);
  const ui = createUi(ctx, opts.g);
  const showEnv = opts.showEnv === true;
  if (opts.watch) {
    const make = itemMakers(ui);
    await withSession(ctx, opts.g, ui, async (session) => {
      let id: string;
      try {
        id = await resolveDeploymentId(session.client, ref);
      } catch (err) {
        // Ctrl-C while the name is looked up ends the watch as it does later on: quietly, exit 0.
        if (ctx.signal.aborted) return;
        throw explainNotFound(err, ref);
      }
      let label = ref;
      await runWatch(
        ui,
        {
          async read() {
            try {
              const d = await getDeployment(session.client, id);
              label = describeRef(d.id, d.name);
              return d;
            } catch (err) {
              throw explainNotFound(err, ref);
            }
          },
          items: (d) => [make.deployment(d)],
          async frame(d) {
            const capture = captureUi(ui);
            await printDeployment(capture.ui, d, { showEnv });
            return capture.text();
          },
          isGone: isNotFound,
          get goneMessage() {
            return `${label} was deleted; nothing left to watch.`;
          },
        },
        opts.interval,
      );
    });
    return;
  }
  let credentialName: string | undefined;
  const deployment = await withSession(ctx, opts.g, ui, async (session) => {
    const spinner = ui.spinner(`Getting ${ref}…`);
    try {
      const id = await resolveDeploymentId(session.client, ref);
      const d = await getDeployment(session.client, id);
      if (ui.format === 'yaml') credentialName = await credentialNameOf(session.client, d.credentialId, ctx.signal);
      return d;
    } catch (err) {
      throw explainNotFound(err, ref);
    } finally {
      spinner.stop();
    }
  });
  if (ui.format === 'yaml') await printSpec(ui, deployment, credentialName);
  else await printDeployment(ui, deployment, { showEnv });
}
