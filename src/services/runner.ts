/**
 * The multi-deployment runner: the one loop behind start, stop, delete and scale (apply and diff
 * report through the same RunReport). It resolves the references, drops a deployment named twice
 * (by name and by id, or twice in a list), acts on every deployment with at most `concurrency`
 * requests in flight, waits for them together, and reports each in the order given: one that fails
 * does not stop the others, and with several the exit is 10 when some failed. Ctrl-C stops starting
 * new work, lets what is in flight settle, and says what became of each deployment.
 */
import type { ElasticDeploymentDetail } from '../api/types.js';
import type { Session } from '../session.js';
import type { Ui } from '../output/ui.js';
import type { Spinner } from '../output/spinner.js';
import type { ActionResult, ActionResultJson } from '../output/render.js';
import type { WaitTarget } from './deployment-wait.js';
import { ApiError, ExitCode, InterruptedError, isInterruption, NetworkError, PartialFailureError, YottaError } from '../errors.js';
import { describeRef, safeText } from '../output/format.js';
import { actionResultsJson, printMachine } from '../output/render.js';
import { getDeployment, listDeployments } from '../api/deployments.js';
import { DEFAULT_CONCURRENCY, Limiter } from './concurrency.js';
import { waitForDeployment } from './deployment-wait.js';
import { SharedSleep } from './poller.js';

/** How long the look at a deployment after a failed wait may take, retries included. */
export const READ_AFTER_BUDGET_MS = 2000;
export { waitTimeoutOf } from './deployment-wait.js';
import { isDeploymentId, noDeploymentNamed, pickByName } from './resolve.js';

/** The lifecycle actions this runner performs. */
export type LifecycleAction = 'start' | 'stop' | 'delete' | 'scale';

/** A checked selection: references, or every deployment in some statuses (`statusList` undefined: all). */
export type Selection = { all: false; refs: string[] } | { all: true; statusList?: string[] };

/**
 * What `-o json` / `-o yaml` print for each deployment: output's ActionResultJson (`id, name, action,
 * ok, status, error`) plus whether anything was sent and, for scale, the worker counts.
 */
export type LifecycleResultJson = ActionResultJson & {
  /** False when nothing was sent because the deployment already was (or was becoming) what was asked. */
  changed: boolean;
  /** scale only: the worker count asked for. */
  workers?: number;
  /** scale only: workers running after the action (null when unknown). */
  runningWorkers?: number | null;
};

const PAST: Record<LifecycleAction, string> = { start: 'started', stop: 'stopped', delete: 'deleted', scale: 'scaled' };

/** `every deployment`, or `every deployment that is RUNNING or INITIALIZING`. */
export function describeSelection(statusList: readonly string[] | undefined): string {
  if (!statusList) return 'every deployment';
  const list = statusList.length === 1 ? statusList[0]! : `${statusList.slice(0, -1).join(', ')} or ${statusList.at(-1)!}`;
  return `every deployment that is ${list}`;
}

/**
 * Adds what a bare API or network error lacks: which deployment and action it was about, and, for a
 * write whose outcome is unknown, the command that checks it (such a write is never sent again).
 */
export function explainError(err: unknown, doing: string, id: string, stateHint?: string): unknown {
  if (err instanceof InterruptedError) return err;
  if (err instanceof NetworkError) {
    const hint = err.details.outcomeUnknown
      ? `It was not sent again. Check whether it happened with: yotta deploy get ${id}`
      : err.hint;
    return new NetworkError(`while trying to ${doing}: ${err.message}`, err.details, hint);
  }
  if (err instanceof ApiError) {
    let hint = err.hint;
    if (err.exitCode === ExitCode.NOT_FOUND) hint = 'Run `yotta deploy list` to see ids and names.';
    else if (err.exitCode === ExitCode.STATE && stateHint) hint = stateHint;
    return new ApiError(`could not ${doing}: ${err.message}`, err.details, hint);
  }
  return err;
}

/** Reports one failure among several as it happens, through the one error printer (ui.error). */
export function reportItemError(ui: Ui, err: unknown): void {
  if (err instanceof YottaError) {
    ui.error(err);
    return;
  }
  // The machine form reads any thrown value safely (even one whose toString throws).
  const info = actionResultsJson([{ id: '', action: '', ok: false, error: err }])[0]!.error!;
  ui.error(new YottaError(info.message, info.exitCode, info.hint));
}

/**
 * The exit status of a run over several items, decided once for every multi-item command: nothing
 * when none failed; the item's own error when there was one item; PartialFailureError (exit 10)
 * naming the failed ones when some of several failed (`3 of 5 deployments could not be stopped: …`).
 */
export function throwIfFailed<T extends { error?: unknown }>(items: readonly T[], label: (item: T) => string, noun: string, past: string): void {
  const failed = items.filter((i) => i.error !== undefined);
  if (failed.length === 0) return;
  if (items.length === 1) throw failed[0]!.error;
  throw new PartialFailureError(`${failed.length} of ${items.length} ${noun} could not be ${past}: ${failed.map(label).join(', ')}`);
}

/** A spinner that draws nothing: several deployments in flight at once share the terminal. */
function silentSpinner(text: string): Spinner {
  const s: Spinner = { text, update: (t) => void (s.text = t), succeed() {}, fail() {}, stop() {} };
  return s;
}

/**
 * Narration in the order given, though the work runs concurrently: the first unfinished item speaks
 * at once; the others' lines are held and written when every item before them has finished. With
 * one item (or a concurrency of 1, where items run one at a time) nothing is held.
 */
class OrderedNarration {
  private readonly held = new Map<number, Array<() => void>>();
  private readonly settled = new Set<number>();
  private head = 0;

  constructor(
    private readonly ui: Ui,
    private readonly count: number,
  ) {}

  /** Reports item `index`'s failure (`Error: …` and the hint) when it is the item's turn. */
  errorFor(index: number): (err: unknown) => void {
    return (err) => this.say(index, () => reportItemError(this.ui, err));
  }

  /** Runs `fn` now when item `index` is the head, else when its turn comes. */
  private say(index: number, fn: () => void): void {
    if (index === this.head) fn();
    else {
      const list = this.held.get(index) ?? [];
      list.push(fn);
      this.held.set(index, list);
    }
  }

  /** A Ui for item `index`: its narration is held until it is the item's turn; its spinners draw nothing when others run beside it. */
  uiFor(index: number): Ui {
    if (this.count <= 1) return this.ui;
    const say = (fn: () => void): void => this.say(index, fn);
    const base = this.ui;
    return Object.create(base, {
      info: { value: (m: string) => say(() => base.info(m)) },
      success: { value: (m: string) => say(() => base.success(m)) },
      warn: { value: (m: string) => say(() => base.warn(m)) },
      next: { value: (m: string, command: string) => say(() => base.next(m, command)) },
      out: { value: (t: string) => say(() => base.out(t)) },
      error: { value: (e: YottaError) => say(() => base.error(e)) },
      spinner: { value: (t: string) => silentSpinner(t) },
    }) as Ui;
  }

  /** Item `index` has finished: when it was the head, the next items' held lines are written. */
  done(index: number): void {
    this.settled.add(index);
    while (this.head < this.count && this.settled.has(this.head)) {
      this.head += 1;
      this.flush(this.head);
    }
  }

  /** Writes everything still held, in order (after Ctrl-C, before the outcomes are summed up). */
  flushAll(): void {
    for (let i = this.head; i < this.count; i += 1) this.flush(i);
    this.head = this.count;
  }

  private flush(index: number): void {
    const list = this.held.get(index);
    this.held.delete(index);
    for (const fn of list ?? []) fn();
  }
}

/** Sends one request when a slot of `limiter` is free; one still queued when Ctrl-C comes is never sent. */
export function sendWhenFree<T>(limiter: Limiter, signal: AbortSignal, send: () => Promise<T>): Promise<T> {
  return limiter.run(async () => {
    if (signal.aborted) throw new InterruptedError();
    return send();
  });
}

/**
 * Sends a write for `item` (`what` names it, e.g. `stop`) when a slot is free: marks it in flight
 * while it is, so that Ctrl-C can say its outcome is unknown, and marks the item changed once answered.
 */
export function sendWrite<T>(limiter: Limiter, signal: AbortSignal, item: WorkItem, what: string, send: () => Promise<T>): Promise<T> {
  return sendWhenFree(limiter, signal, async () => {
    item.started = true;
    item.writing = what;
    let answer: T;
    try {
      answer = await send();
    } catch (err) {
      // Cut short by Ctrl-C, the write stays marked in flight: whether it happened is unknown.
      if (!isInterruption(err, signal)) item.writing = undefined;
      throw err;
    }
    item.writing = undefined;
    item.changed = true;
    return answer;
  });
}

/** What the runner needs of an item it works on (a deployment of start/stop/delete/scale, a document of apply). */
export interface WorkItem {
  /** Narration of this item (held until its turn when several run at once); set by eachInOrder. */
  ui: Ui;
  /** Reports this item's failure on stderr, in its turn; set by eachInOrder. */
  reportError?: (err: unknown) => void;
  /** Whether a request was sent for it in the current pass (after Ctrl-C: whether anything may have happened). */
  started: boolean;
  /** Whether the current pass ended for it on its own (done or failed), not cut short by Ctrl-C. */
  finished: boolean;
  /** Ctrl-C came while this item was being worked on (the error says where). */
  interrupted?: unknown;
  /** Set while a write is in flight: what it does, e.g. `stop`. After Ctrl-C, its outcome is unknown. */
  writing?: string;
  /** Whether a request that changes it was sent and answered. */
  changed: boolean;
  /** Why it failed; undefined while it has not. */
  error?: unknown;
  /** `llama (3788…0969)` for narration. */
  readonly label: string;
  /** The deployment's id, once there is one; the command that checks it uses it. */
  readonly id: string | undefined;
}

/**
 * Runs `step` for every item, all started together (the requests inside are bounded by the run's
 * Limiter), narration in the order given; an error is handed to `fail` for that item only. Ctrl-C
 * marks the items it cut short and lets the others settle. Returns whether Ctrl-C came; everything
 * held has been written by then.
 */
export async function eachInOrder<T extends WorkItem>(
  ui: Ui,
  items: readonly T[],
  step: (item: T) => Promise<void>,
  fail: (item: T, err: unknown) => void,
): Promise<boolean> {
  const narration = new OrderedNarration(ui, items.length);
  const signal = ui.ctx.signal;
  for (const item of items) {
    item.started = false;
    item.finished = false;
  }
  await Promise.all(
    items.map(async (item, index) => {
      item.ui = narration.uiFor(index);
      item.reportError = narration.errorFor(index);
      try {
        if (signal.aborted) throw new InterruptedError();
        await step(item);
        item.finished = true;
      } catch (err) {
        if (isInterruption(err, signal)) item.interrupted = err;
        else {
          item.finished = true;
          fail(item, err);
        }
      } finally {
        narration.done(index);
        item.ui = ui;
        item.reportError = undefined;
      }
    }),
  );
  if (!signal.aborted && !items.some((i) => i.interrupted !== undefined)) return false;
  narration.flushAll();
  return true;
}

/** What Ctrl-C left of one item, as an InterruptedError naming it and the command to check it. */
function interruptionOf(item: WorkItem, past: string): InterruptedError {
  const check = item.id ? `yotta deploy get ${item.id}` : 'yotta deploy list';
  if (!item.started) return new InterruptedError(`${item.label}: not ${past}; interrupted before anything was sent for it`);
  if (item.writing !== undefined) {
    return new InterruptedError(
      `${item.label}: interrupted while the ${item.writing} request was in flight; the outcome is unknown`,
      `It was not sent again. Check whether it happened with: ${check}`,
      { method: item.writing, path: item.id ?? '', outcomeUnknown: true, check },
    );
  }
  const err = item.interrupted;
  // A wait cut short says itself which deployment it left, in what state, and how to wait again.
  if (err instanceof InterruptedError && err.message !== 'interrupted') return err;
  return new InterruptedError(`${item.label}: interrupted${item.changed ? ' after its request was answered' : ''}`, `Check it with: ${check}`);
}

/**
 * After Ctrl-C: the error to end with. With one item, its own interruption (a write in flight says
 * its outcome is unknown). With several, each item cut short or never started is reported on
 * stderr (and recorded as its error, for --json) and the error sums them up.
 */
export function interruptionOutcomes(ui: Ui, all: readonly WorkItem[], pass: readonly WorkItem[], past: string): InterruptedError {
  if (all.length === 1) {
    const only = all[0]!;
    if (only.writing !== undefined || !(only.interrupted instanceof InterruptedError)) return interruptionOf(only, past);
    return only.interrupted;
  }
  const counts = { done: 0, unknown: 0, notStarted: 0, cut: 0 };
  for (const item of pass) {
    if (item.finished) {
      counts.done += 1;
      continue;
    }
    const outcome = interruptionOf(item, past);
    item.error = outcome;
    if (!item.started) counts.notStarted += 1;
    else if (item.writing !== undefined) counts.unknown += 1;
    else counts.cut += 1;
    if (!ui.machine) reportItemError(ui, outcome);
  }
  const parts = [
    `${counts.done} of ${pass.length} finished`,
    ...(counts.cut ? [`${counts.cut} cut short`] : []),
    ...(counts.unknown ? [`${counts.unknown} with an outcome unknown`] : []),
    ...(counts.notStarted ? [`${counts.notStarted} not started (nothing sent for them)`] : []),
  ];
  return new InterruptedError(`interrupted: ${parts.join(', ')}`, 'See where each one is with: yotta deploy list');
}

/** One deployment being acted on: what was found, what happened, and the state after. */
export class RunItem implements WorkItem {
  detail?: ElasticDeploymentDetail;
  /** The status when it was looked up, before the action (safe to print). */
  before?: string;
  /** Why it failed; undefined while it has not. */
  error?: unknown;
  /** Whether a request that changes it was sent and answered. */
  changed = false;
  /** The status after the action; null when deleted or unknown. */
  status: string | null = null;
  /** scale only: the worker count asked for. */
  workers?: number;
  /** Workers running after the action; null when unknown. */
  runningWorkers: number | null = null;
  /** Narration of this item (held until its turn when several run at once); set by DeploymentRun.each. */
  ui: Ui;
  /** Reports this item's failure on stderr, in its turn; set by DeploymentRun.each. */
  reportError?: (err: unknown) => void;
  /** Set while a write is in flight: what it does, e.g. `stop`. After Ctrl-C, its outcome is unknown. */
  writing?: string;
  /** Whether a request was sent for it in the current pass. */
  started = false;
  /** Whether the current pass ended for it on its own, not cut short by Ctrl-C. */
  finished = false;
  /** Ctrl-C came while this item was being worked on (the error says where). */
  interrupted?: unknown;

  constructor(
    readonly ref: string,
    readonly action: LifecycleAction,
    ui: Ui,
  ) {
    this.ui = ui;
  }

  /** The id to send: the resolved one, else the reference itself. */
  get id(): string {
    return this.detail?.id ?? this.ref;
  }

  /** `llama (3788…0969)` for narration, or the reference when it was never found. */
  get label(): string {
    return this.detail ? describeRef(this.detail.id, this.detail.name) : safeText(this.ref);
  }

  /** Records the deployment as found, with its current state. */
  found(d: ElasticDeploymentDetail): void {
    this.detail = d;
    this.status = typeof d.status === 'string' ? d.status : null;
    this.before = safeText(String(d.status));
  }

  /** Records the state after the action (undefined: unknown, or deleted). */
  after(d: ElasticDeploymentDetail | undefined): void {
    this.status = d && typeof d.status === 'string' ? d.status : null;
    this.runningWorkers = d && typeof d.runningWorkers === 'number' ? d.runningWorkers : null;
    if (d) this.detail = d;
  }

  /** This item in output's action-result form, for actionResultsJson. */
  toActionResult(): ActionResult {
    const name = this.detail?.name;
    return {
      id: this.id,
      ...(typeof name === 'string' ? { name } : {}),
      action: this.action,
      ok: this.error === undefined,
      ...(this.status !== null ? { status: this.status } : {}),
      ...(this.error !== undefined ? { error: this.error } : {}),
    };
  }

  /** Adds this command's fields to output's JSON form of the result. */
  extend(base: ActionResultJson): LifecycleResultJson {
    const { error, ...rest } = base;
    const scale = this.action === 'scale' ? { workers: this.workers, runningWorkers: this.runningWorkers } : {};
    return { ...rest, changed: this.changed, ...scale, error };
  }
}

/** How a run is carried out. */
export interface RunOptions {
  /** Requests in flight at once, writes and polls together (default 8; 1 sends one after another). */
  concurrency?: number;
  /** A reference that is not found is said to be gone already and left out: not a failure (`delete --ignore-not-found`). */
  ignoreNotFound?: boolean;
}

/** A run of one lifecycle action over one or several deployments. */
export class DeploymentRun {
  items: RunItem[];
  readonly ui: Ui;
  readonly limiter: Limiter;
  /** One clock for the waits that run together. */
  readonly sleeper: SharedSleep;
  private listed?: Promise<ElasticDeploymentDetail[]>;

  constructor(
    readonly session: Session,
    readonly action: LifecycleAction,
    refs: readonly string[],
    opts: RunOptions = {},
  ) {
    this.ui = session.ui;
    this.limiter = new Limiter(opts.concurrency ?? DEFAULT_CONCURRENCY);
    this.sleeper = new SharedSleep(this.ui.ctx);
    this.items = refs.map((r) => new RunItem(r, action, this.ui));
  }

  /**
   * Opens the run of a selection: named deployments are looked up (and a deployment named twice
   * kept once), `--all` lists them with one call. When `--all` matches nothing, says so and returns
   * undefined (exit 0; `[]` with --json).
   */
  static async open(session: Session, action: LifecycleAction, selection: Selection, opts: RunOptions = {}): Promise<DeploymentRun | undefined> {
    if (!selection.all) {
      const run = new DeploymentRun(session, action, selection.refs, opts);
      await run.resolveAll(opts.ignoreNotFound === true);
      return run;
    }
    const run = await DeploymentRun.forAll(session, action, selection.statusList, opts);
    if (run.items.length > 0) return run;
    const none = selection.statusList ? `No deployment is ${selection.statusList.join(' or ')}` : 'There are no deployments';
    run.ui.info(`${none}; nothing to ${action}.`);
    await run.finish();
    return undefined;
  }

  /**
   * A run over every deployment in `statusList` (all when undefined), found with one list call; the
   * statuses are checked here too, so that nothing outside them is ever acted on, and an id the list
   * repeats is acted on once.
   */
  static async forAll(session: Session, action: LifecycleAction, statusList: readonly string[] | undefined, opts: RunOptions = {}): Promise<DeploymentRun> {
    const list = await listDeployments(session.client, statusList ? { statusList: [...statusList] } : {});
    // Only well-formed entries can be acted on; an entry without a string id is not one of ours to touch.
    const wellFormed = (Array.isArray(list) ? list : []).filter((d) => typeof d === 'object' && d !== null && typeof d.id === 'string');
    const seen = new Set<string>();
    const matching = (statusList ? wellFormed.filter((d) => statusList.includes(String(d.status))) : wellFormed).filter(
      (d) => !seen.has(d.id) && Boolean(seen.add(d.id)),
    );
    const run = new DeploymentRun(session, action, matching.map((d) => d.id), opts);
    run.items.forEach((item, k) => item.found(matching[k]!));
    return run;
  }

  /** Items that have not failed so far. */
  get live(): RunItem[] {
    return this.items.filter((i) => i.error === undefined);
  }

  /**
   * Sends one request when a slot of the concurrency budget is free. A request still queued when
   * Ctrl-C comes is never sent.
   */
  request<T>(send: () => Promise<T>): Promise<T> {
    return sendWhenFree(this.limiter, this.ui.ctx.signal, send);
  }

  /**
   * Sends a write for `item` (`what` names it, e.g. `stop`): marks it in flight while it is, so that
   * Ctrl-C can say its outcome is unknown, and marks the item changed once it is answered.
   */
  async write<T>(item: RunItem, what: string, send: () => Promise<T>): Promise<T> {
    return sendWrite(this.limiter, this.ui.ctx.signal, item, what, send);
  }

  /**
   * Finds a deployment by id (one GET) or by exact name (one list call, shared by every name in the
   * run). A name no deployment has, or several share, is an error.
   */
  private async lookUp(ref: string): Promise<ElasticDeploymentDetail> {
    if (isDeploymentId(ref)) return this.request(() => getDeployment(this.session.client, ref));
    this.listed ??= this.request(() => listDeployments(this.session.client));
    const match = pickByName(await this.listed, ref);
    if (!match) throw noDeploymentNamed(ref);
    return match;
  }

  /**
   * Looks every reference up (concurrently); the ones not found are recorded as failed and
   * reported, in order. A deployment named twice (by name and by id, say) is kept once, at its first
   * place, so that it gets exactly one write. With `ignoreNotFound`, one not found is said to be gone
   * already and left out (nothing is sent for it; not a failure).
   */
  async resolveAll(ignoreNotFound = false): Promise<void> {
    const found = await Promise.all(
      this.items.map(async (item) => {
        try {
          return { item, detail: await this.lookUp(item.ref) };
        } catch (err) {
          return { item, err };
        }
      }),
    );
    const seen = new Map<string, RunItem>();
    const kept: RunItem[] = [];
    for (const r of found) {
      if ('err' in r) {
        if (isInterruption(r.err, this.ui.ctx.signal)) throw r.err instanceof InterruptedError ? r.err : new InterruptedError();
        if (ignoreNotFound && r.err instanceof YottaError && r.err.exitCode === ExitCode.NOT_FOUND) {
          this.ui.info(`${safeText(r.item.ref)} not found; nothing to ${this.action} (--ignore-not-found).`);
          continue;
        }
        kept.push(r.item);
        this.fail(r.item, explainError(r.err, `${this.action} ${safeText(r.item.ref)}`, r.item.ref));
        continue;
      }
      const first = seen.get(r.detail.id);
      if (first) {
        this.ui.info(`${safeText(r.item.ref)} is ${first.label}, named already; it is ${PAST[this.action]} once.`);
        continue;
      }
      r.item.found(r.detail);
      seen.set(r.detail.id, r.item);
      kept.push(r.item);
    }
    this.items = kept;
  }

  /**
   * Runs `step` for every live item, all started together and their requests bounded by the
   * concurrency; an error fails that item only (reported, in order, when there are several). Ctrl-C
   * lets what is in flight settle, reports what became of each item, and throws InterruptedError.
   */
  async each(step: (item: RunItem, d: ElasticDeploymentDetail) => Promise<void>): Promise<void> {
    const items = this.live.filter((i) => i.detail !== undefined);
    const interrupted = await eachInOrder(this.ui, items, (item) => step(item, item.detail!), (item, err) => this.fail(item, err));
    if (interrupted) await this.interrupted(items);
  }

  /**
   * Waits for `item` to reach `target` (its polls share the concurrency budget) and records the
   * state reached; when the wait fails (FAILED, timeout), the status recorded is the one read just
   * after, not the one from before the action.
   */
  async waitFor(item: RunItem, target: WaitTarget, timeoutMs: number): Promise<void> {
    item.started = true;
    try {
      item.after(
        await waitForDeployment(this.session, item.id, target, { timeoutMs: Math.max(0, timeoutMs), ui: item.ui, limiter: this.limiter, sleep: this.sleeper.sleep }),
      );
    } catch (err) {
      if (!isInterruption(err, this.ui.ctx.signal)) {
        const d = await this.readAfter(item);
        if (d) item.after(d);
      }
      throw err;
    }
  }

  /**
   * Reads the state after an action; a failed read leaves it unknown (the action itself succeeded). Ctrl-C still ends the run.
   * Best effort, after a wait may have hit its deadline: bounded, so a server that stopped answering cannot hold the command.
   */
  async readAfter(item: RunItem): Promise<ElasticDeploymentDetail | undefined> {
    try {
      return await this.request(() => getDeployment(this.session.client, item.id, { budgetMs: READ_AFTER_BUDGET_MS }));
    } catch (err) {
      if (isInterruption(err, this.ui.ctx.signal)) throw err;
      return undefined;
    }
  }

  /** Marks an item failed. Several items: reported on stderr, in order (JSON carries it instead). */
  fail(item: RunItem, err: unknown): void {
    item.error = err;
    if (this.items.length > 1 && !this.ui.machine) {
      if (item.reportError) item.reportError(err);
      else reportItemError(this.ui, err);
    }
  }

  /**
   * After Ctrl-C: says what became of each deployment, prints the per-deployment results for -o json
   * / yaml, and throws InterruptedError (exit 130). With one deployment its own interruption (which
   * says how to check and to wait again) is thrown as it is.
   */
  private async interrupted(items: readonly RunItem[]): Promise<never> {
    const err = interruptionOutcomes(this.ui, this.items, items, PAST[this.action]);
    if (this.ui.machine && this.items.length > 1) await this.printResults();
    throw err;
  }

  /** Prints the per-item results for -o json / yaml, in the order given. */
  private async printResults(): Promise<void> {
    const base = actionResultsJson(this.items.map((i) => i.toActionResult()));
    await printMachine(this.ui, base.map((b, k) => this.items[k]!.extend(b)));
  }

  /**
   * Prints the per-item results for -o json / yaml (people get the stderr narration instead), then
   * throws: the item's own error when there was one, PartialFailureError (exit 10) when some of several failed.
   */
  async finish(): Promise<void> {
    if (this.ui.machine) await this.printResults();
    throwIfFailed(this.items, (i) => i.label, 'deployments', PAST[this.action]);
  }
}
