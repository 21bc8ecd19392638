/**
 * A lenient view of a rule or hunting query YAML for the cross-field checks: built from the raw YAML, so a rule with
 * one bad field (reported by zod) still gets every other check. Malformed parts are dropped; array positions are kept
 * for the error location.
 */

export type Maybe<T> = T | undefined;

interface LenientFieldMapping {
  readonly identifier?: string;
  readonly columnName?: string;
}

export interface LenientEntityMapping {
  readonly entityType?: string;
  readonly fieldMappings: readonly Maybe<LenientFieldMapping>[];
}

export interface LenientConnector {
  readonly connectorId?: string;
  readonly dataTypes: readonly string[];
}

export interface LenientRule {
  readonly kind?: string;
  readonly requiredDataConnectors: readonly Maybe<LenientConnector>[];
  readonly queryFrequency?: string;
  readonly queryPeriod?: string;
  readonly triggerOperator?: string;
  readonly triggerThreshold?: unknown;
  readonly suppressionEnabled?: unknown;
  readonly suppressionDuration?: string;
  readonly tactics: readonly string[];
  readonly relevantTechniques: readonly string[];
  readonly entityMappings: readonly Maybe<LenientEntityMapping>[];
  readonly customDetails: Readonly<Record<string, string>>;
  readonly alertDetailsOverride?: {
    readonly alertDisplayNameFormat?: string;
    readonly alertDescriptionFormat?: string;
    readonly alertTacticsColumnName?: string;
    readonly alertSeverityColumnName?: string;
    readonly alertDynamicProperties: readonly Maybe<{
      readonly alertProperty?: string;
      readonly value?: string;
    }>[];
  };
  readonly grouping?: {
    readonly lookbackDuration?: string;
    readonly matchingMethod?: string;
    readonly groupByEntities: readonly string[];
    readonly groupByAlertDetails: readonly string[];
    readonly groupByCustomDetails: readonly string[];
  };
}

type Raw = Record<string, unknown>;
const obj = (v: unknown): Raw | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Raw) : undefined;
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const strings = (v: unknown): string[] => arr(v).map((x) => (typeof x === 'string' ? x : ''));

export function lenient(data: unknown): LenientRule {
  const d = obj(data) ?? {};
  const o = obj(d.alertDetailsOverride);
  const g = obj(obj(d.incidentConfiguration)?.groupingConfiguration);
  const details: Record<string, string> = {};
  for (const [k, v] of Object.entries(obj(d.customDetails) ?? {})) if (typeof v === 'string') details[k] = v;
  return {
    kind: str(d.kind),
    requiredDataConnectors: arr(d.requiredDataConnectors).map((c) => {
      const x = obj(c);
      return x ? { connectorId: str(x.connectorId), dataTypes: strings(x.dataTypes) } : undefined;
    }),
    queryFrequency: str(d.queryFrequency),
    queryPeriod: str(d.queryPeriod),
    triggerOperator: str(d.triggerOperator),
    triggerThreshold: d.triggerThreshold,
    suppressionEnabled: d.suppressionEnabled,
    suppressionDuration: str(d.suppressionDuration),
    tactics: strings(d.tactics),
    relevantTechniques: strings(d.relevantTechniques),
    entityMappings: arr(d.entityMappings).map((m) => {
      const e = obj(m);
      if (!e) return undefined;
      return {
        entityType: str(e.entityType),
        fieldMappings: arr(e.fieldMappings).map((f) => {
          const x = obj(f);
          return x ? { identifier: str(x.identifier), columnName: str(x.columnName) } : undefined;
        }),
      };
    }),
    customDetails: details,
    alertDetailsOverride: o && {
      alertDisplayNameFormat: str(o.alertDisplayNameFormat),
      alertDescriptionFormat: str(o.alertDescriptionFormat),
      alertTacticsColumnName: str(o.alertTacticsColumnName),
      alertSeverityColumnName: str(o.alertSeverityColumnName),
      alertDynamicProperties: arr(o.alertDynamicProperties).map((p) => {
        const x = obj(p);
        return x ? { alertProperty: str(x.alertProperty), value: str(x.value) } : undefined;
      }),
    },
    grouping: g && {
      lookbackDuration: str(g.lookbackDuration),
      matchingMethod: str(g.matchingMethod),
      groupByEntities: strings(g.groupByEntities),
      groupByAlertDetails: strings(g.groupByAlertDetails),
      groupByCustomDetails: strings(g.groupByCustomDetails),
    },
  };
}
