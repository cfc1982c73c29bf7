import { describe, expect, it } from 'vitest';
import {
  cell,
  describeRef,
  formatGb,
  formatMoney,
  formatRate,
  formatUptime,
  gpuLabel,
  gpuSummary,
  regionSummary,
  safeText,
} from '../../src/output/format.js';

describe('formatMoney: one money format, dollars and cents', () => {
  it.each([
    ['3.7000', '$3.70'],
    ['1.85', '$1.85'],
    ['12', '$12.00'],
    ['0', '$0.00'],
    ['0.000514', '<$0.01'],
    ['0.004701', '<$0.01'],
    ['0.005', '$0.01'],
    ['1.855', '$1.86'],
    ['1.854999', '$1.85'],
    ['0.00437', '<$0.01'],
    ['007.5', '$7.50'],
    ['.5', '$0.50'],
    ['-1.5', '-$1.50'],
    ['1e-7', '<$0.01'],
    [' 2.50 ', '$2.50'],
    ['123456789012345678.10', '$123456789012345678.10'],
  ])('%j → %s', (input, expected) => {
    expect(formatMoney(input)).toBe(expected);
  });

  it('takes numbers too, and shows "-" for what is missing', () => {
    expect(formatMoney(3.7)).toBe('$3.70');
    expect(formatMoney(undefined)).toBe('-');
    expect(formatMoney(null)).toBe('-');
    expect(formatMoney('')).toBe('-');
    expect(formatMoney(Number.NaN)).toBe('-');
    expect(formatMoney({})).toBe('-');
  });

  it('shows text that is not a number as it came', () => {
    expect(formatMoney('N/A')).toBe('N/A');
  });

  it('adds the unit for rates', () => {
    expect(formatRate('1.8500', 'h')).toBe('$1.85/h');
    expect(formatRate('3.9', 'h')).toBe('$3.90/h');
    expect(formatRate(undefined, 'h')).toBe('-');
  });
});

describe('other formats', () => {
  it('formats uptime from milliseconds', () => {
    expect(formatUptime('45000')).toBe('45s');
    expect(formatUptime('3725000')).toBe('1h02m');
    expect(formatUptime(125000)).toBe('2m05s');
    expect(formatUptime('soon')).toBe('-');
    expect(formatUptime(undefined)).toBe('-');
  });

  it('formats sizes and scalars', () => {
    expect(formatGb(80)).toBe('80 GB');
    expect(formatGb('24')).toBe('24 GB');
    expect(formatGb(null)).toBe('-');
    expect(cell('x')).toBe('x');
    expect(cell(0)).toBe('0');
    expect(cell(false)).toBe('false');
    expect(cell(12n)).toBe('12');
    expect(cell('')).toBe('-');
    expect(cell(Infinity)).toBe('-');
    expect(cell([1])).toBe('-');
  });

  it('summarises GPUs and regions', () => {
    expect(gpuLabel({ gpuType: 'NVIDIA_H100_80G', gpuDisplayName: 'H100', gpuCount: 1 })).toBe('1× H100');
    expect(gpuLabel({ gpuType: 'NVIDIA_L4_24G', gpuCount: 2 })).toBe('2× NVIDIA_L4_24G');
    expect(gpuLabel({ gpuCount: 2 })).toBe('2× ?');
    expect(gpuLabel(null)).toBe('-');
    expect(
      gpuSummary([
        { gpuType: 'A', gpuDisplayName: 'a', gpuCount: 4 },
        { gpuType: 'A', gpuCount: 4 },
        { gpuType: 'B', gpuCount: 4 },
        { gpuType: 'C', gpuCount: 4 },
      ]),
    ).toBe('4× a +2');
    expect(gpuSummary([])).toBe('-');
    expect(gpuSummary('nope')).toBe('-');
    expect(regionSummary([{ region: 'us-east-1' }, { region: 'eu-2' }, { region: 'us-east-1' }, {}])).toBe('us-east-1,eu-2');
    expect(regionSummary(undefined)).toBe('-');
  });

  it('escapes control and bidi characters', () => {
    expect(safeText('a\u001b[31mb\tc\r\nd\u202ee\u0085')).toBe('a\\u001b[31mb\\tc\\r\\nd\\u202ee\\u0085');
    expect(safeText('plain — ünïcode ✓')).toBe('plain — ünïcode ✓');
  });

  it('keeps ids whole in narration, so they can be pasted back', () => {
    expect(describeRef('378888638324150969', 'llama')).toBe('llama (378888638324150969)');
    expect(describeRef('378888638324150969')).toBe('378888638324150969');
  });
});
