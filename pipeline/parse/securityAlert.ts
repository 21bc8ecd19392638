/**
 * Azure-side alert records (docs/contracts.md#defender-for-iot-securityalert-rows):
 *  - Sentinel `SecurityAlert` rows (ProviderName IoTSecurity / CustomAlertRule), as Log Analytics data export or a
 *    query result writes them: ExtendedProperties, Entities, Techniques, RemediationSteps are JSON *strings*
 *    (objects/arrays are accepted too).
 *  - Defender for Cloud continuous export: flat `AlertDisplayName`/`Severity`/`StartTimeUtc`/... with objects, and
 *    the ARM resource `{ id, type: 'Microsoft.Security/Locations/alerts', properties: { alertDisplayName, ... } }`.
 * All three are read through one view so the mapping lives in one place. This is the hot path: direct property
 * reads, no key maps, JSON.parse only for the nested JSON strings.
 */
import type { Device, EntityAsset } from '../model/alert.js';
import {
  assignAddress,
  type Draft,
  fail,
  inReason,
  ipOf,
  isObject,
  listOf,
  MAX_URI,
  messageText,
  normalizeMac,
  own,
  type ParseOptions,
  present,
  quote,
  resolveTimes,
  stepsOf,
  text,
} from './fields/index.js';
import { toDefenderForCloudStatus, toEngine, toSeverity, toStatus } from './severity.js';

/** The columns every Azure alert shape provides, under their SecurityAlert meaning. */
interface AzureAlertView {
  title: unknown;
  message: unknown;
  engine: unknown;
  severity: unknown;
  status: unknown;
  id: unknown;
  start: unknown;
  end: unknown;
  generated: unknown;
  extendedProperties: unknown;
  entities: unknown;
  tactics: unknown;
  techniques: unknown;
  remediation: unknown;
}

/** A row that is a SecurityAlert table record rather than some other object. */
export function isSecurityAlertRow(r: Record<string, unknown>): boolean {
  return (
    typeof r.AlertName === 'string' ||
    typeof r.AlertSeverity === 'string' ||
    typeof r.VendorOriginalId === 'string' ||
    typeof r.ProviderName === 'string' ||
    r.Type === 'SecurityAlert'
  );
}

/** Defender for Cloud export: flat (PascalCase) or ARM resource (camelCase under `properties`). */
export function isDefenderForCloudRecord(r: Record<string, unknown>): boolean {
  if (typeof r.AlertDisplayName === 'string' || typeof r.StartTimeUtc === 'string') return true;
  const p = r.properties;
  if (!isObject(p)) return false;
  return (
    (typeof r.type === 'string' && r.type.toLowerCase() === 'microsoft.security/locations/alerts') ||
    typeof p.alertDisplayName === 'string'
  );
}

const IOT_PROVIDERS = new Set(['iotsecurity', 'customalertrule']);

function mentionsIoT(v: unknown): boolean {
  return typeof v === 'string' && /\bIoT\b/i.test(v);
}

export function parseSecurityAlert(r: Record<string, unknown>, opts?: ParseOptions): Draft {
  const provider = typeof r.ProviderName === 'string' ? r.ProviderName.trim() : '';
  const accepted =
    provider === ''
      ? mentionsIoT(r.ProductName) || (typeof r.AlertType === 'string' && r.AlertType.startsWith('IoT_'))
      : IOT_PROVIDERS.has(provider.toLowerCase());
  if (!accepted) return fail(`not a Defender for IoT alert (ProviderName=${inReason(provider) || '(none)'})`);
  return fromView(
    {
      title: r.AlertName ?? r.DisplayName,
      message: r.Description,
      engine: r.ProductComponentName,
      severity: r.AlertSeverity,
      status: r.Status,
      id: r.VendorOriginalId,
      start: r.StartTime,
      end: r.EndTime,
      generated: r.TimeGenerated,
      extendedProperties: r.ExtendedProperties,
      entities: r.Entities,
      tactics: r.Tactics,
      techniques: r.Techniques,
      remediation: r.RemediationSteps,
    },
    'SecurityAlert',
    opts,
  );
}

export function parseDefenderForCloud(r: Record<string, unknown>, opts?: ParseOptions): Draft {
  const flat = !isObject(r.properties) || typeof r.AlertDisplayName === 'string';
  const p = flat ? r : (r.properties as Record<string, unknown>);
  const g = (k: string): unknown => dfcField(p, flat, k);
  const ext = g('ExtendedProperties');
  const productName = g('ProductName');
  const alertType = g('AlertType');
  const iot =
    mentionsIoT(productName) ||
    (typeof alertType === 'string' && alertType.startsWith('IoT_')) ||
    (isObject(ext) && own(ext, 'SensorId') !== undefined);
  if (!iot)
    return fail(
      `not a Defender for IoT alert (ProductName=${inReason(text(productName) ?? '') || '(none)'})`,
    );
  return fromView(
    {
      title: g('AlertDisplayName') ?? g('DisplayName'),
      message: g('Description'),
      engine: g('ProductComponentName'),
      severity: g('Severity'),
      // Already an AlertStatus (toStatus, below, keeps it): Defender for Cloud's "Active" is an open alert.
      status: toDefenderForCloudStatus(g('Status')),
      id: g('VendorOriginalId') ?? g('SystemAlertId'),
      start: g('StartTimeUtc'),
      end: g('EndTimeUtc'),
      generated: g('TimeGenerated') ?? g('TimeGeneratedUtc'),
      extendedProperties: ext,
      entities: g('Entities'),
      tactics: g('Intent') ?? g('Tactics'),
      techniques: g('Techniques'),
      remediation: g('RemediationSteps'),
    },
    'DefenderForCloud',
    opts,
  );
}

/** Flat export keys are PascalCase, ARM properties camelCase. */
function dfcField(p: Record<string, unknown>, flat: boolean, pascal: string): unknown {
  return own(p, flat ? pascal : pascal.charAt(0).toLowerCase() + pascal.slice(1));
}

/** A column that holds JSON as a string (SecurityAlert) or already as a value (exports). */
function jsonColumn(v: unknown, name: string): { value: unknown } | { reason: string } {
  if (typeof v !== 'string') return { value: v };
  const s = v.trim();
  if (s === '') return { value: undefined };
  try {
    return { value: JSON.parse(s) };
  } catch (e) {
    return { reason: `${name}: invalid JSON (${(e as Error).message})` };
  }
}

function fromView(
  v: AzureAlertView,
  sourceFormat: 'SecurityAlert' | 'DefenderForCloud',
  opts?: ParseOptions,
): Draft {
  const title = text(v.title, 100_000);
  if (title === undefined) return fail('missing title (AlertName)');
  const severity = toSeverity(v.severity);
  if (severity === undefined) {
    return fail(present(v.severity) ? `severity: unknown value ${quote(v.severity)}` : 'missing severity');
  }

  const extCol = jsonColumn(v.extendedProperties, 'ExtendedProperties');
  if ('reason' in extCol) return fail(extCol.reason);
  if (extCol.value !== undefined && extCol.value !== null && !isObject(extCol.value)) {
    return fail('ExtendedProperties: expected a JSON object');
  }
  const ext = (extCol.value ?? undefined) as Record<string, unknown> | undefined;
  const entCol = jsonColumn(v.entities, 'Entities');
  if ('reason' in entCol) return fail(entCol.reason);
  if (entCol.value !== undefined && entCol.value !== null && !Array.isArray(entCol.value)) {
    return fail('Entities: expected a JSON array');
  }

  const times = resolveTimes([v.start], [v.end, v.generated], opts);
  if ('reason' in times) return fail(times.reason);

  const source: Device = {};
  const destination: Device = {};
  let sensor: string | undefined;
  let protocol: string | undefined;
  let category: string | undefined;
  let uri: string | undefined;
  if (ext !== undefined) {
    assignAddress(source, ext.SourceDeviceAddress);
    assignAddress(destination, ext.DestinationDeviceAddress);
    deviceRef(source, ext.SourceDevice);
    deviceRef(destination, ext.DestinationDevice);
    sensor = text(ext.SensorId);
    protocol = text(ext.Protocol);
    category = text(ext.Category);
    uri = text(ext.AlertManagementUri, MAX_URI);
  }

  const entities = Array.isArray(entCol.value) ? iotDevices(entCol.value) : undefined;
  let site: string | undefined;
  let zone: string | undefined;
  if (entities !== undefined) {
    const srcEntity = matchEntity(entities, source);
    const dstEntity = matchEntity(entities, destination);
    if (srcEntity?.name !== undefined) source.name ??= srcEntity.name;
    if (dstEntity?.name !== undefined) destination.name ??= dstEntity.name;
    const home = srcEntity ?? entities[0]!;
    site = home.site;
    zone = home.zone;
    sensor ??= home.sensor;
  }

  return {
    ok: true,
    alert: {
      id: text(v.id),
      title,
      message: messageText(v.message),
      engine: toEngine(v.engine),
      category,
      severity,
      status: toStatus(v.status),
      protocol,
      source,
      destination,
      sensor,
      site,
      zone,
      firstSeen: times.firstSeen,
      lastSeen: times.lastSeen,
      alertManagementUri: uri,
      remediation: stepsOf(v.remediation),
      vendorTactics: listOf(v.tactics),
      vendorTechniques: listOf(v.techniques),
      entities,
      sourceFormat,
    },
  };
}

/** ExtendedProperties SourceDevice/DestinationDevice: an address, a numeric device id, or a name. */
function deviceRef(d: Device, v: unknown): void {
  const s = text(v);
  if (s === undefined || assignAddress(d, s)) return;
  if (/^\d+$/.test(s)) d.deviceId ??= s;
  else d.name ??= s;
}

function matchEntity(entities: readonly EntityAsset[], d: Device): EntityAsset | undefined {
  if (d.ip === undefined && d.mac === undefined) return undefined;
  for (const e of entities) {
    if ((d.ip !== undefined && e.ip === d.ip) || (d.mac !== undefined && e.mac === d.mac)) return e;
  }
  return undefined;
}

/** Entity property in Sentinel PascalCase or ARM camelCase (fixed names, so plain reads are safe). */
function ep(e: Record<string, unknown>, pascal: string, camel: string): unknown {
  const v = e[pascal];
  return v !== undefined ? v : e[camel];
}

/**
 * IoTDevice entities → EntityAsset. Entities JSON uses `$id`/`$ref` to share objects, so an IpAddress may be a
 * `{"$ref":"5"}` pointing at an ip entity or at an IpAddress defined inside an earlier device.
 */
function iotDevices(list: readonly unknown[]): EntityAsset[] | undefined {
  let out: EntityAsset[] | undefined;
  let refs: Map<string, unknown> | undefined;
  for (const e of list) {
    if (!isObject(e)) continue;
    const type = ep(e, 'Type', 'type');
    if (typeof type !== 'string' || type.toLowerCase() !== 'iotdevice') continue;
    const a: EntityAsset = {};
    const ip = ipFromEntity(resolveRef(ep(e, 'IpAddress', 'ipAddress'), () => (refs ??= refIndex(list))));
    if (ip !== undefined) a.ip = ip;
    const macRaw = text(ep(e, 'MacAddress', 'macAddress'));
    if (macRaw !== undefined) a.mac = normalizeMac(macRaw) ?? macRaw;
    // IoTDevice text properties; a later one for the same field is a fallback. Unrolled: this runs for every
    // device of every record, and a loop over names reads megamorphically.
    // Key order does not matter here: validation rebuilds each asset in the schema's order.
    let s = text(ep(e, 'DeviceName', 'deviceName')) ?? text(ep(e, 'HostName', 'hostName'));
    if (s !== undefined) a.name = s;
    s = text(ep(e, 'DeviceType', 'deviceType'));
    if (s !== undefined) a.type = s;
    s = text(ep(e, 'Vendor', 'vendor'));
    if (s !== undefined) a.vendor = s;
    s = text(ep(e, 'Model', 'model'));
    if (s !== undefined) a.model = s;
    s = text(ep(e, 'FirmwareVersion', 'firmwareVersion'));
    if (s !== undefined) a.firmware = s;
    s = text(ep(e, 'Site', 'site'));
    if (s !== undefined) a.site = s;
    s = text(ep(e, 'Zone', 'zone'));
    if (s !== undefined) a.zone = s;
    s = text(ep(e, 'Sensor', 'sensor'));
    if (s !== undefined) a.sensor = s;
    s = text(ep(e, 'Importance', 'importance'));
    if (s !== undefined) a.importance = s;
    s = text(ep(e, 'PurdueLayer', 'purdueLayer')) ?? text(ep(e, 'PurdueLevel', 'purdueLevel'));
    if (s !== undefined) a.purdueLevel = s;
    const owners = listOf(ep(e, 'Owners', 'owners'));
    if (owners !== undefined) a.owners = owners;
    out ??= [];
    out.push(a);
  }
  return out;
}

function ipFromEntity(v: unknown): string | undefined {
  if (typeof v === 'string') return ipOf(v.trim());
  if (!isObject(v)) return undefined;
  const addr = ep(v, 'Address', 'address');
  return typeof addr === 'string' ? ipOf(addr.trim()) : undefined;
}

/**
 * `$id` → object among the entities and their direct children, the first one in document order winning. Built
 * once per record: looking each `$ref` up by scanning the list made a 1 MiB record of 16,000 `$ref`s take 40 s.
 */
function refIndex(list: readonly unknown[]): Map<string, unknown> {
  const index = new Map<string, unknown>();
  const add = (o: Record<string, unknown>) => {
    const id = own(o, '$id');
    if (typeof id === 'string' && !index.has(id)) index.set(id, o);
  };
  for (const e of list) {
    if (!isObject(e)) continue;
    add(e);
    for (const k of Object.keys(e)) {
      const c = e[k];
      if (isObject(c)) add(c);
    }
  }
  return index;
}

/** Follow a `$ref` to the object with that `$id` among the entities or their direct children. */
function resolveRef(v: unknown, refs: () => ReadonlyMap<string, unknown>): unknown {
  if (!isObject(v)) return v;
  const ref = own(v, '$ref');
  if (typeof ref !== 'string') return v;
  return refs().get(ref);
}
