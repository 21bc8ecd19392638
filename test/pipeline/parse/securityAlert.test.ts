import { describe, expect, it } from 'vitest';
import { parseRecord } from '../../../pipeline/parse/index.js';
import { fixture, fixtureJson, fixtureLines } from './fixtures.js';

type Row = Record<string, unknown>;
const rows = () => fixtureLines('securityalert.ndjson').map((l) => JSON.parse(l) as Row);
const URI_1042 =
  '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-ot/providers/Microsoft.IoTSecurity/locations/westeurope/deviceGroups/plant-a/alerts/1042';

const ALERT_1042 = {
  id: '1042',
  title: 'Unauthorized PLC programming',
  message: 'PLC 10.10.2.20 was programmed by 10.10.1.5, which is not an authorized programming device.',
  engine: 'Policy violation',
  category: 'Programming',
  severity: 'High',
  status: 'New',
  protocol: 'S7',
  source: { ip: '10.10.1.5', name: 'EWS-01', deviceId: '17' },
  destination: { ip: '10.10.2.20', name: 'PLC-20', deviceId: '18' },
  sensor: 'plant-a-sensor-01',
  site: 'Plant A',
  zone: 'Line 1',
  firstSeen: '2026-01-05T10:11:12.000Z',
  lastSeen: '2026-01-05T10:18:40.000Z',
  alertManagementUri: URI_1042,
  remediation: [
    'Validate the program change with the plant engineer.',
    'If the change was not authorized, isolate EWS-01 from the control network.',
  ],
  vendorTactics: ['ImpairProcessControl', 'InhibitResponseFunction'],
  vendorTechniques: ['T0843', 'T0821'],
  entities: [
    {
      ip: '10.10.1.5',
      mac: '00:1a:2b:3c:4d:5e',
      name: 'EWS-01',
      type: 'Engineering Station',
      vendor: 'Dell',
      model: 'Precision 3660',
      site: 'Plant A',
      zone: 'Line 1',
      sensor: 'plant-a-sensor-01',
      owners: ['ot-eng@example.com'],
      importance: 'Normal',
    },
    {
      ip: '10.10.2.20',
      mac: '00:1b:2c:3d:4e:5f',
      name: 'PLC-20',
      type: 'PLC',
      vendor: 'Siemens',
      model: 'S7-1500',
      firmware: '2.9.4',
      site: 'Plant A',
      zone: 'Line 1',
      sensor: 'plant-a-sensor-01',
      importance: 'High',
      purdueLevel: 'ProcessControl',
    },
  ],
  sourceFormat: 'SecurityAlert',
};

describe('SecurityAlert rows', () => {
  it('IoTSecurity row with ExtendedProperties/Entities/Techniques/RemediationSteps as JSON strings', () => {
    expect(parseRecord(rows()[0])).toEqual({ ok: true, alert: ALERT_1042 });
  });

  it('the same row as a raw JSON string', () => {
    expect(parseRecord(fixtureLines('securityalert.ndjson')[0])).toEqual({ ok: true, alert: ALERT_1042 });
  });

  it('CustomAlertRule row: MAC source matched to its entity, EndTime null → TimeGenerated, InProgress → Active', () => {
    expect(parseRecord(rows()[1])).toEqual({
      ok: true,
      alert: {
        id: '2207',
        title: 'Unauthorized operation was detected by a user defined rule',
        message: 'A user-defined rule detected a DNP3 write from 00:0e:8c:11:22:33.',
        engine: 'Policy violation',
        severity: 'Medium',
        status: 'Active',
        protocol: 'DNP3',
        source: { mac: '00:0e:8c:11:22:33', name: 'RTU-07' },
        destination: {},
        sensor: 'plant-b-sensor-02',
        site: 'Plant B',
        zone: 'Substation',
        firstSeen: '2026-01-06T07:40:05.123Z',
        lastSeen: '2026-01-06T07:45:00.000Z',
        entities: [
          {
            mac: '00:0e:8c:11:22:33',
            name: 'RTU-07',
            type: 'RTU',
            vendor: 'ABB',
            site: 'Plant B',
            zone: 'Substation',
            sensor: 'plant-b-sensor-02',
            importance: 'Low',
          },
        ],
        sourceFormat: 'SecurityAlert',
      },
    });
  });

  it('columns that arrive as objects/arrays instead of strings, Closed status', () => {
    expect(parseRecord(rows()[2])).toEqual({
      ok: true,
      alert: {
        id: '3301',
        title: 'Suspicion of Malicious Activity (Stuxnet)',
        message: 'Suspicious network activity was detected that is related to Stuxnet malware.',
        engine: 'Malware',
        severity: 'High',
        status: 'Closed',
        protocol: 'S7',
        source: { ip: '10.10.3.8' },
        destination: { ip: '10.10.2.20' },
        sensor: 'plant-a-sensor-01',
        firstSeen: '2026-01-07T11:58:00.000Z',
        lastSeen: '2026-01-07T11:59:30.000Z',
        remediation: ['Isolate the device.'],
        vendorTactics: ['LateralMovement'],
        vendorTechniques: ['T0866'],
        sourceFormat: 'SecurityAlert',
      },
    });
  });

  it('data-export envelope: IoT rows parse, the Sentinel rule copy is rejected', () => {
    const env = JSON.parse(fixture('export-envelope.json')) as { records: Row[] };
    const results = env.records.map((r) => parseRecord(r));
    expect(results[0]).toEqual({ ok: true, alert: ALERT_1042 });
    expect(results[1]).toMatchObject({
      ok: true,
      alert: { id: '1043', engine: 'Anomaly', category: 'Scan' },
    });
    expect(results[2]).toEqual({
      ok: false,
      reason: 'not a Defender for IoT alert (ProviderName=ASI Scheduled Alerts)',
    });
  });

  it('resolves an IpAddress given as a $ref to an earlier entity', () => {
    const row = rows()[0]!;
    row.Entities = JSON.stringify([
      { $id: '3', Address: '10.10.1.5', Type: 'ip' },
      { $id: '4', DeviceName: 'EWS-01', IpAddress: { $ref: '3' }, Zone: 'Line 9', Type: 'iotdevice' },
    ]);
    const r = parseRecord(row);
    expect(r.ok && r.alert.entities).toEqual([{ ip: '10.10.1.5', name: 'EWS-01', zone: 'Line 9' }]);
    expect(r.ok && r.alert.zone).toBe('Line 9');
  });

  it('resolves thousands of $refs in linear time (a 1 MiB row used to take ~40 s)', () => {
    const entities: Row[] = Array.from({ length: 16_000 }, (_, i) => ({
      Type: 'iotdevice',
      IpAddress: { $ref: `r${i % 2}` },
    }));
    entities.push(
      { $id: 'r0', Address: '10.0.0.1', Type: 'ip' },
      { $id: 'r0', Address: '10.0.0.2', Type: 'ip' },
    );
    const row = { ...rows()[0]!, Entities: JSON.stringify(entities) };
    const t0 = performance.now();
    const r = parseRecord(row);
    expect(performance.now() - t0).toBeLessThan(2000);
    // The first `$id` in document order wins, as before; an unknown `$ref` resolves to nothing.
    expect(r.ok && r.alert.entities?.slice(0, 2)).toEqual([{ ip: '10.0.0.1' }, {}]);
  });

  it('takes site/zone from the first device when none matches the source', () => {
    const row = rows()[0]!;
    row.ExtendedProperties = JSON.stringify({ SensorId: 's', SourceDeviceAddress: '10.99.99.99' });
    const r = parseRecord(row);
    expect(r.ok && [r.alert.site, r.alert.zone, r.alert.source]).toEqual([
      'Plant A',
      'Line 1',
      { ip: '10.99.99.99' },
    ]);
  });

  it('uses TimeGenerated for both ends when it is the only time', () => {
    const row = { ...rows()[0]!, StartTime: null, EndTime: '' };
    const r = parseRecord(row);
    expect(r.ok && [r.alert.firstSeen, r.alert.lastSeen]).toEqual([
      '2026-01-05T10:20:31.517Z',
      '2026-01-05T10:20:31.517Z',
    ]);
  });

  it.each([
    ['CRITICAL', 'High'],
    ['Informational', 'Informational'],
  ])('AlertSeverity %s → %s', (sev, expected) => {
    const r = parseRecord({ ...rows()[0]!, AlertSeverity: sev });
    expect(r.ok && r.alert.severity).toBe(expected);
  });
});

describe('malformed SecurityAlert rows', () => {
  const base = () => rows()[0]!;
  it.each([
    [
      'ExtendedProperties broken JSON',
      { ExtendedProperties: '{"SensorId": "s1", ' },
      /^ExtendedProperties: invalid JSON \(.+\)$/,
    ],
    [
      'ExtendedProperties not an object',
      { ExtendedProperties: '[1,2]' },
      /^ExtendedProperties: expected a JSON object$/,
    ],
    ['Entities broken JSON', { Entities: '[{"Type":"iotdevice"' }, /^Entities: invalid JSON \(.+\)$/],
    ['Entities not an array', { Entities: '{"Type":"iotdevice"}' }, /^Entities: expected a JSON array$/],
    ['missing title', { AlertName: '', DisplayName: undefined }, /^missing title \(AlertName\)$/],
    ['bad StartTime', { StartTime: 'yesterday' }, /^firstSeen: invalid time "yesterday"$/],
    ['bad EndTime', { EndTime: '2026-01-05T25:00:00Z' }, /^lastSeen: invalid time "2026-01-05T25:00:00Z"$/],
    ['no times', { StartTime: null, EndTime: null, TimeGenerated: null }, /^missing firstSeen/],
    ['unknown severity', { AlertSeverity: 'Severe' }, /^severity: unknown value "Severe"$/],
    ['missing severity', { AlertSeverity: undefined }, /^missing severity$/],
    ['other provider', { ProviderName: 'MDATP' }, /^not a Defender for IoT alert \(ProviderName=MDATP\)$/],
    [
      'other provider with a huge name',
      { ProviderName: `P${'x'.repeat(100_000)}` },
      /^not a Defender for IoT alert \(ProviderName=Px{96}\.\.\.\)$/,
    ],
    [
      'no provider, non-IoT product',
      { ProviderName: undefined, ProductName: 'Azure Sentinel', AlertType: 'ThreatIntelligence' },
      /^not a Defender for IoT alert \(ProviderName=\(none\)\)$/,
    ],
  ])('%s', (_name, patch, reason) => {
    const r = parseRecord({ ...base(), ...patch });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toMatch(reason);
  });

  it('accepts a row without ProviderName when the product is Defender for IoT', () => {
    const r = parseRecord({ ...base(), ProviderName: undefined });
    expect(r.ok).toBe(true);
  });
});

describe('Defender for Cloud continuous export', () => {
  const [flat, arm, other] = fixtureJson('defender-for-cloud.json');

  it('flat export record', () => {
    expect(parseRecord(flat)).toEqual({
      ok: true,
      alert: {
        id: '2518329875999999999_7e4a0c1d-5b6f-4a3e-9d2c-1f0e8b7a6c5d',
        title: 'New Asset Detected',
        message: 'A new asset 10.10.4.12 was detected on the network.',
        engine: 'Operational',
        category: 'Discovery',
        severity: 'Low',
        status: 'New',
        protocol: 'CIP',
        source: { ip: '10.10.4.12', name: 'HMI-02' },
        destination: {},
        sensor: 'plant-a-sensor-01',
        site: 'Plant A',
        zone: 'Line 2',
        firstSeen: '2026-01-08T09:00:00.000Z',
        lastSeen: '2026-01-08T09:00:00.000Z',
        alertManagementUri:
          '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-ot/providers/Microsoft.IoTSecurity/locations/westeurope/deviceGroups/plant-a/alerts/1050',
        remediation: ['Verify that the asset is authorized.'],
        vendorTactics: ['Discovery'],
        entities: [{ ip: '10.10.4.12', name: 'HMI-02', type: 'HMI', site: 'Plant A', zone: 'Line 2' }],
        sourceFormat: 'DefenderForCloud',
      },
    });
  });

  it('ARM resource shape with camelCase properties and entities', () => {
    expect(parseRecord(arm)).toEqual({
      ok: true,
      alert: {
        id: '2518329000000000000_aa11bb22',
        title: 'Illegal MODBUS Operation (Function Code Zero)',
        message: 'A MODBUS master 10.10.5.2 sent function code 0 to 10.10.5.31.',
        engine: 'Protocol violation',
        severity: 'Medium',
        // Defender for Cloud's "Active": an alert nobody has handled yet.
        status: 'New',
        protocol: 'Modbus',
        source: { ip: '10.10.5.2' },
        destination: { ip: '10.10.5.31', name: 'PLC-31' },
        sensor: 'plant-c-sensor-03',
        site: 'Plant C',
        zone: 'Packaging',
        firstSeen: '2026-01-09T14:00:00.000Z',
        lastSeen: '2026-01-09T14:03:00.000Z',
        remediation: ['Check the master configuration.'],
        vendorTactics: ['ImpairProcessControl'],
        entities: [{ ip: '10.10.5.31', name: 'PLC-31', site: 'Plant C', zone: 'Packaging' }],
        sourceFormat: 'DefenderForCloud',
      },
    });
  });

  it.each([
    ['Active', 'New'],
    ['InProgress', 'Active'],
    ['Resolved', 'Closed'],
    ['Dismissed', 'Closed'],
  ])("reads status %s in Defender for Cloud's vocabulary as %s", (status, want) => {
    const record = arm as { properties: Record<string, unknown> };
    const got = parseRecord({ ...record, properties: { ...record.properties, status } });
    expect(got.ok && got.alert.status).toBe(want);
    expect((parseRecord({ ...flat, Status: status }) as { alert: { status: string } }).alert.status).toBe(
      want,
    );
  });

  it('rejects a non-IoT Defender for Cloud alert', () => {
    expect(parseRecord(other)).toEqual({
      ok: false,
      reason: 'not a Defender for IoT alert (ProductName=Azure Security Center)',
    });
  });

  it('reports a bad StartTimeUtc', () => {
    expect(parseRecord({ ...flat, StartTimeUtc: 'tomorrow' })).toEqual({
      ok: false,
      reason: 'firstSeen: invalid time "tomorrow"',
    });
  });
});
