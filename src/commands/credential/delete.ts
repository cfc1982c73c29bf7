/** `yotta credential delete <id|name>...`: deletes registry credentials, after asking; one in use is refused with its users named. */
import type { Command } from 'commander';
import type { Context } from '../../context.js';
import type { GlobalOptions } from '../../globals.js';
import { globalsOf } from '../../globals.js';
import { ApiError, ExitCode, PartialFailureError, QuietExit, UsageError, YottaError, isInterruption } from '../../errors.js';
import type { ApiClient } from '../../api/client.js';
import type { RegistryCredential } from '../../api/credentials.js';
import { deleteCredential, listCredentials } from '../../api/credentials.js';
import { listDeployments } from '../../api/deployments.js';
import { createUi } from '../../output/ui.js';
import { withSession } from '../../session.js';
import type { ActionResult } from '../../output/render.js';
import { actionResultsJson, printMachine } from '../../output/render.js';
import { describeRef, safeText } from '../../output/format.js';
import { checkCredentialRef, isCredentialId, noCredentialNamed, pickCredentialByName } from '../../services/credentials.js';
import { confirm, requireConfirmable } from '../../output/confirm.js';
import { explainCredentialNotFound, explainUnknownOutcome } from './common.js';

/** Options of `credential delete`. */
export interface CredentialDeleteOptions {
  /** Credential ids or names, as typed. */
  refs: string[];
  /** Delete without asking (required without a terminal or with --no-input). */
  yes?: boolean;
  /** The global flags. */
  g: GlobalOptions;
}

/** Adds `credential delete` to the group. */
export function registerCredentialDelete(group: Command, ctx: Context): void {
  group
    .command('delete')
    .alias('rm')
    .summary('delete registry credentials (asks first)')
    .description(
      'Delete one or several registry credentials. Asks first on a terminal; without one (or with --no-input) ' +
        'it needs --yes. The API refuses to delete a credential a deployment uses: yotta then names those ' +
        'deployments and exits 5. Each one is reported; one that fails does not stop the others (exit 10 when some failed).',
    )
    .argument('<id|name...>', 'credential ids (digits) or exact names')
    .option('-y, --yes', 'delete without asking (needed in scripts, without a terminal, or with --no-input)')
    .addHelpText(
      'after',
      `
Examples:
  $ yotta --sandbox credential delete acme-registry --yes
  $ yotta --sandbox credential delete old-hub old-gcr --yes --json`,
    )
    .action(async (refs: string[], o: { yes?: boolean }, command: Command) => {
      await runCredentialDelete({ refs, yes: o.yes, g: globalsOf(command) }, ctx);
    });
}

/** One credential to delete: its id once resolved, or why it could not be. */
interface Target {
  ref: string;
  id: string;
  name?: string;
  error?: unknown;
}

/**
 * The refusal of a credential in use (exit 5, the API's code kept for --json), naming every
 * deployment that uses it, from one list of deployments.
 */
async function inUseError(client: ApiClient, t: Target, refusal: YottaError, signal: AbortSignal): Promise<YottaError> {
  const label = t.name ? describeRef(t.id, t.name) : t.id;
  let users: string[] | undefined;
  try {
    users = (await listDeployments(client)).filter((d) => String(d.credentialId ?? '') === t.id).map((d) => `${safeText(String(d.name))} (${d.id})`);
  } catch (err) {
    if (isInterruption(err, signal)) throw err;
  }
  const hint = 'Delete those deployments, or point them at another credential (`yotta deploy update <id> --credential OTHER`), then delete it.';
  const message =
    users === undefined
      ? `credential ${label} is in use by a deployment and cannot be deleted (listing the deployments to name them failed)`
      : users.length === 0
        ? `credential ${label} is in use and cannot be deleted (no listed deployment names it: ${refusal.message})`
        : `credential ${label} cannot be deleted: ${users.length === 1 ? 'deployment' : `${users.length} deployments`} ${users.join(', ')} ${users.length === 1 ? 'uses' : 'use'} it`;
  return refusal instanceof ApiError ? new ApiError(message, refusal.details, hint) : new YottaError(message, ExitCode.STATE, hint);
}

/**
 * Resolves every reference (one list call when any is a name), asks on a terminal (else needs --yes),
 * then deletes each. A credential in use is refused by the API; the deployments using it are named.
 */
export async function runCredentialDelete(opts: CredentialDeleteOptions, ctx: Context): Promise<void> {
  const refs = opts.refs.map(checkCredentialRef);
  if (refs.length === 0) throw new UsageError('give the credentials to delete', 'Run `yotta credential list` to see ids and names.');
  const ui = createUi(ctx, opts.g);
  if (!opts.yes) requireConfirmable(ui, opts.g, `deleting ${refs.length === 1 ? 'a credential' : `${refs.length} credentials`}`, 'delete');

  await withSession(ctx, opts.g, ui, async (session) => {
    let all: RegistryCredential[] | undefined;
    if (refs.some((r) => !isCredentialId(r))) all = await listCredentials(session.client);
    const targets: Target[] = refs.map((ref) => {
      if (isCredentialId(ref)) return { ref, id: ref, name: all?.find((c) => c.id === ref)?.name };
      try {
        const match = pickCredentialByName(all ?? [], ref);
        if (!match) return { ref, id: ref, error: noCredentialNamed(ref, all ?? []) };
        return { ref, id: match.id, name: match.name };
      } catch (err) {
        return { ref, id: ref, error: err };
      }
    });
    const live = targets.filter((t) => t.error === undefined);
    if (!opts.yes && live.length > 0) {
      const names = live.map((t) => (t.name ? describeRef(t.id, t.name) : t.id));
      const question = names.length === 1 ? `Delete credential ${names[0]}?` : `Delete ${names.length} credentials: ${names.join(', ')}?`;
      if (!(await confirm(ui, question))) {
        // A declined prompt is an answer, not an error: exit 1, as for deploy delete.
        ui.ctx.stderr.write('Nothing deleted.\n');
        throw new QuietExit(ExitCode.ERROR);
      }
    }
    for (const t of live) {
      try {
        await deleteCredential(session.client, t.id);
      } catch (err) {
        if (isInterruption(err, ctx.signal)) throw err;
        if (err instanceof YottaError && err.exitCode === ExitCode.STATE) t.error = await inUseError(session.client, t, err, ctx.signal);
        else t.error = explainUnknownOutcome(explainCredentialNotFound(err, t.ref), `yotta credential get ${t.id}`);
      }
    }
    if (targets.length === 1 && targets[0]!.error !== undefined) throw targets[0]!.error;
    if (ui.format === 'id') {
      for (const t of targets) if (t.error === undefined) ui.out(t.id);
    } else {
      const results: ActionResult[] = targets.map((t) => ({ id: t.id, ...(t.name ? { name: t.name } : {}), action: 'delete', ok: t.error === undefined, error: t.error }));
      if (!(await printMachine(ui, actionResultsJson(results)))) {
        for (const t of targets) {
          if (t.error === undefined) ui.success(`Deleted ${t.name ? describeRef(t.id, t.name) : t.id}.`);
          else ui.error(t.error instanceof YottaError ? t.error : new YottaError(String(t.error)));
        }
      }
    }
    const failed = targets.filter((t) => t.error !== undefined);
    if (failed.length > 0) {
      throw new PartialFailureError(`${failed.length} of ${targets.length} credentials could not be deleted: ${failed.map((t) => safeText(t.ref)).join(', ')}`);
    }
  });
}
