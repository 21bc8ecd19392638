/** Time values of every format: ISO 8601, epoch seconds/milliseconds, syslog dates, vendor spellings. */
import type { WallClockField } from '../../model/alert.js';
import { type ParseOptions, quote } from './text.js';

/** Accept detection times from 1990 to 2200; outside that a clock or unit is wrong. */
export const MIN_MS = Date.UTC(1990, 0, 1);
export const MAX_MS = Date.UTC(2200, 0, 1);

export const MONTH_NAMES = [
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
export const WEEKDAY_NAMES = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];

export const ISO_RE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)? ?(Z|z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?$/;
export const CLOCK_RE = /^(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?$/;
export const ZONE_RE = /^(?:(?:UTC|GMT|UT)?([+-])(\d{1,2})(?::?(\d{2}))?|Z|UTC|GMT|UT)$/i;
export const DIGITS_RE = /^\d+(?:\.\d+)?$/;

/** Epoch number in seconds, milliseconds or microseconds → milliseconds. */
export function epochToMs(n: number): number | undefined {
  if (!Number.isFinite(n) || n <= 0) return undefined;
  if (n < 1e11) return n * 1000;
  if (n < 1e14) return n;
  if (n < 1e17) return n / 1000;
  return undefined;
}

export const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export function daysIn(year: number, month0: number): number {
  if (month0 !== 1) return MONTH_DAYS[month0]!;
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
}

export function pad2(n: number): string {
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
export function fracMs(frac: string | undefined): number {
  if (frac === undefined) return 0;
  const three = frac.length >= 3 ? frac.slice(0, 3) : frac.length === 2 ? `${frac}0` : `${frac}00`;
  return Number(three);
}

/** Offset in minutes from a zone token (`Z`, `UTC`, `+02:00`, `-0530`, `GMT+1`), or undefined if unknown. */
export function zoneOffset(tok: string): number | undefined {
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

export function composeUtc(
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

export function parseIso(m: RegExpExecArray): number | undefined {
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
export function digitAt(s: string, i: number): number {
  const c = s.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : -1;
}

/** The number made of the `n` digits at `i`, or -1 when one of them is not a digit. */
export function digitsAt(s: string, i: number, n: number): number {
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
export function strictIsoUtc(s: string): number | undefined | null {
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

export function nameIndex(tok: string, names: readonly string[]): number {
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
export function parseTextual(s: string, now: number): number | undefined {
  return textualTime(s, now)?.t;
}

/** {@link parseTextual}, and whether the text named its offset or zone (`GMT`, `+0100`). */
function textualTime(s: string, now: number): ZonedTime | undefined {
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
  let zoned = false;
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
      zoned = true;
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
      zoned = true;
    }
  }
  if (month < 0 || day < 0) return undefined;
  if (pm >= 0) {
    if (h < 1 || h > 12) return undefined;
    h = (h % 12) + pm * 12;
  }
  let t: number | undefined;
  if (year >= 0) t = composeUtc(year, month, day, h, mi, sec, ms, off);
  else {
    // RFC 3164 has no year: take the reference year, or the previous one if that lands over a week ahead.
    const refYear = new Date(now).getUTCFullYear();
    t = composeUtc(refYear, month, day, h, mi, sec, ms, off);
    if (t !== undefined && t - now > 7 * 86_400_000)
      t = composeUtc(refYear - 1, month, day, h, mi, sec, ms, off);
  }
  return t === undefined ? undefined : { t, zoned };
}

/** An instant read from a time value, and whether the value said which zone it is in (epochs always do). */
export interface ZonedTime {
  t: number;
  zoned: boolean;
}

/**
 * Any documented alert time → epoch ms, or undefined when it cannot be read: epoch s/ms/µs (number or digit
 * string), ISO 8601 and month-name dates. A text without an offset or zone is read as UTC and says so
 * (`zoned: false`): the syslog formats' detection time is in the forwarding rule's time zone, which the record
 * does not name (docs/formats.md "Times without a zone"; the enricher corrects it from the sensor's `timeZone`).
 */
export function readTime(v: unknown, now: number = Date.now()): ZonedTime | undefined {
  let t: number | undefined;
  let zoned = true; // epochs, Dates and `…Z` name their zone; an ISO or month-name text says whether it does
  if (typeof v === 'number') t = epochToMs(v);
  else if (typeof v === 'string') {
    const s = v.trim();
    if (s.length === 0 || s.length > 80) return undefined;
    const c = s.charCodeAt(0);
    const digit = c >= 48 && c <= 57; // epochs and ISO texts start with one; month-name dates do not
    if (digit && DIGITS_RE.test(s)) t = epochToMs(Number(s));
    else {
      const fast = digit ? strictIsoUtc(s) : null;
      const m = fast === null && digit ? ISO_RE.exec(s) : null;
      if (fast !== null) t = fast;
      else if (m !== null) {
        t = parseIso(m);
        zoned = m[8] !== undefined;
      } else {
        const r = textualTime(s, now);
        t = r?.t;
        zoned = r?.zoned ?? zoned;
      }
    }
  } else if (v instanceof Date) t = v.getTime();
  if (t === undefined || !(t >= MIN_MS && t < MAX_MS)) return undefined;
  return { t, zoned };
}

/** {@link readTime} as ISO 8601 UTC (`…Z`); a time without a zone is taken as UTC. */
export function parseTime(v: unknown, now: number = Date.now()): string | undefined {
  const r = readTime(v, now);
  return r === undefined ? undefined : isoFromMs(r.t);
}

/** A raw time value that is present at all (so "present but unreadable" can be told from "absent"). */
export function present(v: unknown): boolean {
  if (v === undefined || v === null) return false;
  return typeof v !== 'string' || v.trim().length > 0;
}

export const invalidTime = (field: string, raw: unknown): string => `${field}: invalid time ${quote(raw)}`;

export interface ResolvedTimes {
  firstSeen: string;
  lastSeen: string;
  /** Set (non-empty) only for a syslog format's record whose own time had no offset or zone. */
  wallClock?: WallClockField[];
  /** With `wallClock` and `syslog.sentAt`: the syslog header's time (UTC) when readable, to compare the two. */
  sentAt?: string;
}

/**
 * Resolve first/last detection from raw values in preference order. A value that is present but unreadable
 * fails the record (never silently replaced); only absent values fall through to the next candidate, then to
 * the syslog header's time (UTC), then to `opts.receivedAt`. For a syslog format (`syslog` given) the record's
 * own times are in the forwarding rule's zone (CEF/LEEF `start`, syslog object `Alert time`): those without an
 * offset are listed in `wallClock` for the enricher.
 */
export function resolveTimes(
  firstCandidates: readonly unknown[],
  lastCandidates: readonly unknown[],
  opts: ParseOptions | undefined,
  /** `sentAt`: the header's time is the sensor's send time (CEF, LEEF), kept beside a zone-less record time. */
  syslog?: { headerTime: string | undefined; sentAt?: boolean },
): ResolvedTimes | { reason: string } {
  const now = opts?.now ?? Date.now();
  // Whether each time is a wall-clock reading in the rule's zone (a syslog record's own time without an offset).
  let first: ZonedTime | undefined;
  let firstWall = false;
  for (const c of firstCandidates) {
    if (!present(c)) continue;
    first = readTime(c, now);
    if (first === undefined) return { reason: invalidTime('firstSeen', c) };
    firstWall = syslog !== undefined && !first.zoned;
    break;
  }
  // The header's time is the sensor's send time in UTC, not the rule's zone.
  if (first === undefined && present(syslog?.headerTime)) {
    first = readTime(syslog?.headerTime, now);
    if (first === undefined) return { reason: invalidTime('firstSeen', syslog?.headerTime) };
  }
  let last: ZonedTime | undefined;
  let lastWall = false;
  for (const c of lastCandidates) {
    if (!present(c)) continue;
    last = readTime(c, now);
    if (last === undefined) return { reason: invalidTime('lastSeen', c) };
    lastWall = syslog !== undefined && !last.zoned;
    break;
  }
  if (first === undefined && last === undefined && opts?.receivedAt !== undefined) {
    first = readTime(opts.receivedAt, now);
    if (first === undefined) return { reason: invalidTime('receivedAt', opts.receivedAt) };
  }
  if (first === undefined && last !== undefined) {
    first = last;
    firstWall = lastWall;
  }
  if (first === undefined) return { reason: 'missing firstSeen: the record carries no alert time' };
  if (last === undefined || last.t < first.t) {
    last = first;
    lastWall = firstWall;
  }
  const out: ResolvedTimes = { firstSeen: isoFromMs(first.t), lastSeen: isoFromMs(last.t) };
  if (firstWall || lastWall) {
    out.wallClock = [
      ...(firstWall ? ['firstSeen' as const] : []),
      ...(lastWall ? ['lastSeen' as const] : []),
    ];
    const sent = syslog?.sentAt && present(syslog.headerTime) ? readTime(syslog.headerTime, now) : undefined;
    if (sent) out.sentAt = isoFromMs(sent.t);
  }
  return out;
}
