/** `yotta deploy update`: changes a STOPPED deployment from a spec file and/or flags. */
import type { Command } from 'commander';
import type { Context } from '../../context.js';
import type { GlobalOptions } from '../../globals.js';
import { globalsOf } from '../../globals.js';
import type { ElasticDeploymentDetail } from '../../api/types.js';
import { ApiError, ExitCode, NetworkError, SpecError, UsageError, YottaError } from '../../errors.js';
import type { SpecProblem } from '../../errors.js';
import { addSpecFlags } from '../../spec/flags.js';
import type { SpecFlags } from '../../spec/flags.js';
import { checkDeploymentRef, explainNotFound, resolveDeploymentId } from '../../services/resolve.js';
import { readOneDoc, docWarnings } from '../../spec/one-doc.js';
import { crossFieldProblems, problemText } from '../../spec/checks.js';
import { createUi } from '../../output/ui.js';
import { withSession } from '../../session.js';
import { getDeployment, updateDeployment } from '../../api/deployments.js';
import { maskRequestBody, printDeployment, printJson } from '../../output/render.js';
import { describeRef, safeText } from '../../output/format.js';
import { resolveSpecCredentials } from '../../services/credentials.js';

/** Options of `deploy update`. */
export interface UpdateOptions {
  /** Deployment id or name, as typed. */
  ref: string;
  /** Spec file path; `-` reads stdin. */
  file?: string;
  /** Validate and print the request body; send nothing but the read of the deployment. */
  dryRun?: boolean;
  /** --dry-run: show secret-looking environment values instead of masking them. */
  showEnv?: boolean;
  /** The spec flags (`--workers`, `--env`, ...), as commander parsed them. */
  spec: Record<string, unknown>;
  /** The global flags. */
  g: GlobalOptions;
}

/** Adds `deploy update` to the group. */
export function registerUpdate(group: Command, ctx: Context): void {
  const cmd = group
    .command('update')
    .description('change a STOPPED deployment from a spec file and/or flags')
    .argument('<id|name>', 'deployment id (18 digits) or exact name')
    .option('-f, --file <path>', 'spec file (YAML or JSON); "-" reads stdin; flags given too override its fields')
    .option('--dry-run', 'read the deployment, validate, and print the exact update body as JSON; send no change')
    .option('--show-env', 'with --dry-run: show secret-looking environment values (HF_TOKEN...) instead of masking them');
  addSpecFlags(cmd);
  // The API cannot change these (see below): accepted only to be refused with that reason, so not listed.
  for (const o of cmd.options) if (['--image', '--image-registry', '--service-mode'].includes(o.long ?? '')) o.hideHelp();
  cmd
    .addHelpText(
      'after',
      `
Only a STOPPED deployment can be updated. Fields not given keep their current values; image,
imageRegistry and serviceMode cannot change (that needs a new deployment).

Examples:
  $ yotta deploy stop llama-3-8b --wait && yotta deploy update llama-3-8b --workers 4 && yotta deploy start llama-3-8b --wait
  $ yotta deploy update llama-3-8b --env HF_TOKEN="$HF_TOKEN" --dry-run
  $ yotta deploy stop 378888638324150969 --wait && yotta deploy update 378888638324150969 -f deploy.yaml`,
    )
    .action(async (ref: string, opts: Record<string, unknown>, command: Command) => {
      const { file, dryRun, showEnv, ...spec } = opts;
      await runUpdate(
        { ref, file: file as string | undefined, dryRun: dryRun as boolean | undefined, showEnv: showEnv === true, spec, g: globalsOf(command) },
        ctx,
      );
    });
}

/** The flag that sets each part of one resource (`--region` and `--gpu-type` replace it, `--gpu-count` alone changes it). */
const RESOURCE_PART_FLAGS: Readonly<Record<string, string>> = { region: '--region', gpuType: '--gpu-type', gpuCount: '--gpu-count' };

/**
 * Checks the flag values on their own, before the deployment is read, so that a value no deployment
 * can take (`--workers -1`, `--port 0`, `--name 1x`) is refused with nothing sent. What depends on the
 * deployment (the fields it already has, ALB needing a port) is checked once it is read, when the body
 * is built. Problems are worded as that later check words them for a flag: `--workers: must be at least 0, got -1`.
 */
async function checkFlagValues(flags: SpecFlags): Promise<void> {
  const { checkSpec, FIELD_FLAGS } = await import('../../spec/index.js');
  const { resourcePatch, ...fields } = flags;
  const problems: SpecProblem[] = [];
  const checked = checkSpec(fields, 'file');
  for (const p of [...(checked.ok ? [] : checked.problems), ...crossFieldProblems(fields, 'file')]) {
    const flag = FIELD_FLAGS[String(p.path[0])] ?? String(p.path[0]);
    // A flag sets one field, so its name says where; the repeatable ones also say which entry.
    problems.push({ file: flag, line: 0, col: 0, message: flag === '--resource' || flag === '--env' ? problemText(p) : p.message });
  }
  if (resourcePatch) {
    // Only the parts given are checked: the others come from the deployment.
    const parts = checkSpec({ resources: [resourcePatch] }, 'file');
    for (const p of parts.ok ? [] : parts.problems) {
      const flag = RESOURCE_PART_FLAGS[String(p.path[2])];
      if (!p.missing && flag) problems.push({ file: flag, line: 0, col: 0, message: p.message });
    }
  }
  if (problems.length > 0) throw new SpecError(problems);
}

/**
 * The warning for an update to 0 workers: the v1 page allows it (so it is sent), Yotta's newer docs
 * want at least 1, and `deploy scale` is the documented way to run with none.
 */
export function zeroWorkersWarning(id: string): string {
  return (
    "workers: 0 is below 1, the minimum for an update in Yotta's newer API docs; the v1 API allows it, so it is sent, but Yotta may refuse it. " +
    `To run with no workers, scale instead: yotta deploy scale ${id} 0`
  );
}

/**
 * Reads the deployment, merges the file and flags into it and sends the full update body; refuses
 * (exit 5, nothing sent) unless the deployment is STOPPED, naming the command that stops it.
 */
export async function runUpdate(opts: UpdateOptions, ctx: Context): Promise<void> {
  const ref = checkDeploymentRef(opts.ref);
  const spec = await import('../../spec/index.js');
  const ui = createUi(ctx, opts.g);
  // Bad input sends nothing: the flags' values and the spec file are checked before the deployment is read.
  const flags = spec.specFromFlags(opts.spec);
  if (opts.file === undefined && Object.keys(flags).length === 0) {
    throw new UsageError(
      'nothing to update: give a spec file with -f, or flags such as --workers or --env',
      'See `yotta deploy update --help`.',
    );
  }
  await checkFlagValues(flags);
  const doc = opts.file === undefined ? undefined : await readOneDoc(opts.file, ctx, 'yotta deploy update');

  await withSession(ctx, opts.g, ui, async (session) => {
    let live: ElasticDeploymentDetail;
    const reading = ui.spinner(`Reading ${ref}…`);
    try {
      live = await getDeployment(session.client, await resolveDeploymentId(session.client, ref));
    } catch (err) {
      throw explainNotFound(err, ref);
    } finally {
      reading.stop();
    }
    const id = live.id;
    const label = describeRef(id, live.name);
    await resolveSpecCredentials(session.client, doc ? [doc] : [], flags);
    const { body, warnings } = spec.buildUpdateRequest(live, doc, flags);
    for (const w of docWarnings(doc, warnings)) ui.warn(w);
    if (body.workers === 0) ui.warn(zeroWorkersWarning(id));
    const stopped = live.status === 'STOPPED';
    const stateProblem = `${label} is ${safeText(String(live.status))}; only a STOPPED deployment can be updated`;
    const stopCommand = `yotta deploy stop ${id} --wait`;

    if (opts.dryRun) {
      if (!stopped) ui.warn(`${stateProblem}. Stop it first: ${stopCommand}`);
      printJson(ui, maskRequestBody(body, opts.showEnv === true));
      ui.info(`Dry run: the update above is valid for ${label}; nothing was sent.`);
      return;
    }
    if (!stopped) {
      // A running deployment's worker count is what `deploy scale` changes, without stopping it.
      const workers = body.workers !== undefined && body.workers !== live.totalWorkers ? body.workers : undefined;
      const hint =
        workers !== undefined
          ? `To change its worker count while it runs: yotta deploy scale ${id} ${workers}; for other fields, stop it first: ${stopCommand}`
          : `Stop it first: ${stopCommand}`;
      throw new YottaError(`${stateProblem}; nothing was sent`, ExitCode.STATE, hint);
    }

    const spinner = ui.spinner(`Updating ${label}…`);
    let updated: ElasticDeploymentDetail;
    try {
      updated = await updateDeployment(session.client, id, body);
    } catch (err) {
      // Never sent twice: the same update again is harmless, but the user should look first.
      if (err instanceof NetworkError && err.details.outcomeUnknown) {
        throw new NetworkError(err.message, err.details, `It was not sent again. Check whether it happened with: yotta deploy get ${id}`);
      }
      // It may have changed state since we read it.
      if (err instanceof ApiError && err.exitCode === ExitCode.STATE) {
        throw new ApiError(`${label} cannot be updated now: ${err.message}`, err.details, `It must be STOPPED: ${stopCommand}`);
      }
      throw explainNotFound(err, ref);
    } finally {
      spinner.stop();
    }
    await printDeployment(ui, updated);
    ui.next(`Updated ${describeRef(updated.id ?? id, updated.name)}.`, `yotta deploy start ${id} --wait`);
  });
}
