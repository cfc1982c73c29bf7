import Table from 'cli-table3';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { displayWidth, loadTables, renderFields, renderTable } from '../../src/output/tables.js';

beforeAll(() => loadTables(true));

/** The same table drawn by cli-table3 itself, with the options src/output/tables.ts gives it, lines trimmed. */
function byCliTable3(head: string[], rows: string[][], colWidths: number[]): string {
  const none = { top: '', 'top-mid': '', 'top-left': '', 'top-right': '', bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '', left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '' };
  const t = new Table({ head, colWidths, wordWrap: false, truncate: '…', chars: { ...none, middle: '   ' }, style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0, compact: true } });
  t.push(...rows);
  return t.toString().split('\n').map((l) => l.trimEnd()).join('\n') + '\n';
}

describe('renderTable', () => {
  const columns = [{ header: 'ID' }, { header: 'NAME', shrink: true }, { header: 'STATUS' }];

  it('pads by display width, so wide characters and colour codes keep columns aligned', () => {
    const text = renderTable(columns, [
      ['1', '推理服务', '\u001b[32mRUNNING\u001b[39m'],
      ['22', 'e\u0301mile 🚀', 'STOPPED'],
      ['333', 'plain', 'FAILED'],
    ]);
    expect(text).toBe(
      'ID    NAME       STATUS\n' +
        '1     推理服务   \u001b[32mRUNNING\u001b[39m\n' +
        '22    e\u0301mile 🚀   STOPPED\n' +
        '333   plain      FAILED\n',
    );
  });

  it('draws a table that nothing cuts (itself, without cli-table3) exactly as cli-table3 does', () => {
    const piece = fc.constantFrom('a', 'Z', '-', ' ', '1× H100', '推理', '🚀', 'e\u0301', '\u001b[32mRUNNING\u001b[39m', '$1.90', 'é', '…');
    const text = fc.array(piece, { maxLength: 4 }).map((p) => p.join(''));
    fc.assert(
      fc.property(fc.array(fc.tuple(text, text, text), { maxLength: 6 }), (rows) => {
        const mine = renderTable(columns, rows);
        const widths = columns.map((c, i) => Math.max(displayWidth(c.header), ...rows.map((r) => displayWidth(r[i]!))));
        expect(mine).toBe(byCliTable3(columns.map((c) => c.header), rows, widths));
      }),
      { numRuns: 200 },
    );
  });

  it('measures display width', () => {
    expect(displayWidth('abc')).toBe(3);
    expect(displayWidth('1× H100')).toBe(7);
    expect(displayWidth('推理')).toBe(4);
    expect(displayWidth('\u001b[31mred\u001b[39m')).toBe(3);
    expect(displayWidth('e\u0301')).toBe(1);
  });

  it('cuts only shrinkable columns to fit, and never below ten columns', () => {
    const rows = [['378888638324150969', 'a-rather-long-deployment-name', 'RUNNING']];
    expect(renderTable(columns, rows, 50)).toBe(
      'ID                   NAME                  STATUS\n378888638324150969   a-rather-long-depl…   RUNNING\n',
    );
    expect(renderTable(columns, rows, 10)).toBe(
      'ID                   NAME         STATUS\n378888638324150969   a-rather-…   RUNNING\n',
    );
  });

  it('prints the header alone for no rows and fills short rows', () => {
    expect(renderTable(columns, [])).toBe('ID   NAME   STATUS\n');
    expect(renderTable(columns, [['1']])).toBe('ID   NAME   STATUS\n1\n');
  });
});

describe('renderFields', () => {
  it('aligns values and skips undefined ones', () => {
    expect(renderFields([['ID', '1'], ['Missing', undefined], ['Service mode', 'ALB']], '  ')).toBe(
      '  ID:            1\n  Service mode:  ALB\n',
    );
    expect(renderFields([['A', undefined]])).toBe('');
  });
});
