import { describe, expect, it } from 'vitest';
import { memoize } from '../../../pipeline/util/memoize.js';

describe('memoize', () => {
  it('computes each input once while it is remembered', () => {
    let calls = 0;
    const upper = memoize((s) => {
      calls++;
      return s.toUpperCase();
    });
    expect(upper('plc')).toBe('PLC');
    expect(upper('plc')).toBe('PLC');
    expect(calls).toBe(1);
  });

  it('stays bounded: past max distinct inputs it forgets and still answers correctly', () => {
    let calls = 0;
    const id = memoize((s) => {
      calls++;
      return `${s}!`;
    }, 3);
    for (const s of ['a', 'b', 'c', 'd']) id(s); // 'd' clears the memory
    expect(id('a')).toBe('a!');
    expect(calls).toBe(5);
  });
});
