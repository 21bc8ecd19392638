/**
 * "Syslog object" forwarding format (docs/contracts.md#sensor-forwarding-formats). Documented fields: Sensor
 * name, Alert time, Alert title, Alert message, Alert severity, Alert type, Protocol, Source_MAC,
 * Destination_MAC, alert_group; device fields hold "IP address, name, vendor, or OS" and `N/A` when missing. No
 * public sample was found, so this reads both a labelled string (`Label: value` or `Label=value`, any
 * separator) and a JSON object with those keys (spaces or underscores, any case). Device values are split on
 * commas and each part classified as IP, MAC or name; `Source_IP`/`Source_Name` style keys are read too.
 */
import type { Device } from '../model/alert.js';
import {
  assignAddress,
  type Draft,
  type LabelSpec,
  labelledDraft,
  labelScanner,
  type ParseOptions,
  scanLabels,
  text,
} from './fields/index.js';
import type { SyslogHeader } from './syslogHeader.js';

const LABELS: readonly LabelSpec[] = [
  { key: 'sensor', names: ['Sensor name', 'Sensor_name'], strong: true },
  { key: 'time', names: ['Alert time', 'Alert_time'], strong: true },
  { key: 'title', names: ['Alert title', 'Alert_title'], strong: true },
  { key: 'message', names: ['Alert message', 'Alert_message'], long: true, strong: true },
  { key: 'severity', names: ['Alert severity', 'Alert_severity'], strong: true },
  { key: 'engine', names: ['Alert type', 'Alert_type', 'Alert engine', 'Alert_engine'], strong: true },
  { key: 'protocol', names: ['Protocol', 'Alert protocol', 'Alert_protocol'] },
  { key: 'source', names: ['Source_MAC', 'Source MAC', 'Source_device', 'Source device'], strong: true },
  { key: 'sourceIp', names: ['Source_IP', 'Source IP'], strong: true },
  { key: 'sourceName', names: ['Source_name', 'Source name'], strong: true },
  {
    key: 'destination',
    names: ['Destination_MAC', 'Destination MAC', 'Destination_device', 'Destination device'],
    strong: true,
  },
  { key: 'destinationIp', names: ['Destination_IP', 'Destination IP'], strong: true },
  { key: 'destinationName', names: ['Destination_name', 'Destination name'], strong: true },
  { key: 'category', names: ['alert_group', 'Alert group'], strong: true },
  { key: 'id', names: ['UUID', 'Alert UUID', 'Alert_UUID', 'Alert ID', 'Alert_ID'], strong: true },
];

const SCANNER = labelScanner(LABELS);
const DETECT_RE = /(?:Alert[ _]title|alert_group)[ \t]*[:=]/i;

/** Same keys for the JSON form: lower-case, spaces as underscores. */
const BY_KEY = new Map<string, string>();
for (const spec of LABELS)
  for (const n of spec.names) BY_KEY.set(n.toLowerCase().replaceAll(' ', '_'), spec.key);

export function isSyslogObject(msg: string): boolean {
  return DETECT_RE.test(msg);
}

/** True when a JSON object carries the object format's distinctive keys. */
export function isSyslogObjectRecord(keys: Map<string, unknown>): boolean {
  return keys.has('alert title') || keys.has('alert_title') || keys.has('alert_group');
}

/** `10.1.0.5, PLC-07, Siemens` → ip, then the first non-address part as the name; vendor/OS are dropped. */
function assignDeviceParts(d: Device, v: string): void {
  for (const part of v.split(',')) {
    const p = part.trim();
    if (!assignAddress(d, p) && d.name === undefined) d.name = text(p);
  }
}

function build(
  pairs: Iterable<{ key: string; value: unknown }>,
  header: SyslogHeader,
  opts?: ParseOptions,
): Draft {
  const source: Device = {};
  const destination: Device = {};
  const f: Record<string, unknown> = Object.create(null);
  for (const { key, value } of pairs) {
    switch (key) {
      case 'source':
      case 'destination':
        if (typeof value === 'string') assignDeviceParts(key === 'source' ? source : destination, value);
        break;
      case 'sourceIp':
        assignAddress(source, value);
        break;
      case 'destinationIp':
        assignAddress(destination, value);
        break;
      case 'sourceName':
        source.name ??= text(value);
        break;
      case 'destinationName':
        destination.name ??= text(value);
        break;
      default:
        if (f[key] === undefined) f[key] = value;
    }
  }
  return labelledDraft(
    f,
    {
      source,
      destination,
      protocol: text(f.protocol),
      header,
      sourceFormat: 'SyslogObject',
      titleLabel: 'field "Alert title"',
    },
    opts,
  );
}

/** Labelled-string form. */
export function parseSyslogObject(msg: string, header: SyslogHeader, opts?: ParseOptions): Draft {
  return build(scanLabels(msg, SCANNER), header, opts);
}

/** JSON form (keys already lower-cased by the caller). */
export function parseSyslogObjectRecord(keys: Map<string, unknown>, opts?: ParseOptions): Draft {
  const pairs: Array<{ key: string; value: unknown }> = [];
  for (const [k, value] of keys) {
    const key = BY_KEY.get(k.replaceAll(' ', '_'));
    if (key !== undefined) pairs.push({ key, value });
  }
  return build(pairs, { message: '' }, opts);
}
