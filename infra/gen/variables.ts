import { STREAM_NAME } from '../../pipeline/sink/schema.js';
import { type JsonObject, p, q, v, x } from './arm.js';
import { BUILT_IN_ROLES } from './builtInRoles.js';

/** Resource names (prefix + a hash of the resource group), the built-in role ids and the plain app settings. */
export function variables(): JsonObject {
  const name = (fmt: string) => x(`format(${q(fmt)}, ${p('namePrefix')}, ${v('suffix')})`);
  return {
    suffix: x(`uniqueString(resourceGroup().id, ${p('namePrefix')})`),
    eventHubNamespaceName: name('{0}-ehns-{1}'),
    eventHubName: 'ot-alerts',
    /** Where the SecurityAlert data export lands; the relay Function republishes it to ot-alerts keyed by zone. */
    exportHubName: 'ot-export',
    consumerGroupName: 'ot-soc',
    forwarderRuleName: 'ot-soc-send',
    storageAccountName: x(`take(format('{0}{1}', ${p('namePrefix')}, ${v('suffix')}), 24)`),
    deploymentContainerName: 'function-releases',
    deadLetterContainerName: 'ot-soc-deadletters',
    groupTableName: 'otsocgroups',
    ticketMapTableName: 'TicketMap',
    playbookStateTableName: 'PlaybookState',
    opsWorkspaceName: name('{0}-ops-{1}'),
    appInsightsName: name('{0}-appi-{1}'),
    keyVaultName: x(`take(format('{0}-kv-{1}', ${p('namePrefix')}, ${v('suffix')}), 24)`),
    planName: name('{0}-plan-{1}'),
    functionAppName: name('{0}-func-{1}'),
    dceName: name('{0}-dce-{1}'),
    dcrName: name('{0}-dcr-{1}'),
    tableDeploymentName: x(`format('{0}-otalerts-table', ${p('namePrefix')})`),
    workspaceAccessDeploymentName: x(`format('{0}-workspace-access', ${p('namePrefix')})`),
    builtInRoles: { ...BUILT_IN_ROLES },
    /** App settings that need no reference(): functions/settings.ts, playbooks/runtime.ts and the Functions host. */
    appSettings: {
      AzureWebJobsStorage__accountName: x(v('storageAccountName')),
      APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'Authorization=AAD',
      OTSOC_EVENTHUB_NAME: x(v('eventHubName')),
      OTSOC_CONSUMER_GROUP: x(v('consumerGroupName')),
      OTSOC_EXPORT_EVENTHUB_NAME: x(v('exportHubName')),
      OTSOC_STREAM: STREAM_NAME,
      OTSOC_GROUP_TABLE_URL: x(
        `format('https://{0}.table.{1}', ${v('storageAccountName')}, environment().suffixes.storage)`,
      ),
      OTSOC_GROUP_TABLE_NAME: x(v('groupTableName')),
      OTSOC_DEADLETTER_BLOB_URL: x(
        `format('https://{0}.blob.{1}', ${v('storageAccountName')}, environment().suffixes.storage)`,
      ),
      OTSOC_DEADLETTER_CONTAINER: x(v('deadLetterContainerName')),
      OTSOC_CONFIG: x(`string(${p('otsocConfig')})`),
      OTSOC_PLAYBOOK_CONFIG: x(`string(${p('playbookConfig')})`),
      OTSOC_TICKET_MAP_TABLE: x(v('ticketMapTableName')),
      OTSOC_PLAYBOOK_STATE_TABLE: x(v('playbookStateTableName')),
    },
    keyVaultReferenceSettings: x(
      `toObject(items(${p('keyVaultReferences')}), lambda('entry', lambdaVariables('entry').key), ` +
        `lambda('entry', format('@Microsoft.KeyVault(VaultName={0};SecretName={1})', ${v('keyVaultName')}, lambdaVariables('entry').value)))`,
    ),
  };
}
