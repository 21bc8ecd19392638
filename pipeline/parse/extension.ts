/**
 * Key=value extensions as the sensor writes them in CEF and LEEF: the same keys in both (msg, protocol, severity,
 * type, UUID, start, src_ip, src_mac, dst_ip, dst_mac, cat; docs/contracts.md#sensor-forwarding-formats), so one
 * reader maps them to an alert. The formats differ only in their headers and a few key spellings, which the caller
 * passes in.
 */
import type { Device, Severity } from '../model/alert.js';
import {
  assignAddress,
  type Draft,
  fail,
  messageText,
  type ParseOptions,
  quote,
  resolveTimes,
  text,
} from './fields/index.js';
import { toEngine, toSeverity } from './severity.js';

/**
 * Stores `key` unless the value to keep is another occurrence. A well-formed record names each key once; a repeat
 * means text inside a value was read as fields, because the sender did not escape `=` (CEF requires `\=`) or
 * cannot escape its delimiter (LEEF). That text sits in the free-text message (`msg`), which the sensor writes
 * first. So a key that appeared before the message keeps its first value (`pinned`), a key after it its last:
 * the copy injected into the message lies between the two and wins neither way. Without a message, the first
 * value wins.
 */
export function setField(out: Map<string, string>, pinned: Set<string>, key: string, value: string): void {
  const afterMessage = out.has('msg') || out.has('message');
  if (afterMessage ? pinned.has(key) : out.has(key)) return;
  out.set(key, value);
  if (!afterMessage) pinned.add(key);
}

/** First present extension value among `keys`. */
export function pick(ext: Map<string, string>, ...keys: string[]): string | undefined {
  for (const k of keys) {
    const v = ext.get(k);
    if (v !== undefined && v !== '') return v;
  }
  return undefined;
}

/** `[cs1label, cs1]` … `[flexstring6label, flexstring6]`, built once (this runs for every CEF/LEEF record). */
const CUSTOM_LABELS: readonly (readonly [string, string])[] = ['cs', 'cn', 'flexstring'].flatMap((prefix) =>
  [1, 2, 3, 4, 5, 6].map((i) => [`${prefix}${i}label`, `${prefix}${i}`] as const),
);

/** `cs1Label=Site cs1=Plant A` → also readable as `site`, when the extension did not already have that key. */
export function applyCustomLabels(ext: Map<string, string>): void {
  for (const [labelKey, valueKey] of CUSTOM_LABELS) {
    const label = ext.get(labelKey);
    if (label === undefined) continue;
    const value = ext.get(valueKey);
    if (value === undefined) continue;
    const k = label.toLowerCase();
    if (!ext.has(k)) ext.set(k, value);
  }
}

/** The vendor field of a Defender for IoT record (CyberX, the older names, or Microsoft). */
export function isD4IoTVendor(vendor: string): boolean {
  const v = vendor.toLowerCase();
  return v.includes('cyberx') || v.includes('defender') || v.includes('microsoft');
}

/** Source/destination from the sensor's own keys, then standard CEF names. */
export function deviceFrom(ext: Map<string, string>, side: 'src' | 'dst'): Device {
  const d: Device = {};
  const long = side === 'src' ? 'source' : 'destination';
  assignAddress(d, pick(ext, `${side}_ip`, side, `${long}address`));
  assignAddress(
    d,
    pick(ext, `${side}_mac`, `${side}mac`, side === 'src' ? 'smac' : 'dmac', `${long}macaddress`),
  );
  // Sensors put the IP in the name field when a device has no name; that is not a name.
  const name = pick(
    ext,
    `${side}_name`,
    `${side}name`,
    side === 'src' ? 'shost' : 'dhost',
    `${long}hostname`,
  );
  if (!assignAddress(d, name)) {
    const n = text(name);
    if (n !== undefined) d.name = n;
  }
  return d;
}

/** What CEF and LEEF name or place differently; everything else is read from the shared keys. */
export interface ExtensionSpecifics {
  id: string | undefined;
  title: string;
  /** The header's (CEF) or the `sev` attribute's (LEEF) severity, used when the `severity` key is absent. */
  severityFallback: string | undefined;
  /** Candidates for first detection, best first (the format's time keys). */
  startCandidates: (string | undefined)[];
  /** The syslog header's time (UTC), when the record has no time of its own. */
  headerTime: string | undefined;
  protocol: string | undefined;
  sensor: string | undefined;
  sourceFormat: 'CEF' | 'LEEF';
}

/** The alert of a CEF or LEEF record: severity and times resolved, devices and the shared keys read. */
export function extensionAlert(
  ext: Map<string, string>,
  own: ExtensionSpecifics,
  opts?: ParseOptions,
): Draft {
  const sevText = ext.get('severity');
  const severity: Severity | undefined = toSeverity(sevText) ?? toSeverity(own.severityFallback);
  if (severity === undefined)
    return fail(`severity: unknown value ${quote(sevText ?? own.severityFallback ?? '')}`);
  const times = resolveTimes(own.startCandidates, [pick(ext, 'end', 'endtime')], opts, {
    headerTime: own.headerTime,
    sentAt: true,
  });
  if ('reason' in times) return fail(times.reason);
  return {
    ok: true,
    alert: {
      id: own.id,
      title: own.title,
      message: messageText(pick(ext, 'msg', 'message')),
      engine: toEngine(pick(ext, 'type', 'engine')),
      category: text(pick(ext, 'cat', 'category')),
      severity,
      status: 'New',
      protocol: own.protocol,
      source: deviceFrom(ext, 'src'),
      destination: deviceFrom(ext, 'dst'),
      sensor: own.sensor,
      site: text(ext.get('site')),
      zone: text(ext.get('zone')),
      firstSeen: times.firstSeen,
      lastSeen: times.lastSeen,
      sourceFormat: own.sourceFormat,
      ...(times.wallClock ? { wallClock: times.wallClock } : {}),
      ...(times.sentAt ? { sentAt: times.sentAt } : {}),
    },
  };
}
