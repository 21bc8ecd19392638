/**
 * Generates the bundled plant scenario `samples/plant-scenario.ndjson`: one line per Event Hubs event,
 * as sensors at two plants would send them on 2026-11-18. Deterministic (seeded), so re-running it is a
 * no-op diff. Run: `npm run build && node dist/scripts/gen-scenario.js`.
 *
 * Rotterdam is cloud-connected: its alerts arrive as Sentinel SecurityAlert rows, singly and in
 * Log Analytics data-export envelopes. Lyon is on-premises: CEF, LEEF, syslog text/object, the sensor
 * API and the extended webhook, forwarded on site. The day holds:
 * - background alerts at both plants;
 * - an alert storm (Modbus address range violations from two sensors in one zone, 08:00–08:29);
 * - interleaved storms at Lyon (bandwidth and sessions);
 * - a declared maintenance window at Lyon Brewhouse (10:00–12:00 Europe/Paris, 09:00–11:00 UTC) with a firmware
 *   change and programming from the engineering station;
 * - a night-time attack chain in Rotterdam Packaging: port scan → unauthorised PLC programming →
 *   S7 stop command, from a laptop that is not an engineering station;
 * - Defender for IoT update records (same alert id, later status Closed);
 * - malformed records, which must land in the dead-letter store.
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEVICES as D } from './scenario/plantDevices.js';
import { at, pick, rand, uuid } from './scenario/random.js';
import {
  cef,
  iso,
  leef,
  objectMessage,
  type SensorSeverity,
  type Spec,
  securityAlert,
  sensorApi,
  textMessage,
  webhook,
} from './scenario/sensorFormats.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

const lines: { t: number; line: string }[] = [];

const emit = (t: number, value: unknown) =>
  lines.push({ t, line: typeof value === 'string' ? value : JSON.stringify(value) });

// Background alerts through the day.
const background: Omit<Spec, 't' | 'sensor'>[] = [
  {
    title: 'New Asset Detected',
    message: 'A new asset was detected on the network.',
    engine: 'Policy Violation',
    severity: 'Major',
    protocol: 'ARP',
    src: D.rtmHist,
    dst: D.rtmHmi,
    category: 'Discovery',
  },
  {
    title: 'Unauthorized HTTP User Agent',
    message: 'An unauthorized application was detected on source device 10.10.0.5.',
    engine: 'Policy Violation',
    severity: 'Major',
    protocol: 'HTTP',
    src: D.rtmHist,
    dst: D.rtmEws,
    category: 'Abnormal HTTP Communication Behavior',
  },
  {
    title: 'Inactive Communication Channel',
    message: 'A communication channel between two devices was inactive.',
    engine: 'Anomaly',
    severity: 'Warning',
    protocol: 'Modbus',
    src: D.rtmHmi,
    dst: D.rtmUtlPlc,
    category: 'Unresponsive',
  },
];
for (let i = 0; i < 60; i++) {
  const b = pick(background);
  const t = at('06:00') + Math.floor(rand() * 12 * 3600_000);
  const s: Spec = { ...b, t, sensor: b.dst === D.rtmUtlPlc ? 'rtm-utl-sensor-01' : 'rtm-pkg-sensor-01' };
  emit(t, securityAlert(s, 'Rotterdam', b.dst === D.rtmUtlPlc ? 'Utilities' : 'Packaging'));
}

// The storm: two sensors in Rotterdam Packaging see the same violations; one export envelope per minute.
for (let minute = 0; minute < 30; minute++) {
  const records: Record<string, unknown>[] = [];
  for (let i = 0; i < 60; i++) {
    const s: Spec = {
      t: at(`08:${String(minute).padStart(2, '0')}`, 59),
      title: 'Modbus Address Range Violation',
      message: 'A master device requested access to a new slave memory address.',
      engine: 'Policy Violation',
      severity: 'Major',
      protocol: 'Modbus',
      src: D.rtmHmi,
      dst: D.rtmPlc,
      sensor: i % 2 ? 'rtm-pkg-sensor-02' : 'rtm-pkg-sensor-01',
      category: 'Illegal commands',
    };
    records.push(securityAlert(s, 'Rotterdam', 'Packaging'));
  }
  emit(at(`08:${String(minute).padStart(2, '0')}`, 59), { records });
}

// Interleaved storms at Lyon Filling, alternating sources and formats.
for (let i = 0; i < 600; i++) {
  const t = at('14:00') + i * 900;
  const bandwidth = i % 2 === 0;
  const s: Spec = {
    t,
    title: bandwidth ? 'Abnormal Traffic Bandwidth' : 'Excessive Number of Sessions',
    message: bandwidth
      ? 'Abnormal bandwidth was detected on a channel.'
      : 'A source device opened an excessive number of sessions.',
    engine: 'Anomaly',
    severity: bandwidth ? 'Minor' : 'Critical',
    protocol: bandwidth ? 'EtherNet/IP' : 'CIP',
    src: D.lynFilHmi,
    dst: D.lynFilPlc,
    sensor: 'lyn-fil-sensor-01',
    category: bandwidth ? 'Bandwidth Anomalies' : 'Abnormal Communication Behavior',
  };
  emit(t, i % 3 === 0 ? leef(s) : cef(s));
}

// Maintenance at Lyon Brewhouse (window 10:00–12:00 Paris = 09:00–11:00 UTC): firmware and programming from the EWS.
for (const [hhmm, title, format] of [
  ['09:12', 'Firmware Version Changed', 'cef'],
  ['09:40', 'Unauthorized PLC Programming', 'api'],
  ['10:05', 'Unauthorized PLC Configuration Write', 'webhook'],
] as const) {
  const s: Spec = {
    t: at(hhmm, 30),
    title,
    message: `${title} on ${D.lynPlc.name} from ${D.lynEws.name}.`,
    engine: 'Policy Violation',
    severity: title === 'Unauthorized PLC Programming' ? 'Critical' : 'Major',
    protocol: 'CIP',
    src: D.lynEws,
    dst: D.lynPlc,
    sensor: 'lyn-brw-sensor-01',
    category: title.startsWith('Firmware') ? 'Firmware change' : 'Programming',
  };
  emit(s.t, format === 'cef' ? cef(s) : format === 'api' ? sensorApi(s) : webhook(s, 'Lyon', 'Brewhouse'));
}

// The night-time attack chain in Rotterdam Packaging (cloud-connected: SecurityAlert rows).
const chain: [string, string, string, SensorSeverity, string, string][] = [
  ['02:10', 'Port Scan Detected', 'Anomaly', 'Critical', 'TCP', 'Scan'],
  ['02:11', 'PLC Scan Detected', 'Anomaly', 'Critical', 'S7', 'Scan'],
  ['02:24', 'Unauthorized PLC Programming', 'Policy Violation', 'Critical', 'S7', 'Programming'],
  ['02:31', 'An S7 Stop PLC Command was Sent', 'Operational', 'Minor', 'S7', 'Restart/ Stop Commands'],
];
const programmingId = uuid();
for (const [hhmm, title, engine, severity, protocol, category] of chain) {
  const s: Spec = {
    t: at(hhmm, 40),
    title,
    message: `${title}: ${D.rtmLaptop.ip} → ${D.rtmPlc.ip}`,
    engine,
    severity,
    protocol,
    src: D.rtmLaptop,
    dst: D.rtmPlc,
    sensor: 'rtm-pkg-sensor-01',
    category,
    ...(title === 'Unauthorized PLC Programming' ? { id: programmingId } : {}),
  };
  emit(s.t, securityAlert(s, 'Rotterdam', 'Packaging'));
  // The second sensor in the zone reports the same scan: merged across sensors, counted once more.
  if (title === 'Port Scan Detected')
    emit(
      s.t + 5000,
      securityAlert({ ...s, t: s.t + 5000, sensor: 'rtm-pkg-sensor-02' }, 'Rotterdam', 'Packaging'),
    );
  // Defender for IoT writes a new record when an alert is updated: same id, no new count.
  if (title === 'Unauthorized PLC Programming')
    emit(s.t + 180_000, securityAlert({ ...s, t: s.t }, 'Rotterdam', 'Packaging'));
}

for (let i = 0; i < 12; i++) {
  const t = at('07:00') + Math.floor(rand() * 9 * 3600_000);
  const ssh = i % 2 === 0;
  const s: Spec = {
    t,
    title: ssh ? 'Unauthorized SSH Access' : 'New Asset Detected',
    message: ssh
      ? 'Unauthorized SSH access to a controller was detected.'
      : 'A new asset was detected on the network.',
    engine: 'Policy Violation',
    severity: ssh ? 'Major' : 'Minor',
    protocol: ssh ? 'SSH' : 'ARP',
    src: ssh ? D.lynEws : D.lynHmi,
    dst: ssh ? D.lynPlc : D.lynEws,
    sensor: 'lyn-brw-sensor-01',
    category: ssh ? 'Remote access' : 'Discovery',
  };
  emit(t, i % 3 === 0 ? objectMessage(s) : textMessage(s));
}

// A malware finding at Lyon, by the extended webhook.
emit(
  at('16:20'),
  webhook(
    {
      t: at('16:20'),
      title: 'Suspicion of Malicious Activity (Havex)',
      message: 'Suspicious network activity was detected (Havex).',
      engine: 'Malware',
      severity: 'Critical',
      protocol: 'OPC',
      src: D.lynEws,
      dst: D.lynHmi,
      sensor: 'lyn-brw-sensor-01',
      category: 'Suspicion of Malware',
    },
    'Lyon',
    'Brewhouse',
  ),
);

// Malformed records: each must land in the dead-letter store with a reason.
emit(
  at('09:00'),
  '<9>Nov 18 09:00:00 lyn-fil-sensor-01 CEF:0|Microsoft Defender for IoT/CyberX|lyn-fil-sensor-01|24.1.3',
);
emit(at('09:01'), {
  ProviderName: 'IoTSecurity',
  AlertSeverity: 'High',
  StartTime: iso(at('09:01')),
  Description: 'record without a title',
});
emit(at('09:02'), 'this is not an alert at all');
emit(at('09:03'), {
  ID: 77,
  time: 'yesterday',
  title: 'Controller Stop',
  severity: 'Minor',
  engine: 'Operational',
});
emit(at('09:04'), '{"records": [ {"AlertName": "truncated');

lines.sort((a, b) => a.t - b.t);
const out = join(root, 'samples', 'plant-scenario.ndjson');
writeFileSync(out, `${lines.map((l) => l.line).join('\n')}\n`);
console.log(`wrote ${lines.length} events to ${out}`);
