/**
 * Parsing calendar values (day lists, time ranges, dates, moments), shared by the config schema and the
 * compiler.
 */
import { localToUtc, p2 } from './zoneClock.js';

export const DAY_NAMES = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
export const DAY_SHORT = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
export const ALL_DAYS = [0, 1, 2, 3, 4, 5, 6];
export const DASH = /\s*[-–]\s*/;

export function dayIndex(s: string): number | undefined {
  const t = s.trim().toLowerCase();
  if (t.length < 3) return undefined;
  const i = DAY_NAMES.findIndex((d) => d.startsWith(t));
  return i >= 0 ? i : undefined;
}

/** "Mon-Fri", "Sat", "Fri-Mon" (wraps), "Mon,Wed,Fri", "daily" → weekday numbers (0 = Sunday); or an error text. */
export function parseDays(spec: string): number[] | string {
  const days = new Set<number>();
  for (const part of spec.split(',')) {
    const p = part.trim().toLowerCase();
    if (p === 'daily' || p === '*' || p === 'every day') {
      for (const d of ALL_DAYS) days.add(d);
      continue;
    }
    const ends = p.split(DASH);
    const from = ends[0] !== undefined ? dayIndex(ends[0]) : undefined;
    const to = ends.length === 2 ? dayIndex(ends[1]!) : ends.length === 1 ? from : undefined;
    if (from === undefined || to === undefined) {
      return `"${spec}" is not a day or range of days (e.g. "Mon-Fri", "Sat", "Mon,Wed", "daily")`;
    }
    for (let d = from; ; d = (d + 1) % 7) {
      days.add(d);
      if (d === to) break;
    }
  }
  return [...days].sort((a, b) => a - b);
}

export const TIME_RANGE = /^\s*(\d{1,2}):(\d{2})\s*[-–]\s*(\d{1,2}):(\d{2})\s*$/;

/**
 * "06:00-22:00" → [360, 1320] minutes. "22:00-06:00" is a night shift (ends the next day); "00:00-24:00" a whole day.
 * Returns an error text when malformed.
 */
export function parseTimeRange(s: string): [number, number] | string {
  const m = TIME_RANGE.exec(s);
  const bad = `"${s}" is not a time range (e.g. "06:00-22:00")`;
  if (!m) return bad;
  const [h1, m1, h2, m2] = [m[1], m[2], m[3], m[4]].map(Number) as [number, number, number, number];
  if (h1 > 23 || m1 > 59 || m2 > 59 || h2 > 24 || (h2 === 24 && m2 !== 0)) return bad;
  const start = h1 * 60 + m1;
  const end = h2 * 60 + m2;
  if (start === end || (start === 0 && end === 0)) return `"${s}" is an empty time range`;
  return [start, end];
}

export const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function validDate(y: number, mo: number, d: number): boolean {
  const t = new Date(Date.UTC(y, mo - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d;
}

export function isIsoDate(s: string): boolean {
  const m = DATE.exec(s);
  return !!m && validDate(Number(m[1]), Number(m[2]), Number(m[3]));
}

export const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?(Z|[+-]\d{2}:\d{2})?$/i;

/** A window bound: local wall time `2026-11-18T10:00` (in the site's zone) or an instant with `Z`/`±hh:mm`. */
export type WhenSpec = { instant: number } | { wall: [number, number, number, number, number, number] };

export function parseWhen(s: string): WhenSpec | string {
  const m = DATE_TIME.exec(s.trim());
  const bad = `"${s}" is not a date-time (site local "2026-11-18T10:00" or ISO with offset "2026-11-18T10:00:00+01:00")`;
  if (!m) return bad;
  const [y, mo, d, h, mi] = [m[1], m[2], m[3], m[4], m[5]].map(Number) as [
    number,
    number,
    number,
    number,
    number,
  ];
  const sec = m[6] ? Number(m[6]) : 0;
  if (!validDate(y, mo, d) || h > 23 || mi > 59 || sec > 59) return bad;
  if (!m[7]) return { wall: [y, mo, d, h, mi, sec] };
  return { instant: Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${p2(sec)}${m[7].toUpperCase()}`) };
}

export function instantOf(w: WhenSpec, tz: string): number {
  return 'instant' in w ? w.instant : localToUtc(tz, ...w.wall);
}
