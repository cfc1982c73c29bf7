/**
 * Human and machine forms of registry credentials. JSON and YAML carry the API's data exactly
 * (ids as strings); `-o id` prints ids one per line; tables show ID, NAME, TYPE, CREATED. There is
 * no password to show: the API never returns one.
 */
import type { RegistryCredential } from '../api/credentials.js';
import type { Ui } from './ui.js';
import type { Column } from './tables.js';
import { renderFields, renderTable } from './tables.js';
import { asArray, asRecord, cell } from './format.js';
import { printMachine } from './render.js';

/** How a list of credentials is printed. */
export interface CredentialTableOptions {
  /** `--no-headers`: rows only, for scripts that cut columns. */
  headers?: boolean;
}

const COLUMNS: readonly Column[] = [{ header: 'ID' }, { header: 'NAME', shrink: true }, { header: 'TYPE' }, { header: 'CREATED' }];

/** `2026-12-08T01:02:03.000Z` → `2026-12-08 01:02 UTC`; other text as it came. */
function createdCell(value: unknown): string {
  if (typeof value !== 'string') return cell(value);
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(?::\d{2}(?:\.\d+)?)?Z$/.exec(value);
  return m ? `${m[1]} ${m[2]} UTC` : cell(value);
}

/**
 * `yotta credential list`: a table (or `-o id`, JSON, YAML). An empty list prints nothing on stdout
 * and "No credentials." on stderr.
 */
export async function printCredentials(ui: Ui, list: readonly RegistryCredential[], o: CredentialTableOptions = {}): Promise<void> {
  if (await printMachine(ui, list)) return;
  const items = asArray(list).map(asRecord);
  if (items.length === 0) {
    ui.info('No credentials.');
    return;
  }
  const rows = items.map((c) => [cell(c.id), cell(c.name), cell(c.type), createdCell(c.createdAt)]);
  const width = ui.format === 'table' && ui.ctx.stdout.isTTY ? ui.ctx.stdout.columns : undefined;
  const text = renderTable(COLUMNS, rows, width);
  ui.out(o.headers === false ? text.slice(text.indexOf('\n') + 1) : text);
}

/** One credential: `Field: value` lines, or its id (`-o id`), JSON or YAML. */
export async function printCredential(ui: Ui, c: RegistryCredential): Promise<void> {
  if (await printMachine(ui, c)) return;
  const r = asRecord(c);
  const known = new Set(['id', 'name', 'type', 'createdAt']);
  const extra = Object.entries(r)
    .filter(([k, v]) => !known.has(k) && (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean'))
    .map(([k, v]) => [cell(k), cell(v)] as const);
  ui.out(
    renderFields([
      ['ID', cell(r.id)],
      ['Name', cell(r.name)],
      ['Type', cell(r.type)],
      ['Created', createdCell(r.createdAt)],
      ...extra,
    ]),
  );
}
