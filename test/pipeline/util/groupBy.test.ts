import { describe, expect, it } from 'vitest';
import { groupBy } from '../../../pipeline/util/groupBy.js';

describe('groupBy', () => {
  it('keeps the items of a key in order and the keys in order of first appearance, with the index', () => {
    const by = groupBy(['b1', 'a1', 'b2', 'c1', 'a2'], (s, i) => (i === 4 ? 'last' : s[0]));
    expect([...by]).toEqual([
      ['b', ['b1', 'b2']],
      ['a', ['a1']],
      ['c', ['c1']],
      ['last', ['a2']],
    ]);
    expect(groupBy([], () => 'x').size).toBe(0);
  });
});
