import { describe, expect, it } from 'vitest';
import { otAlertSchema } from '../../../pipeline/model/alert.js';
import { isSplitError, parseRecord, splitText } from '../../../pipeline/parse/index.js';
import { fixture, NOW } from './fixtures.js';

/** Parse every record of a fixture file the way the replay CLI will: split, then parse each record. */
function parseFile(name: string) {
  return splitText(fixture(name)).map((p) =>
    isSplitError(p) ? { ok: false as const, reason: p.error } : parseRecord(p.value, { now: NOW }),
  );
}

describe('format detection per record', () => {
  it.each([
    ['cef.log', ['CEF', 'CEF', 'CEF', 'CEF']],
    ['leef.log', ['LEEF', 'LEEF', 'LEEF', 'LEEF']],
    ['syslog-text.log', ['SyslogText', 'SyslogText']],
    ['syslog-object.log', ['SyslogObject', 'SyslogObject', 'SyslogObject']],
    ['securityalert.ndjson', ['SecurityAlert', 'SecurityAlert', 'SecurityAlert']],
    ['export-envelope.json', ['SecurityAlert', 'SecurityAlert', 'rejected']],
    ['defender-for-cloud.json', ['DefenderForCloud', 'DefenderForCloud', 'rejected']],
    ['sensor-api-v1.json', ['SensorApi', 'SensorApi', 'SensorApi', 'SensorApi']],
    ['sensor-api-v2.json', ['SensorApi', 'SensorApi']],
    ['webhook-extended.json', ['Webhook', 'Webhook']],
  ])('%s', (name, formats) => {
    expect(parseFile(name).map((r) => (r.ok ? r.alert.sourceFormat : 'rejected'))).toEqual(formats);
  });

  it('a mixed replay file: every line in its own format, failures with reasons', () => {
    expect(parseFile('mixed.txt').map((r) => (r.ok ? r.alert.sourceFormat : r.reason))).toEqual([
      'SecurityAlert',
      'CEF',
      'LEEF',
      expect.stringMatching(/^invalid JSON: /),
      'SyslogText',
      'SyslogObject',
      'unrecognised format: [2026-01-05 10:00:00] plain application',
    ]);
  });

  it('every successful result satisfies the canonical schema with ISO UTC times', () => {
    const files = [
      'cef.log',
      'leef.log',
      'syslog-text.log',
      'syslog-object.log',
      'securityalert.ndjson',
      'defender-for-cloud.json',
      'sensor-api-v1.json',
      'sensor-api-v2.json',
      'webhook-extended.json',
    ];
    for (const f of files) {
      for (const r of parseFile(f)) {
        if (!r.ok) continue;
        expect(otAlertSchema.safeParse(r.alert).success).toBe(true);
        expect(r.alert.firstSeen).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
        expect(r.alert.lastSeen >= r.alert.firstSeen).toBe(true);
      }
    }
  });
});

describe('records that are not alerts', () => {
  it.each([
    ['plain text', 'hello world, nothing to see', 'unrecognised format: hello world, nothing to see'],
    ['control characters are blanked', 'a\u0001b\tc', 'unrecognised format: a b c'],
    ['empty string', '   ', 'empty record'],
    ['unknown object', { foo: 1, bar: 'x' }, 'unrecognised format: {"foo":1,"bar":"x"}'],
    ['JSON string of an unknown object', '{"hello":"world"}', 'unrecognised format: {"hello":"world"}'],
    ['broken JSON string', '{"AlertName": ', expect.stringMatching(/^invalid JSON: /)],
    ['array', [1, 2], 'a JSON array is not one record (split the event first)'],
    ['envelope', { records: [] }, 'an export envelope is not one record (split the event first)'],
    ['number', 42, 'unrecognised format: number value'],
    ['null', null, 'unrecognised format: null value'],
    ['undefined', undefined, 'unrecognised format: undefined value'],
    ...[
      '"TenantId","TimeGenerated [UTC]","DisplayName","AlertName","AlertSeverity"',
      '"00000000-0000-0000-0000-000000000000","11/18/2026, 9:12:12.440 AM","Firmware Version Changed",,"Medium"',
    ].map((line): [string, string, string] => [
      'a Log Analytics portal CSV line',
      line,
      'a CSV line (a Log Analytics portal export?): CSV is not read, its times are in the browser locale; ' +
        'export the rows as JSON (az monitor log-analytics query … --output json) or replay the data export',
    ]),
  ])('%s', (_name, value, reason) => {
    expect(parseRecord(value)).toEqual({ ok: false, reason });
  });

  it('rejects a huge string and a deeply nested JSON string', () => {
    expect(parseRecord('x'.repeat(1024 * 1024 + 1))).toEqual({
      ok: false,
      reason: 'record too large (over 1048576 bytes)',
    });
    const deep = `{"AlertName":"x","n":${'['.repeat(100)}${']'.repeat(100)}}`;
    expect(parseRecord(deep)).toEqual({ ok: false, reason: 'JSON nesting deeper than 64' });
  });
});

describe('validation reasons', () => {
  it('names the field that failed the schema', () => {
    const long = { title: 'x'.repeat(513), severity: 'Major', engine: 'Anomaly', time: 1767607872000, id: 1 };
    expect(parseRecord(long)).toEqual({ ok: false, reason: 'title: too long (513 > 512)' });
  });

  it('uses receivedAt only for records without any time', () => {
    const line = 'Microsoft Defender for IoT Alert: A, Severity: Major';
    const r = parseRecord(line, { receivedAt: '2026-01-05T10:00:00+02:00' });
    expect(r.ok && r.alert.firstSeen).toBe('2026-01-05T08:00:00.000Z');
    expect(parseRecord(line, { receivedAt: 'garbage' })).toEqual({
      ok: false,
      reason: 'receivedAt: invalid time "garbage"',
    });
  });
});

describe('never throws', () => {
  it('converts exceptions from hostile objects into a reason', () => {
    const hostile = {
      get AlertName(): string {
        throw new Error('boom');
      },
    };
    expect(parseRecord(hostile)).toEqual({ ok: false, reason: 'parser error: boom' });
    const proxy = new Proxy(
      {},
      {
        get() {
          throw new TypeError('trap');
        },
      },
    );
    expect(parseRecord(proxy)).toEqual({ ok: false, reason: 'parser error: trap' });
  });

  it('survives truncations and byte flips of every fixture record', () => {
    const samples = [
      'cef.log',
      'leef.log',
      'syslog-text.log',
      'syslog-object.log',
      'securityalert.ndjson',
    ].flatMap((f) => fixture(f).split('\n').filter(Boolean));
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    for (const s of samples) {
      for (let i = 0; i < 60; i++) {
        const cut = s.slice(0, rand(s.length + 1));
        const pos = rand(s.length);
        const flipped = s.slice(0, pos) + String.fromCharCode(rand(128)) + s.slice(pos + 1);
        for (const variant of [cut, flipped]) {
          const r = parseRecord(variant, { now: NOW });
          expect(typeof r.ok).toBe('boolean');
          if (!r.ok) expect(r.reason.length).toBeGreaterThan(0);
          else expect(otAlertSchema.safeParse(r.alert).success).toBe(true);
        }
      }
    }
  });

  it('survives objects with wrong types in every column', () => {
    const row = JSON.parse(fixture('securityalert.ndjson').split('\n')[0]!) as Record<string, unknown>;
    const odd = [null, 0, -1, true, [], {}, [null], { a: { b: 1 } }, 'N/A', '[', '{'];
    for (const key of Object.keys(row)) {
      for (const v of odd) {
        const r = parseRecord({ ...row, [key]: v });
        expect(typeof r.ok).toBe('boolean');
      }
    }
  });
});
