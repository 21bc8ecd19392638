/**
 * The Microsoft Sentinel incident trigger body (what the Logic App shim forwards as `@triggerBody()`), built from
 * a twin incident: research azure-contracts §3.5 — `workspaceInfo`, `workspaceId`, `object` = the incident
 * resource with `properties.Alerts[]` (capital A) and `properties.relatedEntities[]` expanded. Alert custom
 * details sit in `additionalData["Custom Details"]` as a JSON string of arrays, as Sentinel stores them.
 */
import type { TwinAlert } from '../alerts.js';
import { ruleArmId, type TwinIncident, tacticsOf, type WorkspaceRef } from '../incidents.js';

export const TWIN_WORKSPACE_ID = '11111111-1111-1111-1111-111111111111';

function alertResource(ws: WorkspaceRef, a: TwinAlert): Record<string, unknown> {
  return {
    id: `/subscriptions/${ws.subscriptionId}/resourceGroups/${ws.resourceGroup}/providers/Microsoft.OperationalInsights/workspaces/${ws.workspace}/providers/Microsoft.SecurityInsights/entities/${a.systemAlertId}`,
    name: a.systemAlertId,
    kind: 'SecurityAlert',
    properties: {
      systemAlertId: a.systemAlertId,
      alertDisplayName: a.displayName,
      description: a.description,
      severity: a.severity,
      status: 'New',
      startTimeUtc: a.startTimeUtc,
      endTimeUtc: a.endTimeUtc,
      timeGenerated: a.timeGenerated,
      productName: 'Azure Sentinel',
      productComponentName: a.dynamicProperties.ProductComponentName ?? 'Scheduled Alerts',
      alertType: `${a.ruleId}`,
      providerAlertId: a.systemAlertId,
      tactics: a.tactics,
      techniques: a.techniques,
      friendlyName: a.displayName,
      additionalData: {
        'Analytic Rule Ids': JSON.stringify([a.ruleId]),
        'Analytic Rule Name': a.ruleName,
        'Event Grouping': a.eventCount > 1 ? 'SingleAlert' : 'AlertPerResult',
        'Custom Details': JSON.stringify(a.customDetails),
        ...(a.dynamicProperties.ProductName ? { ProductName: a.dynamicProperties.ProductName } : {}),
        ...(a.dynamicProperties.RemediationSteps
          ? { RemediationSteps: a.dynamicProperties.RemediationSteps }
          : {}),
        ...(a.dynamicProperties.AlertLink ? { AlertLink: a.dynamicProperties.AlertLink } : {}),
      },
    },
  };
}

/** The trigger body for `incident` on a created (`Create`) or updated (`Update`) event. */
export function incidentTrigger(
  ws: WorkspaceRef,
  inc: TwinIncident,
  eventType: 'Create' | 'Update',
): Record<string, unknown> {
  const entities = new Map<string, { kind: string; properties: Record<string, string> }>();
  for (const a of inc.alerts)
    for (const e of a.entities) entities.set(`${e.kind}|${JSON.stringify(e.properties)}`.toLowerCase(), e);
  return {
    eventUniqueId: `${inc.name}-${inc.etag}`,
    objectSchemaType: 'Incident',
    objectEventType: eventType,
    workspaceInfo: {
      SubscriptionId: ws.subscriptionId,
      ResourceGroupName: ws.resourceGroup,
      WorkspaceName: ws.workspace,
    },
    workspaceId: TWIN_WORKSPACE_ID,
    object: {
      id: inc.armId,
      name: inc.name,
      etag: `"${inc.etag}"`,
      type: 'Microsoft.SecurityInsights/Incidents',
      properties: {
        incidentNumber: inc.number,
        title: inc.title,
        description: inc.description,
        severity: inc.severity,
        status: inc.status,
        ...(inc.classification ? { classification: inc.classification } : {}),
        ...(inc.classificationReason ? { classificationReason: inc.classificationReason } : {}),
        ...(inc.classificationComment ? { classificationComment: inc.classificationComment } : {}),
        owner: { objectId: null, email: null, assignedTo: null, userPrincipalName: null, ...inc.owner },
        labels: inc.labels,
        incidentUrl: `https://portal.azure.com/#asset/Microsoft_Azure_Security_Insights/Incident${inc.armId}`,
        providerName: 'Azure Sentinel',
        providerIncidentId: String(inc.number),
        createdTimeUtc: inc.createdTimeUtc,
        lastModifiedTimeUtc: inc.lastModifiedTimeUtc,
        firstActivityTimeUtc: inc.firstActivityTimeUtc,
        lastActivityTimeUtc: inc.lastActivityTimeUtc,
        relatedAnalyticRuleIds: inc.ruleIds.map((id) => ruleArmId(ws, id)),
        additionalData: {
          alertsCount: inc.alerts.length,
          bookmarksCount: 0,
          commentsCount: inc.comments.length,
          alertProductNames: ['Azure Sentinel'],
          tactics: tacticsOf(inc),
          techniques: [...new Set(inc.alerts.flatMap((a) => a.techniques))],
        },
        Alerts: inc.alerts.map((a) => alertResource(ws, a)),
        relatedEntities: [...entities.values()].map((e, i) => ({
          id: `${inc.armId}/entities/${i}`,
          kind: e.kind,
          properties: e.properties,
        })),
      },
    },
  };
}
