/**
 * Hostile and malformed input against every parser and the batch entry (issue 11).
 *
 * Seeds are random on purpose: each run explores new inputs. When a property fails, fast-check prints the seed
 * and the shrunk counterexample; replay it with `{ seed, path }` in the property's parameters.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryDeadLetterStore } from '../../pipeline/deadletter/memoryDeadLetterStore.js';
import { DEFAULT_KEY_SPEC } from '../../pipeline/dedup/keySpec.js';
import { MemoryGroupStore } from '../../pipeline/dedup/memoryGroupStore.js';
import { createEnricher } from '../../pipeline/enrich/enricher.js';
import { otAlertSchema } from '../../pipeline/model/alert.js';
import { type ParseResult, parseRecord, splitEvent } from '../../pipeline/parse/index.js';
import { type PipelineDeps, processBatch } from '../../pipeline/pipeline.js';
import { MAX_FIELD_BYTES, truncateRow, validateRow } from '../../pipeline/sink/rowValidator.js';
import type { OtAlertsRow } from '../../pipeline/sink/schema.js';
import { RecordingSink } from '../helpers/recordingSink.js';
import {
  cefValueEscape,
  Deep,
  deepJson,
  expectNoPollution,
  hostileRecord,
  hostileText,
  jsonText,
  mutated,
  nearMiss,
  pollutingJson,
  prototypeSnapshot,
  randomBytes,
  snippet,
  syslogHeader,
} from './arbitraries.js';

const NOW = Date.UTC(2026, 0, 10);
const T_ISO = '2026-01-05T10:11:12.000Z';
const parse = (v: unknown): ParseResult => parseRecord(v, { now: NOW });

let pristine: string;
beforeAll(() => {
  pristine = prototypeSnapshot();
});
afterAll(() => expectNoPollution(pristine));

/** The contract of parseRecord for any input: a schema-valid alert, or a readable reason. */
function expectWellFormed(r: ParseResult): void {
  expect(typeof r.ok).toBe('boolean');
  if (r.ok) {
    const again = otAlertSchema.safeParse(r.alert);
    expect(again.success).toBe(true);
    // Already in the schema's normal form: validating again changes nothing.
    expect(again.data).toEqual(r.alert);
  } else {
    expect(typeof r.reason).toBe('string');
    expect(r.reason.trim()).not.toBe('');
    // A reason is a diagnosis, not a copy of the record (the dead letter keeps the record itself).
    expect(r.reason.length).toBeLessThanOrEqual(1024);
  }
}

const latin1 = (b: Uint8Array) => Buffer.from(b).toString('latin1');
const lossyUtf8 = (b: Uint8Array) => Buffer.from(b).toString('utf8');

/** Every kind of value an event or a replay line can hand to parseRecord. */
const anyInput: fc.Arbitrary<unknown> = fc.oneof(
  fc.anything({ maxDepth: 3, withNullPrototype: true, withBoxedValues: true, withMap: true, withDate: true }),
  fc.string({ unit: 'binary', maxLength: 200 }),
  jsonText,
  jsonText.map((t) => JSON.parse(t) as unknown),
  pollutingJson,
  pollutingJson.map((t) => JSON.parse(t) as unknown),
  hostileRecord.map((r) => r.value),
  mutated(hostileRecord.map((r) => (typeof r.value === 'string' ? r.value : JSON.stringify(r.value)))),
  fc.tuple(syslogHeader, hostileText).map(([h, t]) => h + t),
  randomBytes.map(latin1),
  randomBytes.map(lossyUtf8),
);

describe('parseRecord: never throws, always a valid alert or a reason', () => {
  it('arbitrary values, strings, bytes, JSON with prototype keys and mutated records', () => {
    fc.assert(
      fc.property(anyInput, (v) => {
        expectWellFormed(parse(v));
      }),
      { numRuns: 1500 },
    );
    expectNoPollution(pristine);
  });

  it('every format with hostile text in its free-text fields, behind any syslog header', () => {
    fc.assert(
      fc.property(hostileRecord, ({ value }) => {
        expectWellFormed(parse(value));
      }),
      { numRuns: 800 },
    );
  });

  it.each([
    ['SecurityAlert', 'SecurityAlert'],
    ['sensor API', 'SensorApi'],
    ['webhook', 'Webhook'],
    ['Defender for Cloud', 'DefenderForCloud'],
    ['CEF (escaped)', 'CEF'],
  ])('a %s record is never lost to hostile text in its fields', (format, sourceFormat) => {
    fc.assert(
      fc.property(
        hostileRecord.filter((r) => r.format === format),
        ({ value }) => {
          const r = parse(value);
          expectWellFormed(r);
          expect(r.ok && r.alert.sourceFormat).toBe(sourceFormat);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('near misses (wrong vendor, version, provider, severity, time) are refused with a short reason', () => {
    fc.assert(
      fc.property(nearMiss, (v) => {
        expectWellFormed(parse(v));
      }),
      { numRuns: 300 },
    );
  });

  it('splitEvent then parseRecord on random bytes, invalid UTF-8 and random JSON bodies', () => {
    const body = fc.oneof(
      randomBytes.map((b) => Buffer.from(b)),
      randomBytes.map((b) => new Uint8Array([0xff, ...b, 0xc3])), // never valid UTF-8
      jsonText,
      jsonText.map((t) => Buffer.from(t)),
      fc.array(hostileRecord.map((r) => r.value)).map((xs) => JSON.stringify({ records: xs })),
      fc
        .array(hostileRecord.map((r) => (typeof r.value === 'string' ? r.value : JSON.stringify(r.value))))
        .map((lines) => lines.join('\n')),
    );
    fc.assert(
      fc.property(body, (b) => {
        for (const piece of splitEvent(b)) {
          if ('error' in piece) {
            expect(piece.error.trim()).not.toBe('');
            expect(typeof piece.raw).toBe('string');
          } else expectWellFormed(parse(piece.value));
        }
      }),
      { numRuns: 400 },
    );
  });
});

describe('prototype pollution', () => {
  it('`__proto__`, `constructor` and `prototype` keys in JSON, CEF, LEEF and syslog stay inert data', () => {
    const key = fc.constantFrom('__proto__', 'constructor', 'prototype', '__proto__.polluted', 'polluted');
    const lines = fc
      .tuple(key, hostileText)
      .chain(([k, v]) =>
        fc.constantFrom(
          `CEF:0|Microsoft Defender for IoT/CyberX|s|1|x|T|8|${k}=${cefValueEscape(v)} start=1767607872000 cs1Label=${k} cs1=x`,
          `LEEF:1.0|Microsoft Defender for IoT|Sensor|1|x|title=T\t${k}=x\tseverity=Major\tstart=1767607872000`,
          `Sensor name: s, Alert title: T, ${k}: x, Alert severity: Major, Alert time: 2026-01-05T10:11:12Z`,
          `{"${k}":{"polluted":"yes"},"Alert title":"T","Alert severity":"Major","Alert time":"1767607872000"}`,
          `{"AlertName":"T","AlertSeverity":"High","ProviderName":"IoTSecurity","StartTime":"${T_ISO}",` +
            `"ExtendedProperties":"{\\"${k}\\":{\\"polluted\\":\\"yes\\"}}",` +
            `"Entities":"[{\\"Type\\":\\"iotdevice\\",\\"${k}\\":{\\"polluted\\":\\"yes\\"},\\"IpAddress\\":{\\"$ref\\":\\"${k}\\"}}]"}`,
        ),
      );
    fc.assert(
      fc.property(fc.oneof(lines, pollutingJson), (line) => {
        expectWellFormed(parse(line));
        for (const piece of splitEvent(line)) if (!('error' in piece)) expectWellFormed(parse(piece.value));
        expectNoPollution(pristine);
      }),
      { numRuns: 300 },
    );
  });

  it('a parsed `__proto__` key never becomes the prototype of what the parser returns', () => {
    const r = parse(
      JSON.parse(
        '{"__proto__":{"polluted":"yes","site":"Evil"},"title":"T","severity":"High","time":1767607872000,"engine":"Anomaly"}',
      ),
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(Object.getPrototypeOf(r.alert)).toBe(Object.prototype);
    expect((r.alert as Record<string, unknown>).polluted).toBeUndefined();
    expect(r.alert.site).toBeUndefined();
    expectNoPollution(pristine);
  });
});

// ---------------------------------------------------------------------------------------------------------
// CEF / LEEF extension injection

/**
 * The CEF spec (ArcSight "Implementing CEF", extension section): in extension values `\` and `=` MUST be escaped
 * (`\\`, `\=`), line breaks written `\n`/`\r`; spaces need no escaping, so ` key=` after a value starts the next
 * field. A sender that escapes its values can therefore never have text turned into a field, which is the first
 * property. A sender that does not escape makes the record ambiguous: ` dst=6.6.6.6` inside a message IS a new
 * field by the spec. What the parser guarantees then (second property) is that such text cannot replace a
 * field the record itself carries: a key before the message keeps its first value, a key after it its last,
 * and the injected copy always sits between the two.
 */
describe('CEF extension injection', () => {
  const HEAD =
    'CEF:0|Microsoft Defender for IoT/CyberX|sensor-1|22.3.5|Microsoft Defender for IoT Alert|Title|10|';
  const GENUINE: [string, string][] = [
    ['protocol', 'S7'],
    ['severity', 'Major'],
    ['type', 'Policy Violation'],
    ['UUID', 'genuine-1'],
    ['start', '1767607872000'],
    ['src_ip', '10.10.1.5'],
    ['dst_ip', '10.10.2.20'],
    ['cat', 'Programming'],
  ];
  const expectGenuine = (r: ParseResult) => {
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.alert).toMatchObject({
      id: 'genuine-1',
      severity: 'Medium',
      engine: 'Policy violation',
      protocol: 'S7',
      category: 'Programming',
      firstSeen: T_ISO,
    });
    expect(r.alert.source.ip).toBe('10.10.1.5');
    expect(r.alert.destination.ip).toBe('10.10.2.20');
  };
  const extension = (msg: string, at: number) => {
    const pairs = GENUINE.map(([k, v]) => `${k}=${v}`);
    pairs.splice(at % (pairs.length + 1), 0, `msg=${msg}`);
    return pairs.join(' ');
  };

  it('escaped values (`\\=`, `\\\\`, `\\n`) never become fields and come back unchanged', () => {
    fc.assert(
      fc.property(hostileText, fc.nat(), (text, at) => {
        const r = parse(HEAD + extension(cefValueEscape(text), at));
        expectGenuine(r);
        if (r.ok) expect(r.alert.message).toBe(text.trim().slice(0, 65536));
        if (r.ok) expect(r.alert.site).toBeUndefined();
      }),
      { numRuns: 500 },
    );
  });

  it('unescaped text in msg cannot override a field the record carries, before or after msg', () => {
    const injection = fc
      .array(
        fc.oneof(
          snippet,
          fc.constantFrom(
            ' severity=Warning',
            ' src_ip=6.6.6.6',
            ' dst_ip=6.6.6.7',
            ' UUID=evil',
            ' start=0',
            ' protocol=EVIL',
            ' type=Operational',
            ' cat=Evil',
            ' src=6.6.6.6',
            ' rt=0',
            ' \\',
            '\\',
          ),
        ),
        { minLength: 1, maxLength: 5 },
      )
      .map((xs) => xs.join(''));
    fc.assert(
      fc.property(fc.string({ maxLength: 10 }), injection, fc.nat(), (before, inj, at) => {
        expectGenuine(parse(HEAD + extension(`${before}${inj}`.replace(/[\r\n|]/g, ' '), at)));
      }),
      { numRuns: 800 },
    );
  });

  it('documents: keys the record does not carry can still be added by unescaped text (spec: escape `=`)', () => {
    const r = parse(`${HEAD}msg=hello dst=6.6.6.6 cs1Label=Site cs1=Evil protocol=S7 start=1767607872000`);
    expect(r.ok && r.alert).toMatchObject({
      message: 'hello',
      destination: { ip: '6.6.6.6' },
      site: 'Evil',
      protocol: 'S7',
    });
  });
});

describe('LEEF attribute injection', () => {
  const GENUINE = [
    'protocol=S7',
    'severity=Major',
    'type=Policy Violation',
    'UUID=genuine-1',
    'start=1767607872000',
    'src_ip=10.10.1.5',
    'dst_ip=10.10.2.20',
    'cat=Programming',
  ];
  const expectGenuine = (r: ParseResult, title: string) => {
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.alert).toMatchObject({
      title,
      id: 'genuine-1',
      severity: 'Medium',
      protocol: 'S7',
      category: 'Programming',
      firstSeen: T_ISO,
    });
    expect(r.alert.source.ip).toBe('10.10.1.5');
    expect(r.alert.destination.ip).toBe('10.10.2.20');
  };

  it('a delimiter inside msg (LEEF cannot escape it) cannot override the record’s own attributes', () => {
    const delimiter = fc.constantFrom('\t', '^', '|');
    const injection = fc
      .array(
        fc.constantFrom(
          'severity=Warning',
          'src_ip=6.6.6.6',
          'dst_ip=6.6.6.7',
          'title=Fake',
          'UUID=evil',
          'start=0',
          'cat=Evil',
          'junk',
          '=',
        ),
        { minLength: 1, maxLength: 4 },
      )
      .map((xs) => xs);
    fc.assert(
      fc.property(delimiter, injection, fc.nat(), (d, inj, at) => {
        const head =
          d === '\t'
            ? 'sensor-1 LEEF:1.0|Microsoft Defender for IoT|Sensor|22.3.5|Alert|'
            : `LEEF:2.0|Microsoft Defender for IoT|Sensor|22.3.5|Alert|${d === '^' ? '^' : '0x7c'}|`;
        const attrs = ['title=Genuine title', ...GENUINE];
        attrs.splice(1 + (at % GENUINE.length), 0, `msg=hello${d}${inj.join(d)}`);
        expectGenuine(parse(head + attrs.join(d)), 'Genuine title');
      }),
      { numRuns: 400 },
    );
  });
});

describe('syslog text and object formats (labelled, no escaping at all)', () => {
  it('hostile fields never crash them and never produce an invalid alert', () => {
    fc.assert(
      fc.property(
        hostileRecord.filter((r) => r.format.startsWith('syslog')),
        ({ value }) => expectWellFormed(parse(value)),
      ),
      { numRuns: 400 },
    );
  });

  it('documents: a message that spells a distinctive label ends the message there', () => {
    const r = parse(
      'Sensor name: s1, Alert time: 2026-01-05T10:11:12Z, Alert title: T, ' +
        'Alert message: hello alert_group: Evil, Alert severity: Critical, alert_group: Genuine',
    );
    expect(r.ok && r.alert).toMatchObject({ message: 'hello', severity: 'High', category: 'Evil' });
  });
});

// ---------------------------------------------------------------------------------------------------------
// Huge and deep input

describe('huge and deep input', () => {
  it('10,000 levels of JSON nesting: arrays and objects, as text, bytes and inside an envelope', () => {
    const deepArray = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
    const deepObject = `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`;
    for (const body of [
      deepArray,
      deepObject,
      Buffer.from(deepArray),
      Buffer.from(deepObject),
      `{"records":[${deepArray}]}`,
      `{"records":[${deepObject}]}`,
      `[${deepArray},${deepObject}]`,
      JSON.parse(`{"records":[${deepObject}]}`) as unknown,
    ]) {
      const pieces = splitEvent(body);
      expect(pieces.length).toBeGreaterThan(0);
      for (const p of pieces) {
        expect('error' in p).toBe(true);
        if ('error' in p) expect(p.error).toMatch(/deeper than 64|nested array/);
      }
    }
    expectWellFormed(parse(deepObject));
    expectWellFormed(parse(JSON.parse(deepObject) as unknown));
  });

  it('a 10 MB record is refused with a reason, as text, bytes, object field and parseRecord input', () => {
    const big = 'A'.repeat(10 * 1024 * 1024);
    const record = JSON.stringify({ title: 'T', severity: 'High', time: 1767607872000, message: big });
    for (const body of [record, Buffer.from(record), JSON.parse(record) as unknown, `CEF:0|x|${big}`]) {
      const pieces = splitEvent(body);
      expect(pieces).toHaveLength(1);
      expect('error' in pieces[0]! && pieces[0].error).toMatch(/record too large/);
      expect(pieces[0]!.raw.length).toBeLessThanOrEqual(1024 * 1024 + 64);
    }
    expectWellFormed(parse(record));
    expectWellFormed(parse(`<9>Jan  5 10:12:00 host CEF:0|${big}`));
  });

  it('fields over 64 KB inside a 1 MiB record are clipped to the model’s limits', () => {
    const r = parse({
      title: 'T'.repeat(200_000),
      message: '€'.repeat(300_000),
      severity: 'Major',
      time: 1767607872000,
      sourceDeviceName: 'n'.repeat(100_000),
      remediationSteps: ['s'.repeat(100_000)],
    });
    expectWellFormed(r);
  });

  it('a 1 MiB SecurityAlert whose Entities hold thousands of `$ref`s parses in linear time', () => {
    const n = 16_000;
    const entities = Array.from({ length: n }, (_, i) => ({
      Type: 'iotdevice',
      IpAddress: { $ref: `r${i}` },
    }));
    entities.push({ $id: 'r1', Type: 'ip', Address: '10.0.0.1' } as never);
    const row = {
      AlertName: 'T',
      AlertSeverity: 'High',
      ProviderName: 'IoTSecurity',
      StartTime: T_ISO,
      Entities: JSON.stringify(entities),
    };
    expect(JSON.stringify(row).length).toBeLessThan(1024 * 1024);
    const t0 = performance.now();
    const r = parse(row);
    expect(performance.now() - t0).toBeLessThan(2000);
    expectWellFormed(r);
    expect(r.ok && r.alert.entities?.[1]?.ip).toBe('10.0.0.1');
  });
});

// ---------------------------------------------------------------------------------------------------------
// The batch entry

function pipelineDeps() {
  const sink = new RecordingSink();
  const deadLetters = new MemoryDeadLetterStore();
  const deps: PipelineDeps = {
    enrich: createEnricher({
      sensors: { 'sensor-1': { site: 'Lyon', zone: 'Filling' } },
      attackMappings: {},
    }),
    spec: DEFAULT_KEY_SPEC,
    sink,
    store: new MemoryGroupStore(),
    deadLetters,
    now: () => new Date('2026-01-05T12:00:00Z'),
  };
  return { sink, deadLetters, deps };
}

const utf8Bytes = (s: string) => Buffer.byteLength(s, 'utf8');

/** What the Logs Ingestion sink does to every row before sending it, and what the service would accept. */
function expectRowAccepted(row: OtAlertsRow): void {
  expect(validateRow(row)).toEqual([]);
  const sent = truncateRow(row as unknown as Record<string, unknown>);
  expect(validateRow(sent)).toEqual([]);
  for (const [column, value] of Object.entries(sent)) {
    const bytes = typeof value === 'string' ? utf8Bytes(value) : utf8Bytes(JSON.stringify(value) ?? '');
    expect(bytes, column).toBeLessThanOrEqual(MAX_FIELD_BYTES);
    if (value !== (row as unknown as Record<string, unknown>)[column])
      expect(JSON.stringify(value), column).toMatch(/…\[truncated \d+ bytes\]/);
  }
}

/** A well-formed alert with a title no hostile record can produce, so it can be found among the rows. */
const goodRecord = (n: number, nonce: string, kind: number): unknown => {
  const title = `Good alert ${nonce} ${n}`;
  const t = 1767607872000 + n * 1000;
  switch (kind % 3) {
    case 0:
      return {
        AlertName: title,
        AlertSeverity: 'High',
        ProviderName: 'IoTSecurity',
        VendorOriginalId: `good-${nonce}-${n}`,
        StartTime: new Date(t).toISOString(),
        Description: 'fine',
      };
    case 1:
      return `CEF:0|Microsoft Defender for IoT/CyberX|sensor-1|22.3.5|Microsoft Defender for IoT Alert|${title}|8|msg=fine severity=Major UUID=good-${nonce}-${n} start=${t} src_ip=10.0.0.${n % 250} dst_ip=10.0.1.1`;
    default:
      return JSON.stringify({ ID: n, title, severity: 'Major', engine: 'Anomaly', time: t, message: 'fine' });
  }
};

const hostileEvent: fc.Arbitrary<unknown> = fc.oneof(
  hostileRecord.map((r) => r.value),
  mutated(hostileRecord.map((r) => (typeof r.value === 'string' ? r.value : JSON.stringify(r.value)))),
  jsonText,
  pollutingJson,
  pollutingJson.map((t) => JSON.parse(t) as unknown),
  randomBytes.map((b) => Buffer.from(b)),
  randomBytes.map((b) => new Uint8Array([0xc3, 0x28, ...b])),
  fc.constantFrom<unknown>(
    null,
    undefined,
    42,
    true,
    '',
    '   ',
    [],
    {},
    [[[]]],
    { records: 'nope' },
    { records: [null, 1, 'x', [1]] },
  ),
  deepJson,
  fc
    .array(
      hostileRecord.map((r) => r.value),
      { maxLength: 4 },
    )
    .map((records) => ({ records })),
);

describe('processBatch: one hostile record never crashes a batch', () => {
  it('rejections are dead letters with reasons, rows pass the row validator, good records arrive', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(hostileEvent, { minLength: 1, maxLength: 6 }),
        fc.array(fc.nat({ max: 2 }), { minLength: 1, maxLength: 3 }),
        fc.string({ minLength: 1, maxLength: 6, unit: fc.constantFrom(...'abcdefghij') }),
        fc.nat(),
        async (hostile, goodKinds, nonce, at) => {
          const { sink, deadLetters, deps } = pipelineDeps();
          const good = goodKinds.map((k, i) => goodRecord(i, nonce, k));
          const events: unknown[] = hostile.map((e) => (e instanceof Deep ? e.build() : e));
          // Good records before, between and after the hostile ones, and one inside an envelope with them.
          for (const [i, g] of good.entries()) events.splice((at + i * 7) % (events.length + 1), 0, g);
          events.push({ records: [good[0], ...events.slice(0, 2)] });

          const stats = await processBatch(events, { partition: '0' }, deps);

          expect(stats.events).toBe(events.length);
          expect(stats.records).toBe(stats.parsed + deadLetters.letters.length);
          expect(stats.deadLettered).toBe(deadLetters.letters.length);
          expect(stats.rowsRejected).toBe(0);
          for (const l of deadLetters.letters) {
            expect(['split', 'parse']).toContain(l.stage);
            expect(l.reason.trim()).not.toBe('');
            expect(typeof l.raw).toBe('string');
            expect(l.raw.length).toBeLessThanOrEqual(1024 * 1024 + 64);
          }
          for (const row of sink.rows) expectRowAccepted(row);
          const titles = new Set(sink.rows.map((r) => r.AlertTitle));
          for (let i = 0; i < good.length; i++) expect(titles).toContain(`Good alert ${nonce} ${i}`);
          expectNoPollution(pristine);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('built-in property names (`constructor`, `__proto__`, …) as asset types, Purdue layers, importance, tactics', async () => {
    // The enrichment looks these values up in its vocabularies: a lookup that reaches Object.prototype yields a
    // function, which no row column can hold.
    const word = fc.constantFrom(
      '__proto__',
      'constructor',
      'prototype',
      'toString',
      'valueOf',
      'hasOwnProperty',
      'isPrototypeOf',
      'CONSTRUCTOR',
      'Con-structor',
      '__defineGetter__',
    );
    await fc.assert(
      fc.asyncProperty(fc.array(word, { minLength: 8, maxLength: 8 }), async (w) => {
        const { sink, deadLetters, deps } = pipelineDeps();
        const device = (ip: string, i: number) => ({
          Type: 'iotdevice',
          IpAddress: { Address: ip },
          DeviceName: w[i],
          DeviceType: w[i + 1],
          PurdueLayer: w[i + 2],
          Importance: w[i + 3],
          Site: w[i + 4],
          Zone: w[i + 5],
          Owners: [w[i + 6]],
        });
        const row = {
          AlertName: `Alert ${w.join(' ')}`,
          AlertSeverity: 'High',
          ProviderName: 'IoTSecurity',
          StartTime: T_ISO,
          ProductComponentName: w[7],
          Tactics: JSON.stringify([w[0], w[1]]),
          Techniques: JSON.stringify([w[2], 'T0843']),
          ExtendedProperties: JSON.stringify({
            SourceDeviceAddress: '10.10.1.5',
            DestinationDeviceAddress: '10.10.2.20',
            Protocol: w[3],
            Category: w[4],
            SensorId: w[5],
          }),
          Entities: JSON.stringify([device('10.10.1.5', 0), device('10.10.2.20', 1)]),
        };
        const stats = await processBatch([row], { partition: '0' }, deps);
        expect(deadLetters.letters).toEqual([]);
        expect(stats.rowsWritten).toBe(1);
        for (const r of sink.rows) expectRowAccepted(r);
        expectNoPollution(pristine);
      }),
      { numRuns: 100 },
    );
  });

  it('a 10 MB record, invalid UTF-8, 10,000-deep JSON and > 64 KB fields next to good records', async () => {
    const { sink, deadLetters, deps } = pipelineDeps();
    const huge = JSON.stringify({
      title: 'T',
      severity: 'High',
      time: 1767607872000,
      message: 'A'.repeat(10 << 20),
    });
    const wide = {
      AlertName: `Wide ${'€'.repeat(400)}`,
      AlertSeverity: 'High',
      ProviderName: 'IoTSecurity',
      StartTime: T_ISO,
      Description: '€'.repeat(60_000), // 180 KB of UTF-8: the row must be cut to 64 KB with a marker
      ExtendedProperties: JSON.stringify({ SensorId: 's'.repeat(5000) }),
      RemediationSteps: JSON.stringify(Array.from({ length: 200 }, (_, i) => `${i} ${'r'.repeat(1000)}`)),
    };
    const events: unknown[] = [
      goodRecord(0, 'big', 0),
      huge,
      Buffer.from(huge),
      Buffer.from([0xff, 0xfe, 0x7b, 0x22]),
      `${'['.repeat(10_000)}${']'.repeat(10_000)}`,
      Buffer.from(`${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`),
      { records: [`${'['.repeat(10_000)}${']'.repeat(10_000)}`, goodRecord(1, 'big', 1)] },
      wide,
      goodRecord(2, 'big', 2),
    ];
    const stats = await processBatch(events, { partition: '0' }, deps);
    expect(stats.parsed).toBe(4);
    expect(deadLetters.letters.map((l) => l.reason)).toEqual([
      expect.stringMatching(/^record too large/),
      expect.stringMatching(/^record too large/),
      'invalid UTF-8 in event body',
      expect.stringMatching(/nested array|deeper than 64/),
      'JSON nesting deeper than 64',
      expect.stringMatching(/^unrecognised format|deeper than 64|nested array/),
    ]);
    for (const row of sink.rows) expectRowAccepted(row);
    const wideRow = sink.rows.find((r) => String(r.AlertTitle).startsWith('Wide'))!;
    const sent = truncateRow(wideRow as unknown as Record<string, unknown>) as Record<string, unknown>;
    expect(sent.Description).toMatch(/…\[truncated \d+ bytes\]$/);
    expect(utf8Bytes(String(sent.Description))).toBeLessThanOrEqual(MAX_FIELD_BYTES);
    expect(new Set(sink.rows.map((r) => r.AlertTitle))).toEqual(
      new Set(['Good alert big 0', 'Good alert big 1', 'Good alert big 2', wideRow.AlertTitle]),
    );
  });
});
