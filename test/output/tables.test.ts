import { beforeAll, describe, expect, it } from 'vitest';
import { displayWidth, loadTables, renderFields, renderTable } from '../../src/output/tables.js';

beforeAll(loadTables);

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
