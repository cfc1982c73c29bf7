/**
 * Borderless, kubectl-style tables on cli-table3 (imported lazily: `--json` never needs it).
 * A column may be marked shrinkable; only those are cut, and only to fit a known terminal width.
 * Ids are never shrinkable, so they can always be copied whole.
 */
import { stripAnsi } from './colors.js';

/** One column of a table. */
export interface Column {
  header: string;
  /** May be shortened with "…" to fit the terminal (plain-text columns only, never ids). */
  shrink?: boolean;
}

/** Gap between columns. */
const GAP = '   ';
/** A shrinkable column is never cut below this width. */
const MIN_SHRUNK = 10;

const NO_BORDERS = {
  top: '',
  'top-mid': '',
  'top-left': '',
  'top-right': '',
  bottom: '',
  'bottom-mid': '',
  'bottom-left': '',
  'bottom-right': '',
  left: '',
  'left-mid': '',
  mid: '',
  'mid-mid': '',
  right: '',
  'right-mid': '',
  middle: GAP,
};

function width(text: string): number {
  return [...stripAnsi(text)].length;
}

function cut(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : chars.slice(0, max - 1).join('') + '…';
}

/** Shortens shrinkable columns, widest first, until the table fits `maxWidth` (or nothing more can be cut). */
function fit(columns: readonly Column[], rows: string[][], maxWidth: number): string[][] {
  const widths = columns.map((col, i) => Math.max(width(col.header), ...rows.map((r) => width(r[i] ?? ''))));
  let over = widths.reduce((a, b) => a + b, 0) + GAP.length * (columns.length - 1) - maxWidth;
  if (over <= 0) return rows;
  const limits = [...widths];
  while (over > 0) {
    let widest = -1;
    columns.forEach((col, i) => {
      if (col.shrink && limits[i]! > MIN_SHRUNK && (widest < 0 || limits[i]! > limits[widest]!)) widest = i;
    });
    if (widest < 0) break;
    limits[widest]! -= 1;
    over -= 1;
  }
  return rows.map((r) => r.map((text, i) => (columns[i]?.shrink ? cut(text, limits[i]!) : text)));
}

/**
 * Renders rows under upper-case headers, columns separated by three spaces, no trailing spaces,
 * ending with a newline. `maxWidth` (a terminal's width) lets shrinkable columns be cut to fit.
 */
export async function renderTable(columns: readonly Column[], rows: string[][], maxWidth?: number): Promise<string> {
  const { default: Table } = await import('cli-table3');
  const fitted = maxWidth && maxWidth > 0 ? fit(columns, rows, maxWidth) : rows;
  const table = new Table({
    head: columns.map((c) => c.header),
    chars: NO_BORDERS,
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0, compact: true },
  });
  for (const row of fitted) table.push(columns.map((_, i) => row[i] ?? ''));
  return (
    table
      .toString()
      .split('\n')
      .map((line) => line.trimEnd())
      .join('\n') + '\n'
  );
}

/**
 * `Label:   value` lines with the values aligned, skipping fields whose value is undefined.
 * Returns '' when every value is undefined, so callers can drop an empty section.
 */
export function renderFields(fields: ReadonlyArray<readonly [string, string | undefined]>, indent = ''): string {
  const shown = fields.filter((f): f is readonly [string, string] => f[1] !== undefined);
  if (shown.length === 0) return '';
  const pad = Math.max(...shown.map(([label]) => label.length)) + 3;
  return shown.map(([label, value]) => `${indent}${`${label}:`.padEnd(pad)}${value}\n`).join('');
}
