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

/** Open windows at `t`: binary search for the last start ≤ t, then back while a window could still be open. */
export function openWindows(
  site: SiteCalendar,
  t: number,
  zoneKey: string | undefined,
): readonly MaintenanceWindow[] {
  const ws = site.windows;
  let lo = 0;
  let hi = ws.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ws[mid]!.start <= t) lo = mid + 1;
    else hi = mid;
  }
  let out: MaintenanceWindow[] | undefined;
  for (let i = lo - 1; i >= 0 && ws[i]!.start > t - site.longestWindow; i--) {
    const w = ws[i]!;
    if (t >= w.end || (w.zones && (zoneKey === undefined || !w.zones.has(zoneKey)))) continue;
    out ??= [];
    out.push(w);
  }
  return out ? out.reverse() : NONE; // found latest first; report in start order
}

/** Local time, working hours, holiday and open maintenance windows of a site at instant `t`. */
export function timeContextAt(site: SiteCalendar, t: number, zoneKey: string | undefined): TimeContext {
  const local = localMoment(site.timeZone, t);
  const holiday = site.holidays.get(local.date);
  const ctx: TimeContext = { local, windows: site.windows.length ? openWindows(site, t, zoneKey) : NONE };
  if (holiday !== undefined) ctx.holiday = holiday;
  if (site.hours) ctx.inBusinessHours = holiday === undefined && inHours(site.hours.byDay, local);
  return ctx;
}
