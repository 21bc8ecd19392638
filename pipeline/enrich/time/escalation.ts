/**
 * Escalation rules: which engineering operations outside working hours or from a non-engineering station
 * escalate.
 */

import { z } from 'zod';
import { type Device, SEVERITIES, type Severity } from '../../model/alert.js';
import { parseTechniqueId, technique } from '../attack.js';
import { type Asset, normalizeAssetType, normalizeMac } from '../inventory/index.js';
import { DAY_SHORT } from './calendarValues.js';
import {
  hhmm,
  type MaintenanceWindow,
  nearbyWindow,
  type SiteCalendar,
  type TimeContext,
} from './siteCalendar.js';

/** Catalog categories whose alerts are engineering operations on a controller (compared without case/spaces). */
export const DEFAULT_CATEGORIES = [
  'Programming',
  'Firmware Change',
  'Restart/Stop Commands',
  'Configuration Changes',
];
/** Techniques that are such operations: program download/modify, firmware, mode change, restart, service stop. */
export const DEFAULT_TECHNIQUES = ['T0843', 'T0889', 'T0839', 'T0857', 'T0858', 'T0816', 'T0881'];
/**
 * Categories that observe a state rather than a command (a device went silent, a buffer overflowed): their
 * techniques (T0881 Service Stop, T0839…) alone do not make them engineering operations.
 */
export const DEFAULT_IGNORED = ['Unresponsive', 'Sensor Traffic', 'Operational Issues', 'Buffer Overflow'];
/**
 * Categories that are not engineering operations but are the work itself when a maintenance window allows their
 * source: an engineering tool discovering the controllers it is about to program scans them. Tagged
 * ExpectedMaintenance like the operations, never escalated (a scan is not judged by the hours or the source).
 */
export const DEFAULT_MAINTENANCE_CATEGORIES = ['Scan'];

export const techniqueIdSchema = z.string().transform((s, ctx) => {
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
    /** Categories that a maintenance window's allowed devices may raise as expected work, never escalated. */
    maintenanceCategories: z.array(z.string().trim().min(1)).default(DEFAULT_MAINTENANCE_CATEGORIES),
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
  /** Squashed category → its name, for the reason ("Scan from …"). */
  maintenance: ReadonlyMap<string, string>;
  engineeringTypes: ReadonlySet<string>;
  unknownSource: 'escalate' | 'ignore';
}

export const squashCategory = (s: string): string => s.toLowerCase().replace(/\s+/g, '');

/** Categories are a few dozen distinct strings: squash each once, not once per alert. */
export const squashedCategories = new Map<string, string>();
export function categoryKey(category: string): string {
  let key = squashedCategories.get(category);
  if (key === undefined) {
    if (squashedCategories.size >= 1024) squashedCategories.clear();
    key = squashCategory(category);
    squashedCategories.set(category, key);
  }
  return key;
}

/** The words a reason uses for an operation, from its category or technique. */
export function kindOfCategory(category: string): string {
  const c = squashCategory(category);
  if (c.includes('program')) return 'PLC programming';
  if (c.includes('firmware')) return 'Firmware change';
  if (c.includes('stop') || c.includes('restart') || c.includes('reset')) return 'Stop/restart command';
  if (c.includes('mode')) return 'Operating mode change';
  if (c.includes('config')) return 'Configuration change';
  return category;
}
export const TECHNIQUE_KIND: Record<string, string> = {
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
    maintenance: new Map(cfg.maintenanceCategories.map((c) => [squashCategory(c), c])),
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

/** The words for an alert that is expected work only inside a maintenance window (`maintenanceCategories`), or none. */
export function maintenanceWork(category: string | undefined, rules: EscalationRules): string | undefined {
  return category ? rules.maintenance.get(categoryKey(category)) : undefined;
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
  /** From maintenanceWork, for an alert that is no operation: only the maintenance rule applies. */
  work?: string | undefined;
  severity: Severity;
  site?: SiteCalendar | undefined;
  time?: TimeContext | undefined;
  source: Device;
  sourceAsset?: Asset | undefined;
}

export const RANK: Record<Severity, number> = { Informational: 0, Low: 1, Medium: 2, High: 3 };

/** "LAPTOP-7Q2K (10.10.1.66, Workstation)" */
export function describeDevice(d: Device, a: Asset | undefined): string {
  const name = a?.name ?? d.name;
  const ip = d.ip ?? a?.ip;
  const mac = d.mac ?? a?.mac;
  const details = [name ? ip : undefined, a?.type].filter(Boolean).join(', ');
  const label = name ?? ip ?? mac ?? 'an unidentified device';
  return details ? `${label} (${details})` : label;
}

export function allowedIn(w: MaintenanceWindow, d: Device, a: Asset | undefined): boolean {
  const ip = d.ip ?? a?.ip;
  if (ip && w.ips.has(ip)) return true;
  const mac = d.mac ? normalizeMac(d.mac) : a?.mac;
  if (mac && w.macs.has(mac)) return true;
  if (d.name && w.names.has(d.name.toLowerCase())) return true;
  return !!a?.name && w.names.has(a.name.toLowerCase());
}

export function offHoursReason(kind: string, site: SiteCalendar, time: TimeContext): string {
  const when = `${kind} at ${hhmm(time.local.minute)} ${site.timeZone} (${DAY_SHORT[time.local.weekday]} ${time.local.date})`;
  if (time.holiday !== undefined) {
    const name = time.holiday === time.local.date ? '' : `: ${time.holiday}`;
    return `${when}, on a holiday${name}`;
  }
  return `${when}, outside working hours ${site.hours?.text ?? ''}`.trimEnd();
}

/** "15 min after maintenance window "…" 2026-11-01 00:30–03:30 America/Chicago ended, which allows TUL-EWS-01". */
function nearWindowText(i: RuleInput, site: SiteCalendar, time: TimeContext): string | undefined {
  const near = nearbyWindow(site, time.at, time.zoneKey, (w) => allowedIn(w, i.source, i.sourceAsset));
  if (!near) return undefined;
  const who = i.sourceAsset?.name ?? i.source.name ?? i.source.ip ?? i.source.mac ?? 'the source';
  const when = near.ended
    ? `after maintenance window ${near.window.text} ended`
    : `before maintenance window ${near.window.text} opens`;
  return `${near.minutes} min ${when}, which allows ${who}`;
}

/**
 * The rules for engineering operations (programming, firmware, stop/restart, mode change):
 * - inside an open maintenance window, from a device the window allows → ExpectedMaintenance (tag only; no other rule);
 *   so is the work around them (`work`: a scan), which no other rule judges;
 * - outside the site's working hours, or on a holiday → OutsideWorkingHours, severity raised;
 * - from a device whose type is not an engineering station (or unknown, unless `unknownSource: ignore`) →
 *   NotEngineeringStation, severity raised. An alert without any source device is not judged by this rule.
 * An escalated operation within two hours of a window that allows its source says so in its first reason (an
 * overrun or an early start), and is escalated all the same: the window is what was announced.
 * The severity is raised to `rules.severity`, never lowered; the first rule that raised it carries `from`/`to`.
 */
export function escalate(
  i: RuleInput,
  rules: EscalationRules,
): { severity: Severity; escalations: Escalation[] } {
  const kind = i.kind ?? i.work;
  if (!kind) return { severity: i.severity, escalations: [] };
  const who = describeDevice(i.source, i.sourceAsset);
  const expected = i.time?.windows.find((w) => allowedIn(w, i.source, i.sourceAsset));
  if (expected) {
    const reason = `${kind} from ${who} inside maintenance window ${expected.text}`;
    return { severity: i.severity, escalations: [{ rule: 'ExpectedMaintenance', reason }] };
  }
  if (!i.kind) return { severity: i.severity, escalations: [] };
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
  const near = reasons.length && i.site && i.time ? nearWindowText(i, i.site, i.time) : undefined;
  if (near) reasons[0]![1] += `; ${near}`;
  let severity = i.severity;
  const escalations = reasons.map(([rule, reason]): Escalation => {
    if (RANK[rules.severity] <= RANK[severity]) return { rule, reason };
    const from = severity;
    severity = rules.severity;
    return { rule, reason, from, to: severity };
  });
  return { severity, escalations };
}
