import { describe, expect, it } from 'vitest';
import { parseExtension } from '../../../pipeline/parse/cef.js';
import { parseRecord } from '../../../pipeline/parse/index.js';
import { fixtureLines, NOW } from './fixtures.js';

const parse = (line: string) => parseRecord(line, { now: NOW });
const HEAD =
  'CEF:0|Microsoft Defender for IoT/CyberX|plant-a-sensor-01|22.3.5|Microsoft Defender for IoT Alert';

describe('CEF fixtures', () => {
  const lines = fixtureLines('cef.log');

  it('bare CEF with documented keys and escapes in msg', () => {
    expect(parse(lines[0]!)).toEqual({
      ok: true,
      alert: {
        id: '1-1767607872000',
        title: 'Unauthorized PLC Program Upload',
        message: 'Program upload from 10.10.1.5 to PLC 10.10.2.20 (block OB1=main, path a|b, C:\\ot)',
        engine: 'Policy violation',
        category: 'Programming',
        severity: 'Medium',
        status: 'New',
        protocol: 'S7',
        source: { ip: '10.10.1.5', mac: '00:1a:2b:3c:4d:5e' },
        destination: { ip: '10.10.2.20', mac: '00:1b:2c:3d:4e:5f' },
        sensor: 'plant-a-sensor-01',
        firstSeen: '2026-01-05T10:11:12.000Z',
        lastSeen: '2026-01-05T10:11:12.000Z',
        sourceFormat: 'CEF',
      },
    });
  });

  it('RFC 3164 header, escaped pipe in the Name, date-string start, \\n in msg', () => {
    expect(parse(lines[1]!)).toEqual({
      ok: true,
      alert: {
        title: 'Illegal MODBUS Operation | Function Code Zero',
        message:
          'A MODBUS master 10.10.5.2 sent function code 0.\nIt is recommended to notify the security officer.',
        engine: 'Protocol violation',
        category: 'Illegal commands',
        severity: 'Low',
        status: 'New',
        protocol: 'MODBUS',
        source: { ip: '10.10.5.2' },
        destination: { ip: '10.10.5.31' },
        sensor: 'plant-a-sensor-01',
        firstSeen: '2026-01-05T10:11:58.000Z',
        lastSeen: '2026-01-05T10:11:58.000Z',
        sourceFormat: 'CEF',
        wallClock: ['firstSeen', 'lastSeen'],
        sentAt: '2026-01-05T10:12:00.000Z',
      },
    });
  });

  it('RFC 5424 header with structured data and standard CEF key fallbacks (src, smac, dst, rt)', () => {
    expect(parse(lines[2]!)).toEqual({
      ok: true,
      alert: {
        title: 'Excessive Login Attempts',
        message: '20 failed logins within one minute',
        engine: 'Anomaly',
        category: 'Authentication',
        severity: 'High',
        status: 'New',
        protocol: 'RDP',
        source: { ip: '192.168.30.99', mac: '00:0e:8c:aa:bb:cc' },
        destination: { ip: '192.168.30.10' },
        sensor: 'plant-b-sensor-02',
        firstSeen: '2026-01-05T10:15:00.000Z',
        lastSeen: '2026-01-05T10:15:00.000Z',
        sourceFormat: 'CEF',
      },
    });
  });

  it('octet-counted framing and an ISO start with offset', () => {
    const r = parse(lines[3]!);
    expect(r.ok && r.alert).toMatchObject({
      title: 'Traffic Detected on Sensor Interface',
      severity: 'Low',
      engine: 'Operational',
      source: {},
      destination: {},
      firstSeen: '2026-01-05T10:19:30.000Z',
    });
  });
});

describe('CEF severity', () => {
  it.each([
    ['10', 'High'],
    ['8', 'Medium'],
    ['4', 'Low'],
    ['1', 'Low'],
  ])('header severity %s → %s when the text key is absent', (sev, expected) => {
    const r = parse(`${HEAD}|Some Alert|${sev}|msg=m start=1767607872000`);
    expect(r.ok && r.alert.severity).toBe(expected);
  });

  it.each([
    ['Critical', 'High'],
    ['Major', 'Medium'],
    ['Minor', 'Low'],
    ['Warning', 'Low'],
  ])('text severity=%s → %s and wins over the header number', (sev, expected) => {
    const r = parse(`${HEAD}|Some Alert|1|severity=${sev} start=1767607872000`);
    expect(r.ok && r.alert.severity).toBe(expected);
  });
});

describe('CEF extension parsing', () => {
  it('reads values with spaces, escapes and stray = signs', () => {
    const ext = parseExtension('msg=a b\\=c\\\\d\\ne x=1=2 cs1Label=Site cs1=Plant A  trailing=  ');
    expect(Object.fromEntries(ext)).toEqual({
      msg: 'a b=c\\d\ne',
      x: '1=2',
      cs1label: 'Site',
      cs1: 'Plant A',
      trailing: '',
    });
  });

  it('skips junk before the first key and keeps the first of duplicate keys', () => {
    expect(Object.fromEntries(parseExtension('junk words msg=first msg=second'))).toEqual({ msg: 'first' });
  });

  it('unescaped ` key=` inside msg cannot override a key the record carries before or after msg', () => {
    // The sensor writes msg first; an unescaped message `... severity=Warning src_ip=6.6.6.6` used to win over
    // the record's own severity and source (first value won), downgrading and misattributing the alert.
    const r = parse(
      `${HEAD}|T|10|start=1767607872000 msg=hi severity=Warning src_ip=6.6.6.6 start=0 severity=Critical src_ip=10.10.1.5`,
    );
    expect(r.ok && r.alert).toMatchObject({
      message: 'hi',
      severity: 'High',
      source: { ip: '10.10.1.5' },
      firstSeen: '2026-01-05T10:11:12.000Z',
    });
  });

  it('a stray backslash before a space does not swallow the next key', () => {
    // `C:\\ot path\` with its last backslash unescaped: it used to escape the space and hide `severity=`.
    expect(Object.fromEntries(parseExtension('msg=C:\\\\ot path\\ severity=Major'))).toEqual({
      msg: 'C:\\ot path\\',
      severity: 'Major',
    });
  });

  it('quotes at most 100 characters of a foreign vendor in the reason', () => {
    const r = parse(`CEF:0|${'V'.repeat(5000)}|p|1|x|T|5|start=1767607872000`);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toBe(`not a Defender for IoT alert (CEF vendor=${'V'.repeat(97)}...)`);
  });

  it('maps csN labels (site/zone) and shost names', () => {
    const r = parse(
      `${HEAD}|Some Alert|4|cs1Label=Site cs1=Plant A cs2Label=Zone cs2=Line 1 shost=EWS-01 dhost=10.10.2.20 start=1767607872000`,
    );
    expect(r.ok && r.alert).toMatchObject({
      site: 'Plant A',
      zone: 'Line 1',
      source: { name: 'EWS-01' },
      destination: { ip: '10.10.2.20' },
    });
  });

  it('takes end as lastSeen', () => {
    const r = parse(`${HEAD}|Some Alert|4|start=1767607872000 end=1767607999000`);
    expect(r.ok && [r.alert.firstSeen, r.alert.lastSeen]).toEqual([
      '2026-01-05T10:11:12.000Z',
      '2026-01-05T10:13:19.000Z',
    ]);
  });

  it('falls back to the syslog header time, then to receivedAt, when there is no start', () => {
    const withHeader = parseRecord(`<9>Jan  5 10:11:12 s1 ${HEAD}|A|4|msg=m`, { now: NOW });
    expect(withHeader.ok && withHeader.alert.firstSeen).toBe('2026-01-05T10:11:12.000Z');
    const bare = parseRecord(`${HEAD}|A|4|msg=m`, { now: NOW, receivedAt: '2026-01-05T11:00:00Z' });
    expect(bare.ok && bare.alert.firstSeen).toBe('2026-01-05T11:00:00.000Z');
  });
});

describe('malformed CEF', () => {
  it.each([
    [
      'truncated header',
      `${HEAD}|Only title`,
      'truncated CEF header: expected 7 "|"-separated fields, found 5',
    ],
    ['empty title', `${HEAD}||8|start=1767607872000`, 'missing title (CEF header Name is empty)'],
    ['bad start', `${HEAD}|A|8|start=yesterday`, 'firstSeen: invalid time "yesterday"'],
    [
      'bad start date',
      `${HEAD}|A|8|start=Feb 30 2026 10:00:00`,
      'firstSeen: invalid time "Feb 30 2026 10:00:00"',
    ],
    ['no time at all', `${HEAD}|A|8|msg=m`, 'missing firstSeen: the record carries no alert time'],
    ['unknown severity', `${HEAD}|A|Severe|start=1767607872000`, 'severity: unknown value "Severe"'],
    [
      'other vendor',
      'CEF:0|Fortinet|FortiGate|7.0|0001|Login|5|start=1767607872000',
      'not a Defender for IoT alert (CEF vendor=Fortinet)',
    ],
    ['bad version', 'CEF:7|CyberX|s|1|x|A|8|start=1767607872000', 'unsupported CEF version "7"'],
  ])('%s', (_name, line, reason) => {
    expect(parse(line)).toEqual({ ok: false, reason });
  });

  it('reports a title that is too long through the schema', () => {
    expect(parse(`${HEAD}|${'T'.repeat(600)}|8|start=1767607872000`)).toEqual({
      ok: false,
      reason: 'title: too long (600 > 512)',
    });
  });
});
