import { describe, expect, it } from 'vitest';
import { parseRecord } from '../../../pipeline/parse/index.js';
import { fixtureJson } from './fixtures.js';

describe('sensor API v1 (/api/v1/alerts)', () => {
  const v1 = fixtureJson('sensor-api-v1.json');

  it('documented example shape with lower-case id/additionalinformation and null devices', () => {
    expect(parseRecord(v1[0])).toEqual({
      ok: true,
      alert: {
        id: '1',
        title: 'Internet Access Detected',
        message:
          'Device 192.168.0.13 tried to access an external IP address which is an address in the Internet and is not allowed by policy.',
        engine: 'Policy violation',
        severity: 'Medium',
        status: 'New',
        source: {},
        destination: {},
        firstSeen: '2026-01-05T10:11:12.000Z',
        lastSeen: '2026-01-05T10:11:12.000Z',
        sourceFormat: 'SensorApi',
      },
    });
  });

  it('numeric device ids, handled → Closed', () => {
    expect(parseRecord(v1[1])).toEqual({
      ok: true,
      alert: {
        id: '2',
        title: 'Illegal MODBUS Operation (Exception Raised by Master)',
        message:
          'A MODBUS master 192.168.110.131 attempted to initiate an illegal operation.\nIt is recommended to notify the security officer of the incident.',
        engine: 'Protocol violation',
        severity: 'Low',
        status: 'Closed',
        source: { deviceId: '3' },
        destination: { deviceId: '4' },
        firstSeen: '2026-01-05T10:13:10.000Z',
        lastSeen: '2026-01-05T10:13:10.000Z',
        sourceFormat: 'SensorApi',
      },
    });
  });

  it('device id 0 means no device', () => {
    const r = parseRecord(v1[2]);
    expect(r.ok && [r.alert.source, r.alert.destination]).toEqual([{}, {}]);
  });

  it.each([
    ['Critical', 'High'],
    ['Major', 'Medium'],
    ['Minor', 'Low'],
    ['Warning', 'Low'],
  ])('severity %s → %s', (sev, expected) => {
    const r = parseRecord({ ...v1[0], severity: sev });
    expect(r.ok && r.alert.severity).toBe(expected);
  });
});

describe('sensor API v2', () => {
  const v2 = fixtureJson('sensor-api-v2.json');

  it('IP addresses and remediation steps', () => {
    expect(parseRecord(v2[0])).toEqual({
      ok: true,
      alert: {
        id: '11',
        title: 'Unauthorized PLC Program Upload',
        message: 'Program upload from 192.168.20.5 to 192.168.20.30.',
        engine: 'Policy violation',
        severity: 'Medium',
        status: 'New',
        source: { ip: '192.168.20.5', deviceId: '21' },
        destination: { ip: '192.168.20.30', deviceId: '22' },
        firstSeen: '2026-01-05T10:46:40.000Z',
        lastSeen: '2026-01-05T10:46:40.000Z',
        remediation: ['Confirm the upload with the control engineer.', 'Review the PLC program history.'],
        sourceFormat: 'SensorApi',
      },
    });
  });

  it('a MAC in sourceDeviceAddress goes to mac, not ip', () => {
    expect(parseRecord(v2[1])).toEqual({
      ok: true,
      alert: {
        id: '12',
        title: 'ARP Spoofing',
        message: 'Suspected ARP spoofing from 00:1c:06:aa:bb:cc.',
        engine: 'Malware',
        severity: 'High',
        status: 'New',
        source: { mac: '00:1c:06:aa:bb:cc', deviceId: '23' },
        destination: {},
        firstSeen: '2026-01-05T10:48:20.000Z',
        lastSeen: '2026-01-05T10:48:20.000Z',
        sourceFormat: 'SensorApi',
      },
    });
  });
});

describe('extended webhook', () => {
  const wh = fixtureJson('webhook-extended.json');

  it('documented extended fields: sensor/zone/site names, UUID as id', () => {
    expect(parseRecord(wh[0])).toEqual({
      ok: true,
      alert: {
        id: '5-1767611000000',
        title: 'Excessive Login Attempts',
        message: '20 failed logins to 192.168.30.10 within one minute.',
        engine: 'Anomaly',
        severity: 'Medium',
        status: 'New',
        source: { ip: '192.168.30.99', deviceId: '41' },
        destination: { ip: '192.168.30.10', deviceId: '42' },
        sensor: 'plant-d-sensor-05',
        site: 'Plant D',
        zone: 'Utilities',
        firstSeen: '2026-01-05T11:03:20.000Z',
        lastSeen: '2026-01-05T11:03:20.000Z',
        remediation: ['Check the account lockout policy.'],
        sourceFormat: 'Webhook',
      },
    });
  });

  it('different casing, time as a string, "true" handled', () => {
    expect(parseRecord(wh[1])).toEqual({
      ok: true,
      alert: {
        id: '5-1767611200000',
        title: 'PLC Stop Command',
        message: 'S7 stop command sent to 192.168.30.40.',
        engine: 'Operational',
        severity: 'High',
        status: 'Closed',
        source: { ip: '192.168.30.11' },
        destination: { ip: '192.168.30.40' },
        sensor: 'plant-d-sensor-05',
        site: 'Plant D',
        zone: 'Utilities',
        firstSeen: '2026-01-05T11:06:40.000Z',
        lastSeen: '2026-01-05T11:06:40.000Z',
        sourceFormat: 'Webhook',
      },
    });
  });

  it('falls back to the sensor id when no sensor name is sent', () => {
    const { sensorName: _drop, ...rest } = wh[0] as Record<string, unknown>;
    const r = parseRecord(rest);
    expect(r.ok && r.alert.sensor).toBe('5');
  });
});

describe('malformed sensor API records', () => {
  const [first] = fixtureJson('sensor-api-v1.json');
  it.each([
    ['time: "abc"', { time: 'abc' }, 'firstSeen: invalid time "abc"'],
    ['time: 0', { time: 0 }, 'firstSeen: invalid time "0"'],
    ['title empty', { title: '  ' }, 'missing title'],
    ['severity unknown', { severity: 'Extreme' }, 'severity: unknown value "Extreme"'],
    ['severity null', { severity: null }, 'missing severity'],
  ])('%s', (_name, patch, reason) => {
    expect(parseRecord({ ...first, ...patch })).toEqual({ ok: false, reason });
  });

  it('a record with no time at all', () => {
    const { time: _t, ...rest } = first as Record<string, unknown>;
    expect(parseRecord(rest)).toEqual({
      ok: false,
      reason: 'missing firstSeen: the record carries no alert time',
    });
  });
});
