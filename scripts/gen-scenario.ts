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

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = mulberry32(20261118);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
const DAY = Date.parse('2026-11-18T00:00:00Z');
const at = (hhmm: string, jitterSec = 0): number => {
  const [h, m] = hhmm.split(':').map(Number);
  return DAY + (h! * 60 + m!) * 60_000 + Math.floor(rand() * jitterSec * 1000);
};
let uuidCounter = 0;
const uuid = (): string => {
  uuidCounter++;
  const hex = (n: number, w: number) =>
    Math.floor(rand() * 16 ** w)
      .toString(16)
      .padStart(w, '0') + n.toString(16);
  return `${hex(uuidCounter, 7).slice(-8)}-${hex(0, 4).slice(0, 4)}-4${hex(0, 3).slice(0, 3)}-8${hex(0, 3).slice(0, 3)}-${hex(uuidCounter, 11).slice(-12)}`;
};

interface Dev {
  ip: string;
  mac: string;
  name: string;
  type: string;
  vendor: string;
}
const D = {
  rtmEws: {
    ip: '10.10.1.10',
    mac: '00:1b:1b:0a:01:10',
    name: 'RTM-EWS-01',
    type: 'Engineering Station',
    vendor: 'Dell',
  },
  rtmLaptop: {
    ip: '10.10.1.66',
    mac: '3c:22:fb:9e:41:66',
    name: 'LAPTOP-7Q2K',
    type: 'Workstation',
    vendor: 'Lenovo',
  },
  rtmPlc: {
    ip: '10.10.2.21',
    mac: '00:1b:1b:0a:02:21',
    name: 'RTM-PKG-PLC-01',
    type: 'PLC',
    vendor: 'Siemens',
  },
  rtmHmi: {
    ip: '10.10.2.30',
    mac: '00:0c:29:0a:02:30',
    name: 'RTM-PKG-HMI-01',
    type: 'HMI',
    vendor: 'Siemens',
  },
  rtmHist: {
    ip: '10.10.0.5',
    mac: '00:0c:29:0a:00:05',
    name: 'RTM-HIST-01',
    type: 'Historian',
    vendor: 'AVEVA',
  },
  rtmUtlPlc: {
    ip: '10.10.3.21',
    mac: '00:1b:1b:0a:03:21',
    name: 'RTM-UTL-PLC-01',
    type: 'PLC',
    vendor: 'Schneider Electric',
  },
  lynEws: {
    ip: '10.20.1.10',
    mac: '00:1d:9c:14:01:10',
    name: 'LYN-EWS-01',
    type: 'Engineering Station',
    vendor: 'HP',
  },
  lynPlc: {
    ip: '10.20.2.21',
    mac: '00:1d:9c:14:02:21',
    name: 'LYN-BRW-PLC-01',
    type: 'PLC',
    vendor: 'Rockwell Automation',
  },
  lynHmi: {
    ip: '10.20.2.30',
    mac: '00:0c:29:14:02:30',
    name: 'LYN-BRW-HMI-01',
    type: 'HMI',
    vendor: 'Rockwell Automation',
  },
  lynFilPlc: {
    ip: '10.20.3.21',
    mac: '00:1d:9c:14:03:21',
    name: 'LYN-FIL-PLC-01',
    type: 'PLC',
    vendor: 'Rockwell Automation',
  },
  lynFilHmi: {
    ip: '10.20.3.30',
    mac: '00:0c:29:14:03:30',
    name: 'LYN-FIL-HMI-01',
    type: 'HMI',
    vendor: 'Rockwell Automation',
  },
} satisfies Record<string, Dev>;

type SensorSeverity = 'Critical' | 'Major' | 'Minor' | 'Warning';
const AZURE_SEV: Record<SensorSeverity, string> = {
  Critical: 'High',
  Major: 'Medium',
  Minor: 'Low',
  Warning: 'Low',
};
const ENGINE_CODE: Record<string, string> = {
  'Policy Violation': 'POLICY_VIOLATION',
  'Protocol Violation': 'PROTOCOL_VIOLATION',
  Malware: 'MALWARE',
  Anomaly: 'ANOMALY',
  Operational: 'OPERATIONAL',
};

interface Spec {
  t: number;
  title: string;
  message: string;
  engine: string;
  severity: SensorSeverity;
  protocol: string;
  src: Dev;
  dst: Dev;
  sensor: string;
  category: string;
  id?: string;
  status?: 'New' | 'Closed';
}

const lines: { t: number; line: string }[] = [];
const iso = (t: number) => new Date(t).toISOString();

function securityAlert(s: Spec, site: string, zone: string): Record<string, unknown> {
  const id = s.id ?? uuid();
  const sub = '00000000-0000-0000-0000-000000000000';
  const entity = (d: Dev, n: number) => ({
    $id: String(n),
    Type: 'iotdevice',
    DeviceId: `${s.sensor}_${d.name}`,
    DeviceName: d.name,
    DeviceType: d.type,
    IpAddress: { $id: String(n + 10), Address: d.ip, Type: 'ip' },
    MacAddress: d.mac,
    Vendor: d.vendor,
    Sensor: s.sensor,
    Site: site,
    Zone: zone,
    Protocols: [s.protocol],
  });
  return {
    TenantId: '11111111-2222-3333-4444-555555555555',
    TimeGenerated: iso(s.t + 45_000),
    DisplayName: s.title,
    AlertName: s.title,
    AlertSeverity: AZURE_SEV[s.severity],
    Description: s.message,
    ProviderName: 'IoTSecurity',
    VendorName: 'Microsoft',
    VendorOriginalId: id,
    SystemAlertId: uuid(),
    ProductName: 'Azure Security Center for IoT',
    ProductComponentName: ENGINE_CODE[s.engine],
    AlertType: `IoT_${s.title.replace(/[^A-Za-z0-9]/g, '')}`,
    StartTime: iso(s.t),
    EndTime: iso(s.t + 1000),
    Status: s.status ?? 'New',
    ExtendedProperties: JSON.stringify({
      DeviceId: `${s.sensor}_${s.src.name}`,
      SensorId: s.sensor,
      SourceDeviceAddress: s.src.ip,
      DestinationDeviceAddress: s.dst.ip,
      Protocol: s.protocol,
      Category: s.category,
      isNew: s.status === 'Closed' ? 'False' : 'True',
      AlertManagementUri: `/subscriptions/${sub}/providers/Microsoft.IoTSecurity/locations/westeurope/deviceGroups/${site}/alerts/${id}`,
    }),
    Entities: JSON.stringify([entity(s.src, 1), entity(s.dst, 2)]),
    RemediationSteps: JSON.stringify([
      'Verify the activity with the plant engineer',
      'Review the device configuration',
    ]),
    Type: 'SecurityAlert',
  };
}

const cefEscape = (v: string) => v.replace(/\\/g, '\\\\').replace(/=/g, '\\=');
const CEF_SEV: Record<SensorSeverity, number> = { Critical: 10, Major: 8, Minor: 4, Warning: 1 };
const syslogDate = (t: number) => {
  const d = new Date(t);
  const mon = d.toLocaleString('en-US', { month: 'short', timeZone: 'UTC' });
  return `${mon} ${String(d.getUTCDate()).padStart(2, ' ')} ${d.toISOString().slice(11, 19)}`;
};

function cef(s: Spec): string {
  const ext = [
    `msg=${cefEscape(s.message)}`,
    `protocol=${s.protocol}`,
    `severity=${s.severity}`,
    `type=${s.engine}`,
    `UUID=${s.id ?? uuid()}`,
    `start=${s.t}`,
    `src_ip=${s.src.ip}`,
    `src_mac=${s.src.mac}`,
    `dst_ip=${s.dst.ip}`,
    `dst_mac=${s.dst.mac}`,
    `cat=${cefEscape(s.category)}`,
  ].join(' ');
  const head = `CEF:0|Microsoft Defender for IoT/CyberX|${s.sensor}|24.1.3|Microsoft Defender for IoT Alert|${s.title}|${CEF_SEV[s.severity]}|`;
  return `<9>${syslogDate(s.t + 2000)} ${s.sensor} ${head}${ext}`;
}

function leef(s: Spec): string {
  const attrs = [
    `title=${s.title}`,
    `msg=${s.message}`,
    `protocol=${s.protocol}`,
    `severity=${s.severity}`,
    `type=${s.engine}`,
    `start=${iso(s.t)}`,
    `src_ip=${s.src.ip}`,
    `dst_ip=${s.dst.ip}`,
    `cat=${s.category}`,
  ].join('\t');
  return `<9>${syslogDate(s.t + 2000)} ${s.dst.ip} ${s.sensor} LEEF:1.0|Microsoft Defender for IoT|Sensor|24.1.3|Microsoft Defender for IoT Alert|${attrs}`;
}

let apiId = 5000;
function sensorApi(s: Spec): Record<string, unknown> {
  return {
    ID: apiId++,
    time: s.t,
    title: s.title,
    message: s.message,
    severity: s.severity,
    engine: s.engine,
    sourceDevice: 101,
    destinationDevice: 102,
    sourceDeviceAddress: s.src.ip,
    destinationDeviceAddress: s.dst.ip,
    remediationSteps: ['Confirm the change with the maintenance planner'],
    additionalInformation: { description: 'Sensor API export', information: [`sensor=${s.sensor}`] },
    handled: false,
  };
}

function webhook(s: Spec, site: string, zone: string): Record<string, unknown> {
  return {
    ...sensorApi(s),
    sensorID: 7,
    sensorName: s.sensor,
    zoneID: 3,
    zoneName: zone,
    siteID: 2,
    siteName: site,
  };
}

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

// Lyon's older sensors forward the syslog text and object formats.
const textMessage = (s: Spec): string =>
  `<9>${syslogDate(s.t)} ${s.sensor} CyberX platform name: ${s.sensor}, Microsoft Defender for IoT Alert: ${s.title}, Type: ${s.engine}, Severity: ${s.severity}, Source: ${s.src.name}, Source IP: ${s.src.ip}, Protocol: ${s.protocol}, Address: ${s.src.mac}, Destination: ${s.dst.name}, Destination IP: ${s.dst.ip}, Protocol: ${s.protocol}, Address: ${s.dst.mac}, Message: ${s.message}, Alert group: ${s.category}, UUID: ${uuid()}`;
const objectMessage = (s: Spec): string =>
  `<9>${syslogDate(s.t + 1000)} ${s.dst.ip} Sensor name: ${s.sensor}, Alert time: ${iso(s.t)}, Alert title: ${s.title}, Alert message: ${s.message}, Alert severity: ${s.severity}, Alert type: ${s.engine}, Protocol: ${s.protocol}, Source_MAC: ${s.src.mac}, ${s.src.ip}, ${s.src.name}, Destination_MAC: ${s.dst.mac}, ${s.dst.ip}, ${s.dst.name}, alert_group: ${s.category}`;
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
