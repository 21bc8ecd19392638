/**
 * Time context per site — local time in the site's IANA time zone (DST-correct through Intl), working hours,
 * holidays and maintenance windows — and the escalation rules that read it.
 *
 * Calendars are compiled once at start. Per alert: one cached UTC offset per zone and quarter hour (tz transitions
 * fall on quarter hours), Date arithmetic, and a binary search over the site's maintenance windows.
 */
import { z } from 'zod';
import { type Device, SEVERITIES, type Severity } from '../model/alert.js';
import { parseTechniqueId, technique } from './attack.js';
import { type Asset, normalizeAssetType, normalizeIp, normalizeMac } from './inventory.js';

const MINUTE = 60_000;
const QUARTER_HOUR = 15 * MINUTE;
const DAY = 24 * 60 * MINUTE;

// ---------------------------------------------------------------------------------------------------------------
// Zone clock

interface ZoneCache {
  fmt: Intl.DateTimeFormat;
  /** Quarter-hour index since the epoch → offset in minutes east of UTC. */
  offsets: Map<number, number>;
}

const zones = new Map<string, ZoneCache>();
const MAX_CACHED_OFFSETS = 100_000; // ~3 years of quarter hours per zone; cleared, not grown, beyond that

/** True when Intl knows the IANA time zone (`Europe/Amsterdam`, `UTC`). */
export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

function zoneCache(tz: string): ZoneCache {
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

function computeOffset(fmt: Intl.DateTimeFormat, t: number): number {
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

const p2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

function offsetText(off: number): string {
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

// ---------------------------------------------------------------------------------------------------------------
// Parsing calendar values (shared by the config schema and the compiler)

const DAY_NAMES = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const DAY_SHORT = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const ALL_DAYS = [0, 1, 2, 3, 4, 5, 6];
const DASH = /\s*[-–]\s*/;

function dayIndex(s: string): number | undefined {
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

const TIME_RANGE = /^\s*(\d{1,2}):(\d{2})\s*[-–]\s*(\d{1,2}):(\d{2})\s*$/;

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

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function validDate(y: number, mo: number, d: number): boolean {
  const t = new Date(Date.UTC(y, mo - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d;
}

export function isIsoDate(s: string): boolean {
  const m = DATE.exec(s);
  return !!m && validDate(Number(m[1]), Number(m[2]), Number(m[3]));
}

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?(Z|[+-]\d{2}:\d{2})?$/i;

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

function instantOf(w: WhenSpec, tz: string): number {
  return 'instant' in w ? w.instant : localToUtc(tz, ...w.wall);
}

// ---------------------------------------------------------------------------------------------------------------
// Config: `enrichment.sites`

/** Adds an issue when `parse` returns an error text. */
function checked<T>(parse: (s: string) => T | string) {
  return z.string().superRefine((s, ctx) => {
    const r = parse(s);
    if (typeof r === 'string') ctx.addIssue({ code: 'custom', message: r });
  });
}

const timeZoneSchema = z.string().superRefine((tz, ctx) => {
  if (!isTimeZone(tz))
    ctx.addIssue({
      code: 'custom',
      message: `unknown time zone "${tz}"`,
    });
});

const timeRanges = z.union([checked(parseTimeRange), z.array(checked(parseTimeRange)).min(1)]);

/** `{"Mon-Fri": "06:00-22:00", "Sat": ["06:00-10:00", "14:00-18:00"]}`; days not listed have no working hours. */
const workingHoursSchema = z.record(z.string(), timeRanges).superRefine((hours, ctx) => {
  for (const key of Object.keys(hours)) {
    const days = parseDays(key);
    if (typeof days === 'string') ctx.addIssue({ code: 'custom', path: [key], message: days });
  }
});

const dateSchema = z.string().refine(isIsoDate, { message: 'expected a date "YYYY-MM-DD"' });
const holidaySchema = z.union([
  dateSchema,
  z.object({ date: dateSchema, name: z.string().trim().min(1).optional() }).strict(),
]);

const maintenanceWindowSchema = z
  .object({
    /** Shown in the ExpectedMaintenance reason ("Brewhouse PLC firmware upgrade, CHG0042317"). */
    title: z.string().trim().min(1).optional(),
    start: checked(parseWhen),
    end: checked(parseWhen),
    /** IPs, MACs or names of the devices allowed to work (program, flash, stop) in the window. */
    devices: z.array(z.string().trim().min(1)).min(1),
    /** Only alerts in these zones; absent: the whole site. */
    zones: z.array(z.string().trim().min(1)).min(1).optional(),
  })
  .strict();

export const siteSchema = z
  .object({
    timeZone: timeZoneSchema,
    workingHours: workingHoursSchema.optional(),
    holidays: z.array(holidaySchema).optional(),
    maintenanceWindows: z.array(maintenanceWindowSchema).optional(),
  })
  .strict()
  .superRefine((site, ctx) => {
    if (!isTimeZone(site.timeZone)) return; // reported on timeZone
    site.maintenanceWindows?.forEach((w, i) => {
      const start = parseWhen(w.start);
      const end = parseWhen(w.end);
      if (typeof start === 'string' || typeof end === 'string') return;
      if (instantOf(end, site.timeZone) <= instantOf(start, site.timeZone)) {
        ctx.addIssue({
          code: 'custom',
          path: ['maintenanceWindows', i, 'end'],
          message: `"${w.end}" is not after start "${w.start}"`,
        });
      }
    });
  });
export type SiteConfig = z.output<typeof siteSchema>;

/** Site name (as alerts and `enrichment.sensors` name it, any case) → calendar. */
export const sitesSchema = z.record(z.string().trim().min(1), siteSchema).superRefine((sites, ctx) => {
  const seen = new Map<string, string>();
  for (const name of Object.keys(sites)) {
    const first = seen.get(name.toLowerCase());
    if (first !== undefined)
      ctx.addIssue({
        code: 'custom',
        path: [name],
        message: `same site as "${first}" (names are compared case-insensitively)`,
      });
    else seen.set(name.toLowerCase(), name);
  }
});
export type SitesConfig = z.output<typeof sitesSchema>;

// ---------------------------------------------------------------------------------------------------------------
// Compiled calendars

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

const range = (r: string): [number, number] => {
  const v = parseTimeRange(r);
  if (typeof v === 'string') throw new Error(v);
  return v;
};
const hhmm = (minute: number): string => `${p2(Math.floor(minute / 60))}:${p2(minute % 60)}`;

function compileHours(hours: Record<string, string | string[]>): NonNullable<SiteCalendar['hours']> {
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

function deviceSets(devices: readonly string[]) {
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

function windowText(title: string | undefined, start: number, end: number, tz: string): string {
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

const NONE: readonly MaintenanceWindow[] = [];

function inHours(byDay: readonly (readonly [number, number])[][], local: LocalMoment): boolean {
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

// ---------------------------------------------------------------------------------------------------------------
// Escalation rules

/** Catalog categories whose alerts are engineering operations on a controller (compared without case/spaces). */
const DEFAULT_CATEGORIES = [
  'Programming',
  'Firmware Change',
  'Restart/Stop Commands',
  'Configuration Changes',
];
/** Techniques that are such operations: program download/modify, firmware, mode change, restart, service stop. */
const DEFAULT_TECHNIQUES = ['T0843', 'T0889', 'T0839', 'T0857', 'T0858', 'T0816', 'T0881'];
/**
 * Categories that observe a state rather than a command (a device went silent, a buffer overflowed): their
 * techniques (T0881 Service Stop, T0839…) alone do not make them engineering operations.
 */
const DEFAULT_IGNORED = ['Unresponsive', 'Sensor Traffic', 'Operational Issues', 'Buffer Overflow'];

const techniqueIdSchema = z.string().transform((s, ctx) => {
  const t = technique(parseTechniqueId(s) ?? s);
  if (!t) {
    ctx.addIssue({ code: 'custom', message: `"${s}" is not an ATT&CK for ICS technique id (e.g. "T0843")` });
    return z.NEVER;
  }
  return t.id as string;
});

export const escalationSchema = z
  .object({
    /** Severity an escalated alert is raised to (never lowered). */
    severity: z.enum(SEVERITIES).default('High'),
    categories: z.array(z.string().trim().min(1)).default(DEFAULT_CATEGORIES),
    techniques: z.array(techniqueIdSchema).default(DEFAULT_TECHNIQUES),
    ignoreCategories: z.array(z.string().trim().min(1)).default(DEFAULT_IGNORED),
    /** Asset types allowed to program controllers (normalized like the inventory's). */
    engineeringTypes: z.array(z.string().trim().min(1)).default(['EngineeringStation']),
    /** A source device of unknown type (not in the inventory or entities): escalate, or give it the benefit of doubt. */
    unknownSource: z.enum(['escalate', 'ignore']).default('escalate'),
  })
  .strict();
export type EscalationConfig = z.output<typeof escalationSchema>;

export interface EscalationRules {
  severity: Severity;
  /** Squashed category → kind label. */
  categories: ReadonlyMap<string, string>;
  techniques: ReadonlyMap<string, string>;
  ignore: ReadonlySet<string>;
  engineeringTypes: ReadonlySet<string>;
  unknownSource: 'escalate' | 'ignore';
}

const squashCategory = (s: string): string => s.toLowerCase().replace(/\s+/g, '');

/** Categories are a few dozen distinct strings: squash each once, not once per alert. */
const squashedCategories = new Map<string, string>();
function categoryKey(category: string): string {
  let key = squashedCategories.get(category);
  if (key === undefined) {
    if (squashedCategories.size >= 1024) squashedCategories.clear();
    key = squashCategory(category);
    squashedCategories.set(category, key);
  }
  return key;
}

/** The words a reason uses for an operation, from its category or technique. */
function kindOfCategory(category: string): string {
  const c = squashCategory(category);
  if (c.includes('program')) return 'PLC programming';
  if (c.includes('firmware')) return 'Firmware change';
  if (c.includes('stop') || c.includes('restart') || c.includes('reset')) return 'Stop/restart command';
  if (c.includes('mode')) return 'Operating mode change';
  if (c.includes('config')) return 'Configuration change';
  return category;
}
const TECHNIQUE_KIND: Record<string, string> = {
  T0843: 'PLC programming',
  T0889: 'PLC programming',
  T0839: 'Firmware change',
  T0857: 'Firmware change',
  T0858: 'Operating mode change',
  T0816: 'Stop/restart command',
  T0881: 'Stop/restart command',
};

export function compileEscalation(cfg: EscalationConfig): EscalationRules {
  return {
    severity: cfg.severity,
    categories: new Map(cfg.categories.map((c) => [squashCategory(c), kindOfCategory(c)])),
    techniques: new Map(cfg.techniques.map((id) => [id, TECHNIQUE_KIND[id] ?? technique(id)?.name ?? id])),
    ignore: new Set(cfg.ignoreCategories.map(squashCategory)),
    engineeringTypes: new Set(cfg.engineeringTypes.map(normalizeAssetType)),
    unknownSource: cfg.unknownSource,
  };
}

/**
 * The kind of engineering operation an alert is ("PLC programming", "Firmware change", …), or undefined when it is
 * none. A listed category decides; else an ignored category rules it out; else a listed technique decides.
 */
export function operationKind(
  category: string | undefined,
  techniques: readonly string[],
  rules: EscalationRules,
): string | undefined {
  if (category) {
    const c = categoryKey(category);
    const kind = rules.categories.get(c);
    if (kind) return kind;
    if (rules.ignore.has(c)) return undefined;
  }
  for (const id of techniques) {
    const kind = rules.techniques.get(id);
    if (kind) return kind;
  }
  return undefined;
}

export type EscalationRule = 'OutsideWorkingHours' | 'NotEngineeringStation' | 'ExpectedMaintenance';

/** One entry of the Escalations column. `from`/`to` only when this rule changed the severity. */
export interface Escalation {
  rule: EscalationRule;
  reason: string;
  from?: Severity;
  to?: Severity;
}

export interface RuleInput {
  /** From operationKind; undefined: no rule applies. */
  kind: string | undefined;
  severity: Severity;
  site?: SiteCalendar | undefined;
  time?: TimeContext | undefined;
  source: Device;
  sourceAsset?: Asset | undefined;
}

const RANK: Record<Severity, number> = { Informational: 0, Low: 1, Medium: 2, High: 3 };

/** "LAPTOP-7Q2K (10.10.1.66, Workstation)" */
function describeDevice(d: Device, a: Asset | undefined): string {
  const name = a?.name ?? d.name;
  const ip = d.ip ?? a?.ip;
  const mac = d.mac ?? a?.mac;
  const details = [name ? ip : undefined, a?.type].filter(Boolean).join(', ');
  const label = name ?? ip ?? mac ?? 'an unidentified device';
  return details ? `${label} (${details})` : label;
}

function allowedIn(w: MaintenanceWindow, d: Device, a: Asset | undefined): boolean {
  const ip = d.ip ?? a?.ip;
  if (ip && w.ips.has(ip)) return true;
  const mac = d.mac ? normalizeMac(d.mac) : a?.mac;
  if (mac && w.macs.has(mac)) return true;
  if (d.name && w.names.has(d.name.toLowerCase())) return true;
  return !!a?.name && w.names.has(a.name.toLowerCase());
}

function offHoursReason(kind: string, site: SiteCalendar, time: TimeContext): string {
  const when = `${kind} at ${hhmm(time.local.minute)} ${site.timeZone} (${DAY_SHORT[time.local.weekday]} ${time.local.date})`;
  if (time.holiday !== undefined) {
    const name = time.holiday === time.local.date ? '' : `: ${time.holiday}`;
    return `${when}, on a holiday${name}`;
  }
  return `${when}, outside working hours ${site.hours?.text ?? ''}`.trimEnd();
}

/**
 * The rules for engineering operations (programming, firmware, stop/restart, mode change):
 * - inside an open maintenance window, from a device the window allows → ExpectedMaintenance (tag only; no other rule);
 * - outside the site's working hours, or on a holiday → OutsideWorkingHours, severity raised;
 * - from a device whose type is not an engineering station (or unknown, unless `unknownSource: ignore`) →
 *   NotEngineeringStation, severity raised. An alert without any source device is not judged by this rule.
 * The severity is raised to `rules.severity`, never lowered; the first rule that raised it carries `from`/`to`.
 */
export function escalate(
  i: RuleInput,
  rules: EscalationRules,
): { severity: Severity; escalations: Escalation[] } {
  if (!i.kind) return { severity: i.severity, escalations: [] };
  const who = describeDevice(i.source, i.sourceAsset);
  const expected = i.time?.windows.find((w) => allowedIn(w, i.source, i.sourceAsset));
  if (expected) {
    const reason = `${i.kind} from ${who} inside maintenance window ${expected.text}`;
    return { severity: i.severity, escalations: [{ rule: 'ExpectedMaintenance', reason }] };
  }
  const reasons: [EscalationRule, string][] = [];
  if (i.site && i.time?.inBusinessHours === false) {
    reasons.push(['OutsideWorkingHours', offHoursReason(i.kind, i.site, i.time)]);
  }
  const identified = !!(i.source.ip || i.source.mac || i.source.name || i.sourceAsset);
  const type = i.sourceAsset?.type;
  if (identified && type !== undefined && !rules.engineeringTypes.has(type)) {
    reasons.push(['NotEngineeringStation', `${i.kind} from ${who}, which is not an engineering station`]);
  } else if (identified && type === undefined && rules.unknownSource === 'escalate') {
    reasons.push([
      'NotEngineeringStation',
      `${i.kind} from ${who}, a device of unknown type (not a known engineering station)`,
    ]);
  }
  let severity = i.severity;
  const escalations = reasons.map(([rule, reason]): Escalation => {
    if (RANK[rules.severity] <= RANK[severity]) return { rule, reason };
    const from = severity;
    severity = rules.severity;
    return { rule, reason, from, to: severity };
  });
  return { severity, escalations };
}
