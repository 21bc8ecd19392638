import { API } from './apiVersions.js';
import { type JsonObject, p, topLevel, v, x } from './arm.js';
import { id, ref } from './resourceIds.js';

/** The Flex Consumption plan, the Function App and its app settings (plain, computed, extra, Key Vault references). */
export function functionResources(): JsonObject[] {
  const storageBlob = `reference(${id.storage}, '${API.storage}').primaryEndpoints.blob`;
  const computedSettings = [
    `'OTSOC_EVENTHUB__fullyQualifiedNamespace', replace(replace(reference(${id.namespace}, '${API.eventHub}').serviceBusEndpoint, 'https://', ''), ':443/', '')`,
    `'APPLICATIONINSIGHTS_CONNECTION_STRING', reference(${id.appInsights}, '${API.appInsights}').ConnectionString`,
    `'OTSOC_LOGS_ENDPOINT', ${ref.logsIngestionEndpoint}`,
    `'OTSOC_DCR_ID', ${ref.dcrImmutableId}`,
    // The workspace the defender-status timer follows: incident ids, and the customer id the query API takes.
    `'OTSOC_SENTINEL_WORKSPACE_RESOURCE_ID', ${id.sentinelWorkspace}`,
    `'OTSOC_SENTINEL_WORKSPACE_ID', reference(${id.sentinelWorkspace}, '${API.workspace}').customerId`,
  ];
  return [
    {
      ...topLevel('Microsoft.Web/serverfarms', API.web, 'planName'),
      kind: 'functionapp',
      sku: { tier: 'FlexConsumption', name: 'FC1' },
      properties: { reserved: true },
    },
    {
      ...topLevel('Microsoft.Web/sites', API.web, 'functionAppName'),
      kind: 'functionapp,linux',
      identity: { type: 'SystemAssigned' },
      properties: {
        serverFarmId: x(id.plan),
        httpsOnly: true,
        keyVaultReferenceIdentity: 'SystemAssigned',
        siteConfig: { minTlsVersion: '1.2', ftpsState: 'Disabled', http20Enabled: true },
        functionAppConfig: {
          deployment: {
            storage: {
              type: 'blobContainer',
              value: x(`format('{0}{1}', ${storageBlob}, ${v('deploymentContainerName')})`),
              authentication: { type: 'SystemAssignedIdentity' },
            },
          },
          scaleAndConcurrency: {
            maximumInstanceCount: x(p('functionMaximumInstanceCount')),
            instanceMemoryMB: x(p('functionInstanceMemoryMB')),
            alwaysReady: x(
              `if(greater(${p('ingestAlwaysReadyInstances')}, 0), createArray(createObject('name', 'function:ingest', 'instanceCount', ${p('ingestAlwaysReadyInstances')})), createArray())`,
            ),
          },
          runtime: { name: 'node', version: '20' },
        },
      },
      dependsOn: [x(id.plan), x(id.container('deploymentContainerName')), x(id.appInsights)],
    },
    {
      type: 'Microsoft.Web/sites/config',
      apiVersion: API.web,
      name: x(`format('{0}/appsettings', ${v('functionAppName')})`),
      properties: x(
        `union(${v('appSettings')}, createObject(${computedSettings.join(', ')}), ${p('extraAppSettings')}, ${v('keyVaultReferenceSettings')})`,
      ),
      dependsOn: [x(id.site), x(id.namespace), x(id.appInsights), x(id.dcr), x(id.dce), x(id.keyVault)],
    },
  ];
}
