/**
 * Human and machine forms of every result, in one place. With `-o json` a printer writes the data
 * exactly as the API sent it (ids stay strings); with `-o yaml` the same data as YAML; with `table`
 * or `wide` a table or a grouped description. Human forms never throw on odd data: a missing or
 * malformed field shows as "-" and an unknown status as it came.
 */
import type { ElasticDeploymentDetail, ElasticDeploymentWorkerDetail } from '../api/types.js';
import { UsageError, YottaError } from '../errors.js';
import { looksSecret } from '../redact.js';
import type { Ui } from './ui.js';
import { jsonText } from '../text.js';
import type { Column } from './tables.js';
import { loadTables, renderFields, renderTable } from './tables.js';
import { deploymentStatus, workerStatus } from './status.js';
import {
  MISSING,
  asArray,
  asRecord,
  cell,
  formatGb,
  formatMoney,
  billedPerHour,
  formatRate,
  formatUptime,
  gpuLabel,
  gpuSummary,
  regionLabel,
  regionSummary,
  safeText,
  textOf,
} from './format.js';

/** Indented JSON through the one JSON writer (bigints as digit strings, C1 and bidi escaped). */
function toJson(value: unknown): string {
  return jsonText(value, 2);
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
 * `-o id`: the `id` of the result, or of each item of a list, one per line (nothing for an empty
 * list), for `$(...)` and `xargs`. A result without ids is a usage error rather than a guess.
 */
export function printIds(ui: Ui, value: unknown): void {
  const items = Array.isArray(value) ? value : [value];
  const ids = items.map((item) => asRecord(item).id);
  if (ids.some((id) => typeof id !== 'string' && typeof id !== 'number' && typeof id !== 'bigint')) {
    throw new UsageError('-o id: these results have no ids', 'Use -o json, -o yaml or a table.');
  }
  if (ids.length) ui.out(ids.map((id) => safeText(String(id))).join('\n'));
}

/**
 * Prints `value` as JSON or YAML when the format asks for a document and returns true; returns
 * false for `table`/`wide`, so the caller prints its human form. For commands with their own views.
 */
export async function printMachine(ui: Ui, value: unknown): Promise<boolean> {
  if (ui.format === 'id') {
    printIds(ui, value);
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
 * `yotta deploy list`: ID, NAME, STATUS, WORKERS (running/total), GPU, REGION, $/HOUR (billed now:
 * the price times the share of workers running, see billedPerHour); `wide` adds
 * IMAGE, MODE, DOMAIN and COST. Ids are never shortened. An empty list prints nothing on stdout and
 * "No deployments." on stderr.
 */
export async function printDeployments(ui: Ui, list: readonly ElasticDeploymentDetail[], headers = true): Promise<void> {
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
      deploymentStatus(d.status, ui.outColors),
      workersCell(d),
      gpuSummary(d.resources),
      regionSummary(d.resources),
      formatMoney(billedPerHour(d)),
    ];
    if (wide) row.push(cell(d.image), cell(d.serviceMode), cell(d.domain), formatMoney(d.cost));
    return row;
  });
  ui.out(renderTable(columns, rows, tableWidth(ui), headers));
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
  return body === '' ? '' : `\n${ui.outColors.bold(title)}\n${body}`;
}

function indent(text: string, by = '  '): string {
  return text
    .split('\n')
    .map((l) => (l === '' ? l : by + l))
    .join('\n');
}

/**
 * The one masking rule of environment values, for every view and every --dry-run: a value whose
 * variable name looks secret (TOKEN, SECRET, KEY, PASSWORD, ...; see looksSecret) is masked unless
 * `showEnv` (--show-env); other values are shown. Data meant to be fed back (`get --json`, the
 * `get -o yaml` export) is not a view and is never masked.
 */
export function masksEnvValue(name: unknown, showEnv: boolean): boolean {
  return !showEnv && looksSecret(String(name));
}

/** A create or update request body with its secret-looking environment values masked (see masksEnvValue), for --dry-run. */
export function maskRequestBody<T>(body: T, showEnv: boolean): T {
  const env = asRecord(body).environmentVars;
  if (showEnv || !Array.isArray(env)) return body;
  const masked = env.map((e) => {
    const r = asRecord(e);
    return masksEnvValue(r.key, false) && r.value !== undefined ? { ...r, value: MASKED } : e;
  });
  return { ...(body as object), environmentVars: masked } as T;
}

/** Environment variables as `KEY  value` lines, from the documented list or (defensively) a map. */
function environmentLines(value: unknown, showEnv: boolean): string {
  const pairs: [string, unknown][] = Array.isArray(value)
    ? value.map((e) => [cell(asRecord(e).key), asRecord(e).value])
    : Object.entries(asRecord(value));
  return renderFields(
    pairs.map(([key, v]) => [key, v === undefined || v === null ? MISSING : masksEnvValue(key, showEnv) ? MASKED : (textOf(v) ?? '""')] as const),
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
    ['Status', d.status === undefined || d.status === null ? undefined : deploymentStatus(d.status, ui.outColors)],
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
        ['Billed now', d.perHourPrice === undefined ? undefined : formatRate(billedPerHour(d), 'h')],
        ['All workers', d.perHourPrice === undefined ? undefined : formatRate(d.perHourPrice, 'h')],
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
      workerStatus(w.status, ui.outColors),
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

