/**
 * The plan/apply engine of `deploy apply`: first a plan for every document, as data (ApplyItem:
 * the deployment found by name, the action from services/plan.ts, the request body built), so every
 * problem shows before anything is sent; then the plan is executed, document by document beside
 * each other (requests bounded by the concurrency), each reported in file order through the
 * multi-deployment runner's eachInOrder. The verb (commands/deploy/apply.ts) renders.
 */
import type { CreateDeploymentRequest, ElasticDeploymentDetail, UpdateDeploymentRequest } from '../api/types.js';
import type { Session } from '../session.js';
import type { Ui } from '../output/ui.js';
import type { ActionErrorJson } from '../output/render.js';
import type { ParsedSpecDoc } from '../spec/index.js';
import type { ApplyAction, ApplyPlan, DifferenceJson } from './plan.js';
import type { WaitTarget } from './deployment-wait.js';
import type { WorkItem } from './runner.js';
import {
  ApiError,
  DeploymentFailedError,
  ExitCode,
  InterruptedError,
  isInterruption,
  NetworkError,
  UsageError,
  WaitTimeoutError,
  YottaError,
} from '../errors.js';
import * as api from '../api/deployments.js';
import * as format from '../output/format.js';
import { actionResultsJson, printMachine } from '../output/render.js';
import { DEFAULT_CONCURRENCY, Limiter } from './concurrency.js';
import { describeState, waitForDeployment, waitTimeoutOf } from './deployment-wait.js';
import * as plan from './plan.js';
import { SharedSleep } from './poller.js';
import * as pricing from './pricing.js';
import { resolveSpecCredentials } from './credentials.js';
import { READ_AFTER_BUDGET_MS, sendWhenFree, sendWrite, eachInOrder, explainError, interruptionOutcomes, reportItemError, throwIfFailed } from './runner.js';

/** How apply runs, from its flags. */
export interface ApplySettings {
  /** The spec file as typed (for the commands a hint gives). */
  file: string;
  /** Allow changes that need the deployment stopped: stop, wait, update, start again. */
  restart: boolean;
  /** Poll until each created, scaled or restarted deployment has reached its target. */
  wait: boolean;
  /** `--wait-timeout` in ms. */
  waitTimeout?: number;
  /** Show environment values in the plan instead of masking them. */
  showEnv: boolean;
  /** Only plan: the results say what would be done. */
  dryRun: boolean;
  /** Requests in flight at once (default 8). */
  concurrency?: number;
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

/** One document of the file, what apply found and planned for it, and what happened. */
export class ApplyItem implements WorkItem {
  live?: ElasticDeploymentDetail;
  plan?: ApplyPlan;
  createBody?: CreateDeploymentRequest;
  updateBody?: UpdateDeploymentRequest;
  /** The deployment as last seen: after the action, or as found. */
  detail?: ElasticDeploymentDetail;
  error?: unknown;
  changed = false;
  started = false;
  finished = false;
  interrupted?: unknown;
  writing?: string;
  reportError?: (err: unknown) => void;

  constructor(
    readonly doc: ParsedSpecDoc,
    public ui: Ui,
  ) {}

  /** The deployment name the document gives. */
  get name(): string {
    return this.doc.spec.name ?? '';
  }

  /** The deployment's id, once it exists. */
  get id(): string | undefined {
    return this.detail?.id ?? this.live?.id;
  }

  /** `llama (3788…0969)` once the deployment exists, the document's name before. */
  get label(): string {
    const d = this.detail ?? this.live;
    return d ? format.describeRef(d.id, d.name) : format.safeText(this.name);
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

/** `1 worker`, `4 workers`, `? workers`. */
export function workersText(n: number | undefined): string {
  return `${n ?? '?'} worker${n === 1 ? '' : 's'}`;
}

/** An apply of one spec file: plan() then execute() (or, with --dry-run, only plan()), then finish(). */
export class ApplyRun {
  readonly items: ApplyItem[];
  private readonly limiter: Limiter;
  private readonly sleeper: SharedSleep;

  constructor(
    readonly session: Session,
    readonly ui: Ui,
    docs: readonly ParsedSpecDoc[],
    readonly settings: ApplySettings,
  ) {
    this.items = docs.map((doc) => new ApplyItem(doc, ui));
    this.limiter = new Limiter(settings.concurrency ?? DEFAULT_CONCURRENCY);
    this.sleeper = new SharedSleep(ui.ctx);
  }

  /** Lists the deployments once and plans every document against them; a document that cannot be done gets its error now. */
  async plan(): Promise<void> {
    const reading = this.ui.spinner('Reading deployments…');
    let all: ElasticDeploymentDetail[];
    try {
      all = await api.listDeployments(this.session.client);
    } finally {
      reading.stop();
    }
    // A credential a document names becomes its id before anything is planned or written (one read).
    await resolveSpecCredentials(this.session.client, this.items.map((i) => i.doc));
    const spec = await import('../spec/index.js');
    for (const item of this.items) {
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
        if (p.action === 'replace') throw this.replaceError(item, p);
        if (p.action === 'update' && p.restart && !this.settings.restart) throw this.restartError(item, p);
      } catch (err) {
        item.error = err;
      } finally {
        for (const w of new Set(warnings)) this.ui.warn(w);
      }
    }
  }

  private replaceError(item: ApplyItem, p: ApplyPlan): UsageError {
    const fixed = p.differences.filter((d) => plan.IMMUTABLE_FIELDS.includes(d.path));
    const what = fixed.map((d) => `${d.path} (it has ${plan.showValue(d.have)}, the spec asks for ${plan.showValue(d.want)})`).join('; ');
    return new UsageError(
      `${item.label}: ${what} cannot change on an existing deployment; that needs a new deployment, so nothing was sent`,
      `Give the spec another name to create a second deployment, or remove this one first: yotta deploy delete ${item.live?.id ?? ''} --force`,
    );
  }

  private restartError(item: ApplyItem, p: ApplyPlan): YottaError {
    return new YottaError(
      `${item.label} is ${format.safeText(String(item.live?.status))}; changing ${plan.listPaths(p.differences)} needs it STOPPED, so nothing was sent`,
      ExitCode.STATE,
      `Run again with --restart to stop it, update it and start it again: yotta deploy apply -f ${format.safeText(this.settings.file)} --restart`,
    );
  }

  /** The price change a planned document makes, when it can be worked out before acting. */
  plannedPrice(item: ApplyItem): string | undefined {
    return item.plan ? plan.plannedPriceLine(item.plan, item.live, item.doc.spec) : undefined;
  }

  /** Applies every planned document, beside each other; each is reported in file order, and one that fails does not stop the others. */
  async execute(): Promise<void> {
    const interrupted = await eachInOrder(this.ui, this.items, (item) => this.applyOne(item), (item, err) => this.fail(item, err));
    if (!interrupted) return;
    const err = interruptionOutcomes(this.ui, this.items, this.items, 'applied');
    if (this.ui.machine && this.items.length > 1) await printMachine(this.ui, this.items.map((i) => this.toJson(i)));
    throw err;
  }

  private async applyOne(item: ApplyItem): Promise<void> {
    const p = item.plan;
    if (item.error !== undefined) {
      if (p?.restart) this.narrateDifferences(item);
      throw item.error;
    }
    switch (p?.action) {
      case 'create':
        return this.create(item);
      case 'scale':
        return this.scale(item, p);
      case 'update':
        return this.update(item, p);
      default:
        item.ui.info(`${item.label}: unchanged; nothing sent.`);
    }
  }

  /** Marks a document failed; with several documents each failure is reported as it happens (in order), with one main reports it. */
  fail(item: ApplyItem, err: unknown): void {
    item.error = err;
    if (this.items.length > 1 && !this.ui.machine) (item.reportError ?? ((e: unknown) => reportItemError(this.ui, e)))(err);
  }

  /** Prints the plan's differences on stderr (before the error of a document that needs --restart). */
  private narrateDifferences(item: ApplyItem): void {
    if (!item.plan || item.plan.differences.length === 0) return;
    const showEnv = this.settings.showEnv;
    item.ui.info(`${item.label} differs from the spec:`);
    for (const l of plan.planDifferenceLines(plan.maskDifferences(item.plan.differences, showEnv), this.ui.errColors, !showEnv)) item.ui.info(l);
  }

  /** A read or a poll, when a slot of the concurrency budget is free (never sent after Ctrl-C). */
  private request<T>(send: () => Promise<T>): Promise<T> {
    return sendWhenFree(this.limiter, this.ui.ctx.signal, send);
  }

  /** A write for `item`, marked in flight while it is (Ctrl-C then says its outcome is unknown) and the item changed once answered. */
  private write<T>(item: ApplyItem, what: string, send: () => Promise<T>): Promise<T> {
    return sendWrite(this.limiter, this.ui.ctx.signal, item, what, send);
  }

  /** Reads the state after an action; a failed read leaves it unknown (the action itself succeeded). */
  private async readAfter(item: ApplyItem, id: string): Promise<void> {
    try {
      item.after(await this.request(() => api.getDeployment(this.session.client, id, { budgetMs: READ_AFTER_BUDGET_MS })));
    } catch (err) {
      if (isInterruption(err, this.ui.ctx.signal)) throw err;
    }
  }

  /** Waits for `target`; when the wait fails (FAILED, timeout) the state read just after is recorded. */
  private async waitFor(item: ApplyItem, id: string, target: WaitTarget): Promise<void> {
    item.started = true;
    try {
      const timeoutMs = waitTimeoutOf(this.settings.waitTimeout, this.session);
      item.after(await waitForDeployment(this.session, id, target, { timeoutMs, ui: item.ui, limiter: this.limiter, sleep: this.sleeper.sleep }));
    } catch (err) {
      if (!isInterruption(err, this.ui.ctx.signal)) await this.readAfter(item, id);
      throw err;
    }
  }

  private async create(item: ApplyItem): Promise<void> {
    const body = item.createBody!;
    const name = format.safeText(body.name);
    const spinner = item.ui.spinner(`Creating ${name}…`);
    let created: ElasticDeploymentDetail;
    try {
      created = await this.write(item, 'create', () => api.createDeployment(this.session.client, body));
    } catch (err) {
      if (err instanceof NetworkError && err.details.outcomeUnknown) {
        throw new NetworkError(
          `while creating "${name}": ${err.message}`,
          err.details,
          `It was not sent again. Apply the same file again: it finds "${name}" by name if it was created, and creates it otherwise.`,
        );
      }
      throw explainError(err, `create ${name}`, '');
    } finally {
      spinner.stop();
    }
    item.after(created);
    if (this.settings.wait) {
      try {
        await this.waitFor(item, created.id, { state: 'running' });
      } catch (err) {
        throw withHint(err, `${item.label} was created (id ${created.id}); check it with: yotta deploy get ${created.id}`);
      }
      item.ui.info(`Created ${item.label}: ${describeState(item.detail!)}.`);
    } else {
      item.ui.info(`Created ${item.label}.`);
    }
    pricing.showPrice(item.ui, pricing.priceLine(item.detail));
  }

  private async scale(item: ApplyItem, p: ApplyPlan): Promise<void> {
    const live = item.live!;
    const to = p.to!;
    item.ui.info(`Scaling ${item.label} from ${format.cell(live.totalWorkers)} to ${workersText(to)}…`);
    pricing.showPrice(item.ui, this.plannedPrice(item));
    try {
      await this.write(item, 'scale', () => api.scaleDeployment(this.session.client, live.id, to));
    } catch (err) {
      const state = format.safeText(String(live.status));
      throw explainError(err, `scale ${item.label}`, live.id, `It is ${state}; check with: yotta deploy get ${live.id}`);
    }
    if (this.settings.wait) await this.waitFor(item, live.id, { state: 'workers', count: to });
    else await this.readAfter(item, live.id);
    item.ui.info(`Scaled ${item.label} to ${workersText(to)}: ${describeState(item.detail!)}.`);
  }

  private async update(item: ApplyItem, p: ApplyPlan): Promise<void> {
    const live = item.live!;
    const id = live.id;
    const ui = item.ui;
    const before = this.plannedPrice(item);
    const notUpdated = `It was not updated. Once it is STOPPED (yotta deploy wait ${id} --for stopped), apply the file again, or start it as it was: yotta deploy start ${id}`;
    if (p.restart) {
      ui.info(`Stopping ${item.label} to update it (--restart)…`);
      pricing.showPrice(ui, before);
      try {
        await this.write(item, 'stop', () => api.stopDeployment(this.session.client, id));
      } catch (err) {
        const state = format.safeText(String(live.status));
        throw explainError(err, `stop ${item.label}`, id, `It is ${state}; check with: yotta deploy get ${id}`);
      }
      try {
        await this.waitFor(item, id, { state: 'stopped' });
      } catch (err) {
        throw withHint(err, notUpdated);
      }
    } else if (p.waitForStop) {
      ui.info(`Waiting for ${item.label} to stop before updating it…`);
      pricing.showPrice(ui, before);
      await this.waitFor(item, id, { state: 'stopped' });
    } else {
      pricing.showPrice(ui, before);
    }

    let updated: ElasticDeploymentDetail;
    const spinner = ui.spinner(`Updating ${item.label}…`);
    try {
      updated = await this.write(item, 'update', () => api.updateDeployment(this.session.client, id, item.updateBody!));
    } catch (err) {
      const explained = explainError(err, `update ${item.label}`, id, `It must be STOPPED; check with: yotta deploy get ${id}`);
      throw p.restart ? withHint(explained, `It is STOPPED and was not updated; start it as it was with: yotta deploy start ${id}`) : explained;
    } finally {
      spinner.stop();
    }
    item.after(updated);
    // The new price of a change to resources or volume is known only now.
    if (before === undefined) pricing.showPrice(ui, pricing.priceChangeLine(live.perHourPrice, updated.perHourPrice));
    if (!p.restart) {
      ui.next(`Updated ${item.label}; it is STOPPED.`, `yotta deploy start ${id}`);
      return;
    }
    try {
      await this.write(item, 'start', () => api.startDeployment(this.session.client, id));
    } catch (err) {
      throw withHint(explainError(err, `start ${item.label}`, id), `It was updated and is STOPPED; start it with: yotta deploy start ${id}`);
    }
    if (this.settings.wait) await this.waitFor(item, id, { state: 'running' });
    else await this.readAfter(item, id);
    ui.info(`Updated and restarted ${item.label}: ${describeState(item.detail!)}.`);
  }

  /** One document's result in its machine form. */
  toJson(item: ApplyItem): ApplyResultJson {
    const base = actionResultsJson([{ id: item.id ?? '', action: item.plan?.action ?? '', ok: item.error === undefined, error: item.error }])[0]!;
    const status = item.detail?.status;
    return {
      name: item.name,
      id: item.id ?? null,
      action: item.plan?.action ?? null,
      restart: item.plan?.restart ?? false,
      ok: item.error === undefined,
      changed: item.changed,
      status: typeof status === 'string' ? status : null,
      differences: plan.differencesJson(plan.maskDifferences(item.plan?.differences ?? [], this.settings.showEnv)),
      error: base.error,
    };
  }

  /** Prints the per-document results for -o json / yaml, then throws the exit status (the document's own with one, 10 with several). */
  async finish(): Promise<void> {
    await printMachine(this.ui, this.items.map((i) => this.toJson(i)));
    throwIfFailed(this.items, (i) => i.label, 'documents', this.settings.dryRun ? 'planned' : 'applied');
  }
}
