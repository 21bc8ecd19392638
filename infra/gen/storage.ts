import { API } from './apiVersions.js';
import { type JsonObject, topLevel, v, x } from './arm.js';
import { id } from './resourceIds.js';

/** The storage account (no shared keys), its containers and its tables. */
export function storageResources(): JsonObject[] {
  const container = (nameVar: string) => ({
    type: 'Microsoft.Storage/storageAccounts/blobServices/containers',
    apiVersion: API.storage,
    name: x(`format('{0}/default/{1}', ${v('storageAccountName')}, ${v(nameVar)})`),
    properties: { publicAccess: 'None' },
    dependsOn: [x(id.blobService)],
  });
  const table = (nameVar: string) => ({
    type: 'Microsoft.Storage/storageAccounts/tableServices/tables',
    apiVersion: API.storage,
    name: x(`format('{0}/default/{1}', ${v('storageAccountName')}, ${v(nameVar)})`),
    dependsOn: [x(id.tableService)],
  });
  return [
    {
      ...topLevel('Microsoft.Storage/storageAccounts', API.storage, 'storageAccountName'),
      sku: { name: 'Standard_LRS' },
      kind: 'StorageV2',
      properties: {
        accessTier: 'Hot',
        allowSharedKeyAccess: false,
        defaultToOAuthAuthentication: true,
        allowBlobPublicAccess: false,
        minimumTlsVersion: 'TLS1_2',
        supportsHttpsTrafficOnly: true,
        publicNetworkAccess: 'Enabled',
      },
    },
    {
      type: 'Microsoft.Storage/storageAccounts/blobServices',
      apiVersion: API.storage,
      name: x(`format('{0}/default', ${v('storageAccountName')})`),
      properties: {
        deleteRetentionPolicy: { enabled: true, days: 7 },
        containerDeleteRetentionPolicy: { enabled: true, days: 7 },
      },
      dependsOn: [x(id.storage)],
    },
    container('deploymentContainerName'),
    container('deadLetterContainerName'),
    {
      type: 'Microsoft.Storage/storageAccounts/tableServices',
      apiVersion: API.storage,
      name: x(`format('{0}/default', ${v('storageAccountName')})`),
      properties: {},
      dependsOn: [x(id.storage)],
    },
    table('groupTableName'),
    table('ticketMapTableName'),
    table('playbookStateTableName'),
  ];
}
