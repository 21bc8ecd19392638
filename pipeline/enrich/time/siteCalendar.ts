/**
 * Site calendars compiled once at start, and the time context of one alert: local moment, working hours, holiday,
 * open maintenance windows (a binary search over the site's windows).
 */

import { normalizeIp, normalizeMac } from '../inventory/index.js';
import { ALL_DAYS, DASH, instantOf, parseDays, parseTimeRange, parseWhen } from './calendarValues.js';
import type { SiteConfig, SitesConfig } from './siteConfig.js';
import { isTimeZone, type LocalMoment, localMoment, p2 } from './zoneClock.js';

export interface MaintenanceWindow {
  title?: string;
  start: number;
  end: number;
  /** For reasons: `"Brewhouse firmware upgrade" 2026-11-18 10:00–12:00 Europe/Paris`. */
  text: string;
  ips: ReadonlySet<string>;
  macs: ReadonlySet<string>;
  /** Lower case. */
  names: ReadonlySet<string>;
  /** Lower case; undefined: every zone of the site. */
  zones?: ReadonlySet<string>;
}

export interface SiteCalendar {
  name: string;
  timeZone: string;
  /** Per weekday (0 = Sunday), working intervals [start, end) in minutes; undefined: no working hours declared. */
  hours?: { byDay: readonly (readonly [number, number])[][]; text: string };
  /** Local date → holiday name (the date itself when unnamed). */
  holidays: ReadonlyMap<string, string>;
  /** Sorted by start. */
  windows: readonly MaintenanceWindow[];
  longestWindow: number;
}

export const range = (r: string): [number, number] => {
  const v = parseTimeRange(r);
  if (typeof v === 'string') throw new Error(v);
  return v;
};
export const hhmm = (minute: number): string => `${p2(Math.floor(minute / 60))}:${p2(minute % 60)}`;

export function compileHours(hours: Record<string, string | string[]>): NonNullable<SiteCalendar['hours']> {
  const byDay: [number, number][][] = ALL_DAYS.map(() => []);
  const text: string[] = [];
  for (const [spec, value] of Object.entries(hours)) {
    const days = parseDays(spec);
    if (typeof days === 'string') throw new Error(days);
    const ranges = (Array.isArray(value) ? value : [value]).map(range);
    for (const d of days) {
      for (const [start, end] of ranges) {
        if (end > start) byDay[d]!.push([start, end]);
        else {
          // Night shift: the part after midnight belongs to the next day.
          byDay[d]!.push([start, 24 * 60]);
          byDay[(d + 1) % 7]!.push([0, end]);
        }
      }
    }
    text.push(
      `${spec.trim().replace(DASH, '–')} ${ranges.map(([s, e]) => `${hhmm(s)}–${hhmm(e)}`).join(', ')}`,
    );
  }
  return { byDay, text: text.join('; ') };
}

export function deviceSets(devices: readonly string[]) {
  const ips = new Set<string>();
  const macs = new Set<string>();
  const names = new Set<string>();
  for (const d of devices) {
    const ip = normalizeIp(d);
    const mac = ip ? undefined : normalizeMac(d);
    if (ip) ips.add(ip);
    else if (mac) macs.add(mac);
    else names.add(d.trim().toLowerCase());
  }
  return { ips, macs, names };
}

export function windowText(title: string | undefined, start: number, end: number, tz: string): string {
  const a = localMoment(tz, start);
  const b = localMoment(tz, end);
  const to = b.date === a.date ? hhmm(b.minute) : `${b.date} ${hhmm(b.minute)}`;
  return `${title ? `"${title}" ` : ''}${a.date} ${hhmm(a.minute)}–${to} ${tz}`;
}

/** Compiles one validated site config (throws on values the schema would have rejected). */
export function compileSite(name: string, cfg: SiteConfig): SiteCalendar {
  const tz = cfg.timeZone;
  if (!isTimeZone(tz)) throw new Error(`site ${name}: unknown time zone "${tz}"`);
  const windows = (cfg.maintenanceWindows ?? []).map((w): MaintenanceWindow => {
    const when = (s: string) => {
      const v = parseWhen(s);
      if (typeof v === 'string') throw new Error(v);
      return instantOf(v, tz);
    };
    const start = when(w.start);
    const end = when(w.end);
    return {
      ...(w.title ? { title: w.title } : {}),
      start,
      end,
      text: windowText(w.title, start, end, tz),
      ...deviceSets(w.devices),
      ...(w.zones ? { zones: new Set(w.zones.map((z) => z.toLowerCase())) } : {}),
    };
  });
  windows.sort((a, b) => a.start - b.start);
  return {
    name,
    timeZone: tz,
    ...(cfg.workingHours ? { hours: compileHours(cfg.workingHours) } : {}),
    holidays: new Map(
      (cfg.holidays ?? []).map((h) => (typeof h === 'string' ? [h, h] : [h.date, h.name ?? h.date])),
    ),
    windows,
    longestWindow: windows.reduce((m, w) => Math.max(m, w.end - w.start), 0),
  };
}

/** Lower-cased site name → calendar. */
export function compileSites(sites: SitesConfig | undefined): Map<string, SiteCalendar> {
  return new Map(
    Object.entries(sites ?? {}).map(([name, cfg]) => [name.toLowerCase(), compileSite(name, cfg)]),
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Time context of one alert

export interface TimeContext {
  /** The instant (epoch ms) and the alert's zone (lower case), for windows near it (nearbyWindow). */
  at: number;
  zoneKey?: string;
  local: LocalMoment;
  /** Undefined when the site declares no working hours. A holiday is never working hours. */
  inBusinessHours?: boolean;
  /** Holiday name when the local date is one. */
  holiday?: string;
  /** Windows of the site (and the alert's zone) open at that instant. */
  windows: readonly MaintenanceWindow[];
}

export const NONE: readonly MaintenanceWindow[] = [];

export function inHours(byDay: readonly (readonly [number, number])[][], local: LocalMoment): boolean {
  for (const [start, end] of byDay[local.weekday]!)
    if (local.minute >= start && local.minute < end) return true;
  return false;
}

/** The index of the last window (sorted by start) starting at or before `t`; −1 when none does. */
function lastStartingBy(ws: readonly MaintenanceWindow[], t: number): number {
  let lo = 0;
  let hi = ws.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ws[mid]!.start <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/** Open windows at `t`: binary search for the last start ≤ t, then back while a window could still be open. */
export function openWindows(
  site: SiteCalendar,
  t: number,
  zoneKey: string | undefined,
): readonly MaintenanceWindow[] {
  const ws = site.windows;
  let out: MaintenanceWindow[] | undefined;
  for (let i = lastStartingBy(ws, t); i >= 0 && ws[i]!.start > t - site.longestWindow; i--) {
    const w = ws[i]!;
    if (t >= w.end || (w.zones && (zoneKey === undefined || !w.zones.has(zoneKey)))) continue;
    out ??= [];
    out.push(w);
  }
  return out ? out.reverse() : NONE; // found latest first; report in start order
}

/** How far from a window an operation is still told as near it: an overrun or an early start of announced work. */
export const NEAR_WINDOW_MS = 2 * 3_600_000;

export interface NearbyWindow {
  window: MaintenanceWindow;
  /** Whole minutes between the instant and the window (at least 1). */
  minutes: number;
  /** The window ended before the instant (else it opens after it). */
  ended: boolean;
}

/**
 * The window of the site (and zone) nearest to `t` that ended at most {@link NEAR_WINDOW_MS} before it or opens at
 * most that long after it, among those `accepts` takes (the ones allowing the alert's source): an engineer who
 * flashes a controller 15 minutes after the announced window closed is most likely overrunning it, which the analyst
 * should read beside the escalation. Not open at `t` (that is `openWindows`).
 */
export function nearbyWindow(
  site: SiteCalendar,
  t: number,
  zoneKey: string | undefined,
  accepts: (w: MaintenanceWindow) => boolean,
): NearbyWindow | undefined {
  let best: NearbyWindow | undefined;
  let bestGap = Number.POSITIVE_INFINITY;
  const ws = site.windows;
  // windows are sorted by start: from the last one starting by t + margin, back while one could end after t − margin
  for (let i = lastStartingBy(ws, t + NEAR_WINDOW_MS); i >= 0; i--) {
    const w = ws[i]!;
    if (w.start < t - NEAR_WINDOW_MS - site.longestWindow) break;
    if (w.end < t - NEAR_WINDOW_MS || (t >= w.start && t < w.end)) continue;
    if (w.zones && (zoneKey === undefined || !w.zones.has(zoneKey))) continue;
    const ended = t >= w.end;
    const gap = ended ? t - w.end : w.start - t;
    if (gap < bestGap && accepts(w)) {
      best = { window: w, minutes: Math.max(1, Math.round(gap / 60_000)), ended };
      bestGap = gap;
    }
  }
  return best;
}

/** Local time, working hours, holiday and open maintenance windows of a site at instant `t`. */
export function timeContextAt(site: SiteCalendar, t: number, zoneKey: string | undefined): TimeContext {
  const local = localMoment(site.timeZone, t);
  const holiday = site.holidays.get(local.date);
  const ctx: TimeContext = {
    at: t,
    local,
    windows: site.windows.length ? openWindows(site, t, zoneKey) : NONE,
  };
  if (zoneKey !== undefined) ctx.zoneKey = zoneKey;
  if (holiday !== undefined) ctx.holiday = holiday;
  if (site.hours) ctx.inBusinessHours = holiday === undefined && inHours(site.hours.byDay, local);
  return ctx;
}
