import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizeMac, parseTime } from '../../../pipeline/parse/fields/index.js';

const digits = (n: number) =>
  fc.array(fc.integer({ min: 0, max: 9 }), { minLength: n, maxLength: n }).map((d) => d.join(''));

describe('parse fast paths give the general path’s results', () => {
  it('strict `YYYY-MM-DDTHH:MM:SS[.f]Z` times read like the ISO regex reads them (lower-case t forces the regex)', () => {
    fc.assert(
      fc.property(
        digits(4),
        digits(2),
        digits(2),
        digits(2),
        digits(2),
        digits(2),
        fc.option(fc.integer({ min: 0, max: 10 }).chain(digits)),
        (y, mo, d, h, mi, s, frac) => {
          const tail = frac === null ? 'Z' : `.${frac}Z`;
          const fast = `${y}-${mo}-${d}T${h}:${mi}:${s}${tail}`;
          const general = `${y}-${mo}-${d}t${h}:${mi}:${s}${tail}`;
          expect(parseTime(fast, 0)).toBe(parseTime(general, 0));
        },
      ),
      { numRuns: 5000, seed: 7 },
    );
  });

  it('reads the Log Analytics form and rejects impossible dates as before', () => {
    expect(parseTime('2026-11-18T08:00:00.0000000Z')).toBe('2026-11-18T08:00:00.000Z');
    expect(parseTime('2026-11-18T08:00:00.1239Z')).toBe('2026-11-18T08:00:00.123Z');
    expect(parseTime('2026-11-18T08:00:00.5Z')).toBe('2026-11-18T08:00:00.500Z');
    expect(parseTime('2026-11-18T08:00:60Z')).toBe('2026-11-18T08:00:59.000Z');
    expect(parseTime('2026-02-30T08:00:00Z')).toBeUndefined();
    expect(parseTime('2026-11-18T24:00:00Z')).toBeUndefined();
    expect(parseTime('2026-11-18T08:00:00.Z')).toBeUndefined();
  });

  it('MAC addresses in every separator and case normalise as before, repeatedly (memoised)', () => {
    const hex = fc.constantFrom(...'0123456789abcdefABCDEF'.split(''));
    fc.assert(
      fc.property(fc.array(hex, { minLength: 12, maxLength: 12 }), fc.constantFrom(':', '-'), (h, sep) => {
        const raw = [0, 2, 4, 6, 8, 10].map((i) => `${h[i]}${h[i + 1]}`).join(sep);
        const expected = raw.replaceAll('-', ':').toLowerCase();
        expect(normalizeMac(raw)).toBe(expected);
        expect(normalizeMac(raw)).toBe(expected);
      }),
      { numRuns: 2000, seed: 3 },
    );
    expect(normalizeMac('00-1B-2C-3D-4E-5F')).toBe('00:1b:2c:3d:4e:5f');
    expect(normalizeMac('00:1B:2C:3D:4E:5G')).toBeUndefined();
    expect(normalizeMac('00:1b-2c:3d:4e:5f')).toBeUndefined();
  });
});
