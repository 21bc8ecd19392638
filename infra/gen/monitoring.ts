import { API } from './apiVersions.js';
import { type JsonObject, p, topLevel, x } from './arm.js';
import { id } from './resourceIds.js';

/** The operations workspace, Application Insights (local auth off) and Key Vault (RBAC). */
export function monitoringResources(): JsonObject[] {
  return [
    {
      ...topLevel('Microsoft.OperationalInsights/workspaces', API.workspace, 'opsWorkspaceName'),
      properties: {
        sku: { name: 'PerGB2018' },
        retentionInDays: 30,
        features: { enableLogAccessUsingOnlyResourcePermissions: true },
      },
    },
    {
      ...topLevel('Microsoft.Insights/components', API.appInsights, 'appInsightsName'),
      kind: 'web',
      properties: {
        Application_Type: 'web',
        WorkspaceResourceId: x(id.opsWorkspace),
        DisableLocalAuth: true,
      },
      dependsOn: [x(id.opsWorkspace)],
    },
    {
      ...topLevel('Microsoft.KeyVault/vaults', API.keyVault, 'keyVaultName'),
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
