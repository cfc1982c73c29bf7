import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseJsonLossless } from '../../src/api/json.js';

describe('parseJsonLossless', () => {
  it('keeps every digit of a bare 18-digit id', () => {
    const v = parseJsonLossless('{"id":378888638324150969,"ids":[378888638324150969,-900719925474099300]}') as Record<string, unknown>;
    expect(v.id).toBe('378888638324150969');
    expect(v.ids).toEqual(['378888638324150969', '-900719925474099300']);
  });

  it('leaves safe integers, decimals, exponents and strings as JSON.parse does', () => {
    const text = '{"n":12,"max":9007199254740991,"f":1.5,"e":1e30,"s":"378888638324150969","z":null,"b":true}';
    expect(parseJsonLossless(text)).toEqual(JSON.parse(text));
  });

  it('starts at the first integer past 2^53 - 1', () => {
    expect(parseJsonLossless('9007199254740992')).toBe('9007199254740992');
    expect(parseJsonLossless('9007199254740991')).toBe(9007199254740991);
  });

  it('round-trips any 15-19 digit integer exactly', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 10n ** 14n, max: 10n ** 19n - 1n }), (n) => {
        const v = (parseJsonLossless(`{"id":${n}}`) as { id: unknown }).id;
        expect(String(v)).toBe(n.toString());
      }),
    );
  });

  it('finds unsafe integers wherever a number may stand (the quick check before the reviver)', () => {
    expect(parseJsonLossless('[1, 378888638324150969]')).toEqual([1, '378888638324150969']);
    expect(parseJsonLossless('{"a": [ -378888638324150969 ]}')).toEqual({ a: ['-378888638324150969'] });
    expect(parseJsonLossless('{\n  "id":\n    378888638324150969\n}')).toEqual({ id: '378888638324150969' });
    // Digits inside a string never change, whichever path parses them.
    expect(parseJsonLossless('{"s":"x:378888638324150969"}')).toEqual({ s: 'x:378888638324150969' });
    expect(parseJsonLossless('{"n":123456789012345,"f":1.5e300}')).toEqual({ n: 123456789012345, f: 1.5e300 });
  });

  it('throws on text that is not JSON', () => {
    expect(() => parseJsonLossless('<html>')).toThrow(SyntaxError);
  });
});
