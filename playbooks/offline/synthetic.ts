import { uuidV5 } from '../ids.js';
import { INCIDENT_SEVERITIES, type IncidentSeverity } from '../sentinel/incident.js';

/** OTAlerts_CL columns an ot-soc analytics rule surfaces as custom details (what the playbooks read). */
export const FACT_COLUMNS = [
  'AlertId',
  'AlertTitle',
  'Severity',
  'Site',
  'Zone',
  'Count',
  'FirstSeen',
  'LastSeen',
  'Techniques',
  'TechniqueNames',
  'Tactics',
  'SourceIP',
  'SourceName',
  'DestinationIP',
  'DestinationName',
  'SourceAssetName',
  'SourceAssetType',
  'DestinationAssetName',
  'DestinationAssetType',
  'PurdueLevel',
  'AssetCriticality',
  'AssetOwner',
  'OTTeam',
  'RiskScore',
  'Escalations',
  'InMaintenanceWindow',
  'AlertManagementUri',
  'Sensors',
] as const;

export interface SyntheticOptions {
  incidentNumber: number;
  subscriptionId?: string;
  resourceGroup?: string;
  workspace?: string;
  workspaceId?: string;
}

const list = (v: unknown): unknown[] => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]);

/**
 * The Sentinel incident-trigger body an ot-soc analytics rule would produce for OTAlerts_CL rows (one alert
 * per group, custom details as Sentinel writes them: a JSON string of arrays). For the demo and tests.
 */
export function syntheticIncident(
  rows: readonly Record<string, unknown>[],
  o: SyntheticOptions,
): Record<string, unknown> {
  const sub = o.subscriptionId ?? '00000000-0000-0000-0000-000000000000';
  const rg = o.resourceGroup ?? 'ot-soc-demo';
  const ws = o.workspace ?? 'ot-soc-demo';
  const first = rows[0] ?? {};
  const name = uuidV5(`synthetic|${rows.map((r) => String(r.AlertId ?? '')).join(',')}|${o.incidentNumber}`);
  const id = `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.OperationalInsights/workspaces/${ws}/providers/Microsoft.SecurityInsights/Incidents/${name}`;
  const severities = rows
    .map((r) => String(r.Severity))
    .filter((s): s is IncidentSeverity => (INCIDENT_SEVERITIES as readonly string[]).includes(s));
  const severity = INCIDENT_SEVERITIES.find((s) => severities.includes(s)) ?? 'Medium';
  const tactics = [...new Set(rows.flatMap((r) => list(r.Tactics).map(String)))];
  const techniques = [...new Set(rows.flatMap((r) => list(r.Techniques).map(String)))];
  return {
    objectSchemaType: 'Incident',
    objectEventType: 'Create',
    workspaceInfo: { SubscriptionId: sub, ResourceGroupName: rg, WorkspaceName: ws },
    workspaceId: o.workspaceId ?? '11111111-1111-1111-1111-111111111111',
    object: {
      id,
      name,
      etag: '"0"',
      type: 'Microsoft.SecurityInsights/Incidents',
      properties: {
        incidentNumber: o.incidentNumber,
        title: String(first.AlertTitle ?? 'OT alert'),
        description: String(first.Description ?? ''),
        severity,
        status: 'New',
        labels: [],
        owner: { objectId: null, email: null, assignedTo: null, userPrincipalName: null },
        incidentUrl: `https://portal.azure.com/#asset/Microsoft_Azure_Security_Insights/Incident${id}`,
        providerName: 'Azure Sentinel',
        createdTimeUtc: String(first.LastSeen ?? first.FirstSeen ?? new Date(0).toISOString()),
        firstActivityTimeUtc: String(first.FirstSeen ?? ''),
        lastActivityTimeUtc: String(first.LastSeen ?? ''),
        relatedAnalyticRuleIds: [],
        additionalData: {
          alertsCount: rows.length,
          tactics,
          techniques,
          alertProductNames: ['Azure Sentinel'],
        },
        Alerts: rows.map((r) => ({
          properties: {
            alertDisplayName: String(r.AlertTitle ?? 'OT alert'),
            severity: String(r.Severity ?? 'Medium'),
            startTimeUtc: r.FirstSeen,
            endTimeUtc: r.LastSeen,
            productName: 'Azure Sentinel',
            tactics: list(r.Tactics).map(String),
            techniques: list(r.Techniques).map(String),
            additionalData: {
              'Custom Details': JSON.stringify(
                Object.fromEntries(
                  FACT_COLUMNS.filter((c) => r[c] !== undefined && r[c] !== null).map((c) => [
                    c,
                    typeof r[c] === 'object' ? [JSON.stringify(r[c])] : [String(r[c])],
                  ]),
                ),
              ),
            },
          },
        })),
        relatedEntities: [],
      },
    },
  };
}
