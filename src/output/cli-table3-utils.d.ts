/** The one helper of cli-table3's internals that src/output/tables.ts uses (the package types only its Table). */
declare module 'cli-table3/src/utils.js' {
  /** Columns a cell's text takes, as cli-table3 lays it out: colour codes stripped, the widest line. */
  export function strlen(text: string): number;
}
