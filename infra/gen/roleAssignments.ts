import { API } from './apiVersions.js';
import { type JsonObject, p, q, v, x } from './arm.js';
import { type BUILT_IN_ROLES, role, roleDefinitionId } from './builtInRoles.js';
import { id, principalId } from './resourceIds.js';

function roleAssignment(opts: {
  role: keyof typeof BUILT_IN_ROLES;
  /** Relative scope `Microsoft.X/type/{0}[/type/{1}]` with its format arguments. */
  scope: [string, ...string[]];
  /** resourceId() of the scope, for a deterministic assignment name. */
  scopeId: string;
  principal: string;
  principalType?: 'ServicePrincipal';
  description: string;
  dependsOn: string[];
  condition?: string;
  nameSeed?: string;
}): JsonObject {
  const [format, ...args] = opts.scope;
  return {
    ...(opts.condition ? { condition: x(opts.condition) } : {}),
    type: 'Microsoft.Authorization/roleAssignments',
    apiVersion: API.roleAssignment,
    name: x(`guid(${opts.scopeId}, ${opts.nameSeed ?? id.site}, ${role(opts.role)})`),
    scope: x(`format(${q(format)}, ${args.join(', ')})`),
    properties: {
      roleDefinitionId: roleDefinitionId(opts.role),
      principalId: opts.principal,
      ...(opts.principalType ? { principalType: opts.principalType } : {}),
      description: opts.description,
    },
    dependsOn: opts.dependsOn.map(x),
  };
}

/** The scope of one hub of the namespace (its name in the variable `hub`). */
const hubScope = (hub: string): [string, ...string[]] => [
  'Microsoft.EventHub/namespaces/{0}/eventhubs/{1}',
  v('eventHubNamespaceName'),
  v(hub),
];

/** The Function's (and the optional operator's and forwarder's) least-privilege roles on this group's resources. */
export function roleResources(): JsonObject[] {
  const fn = { principal: principalId, principalType: 'ServicePrincipal' as const };
  return [
    roleAssignment({
      ...fn,
      role: 'eventHubsDataReceiver',
      scope: hubScope('eventHubName'),
      scopeId: id.hub,
      description: 'ot-soc Function: Event Hubs trigger (receive) on the alert hub only',
      dependsOn: [id.hub, id.site],
    }),
    roleAssignment({
      ...fn,
      role: 'eventHubsDataReceiver',
      scope: hubScope('exportHubName'),
      scopeId: id.exportHub,
      description: 'ot-soc Function: the relay reads the SecurityAlert export hub',
      dependsOn: [id.exportHub, id.site],
    }),
    roleAssignment({
      ...fn,
      role: 'eventHubsDataSender',
      scope: hubScope('eventHubName'),
      scopeId: id.hub,
      description:
        "ot-soc Function: the relay republishes the export's records to the alert hub, keyed by zone",
      dependsOn: [id.hub, id.site],
    }),
    roleAssignment({
      ...fn,
      role: 'monitoringMetricsPublisher',
      scope: ['Microsoft.Insights/dataCollectionRules/{0}', v('dcrName')],
      scopeId: id.dcr,
      description: 'ot-soc Function: Logs Ingestion API into OTAlerts_CL through this DCR',
      dependsOn: [id.dcr, id.site],
    }),
    roleAssignment({
      ...fn,
      role: 'monitoringMetricsPublisher',
      scope: ['Microsoft.Insights/components/{0}', v('appInsightsName')],
      scopeId: id.appInsights,
      description: 'ot-soc Function: Entra-authenticated telemetry (App Insights local auth is off)',
      dependsOn: [id.appInsights, id.site],
    }),
    roleAssignment({
      ...fn,
      role: 'storageBlobDataOwner',
      scope: ['Microsoft.Storage/storageAccounts/{0}', v('storageAccountName')],
      scopeId: id.storage,
      description:
        'ot-soc Function: host storage (AzureWebJobsStorage: leases, Event Hubs checkpoints), deployment package, dead letters',
      dependsOn: [id.storage, id.site],
    }),
    roleAssignment({
      ...fn,
      role: 'storageTableDataContributor',
      scope: ['Microsoft.Storage/storageAccounts/{0}', v('storageAccountName')],
      scopeId: id.storage,
      description:
        'ot-soc Function: group state (otsocgroups), ticket map (TicketMap) and playbook state (PlaybookState) tables',
      dependsOn: [id.storage, id.site],
    }),
    roleAssignment({
      ...fn,
      role: 'keyVaultSecretsUser',
      scope: ['Microsoft.KeyVault/vaults/{0}', v('keyVaultName')],
      scopeId: id.keyVault,
      description: 'ot-soc Function: Key Vault references (webhook URLs, ITSM secrets)',
      dependsOn: [id.keyVault, id.site],
    }),
    roleAssignment({
      condition: `not(empty(${p('keyVaultSecretsOfficerPrincipalId')}))`,
      role: 'keyVaultSecretsOfficer',
      principal: x(p('keyVaultSecretsOfficerPrincipalId')),
      scope: ['Microsoft.KeyVault/vaults/{0}', v('keyVaultName')],
      scopeId: id.keyVault,
      nameSeed: p('keyVaultSecretsOfficerPrincipalId'),
      description: 'ot-soc operator: sets the webhook and ITSM secrets after deployment',
      dependsOn: [id.keyVault],
    }),
    roleAssignment({
      condition: `not(empty(${p('forwarderPrincipalId')}))`,
      role: 'eventHubsDataSender',
      principal: x(p('forwarderPrincipalId')),
      scope: hubScope('eventHubName'),
      scopeId: id.hub,
      nameSeed: p('forwarderPrincipalId'),
      description: 'ot-soc on-site forwarder: send alerts to the hub',
      dependsOn: [id.hub],
    }),
  ];
}
