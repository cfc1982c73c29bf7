/** `yotta deploy apply -f FILE`: makes the deployments named in a spec file match it — create, scale or update each. */
import type { Command } from 'commander';
import type { Context } from '../../context.js';
import type { GlobalOptions } from '../../globals.js';
import { globalsOf } from '../../globals.js';
import type { CreateDeploymentRequest, ElasticDeploymentDetail, UpdateDeploymentRequest } from '../../api/types.js';
import type { Ui } from '../../output/ui.js';
import type { ActionErrorJson } from '../../output/render.js';
import type { ParsedSpecDoc } from '../../spec/index.js';
import {
  ApiError,
  DeploymentFailedError,
  ExitCode,
  InterruptedError,
  NetworkError,
  PartialFailureError,
  UsageError,
  WaitTimeoutError,
  YottaError,
} from '../../errors.js';
import type { ApplyAction, ApplyPlan, DifferenceJson } from './plan.js';
import type { WaitTarget } from './waiting.js';
import { addWaitFlags, describeState, waitForDeployment } from './waiting.js';
import { createUi } from '../../output/ui.js';
import * as plan from './plan.js';
import { withSession } from '../../session.js';
import { resolveSpecCredentials } from '../../services/credentials.js';
import * as api from '../../api/deployments.js';
import * as render from '../../output/render.js';
import * as format from '../../output/format.js';
import * as actions from './actions.js';
import * as price from './price.js';

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
  /** The global flags. */
  g: GlobalOptions;
}

/** What `-o json` / `-o yaml` print for each document, in file order. */
export interface ApplyResultJson {
  /** The deployment name from the document. */
  name: string;
  /** The deployment's id; null when it does not exist (yet). */
  id: string | null;
  /** What apply did (or, with --dry-run, would do); null when no plan could be made (e.g. an ambiguous name). */
  action: ApplyAction | null;
  /** update only: the deployment is (or would be) stopped and started again around the update. */
  restart: boolean;
  /** Whether the document was applied (with --dry-run: whether it could be). */
  ok: boolean;
  /** Whether a request that changes something was sent. */
  changed: boolean;
  /** The deployment's status after apply (before it, with --dry-run); null when unknown or absent. */
  status: string | null;
  /** The fields that differed, environment values masked unless --show-env. */
  differences: DifferenceJson[];
  /** Why it failed (the fields of main's JSON error); null when ok. */
  error: ActionErrorJson | null;
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
  addWaitFlags(cmd, 'each created or restarted deployment is RUNNING with every worker up, and each scaled one runs its workers')
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

Documents (separated by ---) are applied in order, each reported on stderr, or as one
entry of the array printed by --json: {name, id, action, restart, ok, changed, status,
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
    .action(async (o: Record<string, unknown>, command: Command) => {
      await runApply(
        {
          file: o.file as string,
          dryRun: o.dryRun as boolean | undefined,
          restart: o.restart as boolean | undefined,
          wait: o.wait === true || o.waitTimeout !== undefined,
          waitTimeout: o.waitTimeout as number | undefined,
          showEnv: o.showEnv as boolean | undefined,
          g: globalsOf(command),
        },
        ctx,
      );
    });
}

/** One document of the file, what apply found and planned for it, and what happened. */
class ApplyItem {
  live?: ElasticDeploymentDetail;
  plan?: ApplyPlan;
  createBody?: CreateDeploymentRequest;
  updateBody?: UpdateDeploymentRequest;
  /** The deployment as last seen: after the action, or as found. */
  detail?: ElasticDeploymentDetail;
  error?: unknown;
  changed = false;

  constructor(readonly doc: ParsedSpecDoc) {}

  get name(): string {
    return this.doc.spec.name ?? '';
  }

  /** The deployment's id, once it exists. */
  get id(): string | undefined {
    return this.detail?.id ?? this.live?.id;
  }

  /** Records the deployment as last seen (undefined: unknown, the last sighting stays). */
  after(d: ElasticDeploymentDetail | undefined): void {
    if (d) this.detail = d;
  }
}

/** Gives an error a new hint (what state the deployment was left in and what to run), keeping its class and exit code. */
function withHint(err: unknown, hint: string): unknown {
  if (err instanceof InterruptedError) return new InterruptedError(err.message, hint);
  if (err instanceof ApiError) return new ApiError(err.message, err.details, hint);
  if (err instanceof NetworkError) return new NetworkError(err.message, err.details, hint);
  if (err instanceof WaitTimeoutError) return new WaitTimeoutError(err.message, hint);
  if (err instanceof DeploymentFailedError) return new DeploymentFailedError(err.message, hint);
  if (err instanceof YottaError) return new YottaError(err.message, err.exitCode, hint);
  return err;
}

function plural(n: number | undefined): string {
  return `${n ?? '?'} worker${n === 1 ? '' : 's'}`;
}

/**
 * Reads the file (every problem in any document stops everything, exit 2), lists the deployments
 * once, plans every document, then applies them in order; with --dry-run it prints the plans instead.
 */
export async function runApply(opts: ApplyOptions, ctx: Context): Promise<void> {
  if (opts.dryRun && opts.wait) throw new UsageError('--dry-run changes nothing, so there is nothing to --wait for');
  const ui = createUi(ctx, opts.g);
  const docs = await plan.readNamedDocs(opts.file, ctx);

  const spec = await import('../../spec/index.js');
  const showEnv = opts.showEnv === true;
  const items = docs.map((doc) => new ApplyItem(doc));
  const label = (item: ApplyItem): string => {
    const d = item.detail ?? item.live;
    return d ? format.describeRef(d.id, d.name) : format.safeText(item.name);
  };

  /** Plans one document: finds its deployment, decides the action and builds the request body (so problems show before anything is sent). */
  const planItem = (item: ApplyItem, all: readonly ElasticDeploymentDetail[]): void => {
    let warnings: readonly string[] = item.doc.warnings;
    try {
      const live = plan.findByName(all, item.name, 'apply');
      item.live = live;
      item.after(live);
      const p = plan.planApply(item.doc.spec, live);
      item.plan = p;
      if (p.action === 'create') {
        const built = spec.buildCreateRequest(item.doc, {});
        item.createBody = built.body;
        warnings = [...warnings, ...built.warnings];
      } else if (p.action === 'update' && live) {
        const built = spec.buildUpdateRequest(live, item.doc, {});
        item.updateBody = built.body;
        warnings = [...warnings, ...built.warnings];
      }
      if (p.action === 'replace') throw replaceError(item, p);
      if (p.action === 'update' && p.restart && !opts.restart) throw restartError(item, p);
    } catch (err) {
      item.error = err;
    } finally {
      for (const w of new Set(warnings)) ui.warn(w);
    }
  };

  const replaceError = (item: ApplyItem, p: ApplyPlan): UsageError => {
    const fixed = p.differences.filter((d) => plan.IMMUTABLE_FIELDS.includes(d.path));
    const what = fixed.map((d) => `${d.path} (it has ${plan.showValue(d.have)}, the spec asks for ${plan.showValue(d.want)})`).join('; ');
    const id = item.live?.id ?? '';
    return new UsageError(
      `${label(item)}: ${what} cannot change on an existing deployment; that needs a new deployment, so nothing was sent`,
      `Give the spec another name to create a second deployment, or remove this one first: yotta deploy delete ${id} --force`,
    );
  };

  const restartError = (item: ApplyItem, p: ApplyPlan): YottaError =>
    new YottaError(
      `${label(item)} is ${format.safeText(String(item.live?.status))}; changing ${plan.listPaths(p.differences)} needs it STOPPED, so nothing was sent`,
      ExitCode.STATE,
      `Run again with --restart to stop it, update it and start it again: yotta deploy apply -f ${format.safeText(opts.file)} --restart`,
    );

  /** Prints the plan's differences on stderr (before the error of a document that needs --restart). */
  const narrateDifferences = (item: ApplyItem): void => {
    if (!item.plan || item.plan.differences.length === 0) return;
    ui.info(`${label(item)} differs from the spec:`);
    for (const l of plan.planDifferenceLines(plan.maskDifferences(item.plan.differences, showEnv), ui.ce, !showEnv)) ui.info(l);
  };

  const fail = (item: ApplyItem, err: unknown): void => {
    if (err instanceof InterruptedError || ctx.signal.aborted) throw err instanceof InterruptedError ? err : new InterruptedError();
    item.error = err;
    // With several documents each failure is reported as it happens; with one, main reports it.
    if (items.length > 1 && !ui.machine) {
      const message = err instanceof Error ? err.message : String(err);
      ctx.stderr.write(`${ui.ce.red('Error:')} ${message}\n`);
      if (err instanceof YottaError && err.hint) ctx.stderr.write(`${err.hint}\n`);
    }
  };

  const toJson = (item: ApplyItem): ApplyResultJson => {
    const base = render.actionResultsJson([{ id: item.id ?? '', action: item.plan?.action ?? '', ok: item.error === undefined, error: item.error }])[0]!;
    const status = item.detail?.status;
    return {
      name: item.name,
      id: item.id ?? null,
      action: item.plan?.action ?? null,
      restart: item.plan?.restart ?? false,
      ok: item.error === undefined,
      changed: item.changed,
      status: typeof status === 'string' ? status : null,
      differences: plan.differencesJson(plan.maskDifferences(item.plan?.differences ?? [], showEnv)),
      error: base.error,
    };
  };

  /** Prints the per-document results for -o json / yaml, then throws the exit status (see the help). */
  const finish = async (): Promise<void> => {
    await render.printMachine(ui, items.map(toJson));
    const failed = items.filter((i) => i.error !== undefined);
    if (failed.length === 0) return;
    if (items.length === 1) throw failed[0]!.error;
    throw new PartialFailureError(
      `${failed.length} of ${items.length} documents could not be ${opts.dryRun ? 'planned' : 'applied'}: ${failed.map(label).join(', ')}`,
    );
  };

  await withSession(ctx, opts.g, ui, async (session) => {
    const timeoutMs = (): number => actions.waitTimeoutOf(opts.waitTimeout, session);
    const reading = ui.spinner('Reading deployments…');
    let all: ElasticDeploymentDetail[];
    try {
      all = await api.listDeployments(session.client);
    } finally {
      reading.stop();
    }
    await resolveSpecCredentials(session.client, docs);
    for (const item of items) planItem(item, all);

    if (opts.dryRun) {
      for (const item of items) {
        if (!ui.machine) printPlan(ui, item, label(item), plan, showEnv, opts.restart === true);
        if (item.plan && !item.error) price.showPrice(ui, plan.plannedPriceLine(item.plan, item.live, item.doc.spec));
        if (item.error !== undefined) fail(item, item.error);
      }
      ui.info('Dry run: nothing was changed.');
      await finish();
      return;
    }

    /** Waits for `target`; when the wait fails (FAILED, timeout) the state read just after is recorded. */
    const waitFor = async (item: ApplyItem, id: string, target: WaitTarget): Promise<void> => {
      try {
        item.after(await waitForDeployment(session, id, target, { timeoutMs: timeoutMs(), ui }));
      } catch (err) {
        if (!(err instanceof InterruptedError) && !ctx.signal.aborted) item.after(await actions.readAfter(session, id));
        throw err;
      }
    };

    const create = async (item: ApplyItem): Promise<void> => {
      const body = item.createBody!;
      const spinner = ui.spinner(`Creating ${format.safeText(body.name)}…`);
      let created: ElasticDeploymentDetail;
      try {
        created = await api.createDeployment(session.client, body);
      } catch (err) {
        if (err instanceof NetworkError && err.details.outcomeUnknown) {
          throw new NetworkError(
            `while creating "${format.safeText(body.name)}": ${err.message}`,
            err.details,
            `It was not sent again. Apply the same file again: it finds "${format.safeText(body.name)}" by name if it was created, and creates it otherwise.`,
          );
        }
        throw actions.explainError(err, `create ${format.safeText(body.name)}`, '');
      } finally {
        spinner.stop();
      }
      item.changed = true;
      item.after(created);
      if (opts.wait) {
        try {
          await waitFor(item, created.id, { state: 'running' });
        } catch (err) {
          throw withHint(err, `${label(item)} was created (id ${created.id}); check it with: yotta deploy get ${created.id}`);
        }
        ui.info(`Created ${label(item)}: ${describeState(item.detail!)}.`);
      } else {
        ui.info(`Created ${label(item)}.`);
      }
      price.showPrice(ui, price.priceLine(item.detail));
    };

    const scale = async (item: ApplyItem, p: ApplyPlan): Promise<void> => {
      const live = item.live!;
      const to = p.to!;
      ui.info(`Scaling ${label(item)} from ${format.cell(live.totalWorkers)} to ${plural(to)}…`);
      price.showPrice(ui, plan.plannedPriceLine(p, live, item.doc.spec));
      try {
        await api.scaleDeployment(session.client, live.id, to);
      } catch (err) {
        const state = format.safeText(String(live.status));
        throw actions.explainError(err, `scale ${label(item)}`, live.id, `It is ${state}; check with: yotta deploy get ${live.id}`);
      }
      item.changed = true;
      if (opts.wait) await waitFor(item, live.id, { state: 'workers', count: to });
      else item.after(await actions.readAfter(session, live.id));
      ui.info(`Scaled ${label(item)} to ${plural(to)}: ${describeState(item.detail!)}.`);
    };

    const update = async (item: ApplyItem, p: ApplyPlan): Promise<void> => {
      const live = item.live!;
      const id = live.id;
      const before = plan.plannedPriceLine(p, live, item.doc.spec);
      const notUpdated = `It was not updated. Once it is STOPPED (yotta deploy wait ${id} --for stopped), apply the file again, or start it as it was: yotta deploy start ${id}`;
      if (p.restart) {
        ui.info(`Stopping ${label(item)} to update it (--restart)…`);
        price.showPrice(ui, before);
        try {
          await api.stopDeployment(session.client, id);
        } catch (err) {
          const state = format.safeText(String(live.status));
          throw actions.explainError(err, `stop ${label(item)}`, id, `It is ${state}; check with: yotta deploy get ${id}`);
        }
        item.changed = true;
        try {
          await waitFor(item, id, { state: 'stopped' });
        } catch (err) {
          throw withHint(err, notUpdated);
        }
      } else if (p.waitForStop) {
        ui.info(`Waiting for ${label(item)} to stop before updating it…`);
        price.showPrice(ui, before);
        await waitFor(item, id, { state: 'stopped' });
      } else {
        price.showPrice(ui, before);
      }

      let updated: ElasticDeploymentDetail;
      const spinner = ui.spinner(`Updating ${label(item)}…`);
      try {
        updated = await api.updateDeployment(session.client, id, item.updateBody!);
      } catch (err) {
        const explained = actions.explainError(err, `update ${label(item)}`, id, `It must be STOPPED; check with: yotta deploy get ${id}`);
        throw p.restart ? withHint(explained, `It is STOPPED and was not updated; start it as it was with: yotta deploy start ${id}`) : explained;
      } finally {
        spinner.stop();
      }
      item.changed = true;
      item.after(updated);
      // The new price of a change to resources or volume is known only now.
      if (before === undefined) price.showPrice(ui, price.priceChangeLine(live.perHourPrice, updated.perHourPrice));
      if (!p.restart) {
        ui.next(`Updated ${label(item)}; it is STOPPED.`, `yotta deploy start ${id}`);
        return;
      }
      try {
        await api.startDeployment(session.client, id);
      } catch (err) {
        throw withHint(actions.explainError(err, `start ${label(item)}`, id), `It was updated and is STOPPED; start it with: yotta deploy start ${id}`);
      }
      if (opts.wait) await waitFor(item, id, { state: 'running' });
      else item.after(await actions.readAfter(session, id));
      ui.info(`Updated and restarted ${label(item)}: ${describeState(item.detail!)}.`);
    };

    for (const item of items) {
      const p = item.plan;
      if (item.error !== undefined) {
        if (p?.restart) narrateDifferences(item);
        fail(item, item.error);
        continue;
      }
      try {
        switch (p?.action) {
          case 'create':
            await create(item);
            break;
          case 'scale':
            await scale(item, p);
            break;
          case 'update':
            await update(item, p);
            break;
          default:
            ui.info(`${label(item)}: unchanged; nothing sent.`);
        }
      } catch (err) {
        fail(item, err);
      }
    }
    await finish();
  });
}

/**
 * --dry-run's plan of one document on stdout: `create llama-3-8b`, `unchanged ...`, `scale ...: 2 → 4
 * workers`, `update ...: stop, update, start again`, `replace ...`, then the differences, one a line.
 */
function printPlan(ui: Ui, item: ApplyItem, label: string, plan: typeof import('./plan.js'), showEnv: boolean, restartAllowed: boolean): void {
  const c = ui.c;
  const p = item.plan;
  let head: string;
  switch (p?.action) {
    case 'create':
      head = `${c.green('create')}     ${label}${item.createBody ? ` (${plural(item.createBody.workers)})` : ''}`;
      break;
    case 'unchanged':
      head = `${c.dim('unchanged')}  ${label}`;
      break;
    case 'scale':
      head = `${c.yellow('scale')}      ${label}: ${p.from ?? '?'} → ${plural(p.to)}, no restart`;
      break;
    case 'update':
      head = p.restart
        ? `${c.yellow('update')}     ${label}: stop, update, start again${restartAllowed ? '' : ' (needs --restart)'}`
        : p.waitForStop
          ? `${c.yellow('update')}     ${label}: once it has stopped; it stays STOPPED`
          : `${c.yellow('update')}     ${label}: it is STOPPED and stays so`;
      break;
    case 'replace':
      head = `${c.red('replace')}    ${label}: needs a new deployment (not done by apply)`;
      break;
    default:
      head = `${c.red('error')}      ${label}`;
  }
  const lines = [head];
  if (p && p.action !== 'create') lines.push(...plan.planDifferenceLines(plan.maskDifferences(p.differences, showEnv), c, !showEnv, '    '));
  ui.out(lines.join('\n'));
}
