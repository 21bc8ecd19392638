import { describe, expect, it } from 'vitest';
import { parseRecord } from '../../../pipeline/parse/index.js';
import { fixtureLines, NOW } from './fixtures.js';

const parse = (line: string, receivedAt?: string) =>
  parseRecord(line, receivedAt === undefined ? { now: NOW } : { now: NOW, receivedAt });

describe('syslog text message fixtures', () => {
  const lines = fixtureLines('syslog-text.log');

  it('comma-separated, both Protocol/Address pairs, label words inside the Message', () => {
    expect(parse(lines[0]!)).toEqual({
      ok: true,
      alert: {
        id: '1-1767609000000',
        title: 'Unauthorized Internet Connectivity Detected',
        message: 'Device 10.10.6.3 connected to 203.0.113.80. Type: outbound; Address: external.',
        engine: 'Policy violation',
        category: 'Internet access',
        severity: 'Medium',
        status: 'New',
        protocol: 'HTTP',
        source: { ip: '10.10.6.3', mac: '00:1a:2b:00:00:03', name: 'HMI-03' },
        destination: { ip: '203.0.113.80' },
        sensor: 'plant-a-sensor-01',
        firstSeen: '2026-01-05T10:30:00.000Z',
        lastSeen: '2026-01-05T10:30:00.000Z',
        sourceFormat: 'SyslogText',
      },
    });
  });

  it('semicolon-separated, RFC 5424 header, older title label, protocol only on the destination side', () => {
    expect(parse(lines[1]!)).toEqual({
      ok: true,
      alert: {
        title: 'Suspicion of Unresponsive MODBUS Device',
        message:
          'Outstation device 192.168.50.12 (Protocol Address 53) seems to be unresponsive to MODBUS requests.',
        engine: 'Operational',
        category: 'Operational issues',
        severity: 'Low',
        status: 'New',
        protocol: 'MODBUS',
        source: { ip: '192.168.50.10' },
        destination: { ip: '192.168.50.12', name: 'RTU-12' },
        sensor: 'plant-b-sensor-02',
        firstSeen: '2026-01-05T10:31:00.000Z',
        lastSeen: '2026-01-05T10:31:00.000Z',
        sourceFormat: 'SyslogText',
      },
    });
  });

  it('newline-separated fields (one record per event)', () => {
    const msg = [
      'CyberX platform name: plant-a-sensor-01',
      'Microsoft Defender for IoT Alert: Port Scan Detected',
      'Type: Anomaly',
      'Severity: Critical',
      'Source: 10.10.9.9',
      'Destination: 10.10.2.20',
      'Message: Port scan detected.',
      'Alert group: Scan',
    ].join('\n');
    const r = parse(msg, '2026-01-05T12:00:00Z');
    expect(r).toEqual({
      ok: true,
      alert: {
        title: 'Port Scan Detected',
        message: 'Port scan detected.',
        engine: 'Anomaly',
        category: 'Scan',
        severity: 'High',
        status: 'New',
        source: { ip: '10.10.9.9' },
        destination: { ip: '10.10.2.20' },
        sensor: 'plant-a-sensor-01',
        firstSeen: '2026-01-05T12:00:00.000Z',
        lastSeen: '2026-01-05T12:00:00.000Z',
        sourceFormat: 'SyslogText',
      },
    });
  });

  it.each([
    ['Critical', 'High'],
    ['Major', 'Medium'],
    ['Minor', 'Low'],
    ['Warning', 'Low'],
  ])('Severity: %s → %s', (sev, expected) => {
    const r = parse(`<9>Jan  5 10:00:00 s1 Microsoft Defender for IoT Alert: A, Severity: ${sev}`);
    expect(r.ok && r.alert.severity).toBe(expected);
  });
});

describe('malformed syslog text', () => {
  it.each([
    [
      'missing title',
      '<9>Jan  5 10:00:00 s1 CyberX platform name: s1, Type: Anomaly, Severity: Major, Message: m',
      'missing title (label "Microsoft Defender for IoT Alert")',
    ],
    [
      'missing severity',
      '<9>Jan  5 10:00:00 s1 Microsoft Defender for IoT Alert: A, Type: Anomaly',
      'missing severity',
    ],
    [
      'unknown severity',
      '<9>Jan  5 10:00:00 s1 Microsoft Defender for IoT Alert: A, Severity: Bad',
      'severity: unknown value "Bad"',
    ],
    [
      'no time anywhere',
      'Microsoft Defender for IoT Alert: A, Severity: Major',
      'missing firstSeen: the record carries no alert time',
    ],
  ])('%s', (_name, line, reason) => {
    expect(parse(line)).toEqual({ ok: false, reason });
  });
});
