import { API } from './apiVersions.js';
import { type JsonObject, p, v, x } from './arm.js';
import { role } from './builtInRoles.js';
import { id, principalId } from './resourceIds.js';
import { workspaceDeployment } from './workspaceDeployment.js';

/**
 * Sentinel Responder and Log Analytics Reader for the Function on the workspace (playbooks, defender-status
 * timer), and the optional SecurityAlert export rule (to the export hub: the relay Function keys it by zone).
 */
export function workspaceAccessDeployment(): JsonObject {
  return workspaceDeployment({
    name: x(v('workspaceAccessDeploymentName')),
    parameters: {
      workspaceName: { type: 'string', value: x(p('workspaceName')) },
      principalId: { type: 'string', value: principalId },
      responderRoleId: { type: 'string', value: x(role('sentinelResponder')) },
      logReaderRoleId: { type: 'string', value: x(role('logAnalyticsReader')) },
      exportSecurityAlerts: { type: 'bool', value: x(p('exportSecurityAlertsToHub')) },
      eventHubNamespaceId: { type: 'string', value: x(id.namespace) },
      eventHubName: { type: 'string', value: x(v('exportHubName')) },
    },
    resources: [
      functionRoleOnWorkspace(
        'responderRoleId',
        'ot-soc Function: playbooks read and update incidents, add comments',
      ),
      functionRoleOnWorkspace(
        'logReaderRoleId',
        'ot-soc Function: playbook and defender-status Log Analytics queries',
      ),
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
    dependsOn: [x(id.site), x(id.exportHub)],
  });
}

/** A role for the Function's identity on the workspace, inside the nested template (its parameters). */
function functionRoleOnWorkspace(roleIdParam: string, description: string): JsonObject {
  return {
    type: 'Microsoft.Authorization/roleAssignments',
    apiVersion: API.roleAssignment,
    name: x(
      `guid(resourceId('Microsoft.OperationalInsights/workspaces', ${p('workspaceName')}), ${p('principalId')}, ${p(roleIdParam)})`,
    ),
    scope: x(`format('Microsoft.OperationalInsights/workspaces/{0}', ${p('workspaceName')})`),
    properties: {
      roleDefinitionId: x(
        `subscriptionResourceId('Microsoft.Authorization/roleDefinitions', ${p(roleIdParam)})`,
      ),
      principalId: x(p('principalId')),
      principalType: 'ServicePrincipal',
      description,
    },
  };
}
