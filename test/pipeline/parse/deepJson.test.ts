import { describe, expect, test } from 'vitest';
import { stringifyDeep } from '../../../pipeline/parse/deepJson.js';

describe('stringifyDeep', () => {
  test('same text as JSON.stringify for JSON data', () => {
    const values: unknown[] = [
      null,
      1.5,
      'a"b\n',
      true,
      [],
      {},
      [1, [2, [3, { a: 'x', b: [null, { c: {} }] }]]],
      { s: 'é\u2028', n: -0, u: undefined, f: () => 1, list: [undefined, 1], d: new Date(0) },
    ];
    for (const v of values) expect(stringifyDeep(v)).toBe(JSON.stringify(v));
  });

  test('serialises 100,000 levels that JSON.stringify cannot', () => {
    const text = `${'{"a":['.repeat(50_000)}1${']}'.repeat(50_000)}`;
    const v = JSON.parse(text) as unknown;
    expect(() => JSON.stringify(v)).toThrow(RangeError);
    expect(stringifyDeep(v)).toBe(text);
  });
});
