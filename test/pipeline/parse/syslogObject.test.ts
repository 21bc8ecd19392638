import { describe, expect, it } from 'vitest';
import { parseRecord } from '../../../pipeline/parse/index.js';
import { fixtureLines, NOW } from './fixtures.js';

const parse = (v: unknown) => parseRecord(v, { now: NOW });

describe('syslog object fixtures', () => {
  const lines = fixtureLines('syslog-object.log');

  it('labelled string: Source_MAC holding "IP, name, vendor", a Protocol word inside the message', () => {
    expect(parse(lines[0]!)).toEqual({
      ok: true,
      alert: {
        title: 'PLC Stop Command Detected',
        message: 'An S7 stop command was sent to PLC-20. Protocol: S7 (not a label here)',
        engine: 'Operational',
        category: 'Restart/stop commands',
        severity: 'High',
        status: 'New',
        protocol: 'S7',
        source: { ip: '10.10.1.5', name: 'EWS-01' },
        destination: { mac: '00:1b:2c:3d:4e:5f' },
        sensor: 'plant-a-sensor-01',
        firstSeen: '2026-01-05T10:39:12.000Z',
        lastSeen: '2026-01-05T10:39:12.000Z',
        sourceFormat: 'SyslogObject',
        wallClock: ['firstSeen', 'lastSeen'],
      },
    });
  });

  it('key=value form with N/A destination', () => {
    expect(parse(lines[1]!)).toEqual({
      ok: true,
      alert: {
        title: 'New Asset Detected',
        message: 'A new asset was detected.',
        engine: 'Policy violation',
        category: 'Discovery',
        severity: 'Low',
        status: 'New',
        protocol: 'CIP',
        source: { mac: '00:1d:9c:01:02:03' },
        destination: {},
        sensor: 'plant-c-sensor-03',
        firstSeen: '2026-01-09T15:00:00.000Z',
        lastSeen: '2026-01-09T15:00:00.000Z',
        sourceFormat: 'SyslogObject',
      },
    });
  });

  it('JSON object form, as a string and as an already-parsed object', () => {
    const expected = {
      ok: true,
      alert: {
        title: 'Excessive Number of Sessions',
        message: 'Too many sessions to 192.168.30.10',
        engine: 'Anomaly',
        category: 'Abnormal communication behavior',
        severity: 'Medium',
        status: 'New',
        protocol: 'TCP',
        source: { ip: '192.168.30.99' },
        destination: { ip: '192.168.30.10', name: 'SCADA-01' },
        sensor: 'plant-d-sensor-05',
        firstSeen: '2026-01-05T11:20:00.000Z',
        lastSeen: '2026-01-05T11:20:00.000Z',
        sourceFormat: 'SyslogObject',
      },
    };
    expect(parse(lines[2]!)).toEqual(expected);
    expect(parse(JSON.parse(lines[2]!))).toEqual(expected);
    // ...and wrapped in a syslog header.
    expect(parse(`<9>Jan  5 11:20:00 10.10.0.9 ${lines[2]!}`)).toEqual(expected);
  });
});

describe('malformed syslog object', () => {
  it.each([
    [
      'missing title',
      'Sensor name: s, Alert time: Jan 05 2026 10:00:00, Alert severity: Major, alert_group: Scan',
      'missing title (field "Alert title")',
    ],
    [
      'bad time',
      'Alert title: T, Alert time: yesterday, Alert severity: Major',
      'firstSeen: invalid time "yesterday"',
    ],
    ['missing severity', 'Alert title: T, Alert time: Jan 05 2026 10:00:00', 'missing severity'],
  ])('%s', (_name, line, reason) => {
    expect(parse(line)).toEqual({ ok: false, reason });
  });
});
