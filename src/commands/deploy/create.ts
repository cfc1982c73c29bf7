/** `yotta deploy create`: a new deployment from a spec file, flags, or both (flags win). */
import type { Command } from 'commander';
import type { Context } from '../../context.js';
import type { GlobalOptions } from '../../globals.js';
import { globalsOf } from '../../globals.js';
import type { ElasticDeploymentDetail } from '../../api/types.js';
import type { Session } from '../../session.js';
import { DeploymentFailedError, ExitCode, InterruptedError, NetworkError, UsageError, WaitTimeoutError, YottaError } from '../../errors.js';
import { addSpecFlags } from '../../spec/flags.js';
import { readOneDoc, docWarnings } from '../../spec/one-doc.js';
import { waitForDeployment } from '../../services/deployment-wait.js';
import { waitTimeoutOf } from '../../services/runner.js';
import { addWaitFlags } from './poll-flags.js';
import { createUi } from '../../output/ui.js';
import { withSession } from '../../session.js';
import { createDeployment, listDeployments } from '../../api/deployments.js';
import { maskRequestBody, printDeployment, printJson } from '../../output/render.js';
import { describeRef, safeText } from '../../output/format.js';
import * as price from '../../services/pricing.js';
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
  /** Create even when a deployment of that name exists. */
  allowDuplicateName?: boolean;
  /** --dry-run: show secret-looking environment values instead of masking them. */
  showEnv?: boolean;
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
    .option('--dry-run', 'validate and print the exact request body as JSON; send nothing (needs no API key, unless a credential is named: its id is looked up)')
    .option('--show-env', 'with --dry-run: show secret-looking environment values (HF_TOKEN...) instead of masking them')
    .option('--allow-duplicate-name', 'create it even when a deployment of that name exists (names then no longer pick one deployment)');
  addWaitFlags(cmd, 'the deployment is RUNNING with every worker up');
  addSpecFlags(cmd);
  cmd
    .addHelpText(
      'after',
      `
String values in the file may use \${VAR} and \${VAR:-default} from the environment, so tokens stay
out of committed files. Unknown GPU types are a warning, not an error.

A name that a deployment already has is refused (exit 5), since commands that take a name could no
longer tell the two apart: change the existing one with \`deploy apply\` or \`deploy update\`, or pass
--allow-duplicate-name. The check is one list request before the create, so two creates racing each
other can still both succeed.

Examples:
  $ yotta deploy create -f deploy.yaml --wait
  $ yotta deploy create -f deploy.yaml --workers 4 --name llama-canary
  $ yotta deploy create --name llama --image vllm/vllm-openai:latest --gpu-type NVIDIA_H100_80G \\
      --region us-east-1 --workers 1 --volume 100 --service-mode alb --port 8000 \\
      --init-cmd "vllm serve meta-llama/Llama-3.2-3B"
  $ yotta deploy create -f deploy.yaml --dry-run
  $ ./make-spec.sh | yotta deploy create -f -`,
    )
    .action(async (opts: Record<string, unknown>, command: Command) => {
      const { file, dryRun, wait, waitTimeout, allowDuplicateName, showEnv, ...spec } = opts;
      await runCreate(
        {
          file: file as string | undefined,
          dryRun: dryRun as boolean | undefined,
          wait: wait === true || waitTimeout !== undefined,
          waitTimeout: waitTimeout as number | undefined,
          allowDuplicateName: allowDuplicateName === true,
          showEnv: showEnv === true,
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
  const doc = opts.file === undefined ? undefined : await readOneDoc(opts.file, ctx, 'yotta deploy create', { createFlags: flags });
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
    printJson(ui, maskRequestBody(body, opts.showEnv === true));
    ui.info('Dry run: the request above is valid (secret-looking values masked; --show-env shows them); nothing was sent.');
    return;
  }

  await withSession(ctx, opts.g, ui, async (session) => {
    await resolveCredential(session);
    // One look at the deployments already named so: the name must be free (unless a duplicate is
    // wanted), and should the outcome be unknown, the API gives no creation time, so an older
    // namesake must never be taken for the one this command created.
    const namesakes = (await listDeployments(session.client)).filter((d) => d.name === body.name);
    if (!opts.allowDuplicateName) refuseTakenName(body.name, namesakes);
    const before = new Set(namesakes.map((d) => d.id));
    const spinner = ui.spinner(`Creating ${body.name}…`);
    let created: ElasticDeploymentDetail;
    try {
      created = await createDeployment(session.client, body);
    } catch (err) {
      spinner.stop();
      if (err instanceof NetworkError && err.details.outcomeUnknown) {
        throw await explainUnknownOutcome(session, err, body.name, before);
      }
      if (err instanceof InterruptedError && err.details?.outcomeUnknown) {
        // No look-up now (the command is being stopped): the check is a look-up by name.
        const check = `yotta deploy get ${body.name}`;
        throw new InterruptedError(
          `interrupted while creating "${body.name}"; the outcome is unknown: it may have been created`,
          `It was not sent again. Check with \`${check}\` (or \`yotta deploy list\`) before creating it again.`,
          { ...err.details, check },
        );
      }
      throw err;
    }
    spinner.stop();
    let shown = created;
    if (opts.wait) {
      // It exists from now on, whatever happens while waiting: say so with its id at once.
      ui.info(`Created ${describeRef(created.id, created.name)}; waiting for it to be RUNNING…`);
      try {
        shown = (await waitForDeployment(session, created.id, { state: 'running' }, { timeoutMs: waitTimeoutOf(opts.waitTimeout, session), ui })) ?? created;
      } catch (err) {
        if (err instanceof YottaError) {
          err.extra.id = created.id;
          // --json still prints one document: the deployment as last read, whatever ended the wait.
          if (ui.machine) {
            const last = err instanceof WaitTimeoutError || err instanceof DeploymentFailedError ? err.lastSeen : undefined;
            await printDeployment(ui, (last as ElasticDeploymentDetail | undefined) ?? created);
          }
        }
        throw err;
      }
    }
    await printDeployment(ui, shown);
    // The API prices a deployment only once it exists, so the price comes after, not before.
    price.showPrice(ui, price.priceLine(shown));
    const label = describeRef(shown.id, shown.name);
    if (opts.wait) ui.next(`${label} is RUNNING with every worker up.`, `yotta deploy workers ${shown.id}`);
    else ui.next(`Created ${label}.`, `yotta deploy workers ${shown.id} --watch`);
  });
}

/**
 * Refuses (exit 5) a name that a deployment already has: a second one would make every name-based
 * command refuse the name. `taken` comes from one list request; a create racing this one can still slip through.
 */
function refuseTakenName(name: string, taken: readonly ElasticDeploymentDetail[]): void {
  if (taken.length === 0) return;
  const list = taken.map((d) => `${safeText(String(d.id))} (${safeText(String(d.status))})`).join(', ');
  throw new YottaError(
    `a deployment named "${safeText(name)}" already exists: ${list}; nothing was created`,
    ExitCode.STATE,
    `Change it with \`yotta deploy apply -f <spec>\` or \`yotta deploy update ${safeText(name)}\`, choose another --name, or pass --allow-duplicate-name to create a second one on purpose.`,
  );
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
  before: ReadonlySet<string>,
): Promise<Error> {
  // The client's message ends with generic advice; what we found out replaces it.
  const cause = err.message.split('; the outcome is unknown')[0];
  let named: ElasticDeploymentDetail[];
  try {
    named = (await listDeployments(session.client)).filter((d) => d.name === name);
  } catch {
    return new NetworkError(
      `creating "${name}" failed midway (${cause}); it may or may not have been created, and looking it up failed too`,
      err.details,
      'It was not sent again. Check with `yotta deploy list` before creating it again.',
    );
  }
  // Only a deployment that was not there before the create was sent can be the one it created.
  const found = named.filter((d) => !before.has(d.id));
  if (found.length === 0) {
    const older = named.length > 0 ? ` (${named.length === 1 ? 'one' : named.length} older deployment${named.length === 1 ? ' has' : 's have'} that name: ${named.map((d) => d.id).join(', ')}; not the one just sent)` : '';
    return new NetworkError(
      `creating "${name}" failed midway (${cause}); no new deployment named "${name}" is listed yet${older}, but it may still appear: the server may still be creating it`,
      { ...err.details, check: 'yotta deploy list' },
      `It was not sent again. In a minute, check with \`yotta deploy list\` (or \`yotta deploy get ${name}\`) before creating it again; creating it now could make a second deployment.`,
    );
  }
  const list = found.map((d) => `${describeRef(d.id, d.name)}, ${safeText(String(d.status))}`).join('; ');
  return new NetworkError(
    `creating "${name}" failed midway (${cause}), but a new deployment named "${name}" exists now: ${list}`,
    { ...err.details, check: `yotta deploy get ${found[0]!.id}` },
    `It was not sent again. Look at it with: yotta deploy get ${found[0]!.id}`,
  );
}
