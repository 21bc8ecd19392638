/**
 * From a rule run's query results to Sentinel alerts, as "Create a custom analytics rule" documents it
 * (docs/local-sentinel.md lists the facts): the alert threshold (triggerOperator/triggerThreshold on the number
 * of results), event grouping (SingleAlert: one alert for all results; AlertPerResult: one per result, at most
 * 150, the 150th summarising all of them), alert details override ({{column}} in name and description, severity
 * and tactics columns, dynamic properties), custom details and entity mappings.
 */

import { SENTINEL_TACTICS, SEVERITIES } from '../analytics/ruleSchema.js';
import { uuidV5 } from '../playbooks/ids.js';
import type { KqlValue } from './engine.js';
import type { TriggerOperator, TwinRule } from './rules.js';
import type { KqlRow } from './workspace.js';

/** Results above this make the last alert a summary of all of them (documented limit, scheduled rules). */
export const MAX_ALERTS_PER_RUN = 150;
/** NRT rules: 30 alerts, the 30th summarising ("NRT rules can produce up to 30 single-event alerts"). */
export const MAX_ALERTS_PER_NRT_RUN = 30;

export interface TwinEntity {
  /** As in the incident trigger's relatedEntities: Ip, Host, Account, … */
  kind: string;
  properties: Record<string, string>;
}

export interface TwinAlert {
  systemAlertId: string;
  ruleId: string;
  ruleName: string;
  displayName: string;
  description: string;
  severity: string;
  tactics: string[];
  techniques: string[];
  /** Custom details as Sentinel stores them: each key an array of values (strings). */
  customDetails: Record<string, string[]>;
  /** alertDynamicProperties: alert property → value. */
  dynamicProperties: Record<string, string>;
  entities: TwinEntity[];
  /** The OTAlerts_CL groups (AlertId) the alert covers. */
  alertIds: string[];
  /** Number of query results the alert stands for. */
  eventCount: number;
  /** When the alert was raised (the run's execution time). */
  timeGenerated: string;
  /** The query window. */
  startTimeUtc: string;
  endTimeUtc: string;
}

export function triggered(count: number, op: TriggerOperator, threshold: number): boolean {
  switch (op) {
    case 'gt':
      return count > threshold;
    case 'lt':
      return count < threshold;
    case 'eq':
      return count === threshold;
    case 'ne':
      return count !== threshold;
  }
}

/** A KQL value as text in an alert (name, description, custom details): datetimes ISO, dynamic as JSON. */
export function kqlText(v: KqlValue | undefined): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'object') return JSON.stringify(v, (_k, x) => (x instanceof Date ? x.toISOString() : x));
  return String(v);
}

/** `{{Column}}` placeholders replaced with the row's values (an absent column reads as empty). */
export function formatTemplate(template: string, row: KqlRow): string {
  return template.replace(/\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g, (_m, col: string) => kqlText(row[col]));
}

const SEVERITY_BY_LOWER = new Map(SEVERITIES.map((s) => [s.toLowerCase(), s]));
const TACTIC_BY_LOWER = new Map(SENTINEL_TACTICS.map((t) => [t.toLowerCase(), t]));

function listOf(v: KqlValue | undefined): string[] {
  if (v === null || v === undefined) return [];
  if (Array.isArray(v)) return v.flatMap(listOf);
  const s = kqlText(v).trim();
  if (s.startsWith('[')) {
    try {
      return listOf(JSON.parse(s) as KqlValue);
    } catch {
      // not JSON: a comma list
    }
  }
  return s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
}

const TECHNIQUE = /^T\d{4}(\.\d{3})?$/;

function entitiesOf(rule: TwinRule, rows: readonly KqlRow[]): TwinEntity[] {
  const seen = new Set<string>();
  const out: TwinEntity[] = [];
  for (const row of rows)
    for (const m of rule.entityMappings) {
      const properties: Record<string, string> = {};
      for (const f of m.fieldMappings) {
        const v = kqlText(row[f.columnName]).trim();
        if (v) properties[f.identifier.charAt(0).toLowerCase() + f.identifier.slice(1)] = v;
      }
      if (!Object.keys(properties).length) continue;
      const kind = m.entityType === 'IP' ? 'Ip' : m.entityType;
      const key = `${kind}|${JSON.stringify(Object.entries(properties).sort())}`.toLowerCase();
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ kind, properties: { ...properties, friendlyName: Object.values(properties)[0]! } });
    }
  return out;
}

function customDetailsOf(rule: TwinRule, rows: readonly KqlRow[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [key, column] of Object.entries(rule.customDetails)) {
    const values = rows.map((r) => kqlText(r[column])).filter((v) => v !== '');
    if (values.length) out[key] = values;
  }
  return out;
}

function alertIdsOf(rows: readonly KqlRow[]): string[] {
  const ids = new Set<string>();
  for (const row of rows)
    for (const [col, v] of Object.entries(row))
      if (/AlertIds?$/.test(col)) for (const id of listOf(v)) ids.add(id);
  return [...ids];
}

export interface RunWindow {
  /** When the run executed (alerts' TimeGenerated). */
  executedAt: number;
  start: number;
  end: number;
}

/** One alert from `rows` (one row for AlertPerResult, all of them for SingleAlert or the summary alert). */
function alertOf(rule: TwinRule, rows: readonly KqlRow[], w: RunWindow, index: number): TwinAlert {
  const first = rows[0] ?? {};
  const o = rule.override;
  const severity = o.alertSeverityColumnName
    ? (SEVERITY_BY_LOWER.get(kqlText(first[o.alertSeverityColumnName]).trim().toLowerCase()) ?? rule.severity)
    : rule.severity;
  const tacticsOverride = o.alertTacticsColumnName
    ? listOf(first[o.alertTacticsColumnName])
        .map((t) => TACTIC_BY_LOWER.get(t.toLowerCase()))
        .filter((t): t is (typeof SENTINEL_TACTICS)[number] => !!t)
    : [];
  const dynamicProperties: Record<string, string> = {};
  for (const p of o.alertDynamicProperties ?? []) {
    const v = kqlText(first[p.value]);
    if (v) dynamicProperties[p.alertProperty] = v;
  }
  const techniquesOverride = listOf(dynamicProperties.Techniques ?? null).filter((t) => TECHNIQUE.test(t));
  return {
    systemAlertId: uuidV5(`twin-alert|${rule.id}|${w.executedAt}|${index}`),
    ruleId: rule.id,
    ruleName: rule.name,
    displayName: o.alertDisplayNameFormat ? formatTemplate(o.alertDisplayNameFormat, first) : rule.name,
    description: o.alertDescriptionFormat
      ? formatTemplate(o.alertDescriptionFormat, first)
      : rule.description,
    severity,
    tactics: tacticsOverride.length ? [...new Set(tacticsOverride)] : [...rule.tactics],
    techniques: techniquesOverride.length ? [...new Set(techniquesOverride)] : [...rule.techniques],
    customDetails: customDetailsOf(rule, rows),
    dynamicProperties,
    entities: entitiesOf(rule, rows),
    alertIds: alertIdsOf(rows),
    eventCount: rows.length,
    timeGenerated: new Date(w.executedAt).toISOString(),
    startTimeUtc: new Date(w.start).toISOString(),
    endTimeUtc: new Date(w.end).toISOString(),
  };
}

/** The alerts one run raises (none when the threshold is not met). */
export function alertsOfRun(rule: TwinRule, rows: readonly KqlRow[], w: RunWindow): TwinAlert[] {
  if (!triggered(rows.length, rule.triggerOperator, rule.triggerThreshold)) return [];
  if (rule.aggregation === 'SingleAlert' || rows.length === 0) return [alertOf(rule, rows, w, 0)];
  const cap = rule.kind === 'NRT' ? MAX_ALERTS_PER_NRT_RUN : MAX_ALERTS_PER_RUN;
  if (rows.length <= cap) return rows.map((r, i) => alertOf(rule, [r], w, i));
  return [...rows.slice(0, cap - 1).map((r, i) => alertOf(rule, [r], w, i)), alertOf(rule, rows, w, cap - 1)];
}
