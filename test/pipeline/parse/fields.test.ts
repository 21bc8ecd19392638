import { describe, expect, it } from 'vitest';
import type { Device } from '../../../pipeline/model/alert.js';
import {
  assignAddress,
  isoFromMs,
  labelScanner,
  listOf,
  normalizeMac,
  parseTime,
  resolveTimes,
  scanLabels,
  stepsOf,
  text,
} from '../../../pipeline/parse/fields/index.js';
import { NOW } from './fixtures.js';

describe('parseTime', () => {
  it.each([
    [1767607872000, '2026-01-05T10:11:12.000Z'],
    [1767607872, '2026-01-05T10:11:12.000Z'],
    [1767607872.5, '2026-01-05T10:11:12.500Z'],
    [1767607872123456, '2026-01-05T10:11:12.123Z'],
    ['1767607872000', '2026-01-05T10:11:12.000Z'],
    ['2026-01-05T10:11:12Z', '2026-01-05T10:11:12.000Z'],
    ['2026-01-05T10:11:12.3456789Z', '2026-01-05T10:11:12.345Z'],
    ['2026-01-05T10:11:12.1Z', '2026-01-05T10:11:12.100Z'],
    ['2026-01-05T11:11:12+01:00', '2026-01-05T10:11:12.000Z'],
    ['2026-01-05T04:41:12-0530', '2026-01-05T10:11:12.000Z'],
    ['2026-01-05 10:11:12', '2026-01-05T10:11:12.000Z'],
    ['2026-01-05 10:11:12 UTC', '2026-01-05T10:11:12.000Z'],
    ['2026-01-05', '2026-01-05T00:00:00.000Z'],
    ['2024-02-29T00:00:00Z', '2024-02-29T00:00:00.000Z'],
    ['Jan 05 2026 10:11:12', '2026-01-05T10:11:12.000Z'],
    ['Jan 5 2026 10:11:12.250', '2026-01-05T10:11:12.250Z'],
    ['Jan  5 10:11:12', '2026-01-05T10:11:12.000Z'],
    ['Dec 31 23:59:59', '2025-12-31T23:59:59.000Z'],
    ['Mon, 05 Jan 2026 10:11:12 GMT', '2026-01-05T10:11:12.000Z'],
    ['Mon Jan 05 2026 11:11:12 GMT+0100 (Central European Standard Time)', '2026-01-05T10:11:12.000Z'],
    ['January 5, 2026 10:11:12 AM', '2026-01-05T10:11:12.000Z'],
    ['Jan 05 2026 10:11:12 PM +02:00', '2026-01-05T20:11:12.000Z'],
    [new Date(Date.UTC(2026, 0, 5, 10, 11, 12)), '2026-01-05T10:11:12.000Z'],
  ])('%j → %s', (input, expected) => {
    expect(parseTime(input, NOW)).toBe(expected);
  });

  it.each([
    'yesterday',
    '',
    '   ',
    'abc',
    '2026-02-30T00:00:00Z',
    '2025-02-29T00:00:00Z',
    '2026-13-01T00:00:00Z',
    '2026-01-05T24:00:00Z',
    '2026-01-05T10:11:12+25:00',
    'Jan 32 2026 10:11:12',
    'Jan 05 2026 10:11:12 CET',
    'Jan 05 2026 10:11:12 trailing words',
    '13:00 PM Jan 5 2026',
    '2026',
    0,
    -5,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    1e20,
    '1969-12-31T23:59:59Z',
    '2300-01-01T00:00:00Z',
    null,
    undefined,
    {},
    true,
  ])('%j is not a time', (input) => {
    expect(parseTime(input, NOW)).toBeUndefined();
  });

  it('formats like Date#toISOString', () => {
    for (let i = 0; i < 2000; i++) {
      const t = Date.UTC(1990, 0, 1) + Math.floor(Math.random() * 6e12);
      expect(isoFromMs(t)).toBe(new Date(t).toISOString());
    }
    for (const t of [
      Date.UTC(2000, 1, 29),
      Date.UTC(2100, 1, 28, 23, 59, 59, 999),
      Date.UTC(2024, 11, 31, 23, 59, 59, 1),
    ]) {
      expect(isoFromMs(t)).toBe(new Date(t).toISOString());
    }
  });
});

describe('resolveTimes', () => {
  it('uses one time for both ends when only one exists', () => {
    expect(resolveTimes([undefined, '2026-01-05T10:11:12Z'], [], undefined)).toEqual({
      firstSeen: '2026-01-05T10:11:12.000Z',
      lastSeen: '2026-01-05T10:11:12.000Z',
    });
    expect(resolveTimes([null], ['2026-01-05T10:11:12Z'], undefined)).toEqual({
      firstSeen: '2026-01-05T10:11:12.000Z',
      lastSeen: '2026-01-05T10:11:12.000Z',
    });
  });

  it('never replaces a present but invalid time with a later candidate', () => {
    expect(resolveTimes(['yesterday', '2026-01-05T10:11:12Z'], [], undefined)).toEqual({
      reason: 'firstSeen: invalid time "yesterday"',
    });
    expect(resolveTimes(['2026-01-05T10:11:12Z'], ['soon'], undefined)).toEqual({
      reason: 'lastSeen: invalid time "soon"',
    });
  });

  it('falls back to receivedAt only when the record has no time at all', () => {
    expect(resolveTimes([undefined], [], { receivedAt: '2026-01-05T10:11:12Z' })).toEqual({
      firstSeen: '2026-01-05T10:11:12.000Z',
      lastSeen: '2026-01-05T10:11:12.000Z',
    });
    expect(resolveTimes([undefined], [], undefined)).toEqual({
      reason: 'missing firstSeen: the record carries no alert time',
    });
  });

  it('never lets lastSeen precede firstSeen', () => {
    expect(resolveTimes(['2026-01-05T10:11:12Z'], ['2026-01-05T10:00:00Z'], undefined)).toEqual({
      firstSeen: '2026-01-05T10:11:12.000Z',
      lastSeen: '2026-01-05T10:11:12.000Z',
    });
  });
});

describe('addresses', () => {
  it.each([
    ['00:1A:2B:3C:4D:5E', '00:1a:2b:3c:4d:5e'],
    ['00-1a-2b-3c-4d-5e', '00:1a:2b:3c:4d:5e'],
    ['001a.2b3c.4d5e', '00:1a:2b:3c:4d:5e'],
    ['001A2B3C4D5E', '00:1a:2b:3c:4d:5e'],
    ['00:1a:2b:3c:4d:5g', undefined],
    ['00:1a-2b:3c:4d:5e', undefined],
    ['10.1.2.3', undefined],
  ])('normalizeMac(%s) = %s', (input, expected) => {
    expect(normalizeMac(input)).toBe(expected);
  });

  it('puts IPs and MACs in their slot and leaves names alone', () => {
    const d: Device = {};
    expect(assignAddress(d, '10.10.1.5')).toBe(true);
    expect(assignAddress(d, '00-0E-8C-AA-BB-CC')).toBe(true);
    expect(assignAddress(d, 'PLC-20')).toBe(false);
    expect(assignAddress(d, '999.1.1.1')).toBe(false);
    expect(assignAddress(d, 'N/A')).toBe(false);
    expect(d).toEqual({ ip: '10.10.1.5', mac: '00:0e:8c:aa:bb:cc' });
    const v6: Device = {};
    assignAddress(v6, 'FE80::1');
    expect(v6).toEqual({ ip: 'fe80::1' });
  });
});

describe('text and lists', () => {
  it('trims, drops nil values, stringifies numbers, clips', () => {
    expect(text('  a  ')).toBe('a');
    expect(text('N/A')).toBeUndefined();
    expect(text('-')).toBeUndefined();
    expect(text(17)).toBe('17');
    expect(text({})).toBeUndefined();
    expect(text('x'.repeat(2000))).toHaveLength(1024);
  });

  it('reads arrays, JSON array strings and comma strings', () => {
    expect(listOf(['T0843', ' T0821 ', '', 'Unknown'])).toEqual(['T0843', 'T0821']);
    expect(listOf('["T0843","T0821"]')).toEqual(['T0843', 'T0821']);
    expect(listOf('ImpairProcessControl, InhibitResponseFunction')).toEqual([
      'ImpairProcessControl',
      'InhibitResponseFunction',
    ]);
    expect(listOf('["T0843", broken')).toEqual(['"T0843"', 'broken']);
    expect(listOf('')).toBeUndefined();
    expect(listOf('Unknown')).toBeUndefined();
    expect(listOf(5)).toBeUndefined();
  });

  it('keeps a plain remediation sentence whole', () => {
    expect(stepsOf('Isolate the device, then call the vendor.')).toEqual([
      'Isolate the device, then call the vendor.',
    ]);
    expect(stepsOf('["a","b"]')).toEqual(['a', 'b']);
    expect(stepsOf('[]')).toBeUndefined();
  });
});

describe('scanLabels', () => {
  const sc = labelScanner([
    { key: 'title', names: ['Alert title'], strong: true },
    { key: 'message', names: ['Message'], long: true },
    { key: 'source', names: ['Source'] },
    { key: 'sourceIp', names: ['Source IP'] },
    { key: 'group', names: ['Alert group'], strong: true },
  ]);

  it('splits on labels with any separator and keeps repeated labels', () => {
    expect(
      scanLabels('Alert title: A, Source: x; Source IP: 1.2.3.4 | Source: y\nAlert group: G', sc),
    ).toEqual([
      { key: 'title', value: 'A' },
      { key: 'source', value: 'x' },
      { key: 'sourceIp', value: '1.2.3.4' },
      { key: 'source', value: 'y' },
      { key: 'group', value: 'G' },
    ]);
  });

  it('lets only a strong label end a long value', () => {
    expect(scanLabels('Message: from Source: 10.0.0.1, Source IP: z. Alert group: G', sc)).toEqual([
      { key: 'message', value: 'from Source: 10.0.0.1, Source IP: z.' },
      { key: 'group', value: 'G' },
    ]);
  });

  it('ignores label words that are not at a boundary or not followed by a colon', () => {
    expect(scanLabels('xSource: 1 Source 2 Alert title=T', sc)).toEqual([{ key: 'title', value: 'T' }]);
  });
});
