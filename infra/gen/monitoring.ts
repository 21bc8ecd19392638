import { API } from './apiVersions.js';
import { type JsonObject, p, v, x } from './arm.js';
import { id } from './resourceIds.js';

/** The operations workspace, Application Insights (local auth off) and Key Vault (RBAC). */
export function monitoringResources(): JsonObject[] {
  return [
    {
      type: 'Microsoft.OperationalInsights/workspaces',
      apiVersion: API.workspace,
      name: x(v('opsWorkspaceName')),
      location: x(p('location')),
      tags: x(p('tags')),
      properties: {
        sku: { name: 'PerGB2018' },
        retentionInDays: 30,
        features: { enableLogAccessUsingOnlyResourcePermissions: true },
      },
    },
    {
      type: 'Microsoft.Insights/components',
      apiVersion: API.appInsights,
      name: x(v('appInsightsName')),
      location: x(p('location')),
      tags: x(p('tags')),
      kind: 'web',
      properties: {
        Application_Type: 'web',
        WorkspaceResourceId: x(id.opsWorkspace),
        DisableLocalAuth: true,
      },
      dependsOn: [x(id.opsWorkspace)],
    },
    {
      type: 'Microsoft.KeyVault/vaults',
      apiVersion: API.keyVault,
      name: x(v('keyVaultName')),
      location: x(p('location')),
      tags: x(p('tags')),
      properties: {
        tenantId: x('subscription().tenantId'),
        sku: { family: 'A', name: 'standard' },
        enableRbacAuthorization: true,
        enableSoftDelete: true,
        softDeleteRetentionInDays: 90,
        enablePurgeProtection: x(`if(${p('keyVaultPurgeProtection')}, true(), null())`),
        enabledForTemplateDeployment: false,
        publicNetworkAccess: 'Enabled',
      },
    },
  ];
}
