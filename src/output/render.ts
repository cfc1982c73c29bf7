/**
 * Human and machine forms of every result, in one place. With `-o json` a printer writes the data
 * exactly as the API sent it (ids stay strings); with `-o yaml` the same data as YAML; with `table`
 * or `wide` a table or a grouped description. Human forms never throw on odd data: a missing or
 * malformed field shows as "-" and an unknown status as it came.
 */
import type { ElasticDeploymentDetail, ElasticDeploymentWorkerDetail } from '../api/types.js';
import { YottaError } from '../errors.js';
import type { Ui } from './ui.js';
import type { Column } from './tables.js';
import { loadTables, renderFields, renderTable } from './tables.js';
import { deploymentStatus, workerStatus } from './status.js';
import {
  MISSING,
  asArray,
  asRecord,
  cell,
  describeRef,
  formatGb,
  formatMoney,
  formatRate,
  formatUptime,
  gpuLabel,
  gpuSummary,
  regionLabel,
  regionSummary,
  safeText,
  textOf,
} from './format.js';

/** JSON.stringify that also accepts bigints (as digit strings) instead of throwing. */
function toJson(value: unknown): string {
  return JSON.stringify(value ?? null, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2) ?? 'null';
}

/** Writes `value` to stdout as indented JSON, exactly as received: no colour, one document. */
export function printJson(ui: Ui, value: unknown): void {
  ui.out(toJson(value) + '\n');
}

/** Writes `value` to stdout as YAML (the yaml package, loaded only here). Digit-string ids stay quoted strings. */
export async function printYaml(ui: Ui, value: unknown): Promise<void> {
  const { stringify } = await import('yaml');
  // lineWidth 0: never fold long images or commands; no aliases: the output is read by people and tools alike.
  ui.out(stringify(value ?? null, { lineWidth: 0, aliasDuplicateObjects: false }));
}

/**
 * Prints `value` as JSON or YAML when the format asks for a document, or its ids one per line for
 * `-o id` (the `id` of each item of a list, or of the one object), and returns true; returns
 * false for `table`/`wide`, so the caller prints its human form. For commands with their own views.
 */
export async function printMachine(ui: Ui, value: unknown): Promise<boolean> {
  if (ui.format === 'id') {
    for (const item of Array.isArray(value) ? value : [value]) {
      const id = asRecord(item).id;
      if (typeof id === 'string' || typeof id === 'number' || typeof id === 'bigint') ui.out(safeText(String(id)));
    }
    return true;
  }
  if (ui.format === 'json') {
    printJson(ui, value);
    return true;
  }
  if (ui.format === 'yaml') {
    await printYaml(ui, value);
    return true;
  }
  // The human forms draw tables: load what they need now, and only now (cli-table3 itself only
  // where a terminal's width may cut a column).
  await loadTables(tableWidth(ui) !== undefined);
  return false;
}

/** Width a `table` may use: the terminal's, on a terminal; `wide` and pipes are never cut. */
function tableWidth(ui: Ui): number | undefined {
  return ui.format === 'table' && ui.ctx.stdout.isTTY ? ui.ctx.stdout.columns : undefined;
}

function workersCell(d: Record<string, unknown>): string {
  return `${cell(d.runningWorkers)}/${cell(d.totalWorkers)}`;
}

/**
 * `yotta deploy list`: ID, NAME, STATUS, WORKERS (running/total), GPU, REGION, $/HOUR; `wide` adds
 * IMAGE, MODE, DOMAIN and COST. Ids are never shortened. An empty list prints nothing on stdout and
 * "No deployments." on stderr.
 */
export async function printDeployments(ui: Ui, list: readonly ElasticDeploymentDetail[]): Promise<void> {
  if (await printMachine(ui, list)) return;
  const items = asArray(list).map(asRecord);
  if (items.length === 0) {
    ui.info('No deployments.');
    return;
  }
  const wide = ui.format === 'wide';
  const columns: Column[] = [
    { header: 'ID' },
    { header: 'NAME', shrink: true },
    { header: 'STATUS' },
    { header: 'WORKERS' },
    { header: 'GPU', shrink: true },
    { header: 'REGION', shrink: true },
    { header: '$/HOUR' },
  ];
  if (wide) columns.push({ header: 'IMAGE' }, { header: 'MODE' }, { header: 'DOMAIN' }, { header: 'COST' });
  const rows = items.map((d) => {
    const row = [
      cell(d.id),
      cell(d.name),
      deploymentStatus(d.status, ui.c),
      workersCell(d),
      gpuSummary(d.resources),
      regionSummary(d.resources),
      formatMoney(d.perHourPrice),
    ];
    if (wide) row.push(cell(d.image), cell(d.serviceMode), cell(d.domain), formatMoney(d.cost));
    return row;
  });
  ui.out(renderTable(columns, rows, tableWidth(ui)));
}

/** Options of printDeployment. */
export interface DeploymentViewOptions {
  /** Show environment values; otherwise they are masked and only names are shown. */
  showEnv?: boolean;
}

/** Fields the grouped view shows in its own sections; anything else the API adds goes under "Other". */
const KNOWN_FIELDS = new Set([
  'id', 'name', 'status', 'serviceMode', 'image', 'imageRegistry', 'creator', 'domain', 'credentialId',
  'runningWorkers', 'totalWorkers', 'resources', 'minSingleCardVramInGb', 'minSingleCardVcpu',
  'minSingleCardRamInGb', 'containerVolumeInGb', 'initializationCommand', 'environmentVars', 'expose',
  'perHourPrice', 'perSecondPrice', 'cost',
]);

/** What an environment value looks like when it is not shown. */
export const MASKED = '••••';

/** safeText for each line of a message that may have several. */
function safeLines(text: string): string {
  return text.split('\n').map(safeText).join('\n');
}

function section(ui: Ui, title: string, body: string): string {
  return body === '' ? '' : `\n${ui.c.bold(title)}\n${body}`;
}

function indent(text: string, by = '  '): string {
  return text
    .split('\n')
    .map((l) => (l === '' ? l : by + l))
    .join('\n');
}

/** Environment variables as `KEY  value` lines, from the documented list or (defensively) a map. */
function environmentLines(value: unknown, showEnv: boolean): string {
  const pairs: [string, unknown][] = Array.isArray(value)
    ? value.map((e) => [cell(asRecord(e).key), asRecord(e).value])
    : Object.entries(asRecord(value));
  return renderFields(
    pairs.map(([key, v]) => [key, v === undefined || v === null ? MISSING : showEnv ? (textOf(v) ?? '""') : MASKED] as const),
    '  ',
  );
}

function resourcesTable(resources: unknown): string {
  const list = asArray(resources).map(asRecord);
  if (list.length === 0) return '';
  const rows = list.map((r) => {
    const code = textOf(r.gpuType);
    const name = textOf(r.gpuDisplayName);
    const gpu = name && code && name !== code ? `${name} (${code})` : (name ?? code ?? MISSING);
    return [
      regionLabel(r),
      gpu,
      cell(r.gpuCount),
      formatGb(r.singleCardVramInGb),
      cell(r.singleCardVcpu),
      formatGb(r.singleCardRamInGb),
    ];
  });
  const columns: Column[] = ['REGION', 'GPU', 'COUNT', 'VRAM/CARD', 'VCPU/CARD', 'RAM/CARD'].map((header) => ({ header }));
  return indent(renderTable(columns, rows));
}

function otherFields(d: Record<string, unknown>): string {
  const fields = Object.entries(d)
    .filter(([k]) => !KNOWN_FIELDS.has(k))
    .map(([k, v]) => {
      if (v === undefined || v === null) return [safeText(k), undefined] as const;
      const text = typeof v === 'object' ? safeText(JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? String(x) : x))) : textOf(v);
      return [safeText(k), text] as const;
    });
  return renderFields(fields, '  ');
}

/**
 * `yotta deploy get`: every field, grouped — identity, Workers, Resources, Requirements, Storage,
 * Command, Environment (values masked unless showEnv), Expose, Cost, and any field the API adds.
 * Missing fields and empty sections are left out.
 */
export async function printDeployment(ui: Ui, deployment: ElasticDeploymentDetail, o: DeploymentViewOptions = {}): Promise<void> {
  if (await printMachine(ui, deployment)) return;
  const d = asRecord(deployment);
  let text = renderFields([
    ['ID', textOf(d.id)],
    ['Name', textOf(d.name)],
    ['Status', d.status === undefined || d.status === null ? undefined : deploymentStatus(d.status, ui.c)],
    ['Service mode', textOf(d.serviceMode)],
    ['Image', textOf(d.image)],
    ['Registry', textOf(d.imageRegistry)],
    ['Credential', textOf(d.credentialId)],
    ['Creator', textOf(d.creator)],
    ['Domain', textOf(d.domain)],
  ]);
  const hasWorkers = textOf(d.runningWorkers) !== undefined || textOf(d.totalWorkers) !== undefined;
  text += section(ui, 'Workers', hasWorkers ? `  ${workersCell(d)} running\n` : '');
  text += section(ui, 'Resources', resourcesTable(d.resources));
  text += section(
    ui,
    'Requirements',
    renderFields(
      [
        ['Min VRAM per card', d.minSingleCardVramInGb === undefined ? undefined : formatGb(d.minSingleCardVramInGb)],
        ['Min vCPU per card', textOf(d.minSingleCardVcpu)],
        ['Min RAM per card', d.minSingleCardRamInGb === undefined ? undefined : formatGb(d.minSingleCardRamInGb)],
      ],
      '  ',
    ),
  );
  text += section(
    ui,
    'Storage',
    renderFields([['Container volume', d.containerVolumeInGb === undefined ? undefined : formatGb(d.containerVolumeInGb)]], '  '),
  );
  const command = typeof d.initializationCommand === 'string' ? d.initializationCommand : textOf(d.initializationCommand);
  text += section(ui, 'Command', command ? indent(safeLines(command)) + '\n' : '');
  text += section(ui, 'Environment', environmentLines(d.environmentVars, o.showEnv === true));
  const expose = asRecord(d.expose);
  const port = textOf(expose.port);
  text += section(ui, 'Expose', port ? `  ${port}/${cell(expose.protocol)}\n` : '');
  text += section(
    ui,
    'Cost',
    renderFields(
      [
        ['Per hour', d.perHourPrice === undefined ? undefined : formatRate(d.perHourPrice, 'h')],
        ['Per second', d.perSecondPrice === undefined ? undefined : formatRate(d.perSecondPrice, 's')],
        ['Accrued', d.cost === undefined ? undefined : formatMoney(d.cost)],
      ],
      '  ',
    ),
  );
  text += section(ui, 'Other', otherFields(d));
  ui.out(text === '' ? MISSING : text);
}

/**
 * `yotta deploy workers`: ID, STATUS, REGION, GPU, UPTIME, COST; `wide` adds the region's display
 * name (`us-east-1 (US East)`) and VRAM/vCPU/RAM per card.
 * An empty list prints nothing on stdout and "No workers." on stderr.
 */
export async function printWorkers(ui: Ui, workers: readonly ElasticDeploymentWorkerDetail[]): Promise<void> {
  if (await printMachine(ui, workers)) return;
  const items = asArray(workers).map(asRecord);
  if (items.length === 0) {
    ui.info('No workers.');
    return;
  }
  const wide = ui.format === 'wide';
  const columns: Column[] = [
    { header: 'ID' },
    { header: 'STATUS' },
    { header: 'REGION', shrink: true },
    { header: 'GPU', shrink: true },
    { header: 'UPTIME' },
    { header: 'COST' },
  ];
  if (wide) columns.push({ header: 'VRAM/CARD' }, { header: 'VCPU/CARD' }, { header: 'RAM/CARD' });
  const rows = items.map((w) => {
    const row = [
      cell(w.id),
      workerStatus(w.status, ui.c),
      wide ? regionLabel(w) : cell(w.region ?? w.regionDisplayName),
      gpuLabel(w),
      formatUptime(w.uptime),
      formatMoney(w.cost),
    ];
    if (wide) row.push(formatGb(w.singleCardVramInGb), cell(w.singleCardVcpu), formatGb(w.singleCardRamInGb));
    return row;
  });
  ui.out(renderTable(columns, rows, tableWidth(ui)));
}

/** The outcome of one action on one deployment, as a multi-id command collects them. */
export interface ActionResult {
  id: string;
  /** The deployment's name, for narration, when known. */
  name?: string;
  /** What was done: `start`, `stop`, `delete`, `scale`, ... */
  action: string;
  ok: boolean;
  /** The deployment's status after the call, when known. */
  status?: string;
  /** Words added to the narration, e.g. `to 4 workers`. */
  detail?: string;
  /** Why it failed (when !ok): a YottaError gives its message, exit code, API code and hint. */
  error?: unknown;
}

/** Why one action failed, in machine form (the fields of main's JSON error object). */
export interface ActionErrorJson {
  exitCode: number;
  /** Yotta's envelope code, when the API answered with one. */
  code: number | null;
  message: string;
  hint?: string;
}

/** The machine form of one ActionResult: every key always present, `null` when unknown, `error` null when ok. */
export interface ActionResultJson {
  id: string;
  name: string | null;
  action: string;
  ok: boolean;
  status: string | null;
  error: ActionErrorJson | null;
}

/** How each action reads in narration. */
const ACTION_LABELS: Readonly<Record<string, string>> = {
  start: 'Starting',
  stop: 'Stopping',
  delete: 'Deleted',
  scale: 'Scaled',
  update: 'Updated',
  create: 'Created',
};

/** A message for anything thrown; String() itself can throw (an object whose toString is not a function). */
function describeUnknown(error: unknown): string {
  try {
    if (error instanceof Error) return String(error.message);
    if (typeof error === 'string') return error;
    if (error === undefined || error === null) return 'failed';
    return typeof error === 'object' ? JSON.stringify(error, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v)) : String(error);
  } catch {
    return 'failed';
  }
}

function errorInfo(error: unknown): ActionErrorJson {
  if (error instanceof YottaError) {
    const code = (error as { details?: { code?: unknown } }).details?.code;
    return {
      exitCode: error.exitCode,
      code: typeof code === 'number' ? code : null,
      message: error.message,
      ...(error.hint ? { hint: error.hint } : {}),
    };
  }
  return { exitCode: 1, code: null, message: describeUnknown(error) };
}

/** The JSON/YAML form of action results: `{id, name, action, ok, status, error}` each, in the given order. */
export function actionResultsJson(results: readonly ActionResult[]): ActionResultJson[] {
  return results.map((r) => ({
    id: r.id,
    name: r.name ?? null,
    action: r.action,
    ok: r.ok,
    status: r.status ?? null,
    error: r.ok ? null : errorInfo(r.error),
  }));
}

/**
 * Reports what start/stop/delete/scale did to each id; call it once with every result, in argument order.
 * - json/yaml: the array from actionResultsJson on stdout and nothing on stderr (main reports the
 *   overall error, if the command throws one).
 * - table/wide: nothing on stdout; on stderr one narration line per success (`Stopping llama
 *   (3788…0969) — STOPPING`, hidden by --quiet) and one `Error:` line per failure with the full id and
 *   the hint (always shown).
 * Returns the counts, so the command can throw PartialFailureError when some failed.
 */
export async function printActionResults(
  ui: Ui,
  results: readonly ActionResult[],
): Promise<{ succeeded: number; failed: number }> {
  const failed = results.filter((r) => !r.ok).length;
  const counts = { succeeded: results.length - failed, failed };
  if (await printMachine(ui, actionResultsJson(results))) return counts;
  for (const r of results) {
    const action = safeText(r.action);
    if (r.ok) {
      const label = Object.hasOwn(ACTION_LABELS, r.action) ? ACTION_LABELS[r.action] : `${action}:`;
      const detail = r.detail ? ` ${safeText(r.detail)}` : '';
      const status = r.status ? ` — ${deploymentStatus(r.status, ui.ce)}` : '';
      ui.success(`${label} ${describeRef(r.id, r.name)}${detail}${status}`);
    } else {
      const e = errorInfo(r.error);
      const name = textOf(r.name);
      const ref = name ? `${safeText(r.id)} (${name})` : safeText(r.id);
      ui.ctx.stderr.write(`${ui.ce.red('Error:')} could not ${action} ${ref}: ${safeLines(e.message)}\n`);
      if (e.hint) ui.ctx.stderr.write(`${safeLines(e.hint)}\n`);
    }
  }
  return counts;
}
