/**
 * CEF as the Defender for IoT sensor forwards it (docs/contracts.md#sensor-forwarding-formats):
 * `CEF:0|Microsoft Defender for IoT/CyberX|<sensor>|<version>|Microsoft Defender for IoT Alert|<title>|<10|8|4|1>|ext`
 * with extension keys msg, protocol, severity, type, UUID, start, src_ip, src_mac, dst_ip, dst_mac, cat.
 * Standard CEF names (src, dst, smac, dmac, rt, end, shost, dhost, csN/csNLabel) are read as fallbacks.
 */
import type { Device } from '../model/alert.js';
import {
  assignAddress,
  type Draft,
  fail,
  inReason,
  messageText,
  type ParseOptions,
  quote,
  resolveTimes,
  text,
} from './fields/index.js';
import { toEngine, toSeverity } from './severity.js';
import type { SyslogHeader } from './syslogHeader.js';

/** Header fields after `CEF:`: Version, Vendor, Product, DeviceVersion, SignatureID, Name, Severity. */
const HEADER_FIELDS = 7;

/**
 * Split the header on unescaped `|` (escapes `\|`, `\\`). Returns the fields and where the extension starts,
 * or the number of fields found when the header is truncated.
 */
export function splitCefHeader(
  s: string,
  from: number,
  count: number,
): { fields: string[]; rest: number } | number {
  const fields: string[] = [];
  let segStart = from;
  let escaped = false;
  for (let i = from; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 92 /* \ */) {
      escaped = true;
      i++;
    } else if (c === 124 /* | */) {
      const seg = s.slice(segStart, i);
      fields.push(escaped ? seg.replace(/\\([\\|])/g, '$1') : seg);
      segStart = i + 1;
      escaped = false;
      if (fields.length === count) return { fields, rest: segStart };
    }
  }
  return fields.length;
}

const KEY_RE = /^[A-Za-z0-9_.[\]-]{1,64}$/;

/**
 * Extension `key=value key2=value with spaces`: a key is the token before an unescaped `=` that follows a space.
 * An `=` without a valid key before it stays part of the value (tolerates `msg=a=b`). One pass, no regex over the
 * whole string. Keys are lower-cased; values are unescaped (`\=`, `\\`, `\n`, `\r`, `\|`) and trimmed.
 * A repeated key is resolved by `setField`.
 */
export function parseExtension(s: string): Map<string, string> {
  const out = new Map<string, string>();
  const pinned = new Set<string>();
  const n = s.length;
  let key: string | undefined;
  let valueStart = 0;
  let lastSpace = -1;
  let escaped = false;
  let i = 0;
  while (i < n && s.charCodeAt(i) === 32) i++;
  const tokenStart = i;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === 92 /* \ */) {
      escaped = true;
      // `\\` and `\=` hide the next character; a stray backslash must not hide the space before a key.
      const next = s.charCodeAt(i + 1);
      if (next !== 32 && next !== 9) i++;
      continue;
    }
    if (c === 32 || c === 9) {
      lastSpace = i;
      continue;
    }
    if (c !== 61 /* = */) continue;
    if (key === undefined) {
      // Leading junk before the first key is skipped: the key is the last token before this `=`.
      const k = s.slice(lastSpace >= tokenStart ? lastSpace + 1 : tokenStart, i);
      if (!KEY_RE.test(k)) continue;
      key = k;
      valueStart = i + 1;
      lastSpace = -1;
      escaped = false;
      continue;
    }
    if (lastSpace < valueStart) continue; // `=` inside a value token
    const k = s.slice(lastSpace + 1, i);
    if (!KEY_RE.test(k)) continue;
    setValue(out, pinned, key, s.slice(valueStart, lastSpace), escaped);
    key = k;
    valueStart = i + 1;
    lastSpace = -1;
    escaped = false;
  }
  if (key !== undefined) setValue(out, pinned, key, s.slice(valueStart), escaped);
  return out;
}

function setValue(
  out: Map<string, string>,
  pinned: Set<string>,
  key: string,
  raw: string,
  escaped: boolean,
): void {
  setField(out, pinned, key.toLowerCase(), (escaped ? unescapeValue(raw) : raw).trim());
}

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

function unescapeValue(v: string): string {
  return v.replace(/\\([\\=|nrt])/g, (_m, c: string) =>
    c === 'n' ? '\n' : c === 'r' ? '\r' : c === 't' ? '\t' : c,
  );
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

function isD4IoTVendor(vendor: string): boolean {
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

/** Parse the CEF message starting at `at` (index of `CEF:` inside the syslog message). */
export function parseCef(msg: string, at: number, header: SyslogHeader, opts?: ParseOptions): Draft {
  const split = splitCefHeader(msg, at + 4, HEADER_FIELDS);
  if (typeof split === 'number') {
    return fail(`truncated CEF header: expected ${HEADER_FIELDS} "|"-separated fields, found ${split}`);
  }
  const [version, vendor, product, , , name, headerSeverity] = split.fields as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  if (version.trim() !== '0' && version.trim() !== '1')
    return fail(`unsupported CEF version ${quote(version)}`);
  if (!isD4IoTVendor(vendor)) return fail(`not a Defender for IoT alert (CEF vendor=${inReason(vendor)})`);
  const ext = parseExtension(msg.slice(split.rest));
  applyCustomLabels(ext);

  const title = text(name, 100_000) ?? text(ext.get('title'), 100_000);
  if (title === undefined) return fail('missing title (CEF header Name is empty)');
  const sevText = ext.get('severity');
  const severity = toSeverity(sevText) ?? toSeverity(headerSeverity);
  if (severity === undefined) return fail(`severity: unknown value ${quote(sevText ?? headerSeverity)}`);

  const times = resolveTimes(
    [pick(ext, 'start', 'starttime'), pick(ext, 'rt', 'receipttime', 'devicereceipttime'), header.timestamp],
    [pick(ext, 'end', 'endtime')],
    opts,
  );
  if ('reason' in times) return fail(times.reason);

  return {
    ok: true,
    alert: {
      id: text(pick(ext, 'uuid', 'externalid')),
      title,
      message: messageText(pick(ext, 'msg', 'message')),
      engine: toEngine(pick(ext, 'type', 'engine')),
      category: text(pick(ext, 'cat', 'category')),
      severity,
      status: 'New',
      protocol: text(pick(ext, 'protocol', 'app', 'proto')),
      source: deviceFrom(ext, 'src'),
      destination: deviceFrom(ext, 'dst'),
      sensor: text(product) ?? text(ext.get('dvchost')) ?? header.hostname,
      site: text(ext.get('site')),
      zone: text(ext.get('zone')),
      firstSeen: times.firstSeen,
      lastSeen: times.lastSeen,
      sourceFormat: 'CEF',
    },
  };
}
