import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type OtAlertInput, otAlertSchema } from '../../../pipeline/model/alert.js';
import { draftOf, isSplitError, parseRecord, splitText } from '../../../pipeline/parse/index.js';
import { fastValidate } from '../../../pipeline/parse/validate.js';
import { cefLine, securityAlert } from '../../helpers/records.js';
import { fixture, NOW } from './fixtures.js';

const FIXTURES = [
  'cef.log',
  'leef.log',
  'syslog-text.log',
  'syslog-object.log',
  'securityalert.ndjson',
  'export-envelope.json',
  'defender-for-cloud.json',
  'sensor-api-v1.json',
  'sensor-api-v2.json',
  'webhook-extended.json',
  'mixed.txt',
];

/** Key order and keys present with `undefined` matter too: serialise with both visible. */
const exact = (v: unknown): string =>
  JSON.stringify(v, (_k, x: unknown) => (x === undefined ? '<undefined>' : x)) ?? 'undefined';

/** The fast path either declines (zod decides) or returns exactly what zod returns. */
function expectSameAsZod(candidate: OtAlertInput): 'fast' | 'zod-ok' | 'zod-fail' {
  const zod = otAlertSchema.safeParse(candidate);
  const fast = fastValidate(candidate);
  if (fast === undefined) return zod.success ? 'zod-ok' : 'zod-fail';
  expect(zod.success).toBe(true);
  expect(fast).toStrictEqual(zod.data);
  expect(exact(fast)).toBe(exact(zod.data));
  return 'fast';
}

function fixtureDrafts(): OtAlertInput[] {
  const out: OtAlertInput[] = [];
  for (const name of FIXTURES) {
    for (const piece of splitText(fixture(name))) {
      if (isSplitError(piece)) continue;
      const d = draftOf(piece.value, { now: NOW });
      if (d.ok) out.push(d.alert);
    }
  }
  return out;
}

describe('validation fast path', () => {
  it('gives zod’s exact result for every fixture record, and takes the fast path for all of them', () => {
    const drafts = fixtureDrafts();
    expect(drafts.length).toBeGreaterThan(25);
    const paths = drafts.map(expectSameAsZod);
    expect(paths.filter((p) => p !== 'fast')).toEqual([]);
  });

  it('gives identical parse results through parseRecord on every fixture record', () => {
    for (const name of FIXTURES) {
      for (const piece of splitText(fixture(name))) {
        if (isSplitError(piece)) continue;
        const viaParse = parseRecord(piece.value, { now: NOW });
        const d = draftOf(piece.value, { now: NOW });
        if (!d.ok) {
          expect(viaParse).toEqual(d);
          continue;
        }
        const zod = otAlertSchema.safeParse(d.alert);
        expect(viaParse.ok).toBe(zod.success);
        if (viaParse.ok && zod.success) expect(exact(viaParse.alert)).toBe(exact(zod.data));
      }
    }
  });

  it('agrees with zod on truncated and byte-flipped fixture records', () => {
    const samples = FIXTURES.flatMap((f) => fixture(f).split('\n').filter(Boolean));
    let seed = 11;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    for (const s of samples) {
      for (let i = 0; i < 40; i++) {
        const cut = s.slice(0, rand(s.length + 1));
        const pos = rand(s.length);
        const flipped = s.slice(0, pos) + String.fromCharCode(rand(128)) + s.slice(pos + 1);
        for (const variant of [cut, flipped]) {
          const d = draftOf(variant, { now: NOW });
          if (d.ok) expectSameAsZod(d.alert);
        }
      }
    }
  });

  it('agrees with zod on generated records of the builders', () => {
    for (let i = 0; i < 50; i++) {
      const t = new Date(Date.UTC(2026, 10, 18, 8, i)).toISOString();
      for (const value of [securityAlert({ t, status: i % 3 ? 'New' : 'Closed' }), cefLine({ t })]) {
        const d = draftOf(value);
        expect(d.ok).toBe(true);
        if (d.ok) expect(expectSameAsZod(d.alert)).toBe('fast');
      }
    }
  });

  it('agrees with zod on arbitrary candidates: odd values, absent keys, extra keys', () => {
    const base = fixtureDrafts()[0] as Record<string, unknown>;
    const odd = fc.oneof(
      fc.constantFrom<unknown>(
        undefined,
        null,
        '',
        ' ',
        '  padded  ',
        'x'.repeat(513),
        ` ${'y'.repeat(1024)} `,
        'z'.repeat(1025),
        'm'.repeat(65_537),
        'High',
        'Closed',
        'CEF',
        'Anomaly',
        'Policy violation',
        '2026-11-18T08:00:00.000Z',
        '2026-02-30T08:00:00.000Z',
        '2026-11-18T08:00:00+01:00',
        '2026-11-18 08:00:00Z',
        0,
        1,
        true,
        [],
        ['a', ' b '],
        ['a', 1],
        [undefined],
        {},
        { ip: ' 10.0.0.1 ', zzz: 1 },
        { ip: '' },
        { name: 5 },
        [{ ip: '10.0.0.1', owners: ['o'], extra: 1 }],
        [{ owners: [1] }],
        [null],
        ['firstSeen'],
        ['firstSeen', 'lastSeen'],
        ['lastSeen', 'start'],
        new Date(0),
      ),
      fc.string({ maxLength: 20 }),
    );
    const keys = Object.keys(otAlertSchema.shape);
    fc.assert(
      fc.property(
        fc.dictionary(fc.constantFrom(...keys, 'extra', 'Title'), odd, { maxKeys: 6 }),
        fc.subarray(keys, { maxLength: 3 }),
        (changes, removed) => {
          const candidate: Record<string, unknown> = { ...base, ...changes };
          for (const k of removed) delete candidate[k];
          expectSameAsZod(candidate as OtAlertInput);
        },
      ),
      { numRuns: 3000, seed: 42 },
    );
  });

  it('keeps optional keys that are present with undefined, and leaves absent ones absent', () => {
    const base = { ...(fixtureDrafts()[0] as Record<string, unknown>) };
    delete base.protocol;
    base.category = undefined;
    const out = fastValidate(base as OtAlertInput)!;
    expect(out).toBeDefined();
    expect('protocol' in out).toBe(false);
    expect('category' in out).toBe(true);
    expect(exact(out)).toBe(exact(otAlertSchema.parse(base)));
  });
});
