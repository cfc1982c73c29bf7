/**
 * Borderless, kubectl-style tables. A column may be marked shrinkable; only those are cut (with "…"
 * by cli-table3), and only to fit a known terminal width. Ids are never shrinkable, so they can
 * always be copied whole.
 *
 * A table with no column cut (every table on a pipe, and on a terminal wide enough) is each cell
 * padded to its column's width, the columns joined by three spaces: what cli-table3 draws with these
 * options, without its per-cell work (17 border options merged into every cell: 0.85 s of a
 * 10,000-row table's 2.7 s) or its load. cli-table3 draws the tables whose columns are cut, as its
 * truncation keeps colour codes whole and measures wide characters.
 *
 * cli-table3 is loaded lazily (loadTables(), awaited by the printers) so that JSON output never pays
 * for it. Its layout pass is quadratic in the rows of one table (measured on Node 24: 4,000 rows in
 * 2.2 s, 10,000 in 10.6 s), so long tables are drawn in slices of SLICE rows sharing column widths
 * measured up front: the output is the same table, and the cost stays linear.
 *
 * Widths are measured with cli-table3's own measure (its utils.strlen: escape codes stripped, then its
 * string-width 4), the one it pads and truncates cells by, so the widths given to it agree with its
 * layout. string-width 8 (ora's) would cost every table ~25 ms of start-up before measuring anything
 * (an Intl.Segmenter and a \p{RGI_Emoji} regex built at load). The bundle caches cli-table3's measures
 * (see esbuild.config.mjs).
 */
import type CliTable3 from 'cli-table3';

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
/** Rows per cli-table3 table; see the file comment. */
const SLICE = 50;

const NO_BORDER = {
  top: '', 'top-mid': '', 'top-left': '', 'top-right': '',
  bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '',
  left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '',
  middle: GAP,
};

let Table: typeof CliTable3 | undefined;
let strlen: ((text: string) => number) | undefined;

/**
 * Loads what drawing tables needs: cli-table3's measure, and with `cutting` (a terminal's width
 * given to renderTable, which may cut columns) cli-table3 itself. The printers await this before
 * drawing, never on the JSON path.
 */
export async function loadTables(cutting = false): Promise<void> {
  strlen ??= (await import('cli-table3/src/utils.js')).strlen;
  if (cutting) Table ??= (await import('cli-table3')).default;
}

function tableClass(): typeof CliTable3 {
  if (!Table) throw new Error('renderTable() cutting columns before loadTables(true)');
  return Table;
}

/** Columns a text takes on a terminal (escape codes take none; CJK and emoji take two). */
export function displayWidth(text: string): number {
  if (!strlen) throw new Error('displayWidth() before loadTables()');
  return strlen(text);
}

function columnWidths(columns: readonly Column[], rows: readonly (readonly string[])[]): number[] {
  const widths = columns.map((col) => displayWidth(col.header));
  for (const row of rows) {
    for (let i = 0; i < widths.length; i++) widths[i] = Math.max(widths[i]!, displayWidth(row[i] ?? ''));
  }
  return widths;
}

/** Narrows shrinkable columns, widest first, until the table fits `maxWidth` (or nothing more can be cut). */
function fit(columns: readonly Column[], widths: number[], maxWidth: number): number[] {
  const limits = [...widths];
  let over = limits.reduce((a, b) => a + b, 0) + GAP.length * (columns.length - 1) - maxWidth;
  while (over > 0) {
    let widest = -1;
    columns.forEach((col, i) => {
      if (col.shrink && limits[i]! > MIN_SHRUNK && (widest < 0 || limits[i]! > limits[widest]!)) widest = i;
    });
    if (widest < 0) break;
    limits[widest]! -= 1;
    over -= 1;
  }
  return limits;
}

/** Each cell padded to its column's width, the columns joined by GAP: cli-table3's drawing when nothing is cut. */
function pad(head: string[] | undefined, rows: readonly (readonly string[])[], widths: readonly number[]): string {
  const line = (cells: readonly string[]) => cells.map((t, i) => (i === cells.length - 1 ? t : t + ' '.repeat(Math.max(0, widths[i]! - displayWidth(t))))).join(GAP);
  return [...(head ? [head] : []), ...rows].map(line).join('\n');
}

function draw(head: string[] | undefined, rows: readonly (readonly string[])[], colWidths: number[]): string {
  const T = tableClass();
  const table = new T({
    ...(head ? { head } : {}),
    colWidths,
    wordWrap: false,
    truncate: '…',
    chars: NO_BORDER,
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0, compact: true },
  });
  table.push(...rows.map((r) => [...r]));
  return table.toString();
}

/**
 * Renders rows under upper-case headers, columns separated by three spaces, no trailing spaces,
 * ending with a newline. `maxWidth` (a terminal's width) lets shrinkable columns be cut to fit (the
 * printers then have awaited loadTables(true)). A cell is one line: the printers escape line breaks
 * in server text (src/text.ts).
 */
export function renderTable(columns: readonly Column[], rows: readonly (readonly string[])[], maxWidth?: number, headers = true): string {
  const cells = rows.map((r) => columns.map((_, i) => r[i] ?? ''));
  const natural = columnWidths(columns, cells);
  const widths = maxWidth && maxWidth > 0 ? fit(columns, natural, maxWidth) : natural;
  const parts: string[] = [];
  const head = columns.map((c) => c.header);
  if (cells.length === 0 && !headers) return '';
  if (widths.every((w, i) => w === natural[i])) {
    parts.push(pad(headers ? head : undefined, cells, widths));
  } else {
    if (cells.length === 0) parts.push(draw(head, [], widths));
    for (let i = 0; i < cells.length; i += SLICE) {
      parts.push(draw(i === 0 && headers ? head : undefined, cells.slice(i, i + SLICE), widths));
    }
  }
  return (
    parts
      .join('\n')
      .split('\n')
      .map((l) => l.trimEnd())
      .join('\n') + '\n'
  );
}

/**
 * `Label:   value` lines with the values aligned, skipping fields whose value is undefined.
 * Returns '' when every value is undefined, so callers can drop an empty section.
 * (A label list is not a table: padding the labels is all it takes, and it costs far less than a
 * cli-table3 instance per section of `deploy get`.)
 */
export function renderFields(fields: ReadonlyArray<readonly [string, string | undefined]>, indent = ''): string {
  const shown = fields.filter((f): f is readonly [string, string] => f[1] !== undefined);
  if (shown.length === 0) return '';
  const labelWidth = Math.max(...shown.map(([label]) => displayWidth(label))) + 3;
  const pad = (text: string) => text + ' '.repeat(Math.max(0, labelWidth - displayWidth(text)));
  return shown.map(([label, value]) => `${indent}${pad(`${label}:`)}${value}`.trimEnd() + '\n').join('');
}
