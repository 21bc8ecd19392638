/**
 * The twin as a Log Analytics workspace for KQL: OTAlerts_CL as the pipeline wrote it, plus Sentinel's own
 * SecurityAlert and SecurityIncident tables built from the twin's alerts and incidents (Sentinel's column names;
 * one SecurityIncident row per change of an incident, as Sentinel writes them: queries take the latest with
 * arg_max). `twinLogAnalytics` answers a query like the Log
 * Analytics query API does (rows as JSON objects: datetimes ISO strings), so the playbooks' own Log Analytics
 * code (facts by AlertId, classification history) runs unchanged against the twin.
 */
import type { TwinAlert } from './alerts.js';
import type { AutomationRun } from './automation/engine.js';
import { defaultRunner, type KqlColumn, type KqlTable, type KqlValue, type QueryRunner } from './engine.js';
import { type IncidentStore, ruleArmId, tacticsOf, workspaceArm } from './incidents.js';
import type { TwinWorkspace } from './workspace.js';

const col = (name: string, type: KqlColumn['type']): KqlColumn => ({ name, type });
const date = (iso: string): Date => new Date(iso);

export const SECURITY_ALERT_COLUMNS: KqlColumn[] = [
  col('TimeGenerated', 'datetime'),
  col('SystemAlertId', 'string'),
  col('AlertName', 'string'),
  col('DisplayName', 'string'),
  col('AlertSeverity', 'string'),
  col('Description', 'string'),
  col('ProviderName', 'string'),
  col('ProductName', 'string'),
  col('ProductComponentName', 'string'),
  col('VendorName', 'string'),
  col('AlertType', 'string'),
  col('Status', 'string'),
  col('StartTime', 'datetime'),
  col('EndTime', 'datetime'),
  col('Tactics', 'string'),
  col('Techniques', 'string'),
  col('Entities', 'string'),
  col('ExtendedProperties', 'string'),
];

export function securityAlertTable(alerts: readonly TwinAlert[]): KqlTable {
  return {
    columns: SECURITY_ALERT_COLUMNS,
    rows: alerts.map((a) => ({
      TimeGenerated: date(a.timeGenerated),
      SystemAlertId: a.systemAlertId,
      AlertName: a.displayName,
      DisplayName: a.displayName,
      AlertSeverity: a.severity,
      Description: a.description,
      ProviderName: 'ASI Scheduled Alerts',
      ProductName: 'Azure Sentinel',
      ProductComponentName: a.dynamicProperties.ProductComponentName ?? 'Scheduled Alerts',
      VendorName: 'Microsoft',
      AlertType: `${a.ruleId}`,
      Status: 'New',
      StartTime: date(a.startTimeUtc),
      EndTime: date(a.endTimeUtc),
      Tactics: a.tactics.join(', '),
      Techniques: JSON.stringify(a.techniques),
      Entities: JSON.stringify(a.entities.map((e) => ({ Type: e.kind.toLowerCase(), ...e.properties }))),
      ExtendedProperties: JSON.stringify({
        'Analytic Rule Ids': JSON.stringify([a.ruleId]),
        'Analytic Rule Name': a.ruleName,
        'Custom Details': JSON.stringify(a.customDetails),
        ...a.dynamicProperties,
      }),
    })),
  };
}

export const SECURITY_INCIDENT_COLUMNS: KqlColumn[] = [
  col('TimeGenerated', 'datetime'),
  col('IncidentName', 'string'),
  col('IncidentNumber', 'int'),
  col('Title', 'string'),
  col('Description', 'string'),
  col('Severity', 'string'),
  col('Status', 'string'),
  col('Classification', 'string'),
  col('ClassificationReason', 'string'),
  col('ClassificationComment', 'string'),
  col('Owner', 'dynamic'),
  col('ProviderName', 'string'),
  col('ProviderIncidentId', 'string'),
  col('FirstActivityTime', 'datetime'),
  col('LastActivityTime', 'datetime'),
  col('FirstModifiedTime', 'datetime'),
  col('LastModifiedTime', 'datetime'),
  col('CreatedTime', 'datetime'),
  col('ClosedTime', 'datetime'),
  col('AlertIds', 'dynamic'),
  col('RelatedAnalyticRuleIds', 'dynamic'),
  col('Labels', 'dynamic'),
  col('AdditionalData', 'dynamic'),
  col('IncidentUrl', 'string'),
  col('ModifiedBy', 'string'),
  col('Comments', 'dynamic'),
];

/**
 * When each record was written: its change's time, 1 ms after the incident's previous record when several changes
 * share an instant on the simulated clock (in Sentinel they are milliseconds apart), so `arg_max(TimeGenerated, *)`
 * finds the latest. Also when the incident was first changed after its creation, and when it was last closed.
 */
function recordTimes(store: IncidentStore): { at: number; firstModified: number; closed?: number }[] {
  const last = new Map<number, { at: number; firstModified?: number; closed?: number }>();
  return store.records.map(({ at, incident: i }) => {
    const prev = last.get(i.number);
    const t = prev ? Math.max(at, prev.at + 1) : at;
    // None on the creation record (which reads its own time); the first change's from then on.
    const firstModified = prev ? (prev.firstModified ?? t) : undefined;
    const closed = i.status !== 'Closed' ? undefined : (prev?.closed ?? t);
    last.set(i.number, { at: t, firstModified, closed });
    return { at: t, firstModified: firstModified ?? t, closed };
  });
}

export function securityIncidentTable(store: IncidentStore): KqlTable {
  const times = recordTimes(store);
  return {
    columns: SECURITY_INCIDENT_COLUMNS,
    rows: store.records.map(({ incident: i }, n) => ({
      TimeGenerated: new Date(times[n]!.at),
      IncidentName: i.name,
      IncidentNumber: i.number,
      Title: i.title,
      Description: i.description,
      Severity: i.severity,
      Status: i.status,
      Classification: i.classification ?? '',
      ClassificationReason: i.classificationReason ?? '',
      ClassificationComment: i.classificationComment ?? '',
      Owner: JSON.parse(JSON.stringify(i.owner)) as KqlValue,
      ProviderName: 'Azure Sentinel',
      ProviderIncidentId: String(i.number),
      FirstActivityTime: date(i.firstActivityTimeUtc),
      LastActivityTime: date(i.lastActivityTimeUtc),
      FirstModifiedTime: new Date(times[n]!.firstModified),
      LastModifiedTime: date(i.lastModifiedTimeUtc),
      CreatedTime: date(i.createdTimeUtc),
      ClosedTime: times[n]!.closed === undefined ? null : new Date(times[n]!.closed!),
      AlertIds: i.alerts.map((a) => a.systemAlertId),
      RelatedAnalyticRuleIds: i.ruleIds.map((id) => ruleArmId(store.workspace, id)),
      Labels: i.labels.map((l) => ({ labelName: l.labelName, labelType: l.labelType ?? 'User' })),
      AdditionalData: {
        alertsCount: i.alerts.length,
        tactics: tacticsOf(i),
        alertProductNames: ['Azure Sentinel'],
      },
      IncidentUrl: `https://portal.azure.com/#asset/Microsoft_Azure_Security_Insights/Incident${i.armId}`,
      ModifiedBy: i.modifiedBy,
      Comments: i.comments.map((c) => ({
        message: c.message,
        createdTimeUtc: c.createdTimeUtc,
        author: { name: c.author },
      })),
    })),
  };
}

export const SENTINEL_HEALTH_COLUMNS: KqlColumn[] = [
  col('TimeGenerated', 'datetime'),
  col('OperationName', 'string'),
  col('SentinelResourceId', 'string'),
  col('SentinelResourceName', 'string'),
  col('Status', 'string'),
  col('Description', 'string'),
  col('SentinelResourceType', 'string'),
  col('SentinelResourceKind', 'string'),
  col('RecordId', 'string'),
  col('ExtendedProperties', 'dynamic'),
];

/**
 * SentinelHealth as Sentinel's automation health monitoring writes it: one "Automation rule run" per automation
 * rule whose conditions matched, Status "Success" (every action triggered: the twin's shims always start),
 * ExtendedProperties naming the incident and the playbooks the rule triggered. Sentinel logs no "Playbook was
 * triggered" for playbooks an automation rule starts (only for manual or API runs), and nothing of the playbook's
 * own outcome (that is in the Logic App's diagnostics); the defender-status timer is a Function, not automation.
 */
export function sentinelHealthTable(runs: readonly AutomationRun[], store: IncidentStore): KqlTable {
  const base = `${workspaceArm(store.workspace)}/providers/Microsoft.SecurityInsights/automationRules`;
  return {
    columns: SENTINEL_HEALTH_COLUMNS,
    rows: runs.map((r, n) => {
      const incident = store.incidents.find((i) => i.number === r.incidentNumber);
      const playbooks = r.actions.filter((a) => a.startsWith('run playbook ')).map((a) => a.slice(13));
      return {
        TimeGenerated: date(r.at),
        OperationName: 'Automation rule run',
        SentinelResourceId: `${base}/${encodeURIComponent(r.rule)}`,
        SentinelResourceName: r.rule,
        Status: 'Success',
        Description: '',
        SentinelResourceType: 'Automation rule',
        SentinelResourceKind: '',
        RecordId: `twin-automation-run-${n + 1}`,
        ExtendedProperties: {
          IncidentName: incident?.name ?? '',
          IncidentNumber: r.incidentNumber,
          TriggeredOn: 'Incident',
          TriggeredWhen: r.event,
          TriggeredPlaybooks: playbooks.map((name) => ({ Name: `ot-soc-${name}` })),
        },
      };
    }),
  };
}

/** A KQL value as the Log Analytics query API returns it in JSON. */
export function jsonOfKql(v: KqlValue | undefined): unknown {
  if (v === undefined) return null;
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.map(jsonOfKql);
  if (v && typeof v === 'object')
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, jsonOfKql(x)]));
  return v;
}

/** ISO 8601 durations the query API takes as `timespan` (P30D, PT1H, P1DT2H). */
function timespanMs(t: string): number {
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(t);
  if (!m) throw new Error(`unsupported timespan ${t}`);
  return (
    ((Number(m[1] ?? 0) * 24 + Number(m[2] ?? 0)) * 60 + Number(m[3] ?? 0)) * 60_000 +
    Number(m[4] ?? 0) * 1000
  );
}

/**
 * A Log Analytics query function over the twin at the simulated time `now()`: rows accepted by then; with a
 * `timespan`, only rows whose TimeGenerated falls in it (what the API does).
 */
export function twinLogAnalytics(
  workspace: TwinWorkspace,
  store: IncidentStore,
  now: () => number,
  runner: QueryRunner = defaultRunner,
  watchlists: Record<string, KqlTable> = {},
) {
  return async (_workspaceId: string, kql: string, timespan?: string): Promise<Record<string, unknown>[]> => {
    const at = now();
    const from = timespan ? at - timespanMs(timespan) : Number.NEGATIVE_INFINITY;
    const inSpan = (t: KqlValue | undefined) =>
      !(t instanceof Date) || (t.getTime() >= from && t.getTime() <= at);
    const only = (t: KqlTable): KqlTable => ({
      columns: t.columns,
      rows: t.rows.filter((r) => inSpan(r.TimeGenerated)),
    });
    const result = runner(kql, {
      tables: {
        [workspace.table]: workspace.view(at, (r) => r.timeGenerated >= from),
        SecurityAlert: only(securityAlertTable(store.alerts)),
        SecurityIncident: only(securityIncidentTable(store)),
      },
      now: new Date(at),
      ingestionTimeOf: workspace.ingestionTimeOf,
      watchlists,
    });
    return result.rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, jsonOfKql(v)])));
  };
}
