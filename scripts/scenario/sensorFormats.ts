/** One alert (a Spec) in each format the sensors and the export send: SecurityAlert, CEF, LEEF, syslog, API, webhook. */
import type { Dev } from './plantDevices.js';
import { uuid } from './random.js';

export type SensorSeverity = 'Critical' | 'Major' | 'Minor' | 'Warning';
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

export interface Spec {
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

export const iso = (t: number) => new Date(t).toISOString();

export function securityAlert(s: Spec, site: string, zone: string): Record<string, unknown> {
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

export function cef(s: Spec): string {
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

export function leef(s: Spec): string {
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
export function sensorApi(s: Spec): Record<string, unknown> {
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

export function webhook(s: Spec, site: string, zone: string): Record<string, unknown> {
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

/** Lyon's older sensors forward the syslog text and object formats. */
export const textMessage = (s: Spec): string =>
  `<9>${syslogDate(s.t)} ${s.sensor} CyberX platform name: ${s.sensor}, Microsoft Defender for IoT Alert: ${s.title}, Type: ${s.engine}, Severity: ${s.severity}, Source: ${s.src.name}, Source IP: ${s.src.ip}, Protocol: ${s.protocol}, Address: ${s.src.mac}, Destination: ${s.dst.name}, Destination IP: ${s.dst.ip}, Protocol: ${s.protocol}, Address: ${s.dst.mac}, Message: ${s.message}, Alert group: ${s.category}, UUID: ${uuid()}`;
export const objectMessage = (s: Spec): string =>
  `<9>${syslogDate(s.t + 1000)} ${s.dst.ip} Sensor name: ${s.sensor}, Alert time: ${iso(s.t)}, Alert title: ${s.title}, Alert message: ${s.message}, Alert severity: ${s.severity}, Alert type: ${s.engine}, Protocol: ${s.protocol}, Source_MAC: ${s.src.mac}, ${s.src.ip}, ${s.src.name}, Destination_MAC: ${s.dst.mac}, ${s.dst.ip}, ${s.dst.name}, alert_group: ${s.category}`;
