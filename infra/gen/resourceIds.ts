import { API } from './apiVersions.js';
import { p, v, x } from './arm.js';

/** resourceId() expressions of the template's resources, by role. */
export const id = {
  namespace: `resourceId('Microsoft.EventHub/namespaces', ${v('eventHubNamespaceName')})`,
  hub: `resourceId('Microsoft.EventHub/namespaces/eventhubs', ${v('eventHubNamespaceName')}, ${v('eventHubName')})`,
  exportHub: `resourceId('Microsoft.EventHub/namespaces/eventhubs', ${v('eventHubNamespaceName')}, ${v('exportHubName')})`,
  storage: `resourceId('Microsoft.Storage/storageAccounts', ${v('storageAccountName')})`,
  blobService: `resourceId('Microsoft.Storage/storageAccounts/blobServices', ${v('storageAccountName')}, 'default')`,
  tableService: `resourceId('Microsoft.Storage/storageAccounts/tableServices', ${v('storageAccountName')}, 'default')`,
  container: (name: string) =>
    `resourceId('Microsoft.Storage/storageAccounts/blobServices/containers', ${v('storageAccountName')}, 'default', ${v(name)})`,
  table: (name: string) =>
    `resourceId('Microsoft.Storage/storageAccounts/tableServices/tables', ${v('storageAccountName')}, 'default', ${v(name)})`,
  opsWorkspace: `resourceId('Microsoft.OperationalInsights/workspaces', ${v('opsWorkspaceName')})`,
  appInsights: `resourceId('Microsoft.Insights/components', ${v('appInsightsName')})`,
  keyVault: `resourceId('Microsoft.KeyVault/vaults', ${v('keyVaultName')})`,
  dce: `resourceId('Microsoft.Insights/dataCollectionEndpoints', ${v('dceName')})`,
  dcr: `resourceId('Microsoft.Insights/dataCollectionRules', ${v('dcrName')})`,
  plan: `resourceId('Microsoft.Web/serverfarms', ${v('planName')})`,
  site: `resourceId('Microsoft.Web/sites', ${v('functionAppName')})`,
  sentinelWorkspace: `resourceId(${p('workspaceSubscriptionId')}, ${p('workspaceResourceGroup')}, 'Microsoft.OperationalInsights/workspaces', ${p('workspaceName')})`,
};

/** reference() expressions read in more than one place (app settings, role assignments, outputs). */
export const ref = {
  /** The Function App's system-assigned identity. */
  sitePrincipalId: `reference(${id.site}, '${API.web}', 'full').identity.principalId`,
  /** The DCE's endpoint when one is deployed, else the DCR's own. */
  logsIngestionEndpoint: `if(${p('useDataCollectionEndpoint')}, reference(${id.dce}, '${API.dataCollection}').logsIngestion.endpoint, reference(${id.dcr}, '${API.dataCollection}').endpoints.logsIngestion)`,
  dcrImmutableId: `reference(${id.dcr}, '${API.dataCollection}').immutableId`,
};

/** The Function App's system-assigned identity, as a template value. */
export const principalId = x(ref.sitePrincipalId);
