import { API } from './apiVersions.js';
import { type JsonObject, p, v, x } from './arm.js';
import { id, ref } from './resourceIds.js';

/** What the deployment returns: names, ids and endpoints that deploy.sh and the operator use next. */
export function outputs(): JsonObject {
  const out = (type: string, value: string) => ({ type, value: x(value) });
  return {
    functionAppName: out('string', v('functionAppName')),
    functionAppPrincipalId: out('string', ref.sitePrincipalId),
    functionHostName: out('string', `reference(${id.site}, '${API.web}').defaultHostName`),
    eventHubNamespaceName: out('string', v('eventHubNamespaceName')),
    eventHubName: out('string', v('eventHubName')),
    exportHubName: out('string', v('exportHubName')),
    consumerGroupName: out('string', v('consumerGroupName')),
    forwarderSendRuleName: out('string', `if(${p('eventHubLocalAuth')}, ${v('forwarderRuleName')}, '')`),
    storageAccountName: out('string', v('storageAccountName')),
    keyVaultName: out('string', v('keyVaultName')),
    keyVaultUri: out('string', `reference(${id.keyVault}, '${API.keyVault}').vaultUri`),
    dataCollectionRuleId: out('string', id.dcr),
    dcrImmutableId: out('string', ref.dcrImmutableId),
    logsIngestionEndpoint: out('string', ref.logsIngestionEndpoint),
    workspaceResourceId: out('string', id.sentinelWorkspace),
    workspaceName: out('string', p('workspaceName')),
    workspaceResourceGroup: out('string', p('workspaceResourceGroup')),
  };
}
