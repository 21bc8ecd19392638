/**
 * Which open incidents Defender for IoT has moved on: one Log Analytics query over what Sentinel and ot-soc
 * already write (no new table). SecurityIncident (latest row per incident, still New or Active) → its alerts'
 * SecurityAlert rows → the `AlertId` custom detail of ot-soc's rules → the latest OTAlerts_CL revision of each
 * group, whose `Status` the pipeline keeps in step with the Defender for IoT alerts it merges
 * (docs/identity.md). A scheduled rule cannot do this: a rule only raises alerts, it never changes an incident.
 */
import type { LogAnalyticsQuery } from '../logAnalytics.js';

export type GroupStatus = 'New' | 'Active' | 'Closed';

export interface IncidentGroups {
  /** The incident's resource name (a GUID): with the workspace, its ARM id. */
  name: string;
  number: number;
  status: 'New' | 'Active';
  /** Each ot-soc group of the incident and its latest status; undefined: no row within the lookback. */
  groups: { alertId: string; status: GroupStatus | undefined }[];
}

export function defenderStatusQuery(lookbackDays: number): string {
  const days = Math.max(1, Math.floor(lookbackDays));
  return [
    `let lookback = ${days}d;`,
    'let openIncidents = SecurityIncident',
    '  | where TimeGenerated > ago(lookback)',
    '  | summarize arg_max(TimeGenerated, Status, IncidentNumber, AlertIds) by IncidentName',
    '  | where Status in ("New", "Active");',
    'let groupOfAlert = SecurityAlert',
    '  | where TimeGenerated > ago(lookback)',
    '  | summarize arg_max(TimeGenerated, ExtendedProperties) by SystemAlertId',
    '  | extend Details = parse_json(tostring(parse_json(ExtendedProperties)["Custom Details"]))',
    '  | mv-expand AlertId = Details.AlertId to typeof(string)',
    '  | where isnotempty(AlertId)',
    '  | project SystemAlertId, AlertId;',
    'let latestGroup = OTAlerts_CL',
    '  | where TimeGenerated > ago(lookback)',
    '  | summarize arg_max(Revision, Status) by AlertId',
    '  | project AlertId, GroupStatus = Status;',
    'openIncidents',
    '| mv-expand SystemAlertId = AlertIds to typeof(string)',
    '| join kind=inner groupOfAlert on SystemAlertId',
    '| project IncidentName, IncidentNumber, IncidentStatus = Status, AlertId',
    '| distinct IncidentName, IncidentNumber, IncidentStatus, AlertId',
    '| join kind=leftouter latestGroup on AlertId',
    '| summarize Moved = countif(GroupStatus in ("Active", "Closed")),',
    '    Groups = make_set(strcat(AlertId, "=", GroupStatus)) by IncidentName, IncidentNumber, IncidentStatus',
    '| where Moved > 0',
    '| project IncidentName, IncidentNumber, IncidentStatus, Groups',
  ].join('\n');
}

const STATUSES = new Set<string>(['New', 'Active', 'Closed']);

/** The query's rows as incidents; rows that are not what the query returns are skipped and named. */
export function parseIncidentGroups(
  rows: readonly Record<string, unknown>[],
  notes: string[],
): IncidentGroups[] {
  const out: IncidentGroups[] = [];
  for (const r of rows) {
    const name = String(r.IncidentName ?? '');
    const status = String(r.IncidentStatus ?? '');
    const groups = Array.isArray(r.Groups)
      ? r.Groups
      : typeof r.Groups === 'string'
        ? safeArray(r.Groups)
        : [];
    if (!/^[0-9A-Za-z-]{1,128}$/.test(name) || (status !== 'New' && status !== 'Active') || !groups.length) {
      notes.push(
        `skipped a query row that is not an open incident with groups: ${JSON.stringify(r).slice(0, 200)}`,
      );
      continue;
    }
    out.push({
      name,
      number: Number(r.IncidentNumber) || 0,
      status,
      groups: groups.map((g) => {
        const s = String(g);
        const at = s.lastIndexOf('=');
        const st = s.slice(at + 1);
        return { alertId: s.slice(0, at), status: STATUSES.has(st) ? (st as GroupStatus) : undefined };
      }),
    });
  }
  return out;
}

function safeArray(s: string): unknown[] {
  try {
    const v = JSON.parse(s) as unknown;
    return Array.isArray(v) ? v : [];
  } catch {
    return [];
  }
}

export async function openIncidentsMovedByDefender(
  query: LogAnalyticsQuery,
  workspaceId: string,
  lookbackDays: number,
  notes: string[],
): Promise<IncidentGroups[]> {
  const rows = await query(
    workspaceId,
    defenderStatusQuery(lookbackDays),
    `P${Math.max(1, Math.floor(lookbackDays))}D`,
  );
  return parseIncidentGroups(rows, notes);
}
