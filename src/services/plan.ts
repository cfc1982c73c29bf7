/**
 * What `deploy apply` and `deploy diff` share: a spec file's documents matched to live deployments
 * by name, the field-by-field differences (environment values masked), what apply would do about
 * them, and how both show it.
 */
import type { ElasticDeploymentDetail } from '../api/types.js';
import type { Context } from '../context.js';
import type { SpecProblem } from '../errors.js';
import { SpecError, UsageError } from '../errors.js';
import type { Colors } from '../output/colors.js';
import { describeRef, safeText } from '../output/format.js';
import { MASKED, masksEnvValue } from '../output/render.js';
import type { DeploySpec, ParsedSpecDoc, SpecDifference } from '../spec/index.js';
import { diffSpec } from '../spec/deployment.js';
import { priceChangeLine, projectedHourlyPrice } from './pricing.js';

/** Fields only a new deployment can change. */
export const IMMUTABLE_FIELDS: readonly string[] = ['image', 'imageRegistry', 'serviceMode'];

/** Fields that set the price of one worker: when they change, the new price is known only after the update. */
const PRICED_FIELDS: readonly string[] = ['resources', 'containerVolumeInGb'];

/** Statuses a deployment can be scaled in (the API refuses a scale otherwise, with 24002). */
const SCALABLE: readonly string[] = ['RUNNING', 'INITIALIZING'];

/**
 * Reads a spec file (`-` is stdin) for apply or diff: every document must have a `name` (that is
 * how its deployment is found) and no two documents may share one (both would change the same
 * deployment). Throws a SpecError (exit 2) listing every problem; nothing has been sent yet.
 */
export async function readNamedDocs(file: string, ctx: Context): Promise<ParsedSpecDoc[]> {
  const { readSpecFile } = await import('../spec/index.js');
  const docs = await readSpecFile(file, ctx);
  const problems: SpecProblem[] = [];
  const seen = new Map<string, ParsedSpecDoc>();
  for (const doc of docs) {
    const name = doc.spec.name;
    const which = docs.length > 1 ? `document ${doc.index + 1} ` : 'the spec ';
    if (name === undefined) {
      problems.push({ file: doc.file, ...doc.positionOf([]), message: `${which}has no "name": the deployment to change is found by its name` });
      continue;
    }
    const first = seen.get(name);
    if (first) {
      problems.push({
        file: doc.file,
        ...doc.positionOf(['name']),
        message: `name "${name}" is also used by document ${first.index + 1} (line ${first.positionOf(['name']).line}); each document must name a different deployment`,
      });
    } else {
      seen.set(name, doc);
    }
  }
  if (problems.length > 0) throw new SpecError(problems);
  return docs;
}

/**
 * The deployment named `name` among `all`, or undefined when there is none. Several with that name
 * are refused (exit 2) with every candidate listed: picking one could change the wrong deployment.
 */
export function findByName(all: readonly ElasticDeploymentDetail[], name: string, verb: string): ElasticDeploymentDetail | undefined {
  const matches = all.filter((d) => d.name === name);
  if (matches.length <= 1) return matches[0];
  const list = matches.map((d) => `${d.id} (${safeText(String(d.status))})`).join(', ');
  throw new UsageError(
    `${matches.length} deployments are named "${safeText(name)}": ${list}; ${verb} cannot tell which one the spec means`,
    'Rename or delete all but one (e.g. `yotta deploy update <id> --name <new-name>`), then run it again.',
  );
}

/** Every field of a spec as a difference from nothing: what a create would set (for a deployment that does not exist). */
export function specAsDifferences(spec: Partial<DeploySpec>): SpecDifference[] {
  const out: SpecDifference[] = [];
  const order = [
    'name', 'image', 'imageRegistry', 'resources', 'minSingleCardVramInGb', 'minSingleCardVcpu', 'minSingleCardRamInGb',
    'containerVolumeInGb', 'credentialId', 'workers', 'serviceMode', 'initializationCommand', 'environmentVars', 'expose',
  ] as const;
  for (const key of order) {
    const value = spec[key];
    if (value === undefined) continue;
    if (key === 'environmentVars') {
      for (const e of spec.environmentVars ?? []) out.push({ path: `environmentVars.${e.key}`, want: e.value, have: undefined });
    } else {
      out.push({ path: key, want: structuredClone(value), have: undefined });
    }
  }
  return out;
}

/** The differences between a spec and its deployment; every field of the spec when there is no deployment. */
export function differencesOf(spec: Partial<DeploySpec>, live: ElasticDeploymentDetail | undefined): SpecDifference[] {
  return live ? diffSpec(spec, live) : specAsDifferences(spec);
}

/** Whether a difference is an environment variable's value, which is masked unless asked for. */
function isEnvPath(path: string): boolean {
  return path.startsWith('environmentVars.');
}

/** The differences with environment values replaced by `••••` (unless `showEnv`), so secrets never reach a log. */
export function maskDifferences(diffs: readonly SpecDifference[], showEnv: boolean): SpecDifference[] {
  if (showEnv) return diffs.map((d) => ({ ...d }));
  return diffs.map((d) =>
    isEnvPath(d.path) && masksEnvValue(d.path.slice('environmentVars.'.length), showEnv)
      ? { path: d.path, want: d.want === undefined ? undefined : MASKED, have: d.have === undefined ? undefined : MASKED }
      : { ...d },
  );
}

/** The machine form of a difference: `{path, want, have}`, `null` for a side where the field is absent. */
export interface DifferenceJson {
  path: string;
  want: unknown;
  have: unknown;
}

/** The machine form of differences (already masked). */
export function differencesJson(diffs: readonly SpecDifference[]): DifferenceJson[] {
  return diffs.map((d) => ({ path: d.path, want: d.want ?? null, have: d.have ?? null }));
}

/** What apply does with one document. `replace` cannot be done: it needs a new deployment. */
export type ApplyAction = 'create' | 'unchanged' | 'scale' | 'update' | 'replace';

/** apply's plan for one document. */
export interface ApplyPlan {
  action: ApplyAction;
  /** The differences found (not masked). */
  differences: SpecDifference[];
  /** update only: the deployment runs, so it must be stopped, updated and started again (needs --restart). */
  restart: boolean;
  /** update only: the deployment is STOPPING; the update waits until it is STOPPED (it stays stopped). */
  waitForStop: boolean;
  /** scale only: the worker counts. */
  from?: number;
  to?: number;
}

/**
 * Decides what apply does: create when there is no deployment; unchanged when nothing differs;
 * replace (refused) when image, imageRegistry or serviceMode differ; scale when only `workers`
 * differs and the deployment runs; otherwise update — at once when it is STOPPED, after it stops
 * when STOPPING, and with a stop and a start around it (needs --restart) in any other state.
 */
export function planApply(spec: Partial<DeploySpec>, live: ElasticDeploymentDetail | undefined): ApplyPlan {
  const differences = differencesOf(spec, live);
  const base = { differences, restart: false, waitForStop: false };
  if (!live) return { ...base, action: 'create' };
  if (differences.length === 0) return { ...base, action: 'unchanged' };
  if (differences.some((d) => IMMUTABLE_FIELDS.includes(d.path))) return { ...base, action: 'replace' };
  const status = String(live.status);
  const workersOnly = differences.every((d) => d.path === 'workers');
  if (workersOnly && SCALABLE.includes(status)) {
    return { ...base, action: 'scale', from: live.totalWorkers, to: spec.workers };
  }
  if (status === 'STOPPED') return { ...base, action: 'update' };
  if (status === 'STOPPING') return { ...base, action: 'update', waitForStop: true };
  return { ...base, action: 'update', restart: true };
}

/**
 * The price change a plan makes, when it can be worked out before acting: a scale, or an update
 * that changes only the number of workers among the fields that set the price.
 */
export function plannedPriceLine(plan: ApplyPlan, live: ElasticDeploymentDetail | undefined, spec: Partial<DeploySpec>): string | undefined {
  if (!live || (plan.action !== 'scale' && plan.action !== 'update')) return undefined;
  if (plan.differences.some((d) => PRICED_FIELDS.includes(d.path))) return undefined;
  if (spec.workers === undefined || spec.workers === live.totalWorkers) return undefined;
  return priceChangeLine(live.perHourPrice, projectedHourlyPrice(live, spec.workers));
}

/** A value on one line: text as it is (control characters escaped), `""` when empty, objects in YAML flow style. */
export function showValue(value: unknown): string {
  if (value === undefined || value === null) return '(none)';
  if (typeof value === 'string') return value === '' ? '""' : safeText(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (Array.isArray(value)) return `[${value.map(showValue).join(', ')}]`;
  if (typeof value === 'object') {
    return `{${Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${safeText(k)}: ${showValue(v)}`)
      .join(', ')}}`;
  }
  return safeText(String(value));
}

/** A value as lines: one per list entry, one per line of a multi-line text. */
function valueLines(value: unknown): string[] {
  if (Array.isArray(value) && value.length > 0) return value.map(showValue);
  if (typeof value === 'string' && value.includes('\n')) return value.split('\n').map((l) => (l === '' ? '' : safeText(l)));
  return [showValue(value)];
}

/**
 * One line per difference, as apply's plan shows them: `~ workers: 2 → 4` for a change,
 * `+ path: value` for a field or variable added, `- path: value` for one removed. Masked first by the
 * caller; `masked` notes on a changed environment value how to see it.
 */
export function planDifferenceLines(diffs: readonly SpecDifference[], c: Colors, masked: boolean, indent = '  '): string[] {
  return diffs.map((d) => {
    if (d.have === undefined) return `${indent}${c.green(`+ ${d.path}: ${showValue(d.want)}`)}`;
    if (d.want === undefined) return `${indent}${c.red(`- ${d.path}: ${showValue(d.have)}`)}`;
    // Two masked values look the same: say that they differ and how to see them.
    const note = masked && isEnvPath(d.path) && masksEnvValue(d.path.slice('environmentVars.'.length), false) ? c.dim(' (values hidden; --show-env shows them)') : '';
    return `${indent}${c.yellow('~')} ${d.path}: ${c.red(showValue(d.have))} → ${c.green(showValue(d.want))}${note}`;
  });
}

/**
 * diff's view of the differences: per path, `- have` lines in red and `+ want` lines in green
 * (a side where the field is absent has no line). Masked first by the caller; `masked` adds a note
 * to environment paths saying how to see the values.
 */
export function diffLines(diffs: readonly SpecDifference[], c: Colors, masked: boolean): string[] {
  const lines: string[] = [];
  for (const d of diffs) {
    const note = masked && isEnvPath(d.path) && masksEnvValue(d.path.slice('environmentVars.'.length), false) ? c.dim('  (values hidden; --show-env shows them)') : '';
    lines.push(`  ${c.bold(d.path)}${note}`);
    if (d.have !== undefined) for (const l of valueLines(d.have)) lines.push(c.red(`  - ${l}`));
    if (d.want !== undefined) for (const l of valueLines(d.want)) lines.push(c.green(`  + ${l}`));
  }
  return lines;
}

/** `llama (3788…0969)` for a deployment that exists, `llama` for one that does not yet. */
export function docLabel(name: string, live: ElasticDeploymentDetail | undefined): string {
  return live ? describeRef(live.id, live.name) : safeText(name);
}

/** `paths a, b and c` for messages. */
export function listPaths(diffs: readonly SpecDifference[]): string {
  const paths = diffs.map((d) => d.path);
  return paths.length <= 1 ? (paths[0] ?? '') : `${paths.slice(0, -1).join(', ')} and ${paths[paths.length - 1]}`;
}
