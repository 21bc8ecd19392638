/**
 * Small helpers shared by the format parsers: text cleanup, IP/MAC detection, time parsing, label scanning.
 * Everything here is pure and allocation-light because it runs once per field of every record.
 */
import type { Device, OtAlertInput } from '../model/alert.js';
import { canonicalIp } from '../util/ip.js';
import { memoize } from '../util/memoize.js';
import { toEngine, toSeverity } from './severity.js';

/** What a format parser hands to `parseRecord`, before the schema has validated it. */
export type Draft = { ok: true; alert: OtAlertInput } | { ok: false; reason: string };

/** Options every parser may need; all optional so tests and callers stay simple. */
export interface ParseOptions {
  /** Reference clock (epoch ms) used only to infer the year of year-less syslog dates. Default: Date.now(). */
  now?: number;
  /**
   * When the record itself carries no time at all (syslog text without header), use this instead
   * (e.g. the Event Hubs enqueued time). Never used to replace a time that is present but invalid.
   */
  receivedAt?: string;
}

export const fail = (reason: string): { ok: false; reason: string } => ({ ok: false, reason });

/** Limits of the canonical model; values above them are clipped rather than losing the alert. */
export const MAX_TEXT = 1024;
export const MAX_MESSAGE = 65536;
export const MAX_URI = 2048;

/** Values vendors use for "nothing here". */
function isNil(s: string): boolean {
  if (s.length > 4) return false;
  const l = s.toLowerCase();
  return l === '' || l === 'n/a' || l === 'na' || l === '-' || l === 'null' || l === 'none';
}

/** Trimmed non-empty text (numbers are stringified), clipped to `max`; otherwise undefined. */
export function text(v: unknown, max = MAX_TEXT): string | undefined {
  let s: string;
  if (typeof v === 'string') s = v.trim();
  else if (typeof v === 'number' && Number.isFinite(v)) s = String(v);
  else return undefined;
  if (isNil(s)) return undefined;
  return s.length > max ? s.slice(0, max).trimEnd() : s;
}

/** Message text: keeps inner whitespace, clips to the model's limit, '' when absent. */
export function messageText(v: unknown): string {
  if (typeof v !== 'string') return '';
  const s = v.trim();
  return s.length > MAX_MESSAGE ? s.slice(0, MAX_MESSAGE) : s;
}

/** A record's own text inside a failure reason: one line, at most `max` characters (the record is 1 MiB). */
export function inReason(v: string, max = 100): string {
  const s = v.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ').trim();
  return s.length > max ? `${s.slice(0, max - 3)}...` : s;
}

/** Quote a raw value for a failure reason, short enough to stay readable. */
export function quote(v: unknown): string {
  let s = typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v));
  if (s.length > 60) s = `${s.slice(0, 57)}...`;
  return JSON.stringify(s);
}

// ---------------------------------------------------------------------------------------------------------------
// Addresses

const MAC_DOTTED = /^[0-9a-f]{4}\.[0-9a-f]{4}\.[0-9a-f]{4}$/i;
const MAC_BARE = /^[0-9a-f]{12}$/i;

/** 0 = not hex, 1 = lower-case hex digit, 2 = upper-case A–F. */
function hexKind(c: number): number {
  if ((c >= 48 && c <= 57) || (c >= 97 && c <= 102)) return 1;
  return c >= 65 && c <= 70 ? 2 : 0;
}

/** Canonical MAC form `aa:bb:cc:dd:ee:ff`, or undefined when `s` is not a MAC address. */
export function normalizeMac(s: string): string | undefined {
  const len = s.length;
  if (len === 17) {
    // Hand-rolled: this runs for every device address of every record.
    const sep = s.charCodeAt(2);
    if (sep !== 58 && sep !== 45) return undefined;
    let upper = false;
    for (let i = 0; i < 17; i++) {
      const c = s.charCodeAt(i);
      if (i % 3 === 2) {
        if (c !== sep) return undefined;
      } else {
        const k = hexKind(c);
        if (k === 0) return undefined;
        if (k === 2) upper = true;
      }
    }
    if (sep === 58 && !upper) return s;
    return canonicalMac(s);
  }
  if (len === 14 && MAC_DOTTED.test(s)) return pairs(s.replaceAll('.', ''));
  if (len === 12 && MAC_BARE.test(s)) return pairs(s);
  return undefined;
}

/**
 * `00-1B-2C-3D-4E-5F` → `00:1b:2c:3d:4e:5f` for a string already checked to be a 17-char MAC. Memoised: a plant
 * has a bounded set of devices, their MACs recur on every record, and rebuilding them costs ~1 µs each.
 */
const canonicalMac = memoize((s) => {
  const l = s.toLowerCase();
  return `${l.slice(0, 2)}:${l.slice(3, 5)}:${l.slice(6, 8)}:${l.slice(9, 11)}:${l.slice(12, 14)}:${l.slice(15, 17)}`;
});

function pairs(hex: string): string {
  const h = hex.toLowerCase();
  return `${h.slice(0, 2)}:${h.slice(2, 4)}:${h.slice(4, 6)}:${h.slice(6, 8)}:${h.slice(8, 10)}:${h.slice(10, 12)}`;
}

/** IPv4/IPv6 literal in its canonical form (one text per address, see canonicalIp), or undefined. */
export function ipOf(s: string): string | undefined {
  // Neither a dot nor a colon: no IP literal (saves node's IPv6 regex on names and numeric device ids).
  if (s.indexOf('.') < 0 && s.indexOf(':') < 0) return undefined;
  return canonicalIp(s);
}

/**
 * Put an "address" (IP or MAC, the API does not say which) into the right slot of `d`.
 * Returns false when the value is neither, so callers can treat it as a name.
 */
export function assignAddress(d: Device, v: unknown): boolean {
  const s = text(v);
  if (s === undefined) return false;
  // MAC shape first: it is a cheap character check, while isIP on a MAC runs the IPv6 regex.
  const mac = normalizeMac(s);
  if (mac !== undefined) {
    d.mac ??= mac;
    return true;
  }
  const ip = ipOf(s);
  if (ip !== undefined) {
    d.ip ??= ip;
    return true;
  }
  return false;
}

/** A field documented as "IP or name" (syslog text `Source`): address when it is one, otherwise the name. */
export function assignAddressOrName(d: Device, v: unknown): void {
  if (!assignAddress(d, v)) {
    const s = text(v);
    if (s !== undefined) d.name ??= s;
  }
}

/** Numeric sensor device id; 0 means "no device" in the management console API. */
export function deviceIdOf(v: unknown): string | undefined {
  if (typeof v === 'number') return Number.isFinite(v) && v > 0 ? String(v) : undefined;
  const s = text(v);
  return s === undefined || s === '0' ? undefined : s;
}

// ---------------------------------------------------------------------------------------------------------------
// Time

/** Accept detection times from 1990 to 2200; outside that a clock or unit is wrong. */
const MIN_MS = Date.UTC(1990, 0, 1);
const MAX_MS = Date.UTC(2200, 0, 1);

const MONTH_NAMES = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];
const WEEKDAY_NAMES = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];

const ISO_RE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)? ?(Z|z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?$/;
const CLOCK_RE = /^(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?$/;
const ZONE_RE = /^(?:(?:UTC|GMT|UT)?([+-])(\d{1,2})(?::?(\d{2}))?|Z|UTC|GMT|UT)$/i;
const DIGITS_RE = /^\d+(?:\.\d+)?$/;

/** Epoch number in seconds, milliseconds or microseconds → milliseconds. */
function epochToMs(n: number): number | undefined {
  if (!Number.isFinite(n) || n <= 0) return undefined;
  if (n < 1e11) return n * 1000;
  if (n < 1e14) return n;
  if (n < 1e17) return n / 1000;
  return undefined;
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysIn(year: number, month0: number): number {
  if (month0 !== 1) return MONTH_DAYS[month0]!;
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/**
 * Epoch ms → `YYYY-MM-DDTHH:mm:ss.sssZ`, the same text as Date#toISOString for years 0–9999 but several times
 * faster (it runs twice per record). Civil-from-days after H. Hinnant.
 */
export function isoFromMs(t: number): string {
  const ms = Math.floor(t);
  const days = Math.floor(ms / 86_400_000);
  let rem = ms - days * 86_400_000;
  const h = Math.floor(rem / 3_600_000);
  rem -= h * 3_600_000;
  const mi = Math.floor(rem / 60_000);
  rem -= mi * 60_000;
  const sec = Math.floor(rem / 1000);
  const milli = rem - sec * 1000;
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  const msText = milli < 10 ? `00${milli}` : milli < 100 ? `0${milli}` : String(milli);
  return `${y}-${pad2(m)}-${pad2(d)}T${pad2(h)}:${pad2(mi)}:${pad2(sec)}.${msText}Z`;
}

/** Fraction digits → whole milliseconds (sub-millisecond digits are dropped, as Date would). */
function fracMs(frac: string | undefined): number {
  if (frac === undefined) return 0;
  const three = frac.length >= 3 ? frac.slice(0, 3) : frac.length === 2 ? `${frac}0` : `${frac}00`;
  return Number(three);
}

/** Offset in minutes from a zone token (`Z`, `UTC`, `+02:00`, `-0530`, `GMT+1`), or undefined if unknown. */
function zoneOffset(tok: string): number | undefined {
  if (tok === 'Z') return 0;
  const m = ZONE_RE.exec(tok);
  if (m === null) return undefined;
  if (m[1] === undefined) return 0;
  const h = Number(m[2]);
  const min = m[3] === undefined ? 0 : Number(m[3]);
  if (h > 14 || min > 59) return undefined;
  const off = h * 60 + min;
  return m[1] === '-' ? -off : off;
}

function composeUtc(
  y: number,
  mo0: number,
  d: number,
  h: number,
  mi: number,
  s: number,
  ms: number,
  offMin: number,
): number | undefined {
  if (mo0 < 0 || mo0 > 11 || d < 1 || d > daysIn(y, mo0) || h > 23 || mi > 59 || s > 60) return undefined;
  return Date.UTC(y, mo0, d, h, mi, Math.min(s, 59), ms) - offMin * 60_000;
}

function parseIso(m: RegExpExecArray): number | undefined {
  const off = m[8] === undefined ? 0 : zoneOffset(m[8]);
  if (off === undefined) return undefined;
  return composeUtc(
    Number(m[1]),
    Number(m[2]) - 1,
    Number(m[3]),
    m[4] === undefined ? 0 : Number(m[4]),
    m[5] === undefined ? 0 : Number(m[5]),
    m[6] === undefined ? 0 : Number(m[6]),
    fracMs(m[7]),
    off,
  );
}

/** Value of the decimal digit at `i`, or -1. */
function digitAt(s: string, i: number): number {
  const c = s.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : -1;
}

/** The number made of the `n` digits at `i`, or -1 when one of them is not a digit. */
function digitsAt(s: string, i: number, n: number): number {
  let v = 0;
  for (let k = 0; k < n; k++) {
    const d = digitAt(s, i + k);
    if (d < 0) return -1;
    v = v * 10 + d;
  }
  return v;
}

/**
 * The form nearly every record carries, `YYYY-MM-DDTHH:MM:SS[.f{1,9}]Z` (Log Analytics writes 7 fraction
 * digits), read without the general regex: exactly what `parseIso(ISO_RE.exec(s))` gives for it (the same
 * composeUtc call, so an impossible date is still undefined). `null` when `s` is not in that form.
 */
function strictIsoUtc(s: string): number | undefined | null {
  const len = s.length;
  if (len < 20 || len > 30 || s.charCodeAt(len - 1) !== 90 /* Z */) return null;
  if (s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(10) !== 84 /* T */) return null;
  if (s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) return null;
  const y = digitsAt(s, 0, 4);
  const mo = digitsAt(s, 5, 2);
  const d = digitsAt(s, 8, 2);
  const h = digitsAt(s, 11, 2);
  const mi = digitsAt(s, 14, 2);
  const sec = digitsAt(s, 17, 2);
  if (y < 0 || mo < 0 || d < 0 || h < 0 || mi < 0 || sec < 0) return null;
  let ms = 0;
  if (len > 20) {
    // `.` then 1–9 digits, then Z.
    const fracLen = len - 21;
    if (s.charCodeAt(19) !== 46 || fracLen < 1 || fracLen > 9) return null;
    if (digitsAt(s, 20, fracLen) < 0) return null;
    ms = digitAt(s, 20) * 100 + (fracLen > 1 ? digitAt(s, 21) * 10 : 0) + (fracLen > 2 ? digitAt(s, 22) : 0);
  }
  return composeUtc(y, mo - 1, d, h, mi, sec, ms, 0);
}

function nameIndex(tok: string, names: readonly string[]): number {
  const t = tok.endsWith('.') ? tok.slice(0, -1).toLowerCase() : tok.toLowerCase();
  if (t.length < 3) return -1;
  for (let i = 0; i < names.length; i++) if (names[i]!.startsWith(t)) return i;
  return -1;
}

/**
 * Dates with a month name in any common order: `Jan 05 2026 10:11:12` (CEF/LEEF), `May 5 12:29:23` (RFC 3164,
 * year inferred from `now`), `Mon, 05 Jan 2026 10:11:12 GMT`, `Mon Jan 05 2026 10:11:12 GMT+0000 (UTC)`.
 * A token-by-token scan instead of one big regex: linear, and any unknown token makes the date invalid.
 */
function parseTextual(s: string, now: number): number | undefined {
  const toks = s.split(/[\s,]+/);
  let month = -1;
  let day = -1;
  let year = -1;
  let h = 0;
  let mi = 0;
  let sec = 0;
  let ms = 0;
  let haveClock = false;
  let pm = -1;
  let off = 0;
  for (const tok of toks) {
    if (tok === '') continue;
    if (tok.startsWith('(')) break; // JS Date.toString() appends "(Zone Name)"
    const c = tok.charCodeAt(0);
    if (c >= 48 && c <= 57) {
      if (tok.includes(':')) {
        const m = CLOCK_RE.exec(tok);
        if (m === null || haveClock) return undefined;
        haveClock = true;
        h = Number(m[1]);
        mi = Number(m[2]);
        sec = m[3] === undefined ? 0 : Number(m[3]);
        ms = fracMs(m[4]);
      } else if (tok.length === 4 && year < 0 && /^\d{4}$/.test(tok)) year = Number(tok);
      else if (tok.length <= 2 && day < 0 && /^\d{1,2}$/.test(tok)) day = Number(tok);
      else return undefined;
    } else if (c === 43 || c === 45) {
      const o = zoneOffset(tok);
      if (o === undefined) return undefined;
      off = o;
    } else {
      const low = tok.toLowerCase();
      if (low === 'am' || low === 'pm') {
        pm = low === 'pm' ? 1 : 0;
        continue;
      }
      const mo = nameIndex(tok, MONTH_NAMES);
      if (mo >= 0 && month < 0) {
        month = mo;
        continue;
      }
      if (nameIndex(tok, WEEKDAY_NAMES) >= 0) continue;
      const o = zoneOffset(tok);
      if (o === undefined) return undefined;
      off = o;
    }
  }
  if (month < 0 || day < 0) return undefined;
  if (pm >= 0) {
    if (h < 1 || h > 12) return undefined;
    h = (h % 12) + pm * 12;
  }
  if (year >= 0) return composeUtc(year, month, day, h, mi, sec, ms, off);
  // RFC 3164 has no year: take the reference year, or the previous one if that lands over a week ahead.
  const refYear = new Date(now).getUTCFullYear();
  const t = composeUtc(refYear, month, day, h, mi, sec, ms, off);
  if (t !== undefined && t - now > 7 * 86_400_000)
    return composeUtc(refYear - 1, month, day, h, mi, sec, ms, off);
  return t;
}

/**
 * Any documented alert time → ISO 8601 UTC (`…Z`), or undefined when it cannot be read.
 * Epoch s/ms/µs (number or digit string), ISO 8601 (no zone = UTC), and month-name dates.
 * Times without a zone are taken as UTC: the sensor's forwarding-rule time zone is not in the record.
 */
export function parseTime(v: unknown, now: number = Date.now()): string | undefined {
  let t: number | undefined;
  if (typeof v === 'number') t = epochToMs(v);
  else if (typeof v === 'string') {
    const s = v.trim();
    if (s.length === 0 || s.length > 80) return undefined;
    const c = s.charCodeAt(0);
    if (c >= 48 && c <= 57) {
      if (DIGITS_RE.test(s)) t = epochToMs(Number(s));
      else {
        const fast = strictIsoUtc(s);
        if (fast !== null) t = fast;
        else {
          const m = ISO_RE.exec(s);
          t = m === null ? parseTextual(s, now) : parseIso(m);
        }
      }
    } else t = parseTextual(s, now);
  } else if (v instanceof Date) t = v.getTime();
  if (t === undefined || !(t >= MIN_MS && t < MAX_MS)) return undefined;
  return isoFromMs(t);
}

/** A raw time value that is present at all (so "present but unreadable" can be told from "absent"). */
export function present(v: unknown): boolean {
  if (v === undefined || v === null) return false;
  return typeof v !== 'string' || v.trim().length > 0;
}

export const invalidTime = (field: string, raw: unknown): string => `${field}: invalid time ${quote(raw)}`;

/**
 * Resolve first/last detection from raw values in preference order. A value that is present but unreadable
 * fails the record (never silently replaced); only absent values fall through to the next candidate.
 */
export function resolveTimes(
  firstCandidates: readonly unknown[],
  lastCandidates: readonly unknown[],
  opts: ParseOptions | undefined,
): { firstSeen: string; lastSeen: string } | { reason: string } {
  const now = opts?.now ?? Date.now();
  let first: string | undefined;
  for (const c of firstCandidates) {
    if (!present(c)) continue;
    first = parseTime(c, now);
    if (first === undefined) return { reason: invalidTime('firstSeen', c) };
    break;
  }
  let last: string | undefined;
  for (const c of lastCandidates) {
    if (!present(c)) continue;
    last = parseTime(c, now);
    if (last === undefined) return { reason: invalidTime('lastSeen', c) };
    break;
  }
  if (first === undefined && last === undefined && opts?.receivedAt !== undefined) {
    first = parseTime(opts.receivedAt, now);
    if (first === undefined) return { reason: invalidTime('receivedAt', opts.receivedAt) };
  }
  first ??= last;
  if (first === undefined) return { reason: 'missing firstSeen: the record carries no alert time' };
  // Same toISOString() layout on both sides, so string order is time order.
  if (last === undefined || last < first) last = first;
  return { firstSeen: first, lastSeen: last };
}

// ---------------------------------------------------------------------------------------------------------------
// Lists and objects

/** Own property of a plain object, never something inherited through the prototype. */
export function own(o: object, key: string): unknown {
  return Object.hasOwn(o, key) ? (o as Record<string, unknown>)[key] : undefined;
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Keys lower-cased into a Map (no prototype, so `__proto__`/`constructor` keys are just data). */
export function lowerKeys(o: Record<string, unknown>): Map<string, unknown> {
  const m = new Map<string, unknown>();
  for (const k of Object.keys(o)) {
    const lk = k.toLowerCase();
    if (!m.has(lk)) m.set(lk, o[k]);
  }
  return m;
}

/** Strings of an array, trimmed, empties and "Unknown" dropped; undefined when none remain. */
function cleanList(items: readonly unknown[]): string[] | undefined {
  const out: string[] = [];
  for (const it of items) {
    const s = text(it);
    if (s !== undefined && !(s.length === 7 && s.toLowerCase() === 'unknown')) out.push(s);
  }
  return out.length > 0 ? out : undefined;
}

/**
 * A list that may arrive as an array, a JSON array string (`["T0843"]`) or a comma-separated string
 * (`ImpairProcessControl, Discovery`). Optional data: an unparseable JSON string degrades to the comma form.
 */
export function listOf(v: unknown): string[] | undefined {
  if (Array.isArray(v)) return cleanList(v);
  if (typeof v !== 'string') return undefined;
  const s = v.trim();
  if (s.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(s);
      if (Array.isArray(parsed)) return cleanList(parsed);
    } catch {
      // fall through to the comma form
    }
    return cleanList(s.replace(/^\[|\]$/g, '').split(','));
  }
  return cleanList(s.split(','));
}

/** Like listOf but a plain string is one item (remediation steps are sentences with commas). */
export function stepsOf(v: unknown): string[] | undefined {
  if (typeof v === 'string' && !v.trim().startsWith('[')) {
    const s = messageText(v);
    return s === '' ? undefined : [s];
  }
  return listOf(v);
}

// ---------------------------------------------------------------------------------------------------------------
// Labelled text (`Label: value` runs, as in the syslog text and object formats)

export interface LabelSpec {
  /** Canonical key the parser reads. */
  readonly key: string;
  /** Spellings, matched case-insensitively. */
  readonly names: readonly string[];
  /** Free text (the alert message): only a `strong` label may end it, so words in it are not split off. */
  readonly long?: boolean;
  /** Distinctive enough to end a long value. */
  readonly strong?: boolean;
}

export interface LabelScanner {
  readonly re: RegExp;
  readonly byName: Map<string, LabelSpec>;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Build once per format: one alternation of literal labels (longest first), so matching cannot backtrack. */
export function labelScanner(specs: readonly LabelSpec[]): LabelScanner {
  const byName = new Map<string, LabelSpec>();
  for (const s of specs) for (const n of s.names) byName.set(n.toLowerCase(), s);
  const names = [...byName.keys()].sort((a, b) => b.length - a.length).map(escapeRe);
  // A label starts the text or follows a separator, and is followed by ':' or '='.
  const re = new RegExp(`(?:^|[\\s,;|])(${names.join('|')})[ \\t]*[:=]`, 'gi');
  return { re, byName };
}

/**
 * Split `s` into labelled values. The value of a label runs to the next label; trailing separators are dropped.
 * Repeated labels are all returned in order (the text format repeats Protocol/Address for source and destination).
 */
export function scanLabels(s: string, sc: LabelScanner): Array<{ key: string; value: string }> {
  const hits: Array<{ spec: LabelSpec; start: number; valueStart: number }> = [];
  sc.re.lastIndex = 0;
  for (let m = sc.re.exec(s); m !== null; m = sc.re.exec(s)) {
    const name = m[1]!;
    const spec = sc.byName.get(name.toLowerCase());
    if (spec === undefined) continue;
    const end = m.index + m[0].length;
    hits.push({ spec, start: m.index + m[0].indexOf(name), valueStart: end });
  }
  const out: Array<{ key: string; value: string }> = [];
  for (let i = 0; i < hits.length; i++) {
    const h = hits[i]!;
    let j = i + 1;
    if (h.spec.long) while (j < hits.length && !hits[j]!.spec.strong) j++;
    const end = j < hits.length ? hits[j]!.start : s.length;
    out.push({ key: h.spec.key, value: trimValue(s.slice(h.valueStart, end)) });
    i = j - 1;
  }
  return out;
}

/** Drop surrounding whitespace and the separators that sat between two labelled values. */
function trimValue(v: string): string {
  let e = v.length;
  while (e > 0) {
    const c = v.charCodeAt(e - 1);
    if (c === 32 || c === 9 || c === 10 || c === 13 || c === 44 || c === 59 || c === 124) e--;
    else break;
  }
  return v.slice(0, e).trim();
}

/** What the labelled syslog formats (text message, object) found, besides their plain fields. */
export interface LabelledParts {
  source: Device;
  destination: Device;
  protocol: string | undefined;
  /** The syslog header: its time when the message has none, its host when no sensor is named. */
  header: { timestamp?: string; hostname?: string };
  sourceFormat: 'SyslogText' | 'SyslogObject';
  /** How the format labels its title, for the reason when it is missing. */
  titleLabel: string;
}

/** The draft of a labelled syslog alert from its fields: title and severity are required, times resolved. */
export function labelledDraft(
  f: Record<string, unknown>,
  parts: LabelledParts,
  opts: ParseOptions | undefined,
): Draft {
  const title = text(f.title, 100_000);
  if (title === undefined) return fail(`missing title (${parts.titleLabel})`);
  const severity = toSeverity(f.severity);
  if (severity === undefined) {
    return fail(
      f.severity === undefined ? 'missing severity' : `severity: unknown value ${quote(f.severity)}`,
    );
  }
  const times = resolveTimes([f.time, parts.header.timestamp], [], opts);
  if ('reason' in times) return fail(times.reason);
  return {
    ok: true,
    alert: {
      id: text(f.id),
      title,
      message: messageText(f.message),
      engine: toEngine(f.engine),
      category: text(f.category),
      severity,
      status: 'New',
      protocol: parts.protocol,
      source: parts.source,
      destination: parts.destination,
      sensor: text(f.sensor) ?? parts.header.hostname,
      firstSeen: times.firstSeen,
      lastSeen: times.lastSeen,
      sourceFormat: parts.sourceFormat,
    },
  };
}
