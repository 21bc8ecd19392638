/**
 * The analytics rules as the twin runs them: read from `analytics/rules/*.yaml` exactly as `analytics/` loads
 * them (loadContent + the same zod schema), with durations in milliseconds and every Sentinel default made
 * explicit, so the scheduler never guesses. A rule that does not parse stops the twin with its file and path.
 */
import { loadContent } from '../analytics/content.js';
import { parseDuration } from '../analytics/duration.js';
import { type AnalyticsRule, analyticsRuleSchema } from '../analytics/ruleSchema.js';

export type TriggerOperator = 'gt' | 'lt' | 'eq' | 'ne';
export type MatchingMethod = 'AllEntities' | 'AnyAlert' | 'Selected';

export interface EntityMapping {
  entityType: string;
  fieldMappings: { identifier: string; columnName: string }[];
}

export interface GroupingConfig {
  enabled: boolean;
  reopenClosedIncident: boolean;
  lookbackMs: number;
  matchingMethod: MatchingMethod;
  groupByEntities: string[];
  groupByAlertDetails: ('DisplayName' | 'Severity')[];
  groupByCustomDetails: string[];
}

export interface TwinRule {
  id: string;
  name: string;
  file: string;
  kind: 'Scheduled' | 'NRT';
  enabled: boolean;
  description: string;
  severity: string;
  tactics: string[];
  techniques: string[];
  query: string;
  /** Scheduled: queryFrequency; NRT: one minute (hard-coded by the service). */
  frequencyMs: number;
  /** Scheduled: queryPeriod (the TimeGenerated window); NRT: one minute of ingestion time. */
  periodMs: number;
  triggerOperator: TriggerOperator;
  triggerThreshold: number;
  aggregation: 'AlertPerResult' | 'SingleAlert';
  entityMappings: EntityMapping[];
  customDetails: Record<string, string>;
  override: NonNullable<AnalyticsRule['alertDetailsOverride']>;
  createIncident: boolean;
  grouping: GroupingConfig;
  /** Set when suppressionEnabled: the rule does not run for this long after it raised an alert. */
  suppressionMs?: number;
}

export const MINUTE = 60_000;

/** Defaults Sentinel applies when a rule omits incidentConfiguration: one incident per alert, no grouping. */
const NO_GROUPING: GroupingConfig = {
  enabled: false,
  reopenClosedIncident: false,
  lookbackMs: 5 * 3_600_000,
  matchingMethod: 'AllEntities',
  groupByEntities: [],
  groupByAlertDetails: [],
  groupByCustomDetails: [],
};

export class RuleLoadError extends Error {
  override name = 'RuleLoadError';
}

const ms = (text: string | undefined, where: string): number => {
  const v = text === undefined ? undefined : parseDuration(text);
  if (v === undefined) throw new RuleLoadError(`${where}: not a duration: ${String(text)}`);
  return v;
};

/** One parsed rule document to its twin form. */
export function twinRule(rule: AnalyticsRule, file: string): TwinRule {
  const scheduled = rule.kind === 'Scheduled';
  if (scheduled && (!rule.queryFrequency || !rule.queryPeriod))
    throw new RuleLoadError(`${file}: a Scheduled rule needs queryFrequency and queryPeriod`);
  const g = rule.incidentConfiguration?.groupingConfiguration;
  return {
    id: rule.id.toLowerCase(),
    name: rule.name,
    file,
    kind: rule.kind,
    enabled: rule.status !== 'Disabled',
    description: rule.description,
    severity: rule.severity,
    tactics: [...rule.tactics],
    techniques: [...rule.relevantTechniques],
    query: rule.query,
    frequencyMs: scheduled ? ms(rule.queryFrequency, `${file}: queryFrequency`) : MINUTE,
    periodMs: scheduled ? ms(rule.queryPeriod, `${file}: queryPeriod`) : MINUTE,
    triggerOperator: rule.triggerOperator ?? 'gt',
    triggerThreshold: rule.triggerThreshold ?? 0,
    aggregation: rule.eventGroupingSettings.aggregationKind,
    entityMappings: (rule.entityMappings ?? []).map((m) => ({
      entityType: m.entityType,
      fieldMappings: m.fieldMappings.map((f) => ({ ...f })),
    })),
    customDetails: { ...(rule.customDetails ?? {}) },
    override: { ...(rule.alertDetailsOverride ?? {}) },
    createIncident: rule.incidentConfiguration?.createIncident ?? true,
    grouping: g
      ? {
          enabled: g.enabled,
          reopenClosedIncident: g.reopenClosedIncident,
          lookbackMs: ms(g.lookbackDuration, `${file}: lookbackDuration`),
          matchingMethod: g.matchingMethod,
          groupByEntities: [...(g.groupByEntities ?? [])],
          groupByAlertDetails: [...(g.groupByAlertDetails ?? [])],
          groupByCustomDetails: [...(g.groupByCustomDetails ?? [])],
        }
      : { ...NO_GROUPING },
    ...(rule.suppressionEnabled
      ? { suppressionMs: ms(rule.suppressionDuration ?? 'PT5H', `${file}: suppressionDuration`) }
      : {}),
  };
}

/** Parses one rule YAML object (already loaded); throws naming the file and the first bad path. */
export function parseTwinRule(doc: unknown, file: string): TwinRule {
  const parsed = analyticsRuleSchema.safeParse(doc);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new RuleLoadError(
      `${file}: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid rule'}`,
    );
  }
  return twinRule(parsed.data, file);
}

/** Every rule of a content directory (default: the package's own analytics/rules). */
export function loadTwinRules(contentDir?: string): TwinRule[] {
  const content = loadContent(contentDir);
  return content.rules.map((src) => {
    if (src.errors.length) {
      const e = src.errors[0]!;
      throw new RuleLoadError(`${e.file}:${e.line}:${e.col}: ${e.message}`);
    }
    return parseTwinRule(src.doc.toJS(), src.file);
  });
}
