/** `yotta deploy create`: a new deployment from a spec file, flags, or both (flags win). */
import type { Command } from 'commander';
import type { Context } from '../../context.js';
import type { GlobalOptions } from '../../globals.js';
import { globalsOf } from '../../globals.js';
import type { ElasticDeploymentDetail } from '../../api/types.js';
import type { Session } from '../../session.js';
import { UsageError, NetworkError } from '../../errors.js';
import { addSpecFlags } from '../../spec/flags.js';
import { readOneDoc, docWarnings } from '../../spec/one-doc.js';
import { addWaitFlags, waitForDeployment } from './waiting.js';
import { createUi } from '../../output/ui.js';
import { withSession } from '../../session.js';
import { createDeployment, listDeployments } from '../../api/deployments.js';
import { printDeployment, printJson } from '../../output/render.js';
import { describeRef, safeText } from '../../output/format.js';
import * as price from './price.js';
import { waitTimeoutOf } from './actions.js';
import { credentialLookupNeeded, resolveSpecCredentials } from '../../services/credentials.js';

/** Options of `deploy create`: its own flags, the spec flags (as commander parsed them) and the globals. */
export interface CreateOptions {
  /** Spec file path; `-` reads stdin. */
  file?: string;
  /** Validate and print the request body; send nothing. */
  dryRun?: boolean;
  /** Poll until RUNNING with every worker up. */
  wait?: boolean;
  /** `--wait-timeout` in ms. */
  waitTimeout?: number;
  /** The spec flags (`--name`, `--image`, ...), as commander parsed them. */
  spec: Record<string, unknown>;
  /** The global flags. */
  g: GlobalOptions;
}

/** Adds `deploy create` to the group. */
export function registerCreate(group: Command, ctx: Context): void {
  const cmd = group
    .command('create')
    .description('create a deployment from a spec file and/or flags')
    .option('-f, --file <path>', 'spec file (YAML or JSON, see deploy.example.yaml); "-" reads stdin; flags given too override its fields')
    .option('--dry-run', 'validate and print the exact request body as JSON; send nothing (needs no API key, unless a credential is named: its id is looked up)');
  addWaitFlags(cmd, 'the deployment is RUNNING with every worker up');
  addSpecFlags(cmd);
  cmd
    .addHelpText(
      'after',
      `
String values in the file may use \${VAR} and \${VAR:-default} from the environment, so tokens stay
out of committed files. Unknown GPU types are a warning, not an error.

Examples:
  $ yotta deploy create -f deploy.yaml --wait
  $ yotta deploy create -f deploy.yaml --workers 4 --name llama-canary
  $ yotta deploy create --name llama --image vllm/vllm-openai:latest --gpu-type NVIDIA_H100_80G \\
      --region us-east-1 --volume 100 --service-mode alb --port 8000 --init-cmd "vllm serve meta-llama/Llama-3.2-3B"
  $ yotta deploy create -f deploy.yaml --dry-run
  $ ./make-spec.sh | yotta deploy create -f -`,
    )
    .action(async (opts: Record<string, unknown>, command: Command) => {
      const { file, dryRun, wait, waitTimeout, ...spec } = opts;
      await runCreate(
        {
          file: file as string | undefined,
          dryRun: dryRun as boolean | undefined,
          wait: wait === true || waitTimeout !== undefined,
          waitTimeout: waitTimeout as number | undefined,
          spec,
          g: globalsOf(command),
        },
        ctx,
      );
    });
}

/**
 * Validates the spec (file and flags) before anything is sent, then creates the deployment, waits
 * if asked, prints it (the API's `data` exactly with --json) and says on stderr what to run next.
 */
export async function runCreate(opts: CreateOptions, ctx: Context): Promise<void> {
  if (opts.dryRun && opts.wait) throw new UsageError('--dry-run sends nothing, so there is nothing to --wait for');
  const spec = await import('../../spec/index.js');
  const ui = createUi(ctx, opts.g);

  const flags = spec.specFromFlags(opts.spec);
  const hasFlags = Object.keys(flags).length > 0;
  if (opts.file === undefined && !hasFlags) {
    throw new UsageError(
      'nothing to create: give a spec file with -f, or flags such as --name and --image',
      'See `yotta deploy create --help` and deploy.example.yaml.',
    );
  }
  const doc = opts.file === undefined ? undefined : await readOneDoc(opts.file, ctx, 'yotta deploy create');
  const { body: checked, warnings } = spec.buildCreateRequest(doc, flags);
  for (const w of docWarnings(doc, warnings)) ui.warn(w);
  // The spec is valid; a credential it names becomes its id (one read), then the body is built again with it.
  let body = checked;
  const docs = doc ? [doc] : [];
  const resolveCredential = async (session?: Session): Promise<void> => {
    await resolveSpecCredentials(session?.client, docs, flags);
    body = spec.buildCreateRequest(doc, flags).body;
  };

  if (opts.dryRun) {
    if (credentialLookupNeeded(docs, flags)) await withSession(ctx, opts.g, ui, resolveCredential);
    else await resolveCredential();
    printJson(ui, body);
    ui.info('Dry run: the request above is valid; nothing was sent.');
    return;
  }

  await withSession(ctx, opts.g, ui, async (session) => {
    await resolveCredential(session);
    const spinner = ui.spinner(`Creating ${body.name}…`);
    let created: ElasticDeploymentDetail;
    try {
      created = await createDeployment(session.client, body);
    } catch (err) {
      spinner.stop();
      if (err instanceof NetworkError && err.details.outcomeUnknown) {
        throw await explainUnknownOutcome(session, err, body.name);
      }
      throw err;
    }
    spinner.stop();
    let shown = created;
    if (opts.wait) {
      try {
        shown = (await waitForDeployment(session, created.id, { state: 'running' }, { timeoutMs: waitTimeoutOf(opts.waitTimeout, session), ui })) ?? created;
      } catch (err) {
        // The deployment exists whatever happened while waiting: say so with its id before the error.
        ui.info(`Created ${describeRef(created.id, created.name)}, id ${created.id}.`);
        throw err;
      }
    }
    await printDeployment(ui, shown);
    // The API prices a deployment only once it exists, so the price comes after, not before.
    price.showPrice(ui, price.priceLine(shown));
    const label = describeRef(shown.id, shown.name);
    if (opts.wait) ui.next(`Created ${label}; it is RUNNING with every worker up.`, `yotta deploy workers ${shown.id}`);
    else ui.next(`Created ${label}.`, `yotta deploy workers ${shown.id} --watch`);
  });
}

/**
 * The create may or may not have reached Yotta. It is never sent again (that could create a second
 * deployment); instead one list call tells whether a deployment of that name now exists. Exit 7 either way.
 * A look-up that finds nothing proves nothing: after a timeout the server may still be processing the
 * create, so the user is told to check again before creating it, never that it was not created.
 */
async function explainUnknownOutcome(
  session: Session,
  err: NetworkError,
  name: string,
): Promise<Error> {
  // The client's message ends with generic advice; what we found out replaces it.
  const cause = err.message.split('; the outcome is unknown')[0];
  let found: ElasticDeploymentDetail[];
  try {
    found = (await listDeployments(session.client)).filter((d) => d.name === name);
  } catch {
    return new NetworkError(
      `creating "${name}" failed midway (${cause}); it may or may not have been created, and looking it up failed too`,
      err.details,
      'It was not sent again. Check with `yotta deploy list` before creating it again.',
    );
  }
  if (found.length === 0) {
    return new NetworkError(
      `creating "${name}" failed midway (${cause}); no deployment named "${name}" is listed yet, but it may still appear: the server may still be creating it`,
      err.details,
      `It was not sent again. In a minute, check with \`yotta deploy list\` (or \`yotta deploy get ${name}\`) before creating it again; creating it now could make a second deployment.`,
    );
  }
  const list = found.map((d) => `${describeRef(d.id, d.name)}, ${safeText(String(d.status))}`).join('; ');
  return new NetworkError(
    `creating "${name}" failed midway (${cause}), but a deployment named "${name}" exists now: ${list}`,
    err.details,
    `It was not sent again. Look at it with: yotta deploy get ${found[0]!.id}`,
  );
}
