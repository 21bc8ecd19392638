/**
 * Local time in a site's IANA time zone, DST-correct through Intl. Per alert: one cached UTC offset per zone and
 * quarter hour (tz transitions fall on quarter hours) and Date arithmetic.
 */
export const MINUTE = 60_000;
export const QUARTER_HOUR = 15 * MINUTE;
export const DAY = 24 * 60 * MINUTE;

// ---------------------------------------------------------------------------------------------------------------
// Zone clock

export interface ZoneCache {
  fmt: Intl.DateTimeFormat;
  /** Quarter-hour index since the epoch → offset in minutes east of UTC. */
  offsets: Map<number, number>;
}

export const zones = new Map<string, ZoneCache>();
export const MAX_CACHED_OFFSETS = 100_000; // ~3 years of quarter hours per zone; cleared, not grown, beyond that

/** True when Intl knows the IANA time zone (`Europe/Amsterdam`, `UTC`). */
export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export function zoneCache(tz: string): ZoneCache {
  let z = zones.get(tz);
  if (!z) {
    const fmt = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    z = { fmt, offsets: new Map() };
    zones.set(tz, z);
  }
  return z;
}

export function computeOffset(fmt: Intl.DateTimeFormat, t: number): number {
  const p: Record<string, number> = {};
  for (const part of fmt.formatToParts(t)) if (part.type !== 'literal') p[part.type] = Number(part.value);
  const wall = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!);
  return Math.round((wall - t) / MINUTE);
}

/** UTC offset of `tz` at instant `t`, in minutes east of UTC (Europe/Amsterdam: 60 in winter, 120 in summer). */
export function offsetMinutes(tz: string, t: number): number {
  const z = zoneCache(tz);
  const q = Math.floor(t / QUARTER_HOUR);
  let off = z.offsets.get(q);
  if (off === undefined) {
    if (z.offsets.size >= MAX_CACHED_OFFSETS) z.offsets.clear();
    off = computeOffset(z.fmt, q * QUARTER_HOUR);
    z.offsets.set(q, off);
  }
  return off;
}

export interface LocalMoment {
  /** `2026-11-18T03:24:00+01:00` */
  iso: string;
  /** Local date `2026-11-18`. */
  date: string;
  /** 0 = Sunday … 6 = Saturday. */
  weekday: number;
  /** Minutes since local midnight. */
  minute: number;
  /** Minutes east of UTC. */
  offset: number;
}

export const p2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

export function offsetText(off: number): string {
  const a = Math.abs(off);
  return `${off < 0 ? '-' : '+'}${p2(Math.floor(a / 60))}:${p2(a % 60)}`;
}

/** The wall-clock reading of instant `t` in `tz`. */
export function localMoment(tz: string, t: number): LocalMoment {
  const offset = offsetMinutes(tz, t);
  const w = new Date(t + offset * MINUTE);
  const h = w.getUTCHours();
  const mi = w.getUTCMinutes();
  const date = `${w.getUTCFullYear()}-${p2(w.getUTCMonth() + 1)}-${p2(w.getUTCDate())}`;
  return {
    iso: `${date}T${p2(h)}:${p2(mi)}:${p2(w.getUTCSeconds())}${offsetText(offset)}`,
    date,
    weekday: w.getUTCDay(),
    minute: h * 60 + mi,
    offset,
  };
}

/**
 * The instant a local wall-clock time names in `tz`, resolved like Temporal's "compatible": a time that occurs twice
 * (fall back) is the earlier one; a time that does not exist (spring forward gap) is moved forward by the gap
 * (02:30 on the spring-forward day in Europe/Amsterdam → 03:30 CEST).
 */
export function localToUtc(
  tz: string,
  y: number,
  mo: number,
  d: number,
  h: number,
  mi: number,
  s = 0,
): number {
  const wall = Date.UTC(y, mo - 1, d, h, mi, s);
  const before = offsetMinutes(tz, wall - DAY);
  const after = offsetMinutes(tz, wall + DAY);
  const a = wall - before * MINUTE;
  const b = wall - after * MINUTE;
  const aOk = offsetMinutes(tz, a) === before;
  const bOk = offsetMinutes(tz, b) === after;
  if (aOk && bOk) return Math.min(a, b);
  if (bOk) return b;
  return a; // valid with the earlier offset, or in the gap: read with the offset before the change
}

/**
 * An ISO time that is a wall-clock reading in `tz` read as UTC (a syslog record's zone-less detection time) → the
 * instant it names, resolved as {@link localToUtc} does.
 */
export function wallClockToUtc(iso: string, tz: string): string {
  const w = new Date(Date.parse(iso));
  const t = localToUtc(
    tz,
    w.getUTCFullYear(),
    w.getUTCMonth() + 1,
    w.getUTCDate(),
    w.getUTCHours(),
    w.getUTCMinutes(),
    w.getUTCSeconds(),
  );
  return new Date(t + w.getUTCMilliseconds()).toISOString();
}
