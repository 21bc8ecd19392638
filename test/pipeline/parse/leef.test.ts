import { describe, expect, it } from 'vitest';
import { parseRecord } from '../../../pipeline/parse/index.js';
import { fixtureLines, NOW } from './fixtures.js';

const parse = (line: string) => parseRecord(line, { now: NOW });
const HEAD = 'LEEF:1.0|Microsoft Defender for IoT|Sensor|22.3.5|Microsoft Defender for IoT Alert|';

describe('LEEF fixtures', () => {
  const lines = fixtureLines('leef.log');

  it('sensor name before LEEF, TAB-delimited attributes, RFC 3164 header with the sensor IP', () => {
    expect(parse(lines[0]!)).toEqual({
      ok: true,
      alert: {
        title: 'Unauthorized PLC Program Upload',
        message: 'Program upload from 10.10.1.5 to 10.10.2.20',
        engine: 'Policy violation',
        category: 'Programming',
        severity: 'Medium',
        status: 'New',
        protocol: 'S7',
        source: { ip: '10.10.1.5' },
        destination: { ip: '10.10.2.20' },
        sensor: 'plant-a-sensor-01',
        firstSeen: '2026-01-05T10:11:12.000Z',
        lastSeen: '2026-01-05T10:11:12.000Z',
        sourceFormat: 'LEEF',
        wallClock: ['firstSeen', 'lastSeen'],
        sentAt: '2026-01-05T10:11:12.000Z',
      },
    });
  });

  it('the documented " | " spacing around pipes', () => {
    expect(parse(lines[1]!)).toEqual({
      ok: true,
      alert: {
        title: 'Suspicion of Malicious Activity',
        message: 'Traffic to a known malicious domain',
        engine: 'Malware',
        category: 'Suspicion of malicious activity',
        severity: 'High',
        status: 'New',
        protocol: 'DNS',
        source: { ip: '192.168.40.7' },
        destination: { ip: '192.168.40.1' },
        sensor: 'plant-c-sensor-03',
        firstSeen: '2026-01-05T10:46:40.000Z',
        lastSeen: '2026-01-05T10:46:40.000Z',
        sourceFormat: 'LEEF',
      },
    });
  });

  it('LEEF 2.0 with its delimiter field', () => {
    const r = parse(lines[2]!);
    expect(r.ok && r.alert).toMatchObject({
      title: 'Firmware Version Changed',
      severity: 'Low',
      category: 'Firmware change',
      source: { ip: '10.10.5.2' },
      destination: { ip: '10.10.5.31' },
      firstSeen: '2026-01-09T14:00:00.000Z',
    });
    expect(r.ok && r.alert.sensor).toBeUndefined();
  });

  it('the older QRadar form: space-separated attributes, devTime, numeric sev, senderName, site/zone', () => {
    expect(parse(lines[3]!)).toEqual({
      ok: true,
      alert: {
        id: '5-1557059334000',
        title: 'Device is Suspected to be Disconnected (Unresponsive)',
        message: 'Device 192.168.2.2 is suspected to be disconnected (unresponsive).',
        engine: 'Operational',
        category: 'XSense Alerts',
        severity: 'Low',
        status: 'New',
        source: {},
        destination: { ip: '192.168.2.2' },
        sensor: 'sensor Agent',
        site: 'Site',
        zone: 'Zone',
        firstSeen: '2025-05-05T15:28:54.000Z',
        lastSeen: '2025-05-05T15:28:54.000Z',
        sourceFormat: 'LEEF',
        wallClock: ['firstSeen', 'lastSeen'],
        sentAt: '2025-05-05T12:29:23.000Z',
      },
    });
  });

  it.each([
    ['0x09', '\t'],
    ['x5E', '^'],
    ['\\t', '\t'],
  ])('LEEF 2.0 delimiter spec %s', (spec, delim) => {
    const line = `LEEF:2.0|Microsoft Defender for IoT|Sensor|1|Alert|${spec}|${['title=T', 'severity=Major', 'start=1767607872000', 'src_mac=00:1A:2B:3C:4D:5E'].join(delim)}`;
    const r = parse(line);
    expect(r.ok && r.alert).toMatchObject({
      title: 'T',
      severity: 'Medium',
      source: { mac: '00:1a:2b:3c:4d:5e' },
    });
  });
});

describe('LEEF attribute injection', () => {
  it('a delimiter inside msg cannot override the attributes the record carries before or after it', () => {
    // LEEF has no escape for its delimiter: a message holding `\tseverity=Minor` used to win over the record's
    // own severity (first value won). Now keys before msg keep their first value, keys after it their last.
    const r = parse(
      `${HEAD}title=Genuine\tmsg=hi\ttitle=Fake\tseverity=Minor\tsrc_ip=6.6.6.6\tseverity=Critical\tsrc_ip=10.10.1.5\tstart=1767607872000`,
    );
    expect(r.ok && r.alert).toMatchObject({
      title: 'Genuine',
      message: 'hi',
      severity: 'High',
      source: { ip: '10.10.1.5' },
    });
  });
});

describe('malformed LEEF', () => {
  it.each([
    ['no attributes', `${HEAD}`, 'LEEF record has no attributes'],
    ['attributes without =', `${HEAD}just some words`, 'LEEF record has no attributes'],
    [
      'missing title',
      `${HEAD}msg=m\tseverity=Major\tstart=1767607872000`,
      'missing title (LEEF attribute title)',
    ],
    [
      'truncated header',
      'LEEF:1.0|Microsoft Defender for IoT|Sensor',
      'truncated LEEF header: expected 5 "|"-separated fields, found 2',
    ],
    ['bad time', `${HEAD}title=T\tseverity=Major\tstart=13/13/2026`, 'firstSeen: invalid time "13/13/2026"'],
    [
      'unknown severity',
      `${HEAD}title=T\tseverity=Huge\tstart=1767607872000`,
      'severity: unknown value "Huge"',
    ],
    [
      'other vendor',
      'LEEF:1.0|Palo Alto|PAN-OS|10|TRAFFIC|title=T\tseverity=Major',
      'not a Defender for IoT alert (LEEF vendor=Palo Alto)',
    ],
  ])('%s', (_name, line, reason) => {
    expect(parse(line)).toEqual({ ok: false, reason });
  });
});
