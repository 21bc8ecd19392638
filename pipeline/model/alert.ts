import { z } from 'zod';

/** Defender for IoT detection engines, as Azure names them (sensor names are mapped onto these). */
export const ENGINES = [
  'Policy violation',
  'Protocol violation',
  'Malware',
  'Anomaly',
  'Operational',
] as const;
export type Engine = (typeof ENGINES)[number];

/** Sentinel / Azure severities. Sensor Critical→High, Major→Medium, Minor→Low, Warning→Low. */
export const SEVERITIES = ['High', 'Medium', 'Low', 'Informational'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Alert status as Defender for IoT reports it in Azure (sensor "handled"/"Acknowledged" → Closed). */
export const STATUSES = ['New', 'Active', 'Closed'] as const;
export type AlertStatus = (typeof STATUSES)[number];

/** The times an alert can give without an offset (its `wallClock` list). */
export const WALL_CLOCK_FIELDS = ['firstSeen', 'lastSeen'] as const;
export type WallClockField = (typeof WALL_CLOCK_FIELDS)[number];

export const SOURCE_FORMATS = [
  'SecurityAlert',
  'DefenderForCloud',
  'SensorApi',
  'Webhook',
  'CEF',
  'LEEF',
  'SyslogText',
  'SyslogObject',
] as const;
export type SourceFormat = (typeof SOURCE_FORMATS)[number];

const optionalText = z.string().trim().min(1).max(1024).optional();

export const deviceSchema = z.object({
  ip: optionalText,
  mac: optionalText,
  name: optionalText,
  /** Sensor-side device id (numeric in the sensor API, DeviceId in the IoTDevice entity). */
  deviceId: optionalText,
});
export type Device = z.infer<typeof deviceSchema>;

/** An asset as a SecurityAlert IoTDevice entity describes it; the enrichment stage uses these as a fallback inventory. */
export const entityAssetSchema = z.object({
  ip: optionalText,
  mac: optionalText,
  name: optionalText,
  type: optionalText,
  vendor: optionalText,
  model: optionalText,
  firmware: optionalText,
  site: optionalText,
  zone: optionalText,
  sensor: optionalText,
  owners: z.array(z.string()).optional(),
  importance: optionalText,
  purdueLevel: optionalText,
});
export type EntityAsset = z.infer<typeof entityAssetSchema>;

const isoTime = z.iso.datetime({ offset: true });

/** Every input format is parsed to this one shape; everything downstream reads only this. */
export const otAlertSchema = z.object({
  /** Vendor alert id (Defender for IoT alert id / UUID / sensor numeric id). Absent in some syslog forms. */
  id: optionalText,
  title: z.string().trim().min(1).max(512),
  message: z.string().max(65536).default(''),
  engine: z.enum(ENGINES).optional(),
  category: optionalText,
  severity: z.enum(SEVERITIES),
  status: z.enum(STATUSES),
  protocol: optionalText,
  source: deviceSchema,
  destination: deviceSchema,
  sensor: optionalText,
  site: optionalText,
  zone: optionalText,
  /** First and last detection, ISO 8601 UTC. */
  firstSeen: isoTime,
  lastSeen: isoTime,
  alertManagementUri: z.string().max(2048).optional(),
  remediation: z.array(z.string()).optional(),
  /** Tactics/techniques the sensor itself stated (SecurityAlert rows carry them); the catalog fills the rest. */
  vendorTactics: z.array(z.string()).optional(),
  vendorTechniques: z.array(z.string()).optional(),
  entities: z.array(entityAssetSchema).optional(),
  sourceFormat: z.enum(SOURCE_FORMATS),
  /**
   * Times the record gave without an offset or zone, read as UTC (syslog CEF/LEEF `start`, object `Alert time`:
   * the forwarding rule's zone, docs/formats.md). The enricher reads them in the sensor's `timeZone` when one is
   * configured; what is still listed after enrichment stayed UTC for want of one.
   */
  wallClock: z.array(z.enum(WALL_CLOCK_FIELDS)).optional(),
  /**
   * With `wallClock`: the syslog header's time (UTC), when the sensor sent the record. How far the zone-less
   * detection time is from it tells the forwarding rule's zone (pipeline/enrich/wallClockSensors.ts).
   */
  sentAt: isoTime.optional(),
});
export type OtAlert = z.infer<typeof otAlertSchema>;
export type OtAlertInput = z.input<typeof otAlertSchema>;

/** Where a raw record came from: enough to find it again and to make processing idempotent. */
export interface RecordOrigin {
  /** Event Hubs partition id, or `file:<sha256>` for a replayed file. */
  partition: string;
  /** Event Hubs sequence number, or the record's ordinal in the file. */
  sequence: number;
  /** Index of the record inside the event (an export envelope holds many). */
  index: number;
  enqueuedTime?: string;
  /** Human locator: `partition 3 seq 1201`, `plant.ndjson:17`. */
  locator: string;
}
