/**
 * The shared runner of the lifecycle verbs (start, stop, delete, scale): looks each reference up,
 * acts on each id in turn so that one failure does not stop the others, reports every id, prints the
 * per-id JSON/YAML result, and picks the exit code (the id's own with one id; 10 when some of several failed).
 */
import type { ElasticDeploymentDetail } from '../../api/types.js';
import type { Context } from '../../context.js';
import type { GlobalOptions } from '../../globals.js';
import type { Session } from '../../session.js';
import type { Ui } from '../../output/ui.js';
import type { ActionResult, ActionResultJson } from '../../output/render.js';
import { ApiError, ExitCode, InterruptedError, isInterruption, NetworkError, PartialFailureError, UsageError, YottaError } from '../../errors.js';
import { describeRef, safeText } from '../../output/format.js';
import { checkDeploymentRef, isDeploymentId, noDeploymentNamed, parseDeploymentStatuses, pickByName } from './common.js';
import type { WaitTarget } from './waiting.js';
import { DEFAULT_WAIT_TIMEOUT_MS, describeState, reachedTarget, waitForDeployment } from './waiting.js';
import { createUi } from '../../output/ui.js';
import { withSession } from '../../session.js';
import { getDeployment, listDeployments, startDeployment, stopDeployment } from '../../api/deployments.js';
import { actionResultsJson, printMachine } from '../../output/render.js';

/** The lifecycle actions this runner performs. */
export type LifecycleAction = 'start' | 'stop' | 'delete' | 'scale';

/**
 * What `-o json` / `-o yaml` print for each id: output's ActionResultJson (`id, name, action, ok,
 * status, error`) plus whether anything was sent and, for scale, the worker counts.
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

/** Checks every reference before anything is sent (exit 2 on a bad one) and drops repeats. */
export function checkRefs(refs: readonly string[]): string[] {
  if (refs.length === 0) throw new UsageError('name at least one deployment id or name, or pass --all');
  return [...new Set(refs.map(checkDeploymentRef))];
}

/** How start, stop and delete choose deployments: named ones, or `--all` (optionally only those in `--status`). */
export interface SelectionFlags {
  /** Deployment ids or names, as typed. */
  refs: string[];
  /** Act on every deployment (every one in --status, when given). */
  all?: boolean;
  /** With --all: `--status` values as typed (repeatable, comma-separated, any case). */
  status?: string[];
}

/** A checked selection: references, or every deployment in some statuses (`statusList` undefined: all). */
export type Selection = { all: false; refs: string[] } | { all: true; statusList?: string[] };

/** Checks the selection flags before anything is sent: ids and --all exclude each other, --status needs --all. */
export function checkSelection(o: SelectionFlags): Selection {
  if (o.all) {
    if (o.refs.length > 0) {
      throw new UsageError(
        `--all acts on every deployment${o.status ? ' in --status' : ''}; it cannot be combined with ids or names (${o.refs.join(' ')})`,
        'Pass either the deployments to act on, or --all (with --status to choose which).',
      );
    }
    const statusList = parseDeploymentStatuses(o.status);
    return statusList ? { all: true, statusList } : { all: true };
  }
  if (o.status) throw new UsageError('--status chooses deployments for --all; add --all, or name the deployments instead');
  return { all: false, refs: checkRefs(o.refs) };
}

/** `every deployment`, or `every deployment that is RUNNING or INITIALIZING`. */
export function describeSelection(statusList: readonly string[] | undefined): string {
  if (!statusList) return 'every deployment';
  const list = statusList.length === 1 ? statusList[0]! : `${statusList.slice(0, -1).join(', ')} or ${statusList.at(-1)!}`;
  return `every deployment that is ${list}`;
}

/**
 * Refuses, before anything is sent, an action that must be confirmed when no one can be asked
 * (no terminal, or --no-input) and --yes was not given; the error names --yes.
 */
export function requireConfirmable(ui: Ui, g: GlobalOptions, doing: string, verb: string): void {
  if (ui.interactive) return;
  const why = g.input === false ? '--no-input was given' : 'there is no terminal to ask on';
  throw new UsageError(`${doing} needs confirmation and ${why}; pass --yes to ${verb} without asking`);
}

/** One deployment being acted on: what was found, what happened, and the state after. */
export class ActionItem {
  detail?: ElasticDeploymentDetail;
  /** The status when it was looked up, before the action (safe to print). */
  before?: string;
  /** Why it failed; undefined while it has not. */
  error?: unknown;
  /** Whether a request that changes it was sent. */
  changed = false;
  /** The status after the action; null when deleted or unknown. */
  status: string | null = null;
  /** scale only: the worker count asked for. */
  workers?: number;
  /** Workers running after the action; null when unknown. */
  runningWorkers: number | null = null;

  constructor(
    readonly ref: string,
    readonly action: LifecycleAction,
  ) {}

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


/** A run of one lifecycle action over one or several deployments. */
export class ActionRun {
  readonly items: ActionItem[];
  readonly ui: Ui;
  private all?: Promise<ElasticDeploymentDetail[]>;

  constructor(
    readonly session: Session,
    readonly action: LifecycleAction,
    refs: readonly string[],
  ) {
    this.ui = session.ui;
    this.items = refs.map((r) => new ActionItem(r, action));
  }

  /**
   * A run over every deployment in `statusList` (all when undefined), found with one list call; the
   * statuses are checked here too, so that nothing outside them is ever acted on.
   */
  static async forAll(session: Session, action: LifecycleAction, statusList: readonly string[] | undefined): Promise<ActionRun> {
    const list = await listDeployments(session.client, statusList ? { statusList: [...statusList] } : {});
    // Only well-formed entries can be acted on; an entry without a string id is not one of ours to touch.
    const wellFormed = (Array.isArray(list) ? list : []).filter((d) => typeof d === 'object' && d !== null && typeof d.id === 'string');
    const matching = statusList ? wellFormed.filter((d) => statusList.includes(String(d.status))) : wellFormed;
    const run = new ActionRun(session, action, matching.map((d) => d.id));
    run.items.forEach((item, k) => item.found(matching[k]!));
    return run;
  }

  /** Items that have not failed so far. */
  get live(): ActionItem[] {
    return this.items.filter((i) => i.error === undefined);
  }

  /**
   * Finds a deployment by id (one GET) or by exact name (one list call, shared by every name in the
   * run); several deployments with the name are refused with the candidates listed.
   */
  async lookUp(ref: string): Promise<ElasticDeploymentDetail> {
    if (isDeploymentId(ref)) return getDeployment(this.session.client, ref);
    this.all ??= listDeployments(this.session.client);
    const match = pickByName(await this.all, ref);
    if (!match) throw noDeploymentNamed(ref);
    return match;
  }

  /**
   * Looks every reference up; the ones not found are recorded as failed and reported, or with
   * `ignoreNotFound` said to be gone already and left out (nothing is sent for them; not a failure).
   */
  async resolveAll(ignoreNotFound = false): Promise<void> {
    for (const item of this.items) {
      try {
        item.found(await this.lookUp(item.ref));
      } catch (err) {
        if (ignoreNotFound && err instanceof YottaError && err.exitCode === ExitCode.NOT_FOUND) {
          this.ui.info(`${safeText(item.ref)} not found; nothing to ${this.action} (--ignore-not-found).`);
          continue;
        }
        this.fail(item, explainError(err, `${this.action} ${safeText(item.ref)}`, item.ref));
      }
    }
  }

  /**
   * Runs `step` for each live item, in order; an error fails that item only (it is reported at once
   * when there are several), except Ctrl-C, which ends the whole run.
   */
  async each(step: (item: ActionItem, d: ElasticDeploymentDetail) => Promise<void>): Promise<void> {
    for (const item of this.live) {
      if (!item.detail) continue;
      try {
        await step(item, item.detail);
      } catch (err) {
        this.fail(item, err);
      }
    }
  }

  /**
   * Waits for `item` to reach `target` and records the state reached; when the wait fails (FAILED,
   * timeout), the status recorded is the one read just after, not the one from before the action.
   */
  async waitFor(item: ActionItem, target: WaitTarget, timeoutMs: number): Promise<void> {
    try {
      item.after(await waitForDeployment(this.session, item.id, target, { timeoutMs: Math.max(0, timeoutMs), ui: this.ui }));
    } catch (err) {
      if (!isInterruption(err, this.ui.ctx.signal)) {
        const d = await readAfter(this.session, item.id);
        if (d) item.after(d);
      }
      throw err;
    }
  }

  /** Marks an item failed. Several ids: reported on stderr now (JSON carries it instead). Ctrl-C is rethrown. */
  fail(item: ActionItem, err: unknown): void {
    if (isInterruption(err, this.ui.ctx.signal)) throw err instanceof InterruptedError ? err : new InterruptedError();
    item.error = err;
    if (this.items.length > 1 && !this.ui.machine) {
      const ui = this.ui;
      const message = err instanceof Error ? err.message : String(err);
      ui.ctx.stderr.write(`${ui.ce.red('Error:')} ${message}\n`);
      if (err instanceof YottaError && err.hint) ui.ctx.stderr.write(`${err.hint}\n`);
    }
  }

  /**
   * Prints the per-id results for -o json / yaml (people get the stderr narration instead), then
   * throws: the id's own error when there was one id, PartialFailureError (exit 10) when some of several failed.
   */
  async finish(): Promise<void> {
    if (this.ui.machine) {
      const base = actionResultsJson(this.items.map((i) => i.toActionResult()));
      await printMachine(this.ui, base.map((b, k) => this.items[k]!.extend(b)));
    }
    const failed = this.items.filter((i) => i.error !== undefined);
    if (failed.length === 0) return;
    if (this.items.length === 1) throw failed[0]!.error;
    const names = failed.map((i) => i.label).join(', ');
    throw new PartialFailureError(
      `${failed.length} of ${this.items.length} deployments could not be ${PAST[this.action]}: ${names}`,
    );
  }
}

/** Reads one line from stdin (the answer to a prompt); end of input gives what was typed so far. Ctrl-C throws. */
export function readLine(ui: Ui): Promise<string> {
  const { stdin, signal } = ui.ctx;
  return new Promise<string>((resolve, reject) => {
    let text = '';
    let done = false;
    const finish = (err?: Error): void => {
      if (done) return;
      done = true;
      stdin.off('data', onData);
      stdin.off('end', onEnd);
      stdin.off('error', onError);
      signal.removeEventListener('abort', onAbort);
      stdin.pause();
      if (err) reject(err);
      else resolve(text);
    };
    const onData = (chunk: string | Buffer): void => {
      text += String(chunk);
      const nl = text.indexOf('\n');
      if (nl >= 0) {
        text = text.slice(0, nl).replace(/\r$/, '');
        finish();
      }
    };
    const onEnd = (): void => finish();
    const onError = (err: Error): void => finish(err);
    const onAbort = (): void => finish(new InterruptedError());
    if (signal.aborted) {
      onAbort();
      return;
    }
    stdin.on('data', onData);
    stdin.once('end', onEnd);
    stdin.once('error', onError);
    signal.addEventListener('abort', onAbort, { once: true });
    stdin.resume();
  });
}

/** Asks a yes/no question on stderr; only `y` or `yes` (any case) is a yes, so Enter alone means no. */
export async function confirm(ui: Ui, question: string): Promise<boolean> {
  ui.ctx.stderr.write(`${question} [y/N] `);
  const answer = await readLine(ui);
  return /^\s*y(es)?\s*$/i.test(answer);
}

/** The `--wait` deadline: `--wait-timeout`, else the profile's waitTimeoutMs, else 10 minutes. */
export function waitTimeoutOf(flag: number | undefined, session: Session): number {
  return flag ?? session.settings.waitTimeoutMs ?? DEFAULT_WAIT_TIMEOUT_MS;
}

/** Reads the state after an action; a failed read leaves it unknown (the action itself succeeded). Ctrl-C still ends the run. */
export async function readAfter(session: Session, id: string): Promise<ElasticDeploymentDetail | undefined> {
  try {
    return await getDeployment(session.client, id);
  } catch (err) {
    if (isInterruption(err, session.ui.ctx.signal)) throw err;
    return undefined;
  }
}

/**
 * Opens the run of a selection: named deployments are looked up one by one, `--all` lists them with
 * one call. When `--all` matches nothing, says so and returns undefined (exit 0; `[]` with --json).
 */
export async function openRun(session: Session, action: LifecycleAction, selection: Selection, ignoreNotFound = false): Promise<ActionRun | undefined> {
  if (!selection.all) {
    const run = new ActionRun(session, action, selection.refs);
    await run.resolveAll(ignoreNotFound);
    return run;
  }
  const run = await ActionRun.forAll(session, action, selection.statusList);
  if (run.items.length > 0) return run;
  const none = selection.statusList
    ? `No deployment is ${selection.statusList.join(' or ')}`
    : 'There are no deployments';
  run.ui.info(`${none}; nothing to ${action}.`);
  await run.finish();
  return undefined;
}

/** `Stop 3 deployments: a (3788…0969), b (3788…0970)?` — the question naming every deployment affected. */
export function confirmQuestion(verb: string, names: readonly string[]): string {
  return names.length === 1 ? `${verb} ${names[0]}?` : `${verb} ${names.length} deployments: ${names.join(', ')}?`;
}

/** Options shared by `deploy start` and `deploy stop`. */
export interface StartStopOptions extends SelectionFlags {
  /** With --all: act without asking (required without a terminal or with --no-input). */
  yes?: boolean;
  /** Poll until RUNNING with every worker up (start) or STOPPED (stop). */
  wait?: boolean;
  /** `--wait-timeout` in ms. */
  waitTimeout?: number;
  /** The global flags. */
  g: GlobalOptions;
}

/**
 * `deploy start` / `deploy stop` over one or several deployments. A deployment already at (or on
 * its way to) the asked state is left alone and reported as unchanged, so the command is safe to repeat.
 */
export async function runStartStop(action: 'start' | 'stop', opts: StartStopOptions, ctx: Context): Promise<void> {
  const selection = checkSelection(opts);
  const ui = createUi(ctx, opts.g);
  const starting = action === 'start';
  const verb = starting ? 'Start' : 'Stop';
  if (selection.all && !opts.yes) {
    requireConfirmable(ui, opts.g, `${starting ? 'starting' : 'stopping'} ${describeSelection(selection.statusList)} (--all)`, action);
  }
  const target: WaitTarget = starting ? { state: 'running' } : { state: 'stopped' };
  const already = starting ? ['RUNNING', 'INITIALIZING'] : ['STOPPED', 'STOPPING'];
  const narrate = (item: ActionItem): void => {
    const d = item.detail;
    const state = d ? describeState(d) : 'state unknown';
    const reached = d !== undefined && reachedTarget(d, target);
    if (!item.changed) {
      const moved = d !== undefined && safeText(String(d.status)) !== item.before;
      const now = moved ? ` (now ${state})` : '';
      ui.next(`${item.label} was already ${item.before}${now}; nothing sent.`, `yotta deploy get ${item.id}`);
    } else if (starting) {
      ui.next(
        reached ? `Started ${item.label}: ${state}.` : `Starting ${item.label}: ${state}.`,
        reached ? `yotta deploy workers ${item.id}` : `yotta deploy workers ${item.id} --watch`,
      );
    } else {
      ui.next(
        reached ? `Stopped ${item.label}.` : `Stopping ${item.label}: ${state}.`,
        reached ? `yotta deploy start ${item.id}` : `yotta deploy get ${item.id}`,
      );
    }
  };
  await withSession(ctx, opts.g, ui, async (session) => {
    const run = await openRun(session, action, selection);
    if (!run) return;
    if (selection.all && !opts.yes) {
      if (!(await confirm(ui, confirmQuestion(verb, run.live.map((i) => `${i.label} [${i.before}]`))))) {
        throw new UsageError(`not confirmed; nothing was ${starting ? 'started' : 'stopped'}`, `Pass --yes to ${action} without asking.`);
      }
    }
    await run.each(async (item, d) => {
      if (!already.includes(String(d.status))) {
        ui.info(`${starting ? 'Starting' : 'Stopping'} ${item.label}…`);
        try {
          await (starting ? startDeployment : stopDeployment)(session.client, item.id);
        } catch (err) {
          const hint =
            starting && item.before === 'STOPPING'
              ? `It is STOPPING: wait until it is STOPPED (yotta deploy wait ${item.id} --for stopped), then start it.`
              : `It is ${item.before}; check with: yotta deploy get ${item.id}`;
          throw explainError(err, `${action} ${item.label}`, item.id, hint);
        }
        item.changed = true;
        if (!opts.wait) item.after(await readAfter(session, item.id));
      }
      // With --wait every action is sent first and the waits follow, so they overlap.
      if (!opts.wait) narrate(item);
    });
    if (opts.wait) {
      const deadline = ctx.now() + waitTimeoutOf(opts.waitTimeout, session);
      await run.each(async (item) => {
        await run.waitFor(item, target, deadline - ctx.now());
        narrate(item);
      });
    }
    await run.finish();
  });
}
