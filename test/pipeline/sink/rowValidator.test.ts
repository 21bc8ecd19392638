import { describe, expect, it } from 'vitest';
import {
  isIsoDateTime,
  MAX_FIELD_BYTES,
  truncateDynamic,
  truncateRow,
  truncateString,
  validateRow,
} from '../../../pipeline/sink/rowValidator.js';
import { makeRow } from './fixtures.js';

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');
const jsonBytes = (v: unknown) => bytes(JSON.stringify(v));

describe('validateRow', () => {
  it('accepts a complete, well-typed row and a minimal one', () => {
    expect(validateRow(makeRow(1))).toEqual([]);
    expect(validateRow({ TimeGenerated: '2024-05-01T10:00:00Z', AlertId: 'a', Revision: 1 })).toEqual([]);
  });

  it('accepts null/undefined for optional columns (empty in Log Analytics)', () => {
    expect(validateRow(makeRow(1, { Severity: null, Sensors: undefined, Count: null }))).toEqual([]);
  });

  it('requires TimeGenerated, AlertId and Revision', () => {
    expect(validateRow({ Site: 'x' })).toEqual([
      'TimeGenerated: required',
      'AlertId: required',
      'Revision: required',
    ]);
    expect(validateRow({ ...makeRow(1), AlertId: null })).toEqual(['AlertId: required']);
  });

  it('rejects unknown columns and non-object rows', () => {
    expect(validateRow({ ...makeRow(1), Type: 'x', Extra: 1 })).toEqual([
      'Type: unknown column (not in OTAlerts_CL)',
      'Extra: unknown column (not in OTAlerts_CL)',
    ]);
    expect(validateRow(null)[0]).toMatch(/expected a JSON object/);
    expect(validateRow([makeRow(1)])[0]).toMatch(/expected a JSON object, got array/);
    expect(validateRow('row')[0]).toMatch(/expected a JSON object/);
  });

  it.each([
    ['Revision', 1.5, /int/],
    ['Revision', 2 ** 31, /int/],
    ['Revision', -(2 ** 31) - 1, /int/],
    ['Revision', '1', /int/],
    ['Count', 2 ** 53, /long/],
    ['Count', Number.NaN, /long/],
    ['Count', 10n, /long/],
    ['Description', 42, /string/],
    ['Sensors', 'sensor-a', /dynamic/],
    ['Tactics', 3, /dynamic/],
    ['TimeGenerated', 1714557600000, /datetime/],
    ['TimeGenerated', '2024-05-01 10:00:00', /datetime/],
    ['FirstSeen', '2024-02-30T10:00:00Z', /datetime/],
    ['LastSeen', '2024-05-01T10:00:00', /datetime/],
  ])('%s = %s is rejected', (column, value, pattern) => {
    const errors = validateRow({ ...makeRow(1), [column]: value });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(new RegExp(`^${column}: expected`));
    expect(errors[0]).toMatch(pattern);
  });

  it('accepts the edges of each type', () => {
    expect(validateRow(makeRow(1, { Revision: 2 ** 31 - 1, Count: Number.MAX_SAFE_INTEGER }))).toEqual([]);
    expect(validateRow(makeRow(1, { Revision: -(2 ** 31), Count: -1 }))).toEqual([]);
    expect(validateRow(makeRow(1, { Sensors: [], RemediationSteps: { a: 1 }, Description: '' }))).toEqual([]);
  });

  it('reads ISO 8601 date-times the way Log Analytics stores them', () => {
    for (const ok of [
      '2024-05-01T10:00:00Z',
      '2024-05-01T10:00:00.123Z',
      '2024-05-01T10:00:00.1234567Z',
      '2024-05-01T10:00Z',
      '2024-05-01T10:00:00+02:00',
      '2024-05-01T10:00:00-05:30',
      '2024-02-29T00:00:00Z',
      '2000-02-29T23:59:59Z',
    ]) {
      expect(isIsoDateTime(ok), ok).toBe(true);
    }
    for (const bad of [
      '2024-05-01',
      '2024-05-01T10:00:00',
      '2024-13-01T10:00:00Z',
      '2023-02-29T10:00:00Z',
      '1900-02-29T10:00:00Z',
      '2024-04-31T10:00:00Z',
      '2024-05-01T24:00:00Z',
      '2024-05-01T10:60:00Z',
      '2024-05-01T10:00:61Z',
      '2024-05-01T10:00:00+25:00',
      'yesterday',
      '',
    ]) {
      expect(isIsoDateTime(bad), bad).toBe(false);
    }
  });

  it('accepts 10,000 realistic rows after truncation (its cost per row is a benchmark figure)', () => {
    const rows = Array.from({ length: 10_000 }, (_, i) => makeRow(i));
    let errors = 0;
    for (const row of rows) errors += validateRow(truncateRow(row)).length;
    expect(errors).toBe(0);
  });
});

describe('truncateRow', () => {
  it('returns the same object when nothing is over 64 KB', () => {
    const row = makeRow(1, { Description: 'x'.repeat(60_000), RemediationSteps: ['a'.repeat(60_000)] });
    expect(truncateRow(row)).toBe(row);
  });

  it('cuts a 70 KB string to ≤ 64 KB with a marker counting the removed bytes', () => {
    const original = 'a'.repeat(70_000);
    const row = makeRow(1, { Description: original });
    const out = truncateRow(row);
    expect(out).not.toBe(row);
    expect(row.Description).toBe(original); // input untouched
    const cut = out.Description as string;
    expect(bytes(cut)).toBeLessThanOrEqual(MAX_FIELD_BYTES);
    const m = /…\[truncated (\d+) bytes\]$/.exec(cut);
    expect(m).not.toBeNull();
    const kept = cut.slice(0, m?.index);
    expect(bytes(kept) + Number(m?.[1])).toBe(70_000);
    expect(original.startsWith(kept)).toBe(true);
    expect(validateRow(out)).toEqual([]);
  });

  it('never splits a multi-byte character', () => {
    const original = '€😀'.repeat(15_000); // 7 bytes per pair, 105,000 bytes
    const cut = truncateString(original);
    expect(bytes(cut)).toBeLessThanOrEqual(MAX_FIELD_BYTES);
    expect(cut).not.toMatch(/\uFFFD/);
    const kept = cut.replace(/…\[truncated \d+ bytes\]$/, '');
    expect(original.startsWith(kept)).toBe(true);
    expect(bytes(kept)).toBeGreaterThan(MAX_FIELD_BYTES - 40);
  });

  it('trims a dynamic array element-wise and appends a marker element', () => {
    const steps = Array.from({ length: 1000 }, (_, i) => `step ${i}: ${'z'.repeat(90)}`);
    const out = truncateRow(makeRow(1, { RemediationSteps: steps }));
    const trimmed = out.RemediationSteps as string[];
    expect(jsonBytes(trimmed)).toBeLessThanOrEqual(MAX_FIELD_BYTES);
    expect(trimmed.length).toBeLessThan(steps.length);
    expect(trimmed.slice(0, -1)).toEqual(steps.slice(0, trimmed.length - 1));
    expect(trimmed.at(-1)).toMatch(/^…\[truncated \d+ bytes\]$/);
    // Room was used: another element would not have fitted.
    expect(jsonBytes(trimmed) + 100).toBeGreaterThan(MAX_FIELD_BYTES);
    expect(validateRow(out)).toEqual([]);
  });

  it('trims a dynamic object entry-wise with a _truncated entry', () => {
    const obj = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`k${i}`, 'v'.repeat(500)]));
    const out = truncateDynamic(obj) as Record<string, unknown>;
    expect(jsonBytes(out)).toBeLessThanOrEqual(MAX_FIELD_BYTES);
    expect(out._truncated).toMatch(/^…\[truncated \d+ bytes\]$/);
    expect(out.k0).toBe(obj.k0);
  });

  it('handles an array whose first element alone is too big', () => {
    const out = truncateDynamic(['q'.repeat(70_000), 'small']) as string[];
    expect(out).toHaveLength(1);
    expect(out[0]).toMatch(/^…\[truncated \d+ bytes\]$/);
  });

  it('counts JSON escapes of dynamic strings', () => {
    // 20,000 control characters: 20 KB of UTF-8 but 120 KB of JSON.
    const arr = Array.from({ length: 20 }, () => '\u0001'.repeat(1000));
    const out = truncateDynamic(arr) as string[];
    expect(jsonBytes(out)).toBeLessThanOrEqual(MAX_FIELD_BYTES);
    expect(out.at(-1)).toMatch(/truncated/);
  });
});
