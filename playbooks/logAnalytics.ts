import type { TokenCredential } from '@azure/core-auth';
import { DownstreamError } from './errors.js';
import type { AlertFactsSource } from './facts.js';
import { excerpt, type FetchLike, fetchWithRetry, jsonOf, type RetryOptions, type Sleep } from './http.js';
import { bearerTokens, LOG_ANALYTICS_SCOPE } from './token.js';

/** How often each classification was given to closed incidents of one alert type. */
export interface ClassificationCounts {
  closed: number;
  truePositive: number;
  benignPositive: number;
  falsePositive: number;
  undetermined: number;
}

/** Which alert type: its title (the `AlertTitle` custom detail) and, when known, the analytics rules raising it. */
export interface AlertType {
  title: string;
  /** Analytics rule ids (GUIDs, the last segment of relatedAnalyticRuleIds); any rule when empty. */
  ruleIds: readonly string[];
}

/** Classification history of an alert type (for the learned-false-positive rule); faked in tests. */
export interface ClassificationHistory {
  forAlertType(workspaceId: string, type: AlertType, lookbackDays: number): Promise<ClassificationCounts>;
}

/** A KQL string literal: escapes backslash and quote, refuses line breaks (no query can be smuggled in). */
export function kqlString(s: string): string {
  return `"${s
    .replace(/[\r\n]/g, ' ')
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"')}"`;
}

/** The latest revision of each named OTAlerts_CL group. */
export function latestRowsQuery(alertIds: readonly string[]): string {
  return [
    'OTAlerts_CL',
    `| where AlertId in (${alertIds.map(kqlString).join(', ')})`,
    '| summarize arg_max(Revision, *) by AlertId',
  ].join('\n');
}

/** The marker every ot-soc auto-close writes into classificationComment. */
export const AUTO_CLOSE_MARKER = 'ot-soc auto-close';

/**
 * Closed incidents of one alert type, by final classification. The type is the `AlertTitle` custom detail of
 * the incident's alerts (the raw Defender for IoT title; `AlertName` is the formatted display name
 * "OT: <title> in <site>/<zone>" and never equals it), of incidents of the same analytics rules. Incidents
 * ot-soc closed itself are left out: otherwise every auto-close would count as evidence for the next one.
 */
export function classificationQuery(type: AlertType | string, lookbackDays: number): string {
  const t = typeof type === 'string' ? { title: type, ruleIds: [] } : type;
  const days = Math.max(1, Math.floor(lookbackDays));
  const rules = t.ruleIds.filter((id) => /^[0-9A-Za-z-]{1,64}$/.test(id));
  return [
    'SecurityIncident',
    `| where TimeGenerated > ago(${days}d)`,
    '| summarize arg_max(TimeGenerated, *) by IncidentName',
    '| where Status == "Closed"',
    `| where not(ClassificationComment startswith ${kqlString(AUTO_CLOSE_MARKER)})`,
    ...(rules.length
      ? [`| where ${rules.map((id) => `tostring(RelatedAnalyticRuleIds) has ${kqlString(id)}`).join(' or ')}`]
      : []),
    '| mv-expand AlertId = AlertIds to typeof(string)',
    '| join kind=inner (',
    `    SecurityAlert | where TimeGenerated > ago(${days}d)`,
    '    | summarize arg_max(TimeGenerated, ExtendedProperties) by SystemAlertId',
    '    | extend Details = parse_json(tostring(parse_json(ExtendedProperties)["Custom Details"]))',
    '    | extend AlertTitle = tostring(Details.AlertTitle[0])',
    '  ) on $left.AlertId == $right.SystemAlertId',
    `| where AlertTitle =~ ${kqlString(t.title)}`,
    '| summarize by IncidentName, Classification',
    '| summarize Count = count() by Classification',
  ].join('\n');
}

interface QueryTable {
  name: string;
  columns: { name: string; type: string }[];
  rows: unknown[][];
}

export interface LogAnalyticsQueryOptions {
  credential: TokenCredential;
  fetch?: FetchLike;
  sleep?: Sleep;
  retry?: Omit<RetryOptions, 'sleep'>;
  endpoint?: string;
}

/** The Log Analytics query API (`POST /v1/workspaces/{id}/query`), rows as objects. */
export function createLogAnalyticsQuery(options: LogAnalyticsQueryOptions) {
  const fetch = options.fetch ?? (globalThis.fetch as FetchLike);
  const endpoint = options.endpoint ?? 'https://api.loganalytics.io';
  const token = bearerTokens(options.credential, LOG_ANALYTICS_SCOPE, 'log-analytics');
  return async function query(
    workspaceId: string,
    kql: string,
    timespan?: string,
  ): Promise<Record<string, unknown>[]> {
    if (!/^[0-9a-f-]{36}$/i.test(workspaceId))
      throw new DownstreamError(
        'log-analytics',
        'rejected',
        `workspace id ${excerpt(workspaceId, 60)} is not a GUID`,
      );
    const res = await fetchWithRetry(
      'log-analytics',
      fetch,
      `${endpoint}/v1/workspaces/${workspaceId}/query`,
      {
        method: 'POST',
        headers: { authorization: `Bearer ${await token()}`, 'content-type': 'application/json' },
        body: JSON.stringify(timespan ? { query: kql, timespan } : { query: kql }),
      },
      { ...options.retry, ...(options.sleep ? { sleep: options.sleep } : {}) },
    );
    const body = await jsonOf(res);
    if (res.status === 403)
      throw new DownstreamError(
        'log-analytics',
        'missing-permission',
        `Log Analytics denied the query (403): the identity needs "Log Analytics Reader" (or "Microsoft Sentinel Reader") on the workspace`,
        403,
      );
    if (res.status !== 200)
      throw new DownstreamError(
        'log-analytics',
        'rejected',
        `query failed (${res.status}): ${excerpt(body)}`,
        res.status,
      );
    const table = (body as { tables?: QueryTable[] }).tables?.[0];
    if (!table) return [];
    return table.rows.map((row) => Object.fromEntries(table.columns.map((c, i) => [c.name, row[i]])));
  };
}

export type LogAnalyticsQuery = ReturnType<typeof createLogAnalyticsQuery>;

export function logAnalyticsAlertFacts(query: LogAnalyticsQuery): AlertFactsSource {
  return {
    latest: (workspaceId, alertIds) => query(workspaceId, latestRowsQuery(alertIds.slice(0, 100)), 'P30D'),
  };
}

export function logAnalyticsClassificationHistory(query: LogAnalyticsQuery): ClassificationHistory {
  return {
    async forAlertType(workspaceId, type, lookbackDays) {
      const rows = await query(workspaceId, classificationQuery(type, lookbackDays));
      const counts: ClassificationCounts = {
        closed: 0,
        truePositive: 0,
        benignPositive: 0,
        falsePositive: 0,
        undetermined: 0,
      };
      for (const r of rows) {
        const n = Number(r.Count) || 0;
        counts.closed += n;
        const c = String(r.Classification ?? '');
        if (c === 'TruePositive') counts.truePositive += n;
        else if (c === 'BenignPositive') counts.benignPositive += n;
        else if (c === 'FalsePositive') counts.falsePositive += n;
        else counts.undetermined += n;
      }
      return counts;
    },
  };
}
