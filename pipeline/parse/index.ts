/**
 * One raw record (object or string) → one canonical OtAlert, with the format detected per record.
 * Objects: SecurityAlert row, Defender for Cloud export (flat or ARM), sensor API / webhook, syslog-object JSON.
 * Strings: optional syslog header, then CEF, LEEF, syslog text, syslog object; a string holding JSON is parsed as an
 * object. Every result is validated against `otAlertSchema`; nothing here throws.
 */
import type { z } from 'zod';
import { type OtAlert, type OtAlertInput, otAlertSchema } from '../model/alert.js';
import { parseCef } from './cef.js';
import { type Draft, fail, isObject, lowerKeys, type ParseOptions, quote } from './fields/index.js';
import { parseLeef } from './leef.js';
import { checkShape, MAX_JSON_DEPTH, MAX_RECORD_BYTES } from './records.js';
import {
  isDefenderForCloudRecord,
  isSecurityAlertRow,
  parseDefenderForCloud,
  parseSecurityAlert,
} from './securityAlert.js';
import { isSensorApiRecord, parseSensorApi } from './sensorApi.js';
import { stripSyslogHeader } from './syslogHeader.js';
import {
  isSyslogObject,
  isSyslogObjectRecord,
  parseSyslogObject,
  parseSyslogObjectRecord,
} from './syslogObject.js';
import { isSyslogText, parseSyslogText } from './syslogText.js';
import { fastValidate } from './validate.js';

export type { ParseOptions } from './fields/index.js';
export {
  isSplitError,
  MAX_JSON_DEPTH,
  MAX_RECORD_BYTES,
  type RawRecord,
  type RawRecordError,
  type SplitOptions,
  type SplitPiece,
  splitEvent,
  splitText,
} from './records.js';

export type ParseResult = { ok: true; alert: OtAlert } | { ok: false; reason: string };

/** Parse one raw record. Never throws: any failure, expected or not, comes back as `{ ok: false, reason }`. */
export function parseRecord(value: unknown, opts?: ParseOptions): ParseResult {
  try {
    const draft = detect(value, opts);
    return draft.ok ? validate(draft.alert) : draft;
  } catch (e) {
    return { ok: false, reason: `parser error: ${e instanceof Error ? e.message : String(e)}` };
  }
}

/** The candidate a parser builds before validation (for tests that compare validation paths). */
export function draftOf(value: unknown, opts?: ParseOptions): Draft {
  try {
    return detect(value, opts);
  } catch (e) {
    return { ok: false, reason: `parser error: ${e instanceof Error ? e.message : String(e)}` };
  }
}

function detect(value: unknown, opts: ParseOptions | undefined): Draft {
  if (typeof value === 'string') return parseString(value, opts);
  if (isObject(value)) return parseObject(value, opts);
  if (Array.isArray(value)) return fail('a JSON array is not one record (split the event first)');
  return fail(`unrecognised format: ${value === null ? 'null' : typeof value} value`);
}

function parseObject(o: Record<string, unknown>, opts: ParseOptions | undefined): Draft {
  // Most frequent shape first: the connector's SecurityAlert rows.
  if (isSecurityAlertRow(o)) return parseSecurityAlert(o, opts);
  if (isDefenderForCloudRecord(o)) return parseDefenderForCloud(o, opts);
  const keys = lowerKeys(o);
  if (isSensorApiRecord(keys)) return parseSensorApi(keys, opts);
  if (isSyslogObjectRecord(keys)) return parseSyslogObjectRecord(keys, opts);
  if (Array.isArray(keys.get('records'))) {
    return fail('an export envelope is not one record (split the event first)');
  }
  return fail(`unrecognised format: ${snippet(JSON.stringify(o) ?? '')}`);
}

function parseString(s: string, opts: ParseOptions | undefined): Draft {
  if (s.length > MAX_RECORD_BYTES) return fail(`record too large (over ${MAX_RECORD_BYTES} bytes)`);
  const trimmed = s.trim();
  if (trimmed === '') return fail('empty record');
  if (trimmed.charCodeAt(0) === 123 /* { */) return parseJsonText(trimmed, opts);
  const header = stripSyslogHeader(trimmed, opts?.now);
  const msg = header.message;
  if (msg.charCodeAt(0) === 123) return parseJsonText(msg.trim(), opts);
  let at = markerAt(msg, 'CEF:');
  if (at >= 0) return parseCef(msg, at, header, opts);
  at = markerAt(msg, 'LEEF:');
  if (at >= 0) return parseLeef(msg, at, header, opts);
  if (isSyslogText(msg)) return parseSyslogText(msg, header, opts);
  if (isSyslogObject(msg)) return parseSyslogObject(msg, header, opts);
  if (CSV_LINE.test(trimmed)) return fail(CSV_REASON);
  return fail(`unrecognised format: ${snippet(trimmed)}`);
}

/** A line of quoted CSV fields, as the Log Analytics portal exports query results ("Export → CSV"). */
const CSV_LINE = /^"(?:[^"]|"")*",(?:"(?:[^"]|"")*"|[^",]*),/;
const CSV_REASON =
  'a CSV line (a Log Analytics portal export?): CSV is not read, its times are in the browser locale; ' +
  'export the rows as JSON (az monitor log-analytics query … --output json) or replay the data export';

/**
 * `CEF:`/`LEEF:` at the start of the message or after a short prefix (LEEF: the sensor name; CEF: a host or tag
 * the header parser left), followed by a version digit.
 */
function markerAt(msg: string, marker: string): number {
  let i: number;
  if (msg.startsWith(marker)) i = 0;
  else {
    i = msg.indexOf(marker);
    if (i < 0 || i > 512) return -1;
    const before = msg.charCodeAt(i - 1);
    if (before !== 32 && before !== 9) return -1;
  }
  const d = msg.charCodeAt(i + marker.length);
  return d >= 48 && d <= 57 ? i : d === 32 && marker === 'LEEF:' ? i : -1;
}

function parseJsonText(s: string, opts: ParseOptions | undefined): Draft {
  let v: unknown;
  try {
    v = JSON.parse(s);
  } catch (e) {
    return fail(`invalid JSON: ${(e as Error).message}`);
  }
  if (!isObject(v)) return fail('a JSON array is not one record (split the event first)');
  const problem = checkShape(v, MAX_JSON_DEPTH, MAX_RECORD_BYTES);
  return problem === undefined ? parseObject(v, opts) : fail(problem);
}

function snippet(s: string): string {
  return s
    .slice(0, 40)
    .replace(/[\u0000-\u001f\u007f]/g, ' ')
    .trimEnd();
}

function validate(candidate: OtAlertInput): ParseResult {
  // The common, well-formed shape is checked by hand; anything else (and every failure) is zod's to decide.
  const fast = fastValidate(candidate);
  if (fast !== undefined) return { ok: true, alert: fast };
  const r = otAlertSchema.safeParse(candidate);
  if (r.success) return { ok: true, alert: r.data };
  const reasons: string[] = [];
  for (const issue of r.error.issues) {
    if (reasons.length === 3) break;
    reasons.push(describe(issue, candidate));
  }
  return { ok: false, reason: reasons.join('; ') };
}

type Issue = z.core.$ZodIssue;

/** zod issue → `missing title`, `firstSeen: invalid time "…"`, `title: too long (600 > 512)`. */
function describe(issue: Issue, candidate: OtAlertInput): string {
  const path = issue.path.map(String).join('.') || '(record)';
  let v: unknown = candidate;
  for (const k of issue.path)
    v = isObject(v) || Array.isArray(v) ? (v as Record<PropertyKey, unknown>)[k] : undefined;
  switch (issue.code) {
    case 'invalid_type':
      return v === undefined ? `missing ${path}` : `${path}: expected ${issue.expected}, got ${typeof v}`;
    case 'too_small':
      return typeof v === 'string' ? `missing ${path} (empty)` : `${path}: ${issue.message}`;
    case 'too_big':
      return typeof v === 'string'
        ? `${path}: too long (${v.length} > ${String(issue.maximum)})`
        : `${path}: ${issue.message}`;
    case 'invalid_format':
      return issue.format === 'datetime'
        ? `${path}: invalid time ${quote(v)}`
        : `${path}: invalid ${quote(v)}`;
    case 'invalid_value':
      return `${path}: invalid value ${quote(v)}`;
    default:
      return `${path}: ${issue.message}`;
  }
}
