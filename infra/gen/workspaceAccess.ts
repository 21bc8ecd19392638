import { API } from './apiVersions.js';
import { type JsonObject, p, TEMPLATE_SCHEMA, v, x } from './arm.js';
import { role } from './builtInRoles.js';
import { id, principalId } from './resourceIds.js';

/**
 * Sentinel Responder and Log Analytics Reader for the Function on the workspace (playbooks, defender-status
 * timer), and the optional SecurityAlert export rule.
 */
export function workspaceAccessDeployment(): JsonObject {
  return {
    type: 'Microsoft.Resources/deployments',
    apiVersion: API.deployment,
    name: x(v('workspaceAccessDeploymentName')),
    subscriptionId: x(p('workspaceSubscriptionId')),
    resourceGroup: x(p('workspaceResourceGroup')),
    properties: {
      mode: 'Incremental',
      expressionEvaluationOptions: { scope: 'inner' },
      parameters: {
        workspaceName: { value: x(p('workspaceName')) },
        principalId: { value: principalId },
        responderRoleId: { value: x(role('sentinelResponder')) },
        logReaderRoleId: { value: x(role('logAnalyticsReader')) },
        exportSecurityAlerts: { value: x(p('exportSecurityAlertsToHub')) },
        eventHubNamespaceId: { value: x(id.namespace) },
        eventHubName: { value: x(v('eventHubName')) },
      },
      template: {
        $schema: TEMPLATE_SCHEMA,
        contentVersion: '1.0.0.0',
        parameters: {
          workspaceName: { type: 'string' },
          principalId: { type: 'string' },
          responderRoleId: { type: 'string' },
          logReaderRoleId: { type: 'string' },
          exportSecurityAlerts: { type: 'bool' },
          eventHubNamespaceId: { type: 'string' },
          eventHubName: { type: 'string' },
        },
        resources: [
          {
            type: 'Microsoft.Authorization/roleAssignments',
            apiVersion: API.roleAssignment,
            name: x(
              `guid(resourceId('Microsoft.OperationalInsights/workspaces', ${p('workspaceName')}), ${p('principalId')}, ${p('responderRoleId')})`,
            ),
            scope: x(`format('Microsoft.OperationalInsights/workspaces/{0}', ${p('workspaceName')})`),
            properties: {
              roleDefinitionId: x(
                `subscriptionResourceId('Microsoft.Authorization/roleDefinitions', ${p('responderRoleId')})`,
              ),
              principalId: x(p('principalId')),
              principalType: 'ServicePrincipal',
              description: 'ot-soc Function: playbooks read and update incidents, add comments',
            },
          },
          {
            type: 'Microsoft.Authorization/roleAssignments',
            apiVersion: API.roleAssignment,
            name: x(
              `guid(resourceId('Microsoft.OperationalInsights/workspaces', ${p('workspaceName')}), ${p('principalId')}, ${p('logReaderRoleId')})`,
            ),
            scope: x(`format('Microsoft.OperationalInsights/workspaces/{0}', ${p('workspaceName')})`),
            properties: {
              roleDefinitionId: x(
                `subscriptionResourceId('Microsoft.Authorization/roleDefinitions', ${p('logReaderRoleId')})`,
              ),
              principalId: x(p('principalId')),
              principalType: 'ServicePrincipal',
              description: 'ot-soc Function: playbook and defender-status Log Analytics queries',
            },
          },
          {
            condition: x(p('exportSecurityAlerts')),
            type: 'Microsoft.OperationalInsights/workspaces/dataExports',
            apiVersion: API.dataExport,
            name: x(`format('{0}/{1}', ${p('workspaceName')}, 'ot-soc-securityalert')`),
            properties: {
              destination: {
                resourceId: x(p('eventHubNamespaceId')),
                metaData: { eventHubName: x(p('eventHubName')) },
              },
              tableNames: ['SecurityAlert'],
              enable: true,
            },
          },
        ],
      },
    },
    dependsOn: [x(id.site), x(id.hub)],
  };
}
