/**
 * Generates `infra/main.json`, the ARM template (deploymentTemplate 2019-04-01) that deploys ot-soc's Azure
 * resources. The DCR stream declaration and the `OTAlerts_CL` custom table are produced from the single
 * column list in `pipeline/sink/schema.ts` (`streamDeclaration()`, `customTableSchema()`), never written by
 * hand; the output is deterministic (fixed key order, 2-space JSON, trailing newline), so a test can
 * prove the committed file is what this script writes today.
 *
 *   npm run build && node dist/scripts/gen-infra.js [outDir]     # default: <repo>/infra
 *
 * What the template deploys (docs/deploy.md): Event Hubs (Standard, auto-inflate) with the hub,
 * consumer group `ot-soc` and a send-only rule for the on-site forwarder; a storage account without shared
 * keys (Functions host storage, deployment container, dead-letter container, group-state, ticket-map and
 * playbook-state tables); a Function App on Flex Consumption (FC1, Node 20) with a system-assigned identity and
 * identity-based connections; workspace-based Application Insights (local auth off) in a small operations
 * workspace; Key Vault in RBAC mode; an optional DCE; the DCR (`kind: Direct`) and, in the Sentinel
 * workspace's resource group, the `OTAlerts_CL` table; least-privilege role assignments.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { STREAM_NAME, TABLE_NAME } from '../pipeline/sink/schema.js';
import { customTableSchema, streamDeclaration } from '../pipeline/sink/tableSchema.js';
import { renderShimTemplate, SHIM_TEMPLATE_FILE } from './playbookShim.js';

export const MAIN_TEMPLATE_FILE = 'main.json';
export const TEMPLATE_SCHEMA =
  'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#';

/**
 * Built-in role definition ids (the same in every tenant). Verified against the Azure built-in roles table,
 * MicrosoftDocs/azure-docs `articles/role-based-access-control/built-in-roles.md` @ ac4ed7a0 (ms.date 2023-08-07).
 */
export const BUILT_IN_ROLES = {
  /** Monitoring Metrics Publisher: Logs Ingestion API on the DCR; Entra-authenticated telemetry to App Insights. */
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb',
  /** Microsoft Sentinel Responder: read and update incidents, add comments (playbooks). */
  sentinelResponder: '3e150937-b8fe-4cfb-8069-0eaf05ecd056',
  /** Storage Blob Data Owner: Functions host storage (AzureWebJobsStorage), deployment and dead-letter containers. */
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b',
  /** Storage Table Data Contributor: group state and ticket map tables. */
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3',
  /** Azure Event Hubs Data Receiver: the Event Hubs trigger, on the hub only. */
  eventHubsDataReceiver: 'a638d3c7-ab3a-418d-83e6-5f17a39d4fde',
  /** Azure Event Hubs Data Sender: an identity-based on-site forwarder, on the hub only (optional). */
  eventHubsDataSender: '2b629674-e913-4c01-ae53-ef4638d8f975',
  /** Key Vault Secrets User: Key Vault references in app settings. */
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6',
  /** Key Vault Secrets Officer: the operator who sets the secrets after deployment (optional). */
  keyVaultSecretsOfficer: 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7',
} as const;

/** API versions used (all listed in infra/allowlist.json). */
export const API = {
  eventHub: '2024-01-01',
  storage: '2023-05-01',
  web: '2024-04-01',
  appInsights: '2020-02-02',
  workspace: '2023-09-01',
  workspaceTable: '2022-10-01',
  dataExport: '2020-08-01',
  dataCollection: '2023-03-11',
  keyVault: '2023-07-01',
  roleAssignment: '2022-04-01',
  deployment: '2022-09-01',
} as const;

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/* Expression helpers: they return the text inside `[...]`; `x()` wraps it. */
const x = (e: string): string => `[${e}]`;
const p = (name: string): string => `parameters('${name}')`;
const v = (name: string): string => `variables('${name}')`;
const q = (s: string): string => `'${s.replace(/'/g, "''")}'`;
const role = (name: keyof typeof BUILT_IN_ROLES): string => `${v('builtInRoles')}.${name}`;
const roleDefinitionId = (name: keyof typeof BUILT_IN_ROLES): string =>
  x(`subscriptionResourceId('Microsoft.Authorization/roleDefinitions', ${role(name)})`);

const id = {
  namespace: `resourceId('Microsoft.EventHub/namespaces', ${v('eventHubNamespaceName')})`,
  hub: `resourceId('Microsoft.EventHub/namespaces/eventhubs', ${v('eventHubNamespaceName')}, ${v('eventHubName')})`,
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

const principalId = x(`reference(${id.site}, '${API.web}', 'full').identity.principalId`);

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

function parameters(): JsonObject {
  return {
    location: {
      type: 'string',
      defaultValue: x('resourceGroup().location'),
      metadata: {
        description: 'Region of the ot-soc resources. Flex Consumption is not offered in every region.',
      },
    },
    namePrefix: {
      type: 'string',
      defaultValue: 'otsoc',
      minLength: 3,
      maxLength: 11,
      metadata: {
        description:
          'Lower-case letters and digits, starting with a letter; every resource name is this prefix plus a hash of the resource group.',
      },
    },
    tags: { type: 'object', defaultValue: {}, metadata: { description: 'Tags for every resource.' } },
    workspaceName: {
      type: 'string',
      metadata: {
        description: 'Existing Log Analytics workspace with Microsoft Sentinel (receives OTAlerts_CL).',
      },
    },
    workspaceResourceGroup: {
      type: 'string',
      defaultValue: x('resourceGroup().name'),
      metadata: { description: 'Resource group of the Sentinel workspace.' },
    },
    workspaceSubscriptionId: {
      type: 'string',
      defaultValue: x('subscription().subscriptionId'),
      metadata: { description: 'Subscription of the Sentinel workspace.' },
    },
    workspaceLocation: {
      type: 'string',
      defaultValue: x(p('location')),
      metadata: {
        description: "Region of the Sentinel workspace: the DCR (and DCE) must be in the workspace's region.",
      },
    },
    tableRetentionInDays: {
      type: 'int',
      defaultValue: 90,
      minValue: 4,
      maxValue: 730,
      metadata: { description: 'Interactive retention of OTAlerts_CL (Sentinel includes 90 days).' },
    },
    tableTotalRetentionInDays: {
      type: 'int',
      defaultValue: 365,
      minValue: 4,
      maxValue: 4383,
      metadata: { description: 'Total retention of OTAlerts_CL including long-term retention.' },
    },
    eventHubThroughputUnits: {
      type: 'int',
      defaultValue: 1,
      minValue: 1,
      maxValue: 40,
      metadata: {
        description: 'Standard throughput units (1 TU: 1 MB/s or 1,000 events/s in). docs/deploy.md: sizing.',
      },
    },
    eventHubAutoInflate: {
      type: 'bool',
      defaultValue: true,
      metadata: {
        description: 'Let Event Hubs add TUs during an alert storm (it never scales back down by itself).',
      },
    },
    eventHubMaxThroughputUnits: {
      type: 'int',
      defaultValue: 4,
      minValue: 1,
      maxValue: 40,
      metadata: { description: 'Auto-inflate ceiling.' },
    },
    eventHubPartitions: {
      type: 'int',
      defaultValue: 4,
      minValue: 1,
      maxValue: 32,
      metadata: {
        description:
          'Partitions of the alert hub; fixed after creation on Standard. At most one Function instance reads a partition. docs/deploy.md: sizing.',
      },
    },
    eventHubRetentionDays: {
      type: 'int',
      defaultValue: 7,
      minValue: 1,
      maxValue: 7,
      metadata: { description: 'How long unread alerts stay in the hub (Standard: at most 7 days).' },
    },
    eventHubLocalAuth: {
      type: 'bool',
      defaultValue: true,
      metadata: {
        description:
          'Keep SAS (a send-only rule on the hub) for the on-site forwarder and workspace data export. The Function never uses SAS.',
      },
    },
    forwarderPrincipalId: {
      type: 'string',
      defaultValue: '',
      metadata: {
        description:
          'Object id of an on-site forwarder identity (service principal, Arc machine) to grant Event Hubs Data Sender on the hub.',
      },
    },
    exportSecurityAlertsToHub: {
      type: 'bool',
      defaultValue: false,
      metadata: {
        description:
          'Create a workspace data export rule that sends the SecurityAlert table (cloud-connected Defender for IoT sensors) to the hub.',
      },
    },
    functionInstanceMemoryMB: {
      type: 'int',
      defaultValue: 2048,
      allowedValues: [512, 2048, 4096],
      metadata: { description: 'Flex Consumption instance memory.' },
    },
    functionMaximumInstanceCount: {
      type: 'int',
      defaultValue: 40,
      minValue: 40,
      maxValue: 1000,
      metadata: {
        description:
          'Flex scale-out ceiling; the Event Hubs trigger never uses more instances than partitions.',
      },
    },
    ingestAlwaysReadyInstances: {
      type: 'int',
      defaultValue: 0,
      minValue: 0,
      maxValue: 10,
      metadata: {
        description: 'Always-ready instances for the ingest function (no cold start; billed while idle).',
      },
    },
    otsocConfig: {
      type: 'object',
      defaultValue: {},
      metadata: {
        description: 'The ot-soc configuration document (OTSOC_CONFIG); see samples/ot-soc.config.json.',
      },
    },
    playbookConfig: {
      type: 'object',
      defaultValue: {},
      metadata: {
        description:
          'The playbooks configuration (OTSOC_PLAYBOOK_CONFIG, playbooks/config.ts): ticket systems, Teams, OT teams. Secrets appear only as app setting NAMES.',
      },
    },
    extraAppSettings: {
      type: 'object',
      defaultValue: {},
      metadata: {
        description:
          'More app settings (name → value), e.g. OTSOC_FLUSH_GRACE_MS. They override the generated ones.',
      },
    },
    keyVaultReferences: {
      type: 'object',
      defaultValue: {},
      metadata: {
        description:
          'App setting name → Key Vault secret name; each becomes @Microsoft.KeyVault(VaultName=…;SecretName=…). Set the secrets after deployment.',
      },
    },
    keyVaultPurgeProtection: {
      type: 'bool',
      defaultValue: true,
      metadata: { description: 'Purge protection (cannot be turned off again once on).' },
    },
    keyVaultSecretsOfficerPrincipalId: {
      type: 'string',
      defaultValue: '',
      metadata: {
        description:
          'Object id of the operator (user or group) who sets the secrets: Key Vault Secrets Officer.',
      },
    },
    useDataCollectionEndpoint: {
      type: 'bool',
      defaultValue: false,
      metadata: {
        description:
          "Also create a DCE and send through it (private link). Otherwise the DCR's own logsIngestion endpoint is used.",
      },
    },
  };
}

function variables(): JsonObject {
  const name = (fmt: string) => x(`format(${q(fmt)}, ${p('namePrefix')}, ${v('suffix')})`);
  return {
    suffix: x(`uniqueString(resourceGroup().id, ${p('namePrefix')})`),
    eventHubNamespaceName: name('{0}-ehns-{1}'),
    eventHubName: 'ot-alerts',
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

function eventHubResources(): JsonObject[] {
  return [
    {
      type: 'Microsoft.EventHub/namespaces',
      apiVersion: API.eventHub,
      name: x(v('eventHubNamespaceName')),
      location: x(p('location')),
      tags: x(p('tags')),
      sku: { name: 'Standard', tier: 'Standard', capacity: x(p('eventHubThroughputUnits')) },
      properties: {
        isAutoInflateEnabled: x(p('eventHubAutoInflate')),
        maximumThroughputUnits: x(`if(${p('eventHubAutoInflate')}, ${p('eventHubMaxThroughputUnits')}, 0)`),
        minimumTlsVersion: '1.2',
        publicNetworkAccess: 'Enabled',
        disableLocalAuth: x(`not(${p('eventHubLocalAuth')})`),
      },
    },
    {
      type: 'Microsoft.EventHub/namespaces/eventhubs',
      apiVersion: API.eventHub,
      name: x(`format('{0}/{1}', ${v('eventHubNamespaceName')}, ${v('eventHubName')})`),
      properties: {
        partitionCount: x(p('eventHubPartitions')),
        messageRetentionInDays: x(p('eventHubRetentionDays')),
      },
      dependsOn: [x(id.namespace)],
    },
    {
      type: 'Microsoft.EventHub/namespaces/eventhubs/consumergroups',
      apiVersion: API.eventHub,
      name: x(
        `format('{0}/{1}/{2}', ${v('eventHubNamespaceName')}, ${v('eventHubName')}, ${v('consumerGroupName')})`,
      ),
      properties: { userMetadata: 'ot-soc Function App (ingest)' },
      dependsOn: [x(id.hub)],
    },
    {
      condition: x(p('eventHubLocalAuth')),
      type: 'Microsoft.EventHub/namespaces/eventhubs/authorizationRules',
      apiVersion: API.eventHub,
      name: x(
        `format('{0}/{1}/{2}', ${v('eventHubNamespaceName')}, ${v('eventHubName')}, ${v('forwarderRuleName')})`,
      ),
      properties: { rights: ['Send'] },
      dependsOn: [x(id.hub)],
    },
  ];
}

function storageResources(): JsonObject[] {
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
      type: 'Microsoft.Storage/storageAccounts',
      apiVersion: API.storage,
      name: x(v('storageAccountName')),
      location: x(p('location')),
      tags: x(p('tags')),
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

function monitoringResources(): JsonObject[] {
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

/** The OTAlerts_CL table lives in the Sentinel workspace's resource group: an inner-scope nested deployment. */
function tableDeployment(): JsonObject {
  const schema = customTableSchema().properties.schema;
  return {
    type: 'Microsoft.Resources/deployments',
    apiVersion: API.deployment,
    name: x(v('tableDeploymentName')),
    subscriptionId: x(p('workspaceSubscriptionId')),
    resourceGroup: x(p('workspaceResourceGroup')),
    properties: {
      mode: 'Incremental',
      expressionEvaluationOptions: { scope: 'inner' },
      parameters: {
        workspaceName: { value: x(p('workspaceName')) },
        retentionInDays: { value: x(p('tableRetentionInDays')) },
        totalRetentionInDays: { value: x(p('tableTotalRetentionInDays')) },
      },
      template: {
        $schema: TEMPLATE_SCHEMA,
        contentVersion: '1.0.0.0',
        parameters: {
          workspaceName: { type: 'string' },
          retentionInDays: { type: 'int' },
          totalRetentionInDays: { type: 'int' },
        },
        resources: [
          {
            type: 'Microsoft.OperationalInsights/workspaces/tables',
            apiVersion: API.workspaceTable,
            name: x(`format('{0}/{1}', ${p('workspaceName')}, ${q(TABLE_NAME)})`),
            properties: {
              plan: 'Analytics',
              retentionInDays: x(p('retentionInDays')),
              totalRetentionInDays: x(p('totalRetentionInDays')),
              schema: {
                name: schema.name,
                description:
                  'ot-soc: Defender for IoT alert groups, one row per revision (pipeline/sink/schema.ts).',
                columns: schema.columns as unknown as Json[],
              },
            },
          },
        ],
      },
    },
  };
}

function dataCollectionResources(): JsonObject[] {
  const streams = streamDeclaration();
  return [
    {
      condition: x(p('useDataCollectionEndpoint')),
      type: 'Microsoft.Insights/dataCollectionEndpoints',
      apiVersion: API.dataCollection,
      name: x(v('dceName')),
      location: x(p('workspaceLocation')),
      tags: x(p('tags')),
      properties: { networkAcls: { publicNetworkAccess: 'Enabled' } },
    },
    tableDeployment(),
    {
      type: 'Microsoft.Insights/dataCollectionRules',
      apiVersion: API.dataCollection,
      name: x(v('dcrName')),
      location: x(p('workspaceLocation')),
      tags: x(p('tags')),
      kind: 'Direct',
      properties: {
        description: `ot-soc: ${STREAM_NAME} (Logs Ingestion API) → ${TABLE_NAME}`,
        dataCollectionEndpointId: x(`if(${p('useDataCollectionEndpoint')}, ${id.dce}, null())`),
        streamDeclarations: streams as unknown as JsonObject,
        destinations: {
          logAnalytics: [{ name: 'sentinel', workspaceResourceId: x(id.sentinelWorkspace) }],
        },
        dataFlows: [
          {
            streams: [STREAM_NAME],
            destinations: ['sentinel'],
            transformKql: 'source',
            outputStream: STREAM_NAME,
          },
        ],
      },
      dependsOn: [x(v('tableDeploymentName')), x(id.dce)],
    },
  ];
}

function functionResources(): JsonObject[] {
  const storageBlob = `reference(${id.storage}, '${API.storage}').primaryEndpoints.blob`;
  const computedSettings = [
    `'OTSOC_EVENTHUB__fullyQualifiedNamespace', replace(replace(reference(${id.namespace}, '${API.eventHub}').serviceBusEndpoint, 'https://', ''), ':443/', '')`,
    `'APPLICATIONINSIGHTS_CONNECTION_STRING', reference(${id.appInsights}, '${API.appInsights}').ConnectionString`,
    `'OTSOC_LOGS_ENDPOINT', if(${p('useDataCollectionEndpoint')}, reference(${id.dce}, '${API.dataCollection}').logsIngestion.endpoint, reference(${id.dcr}, '${API.dataCollection}').endpoints.logsIngestion)`,
    `'OTSOC_DCR_ID', reference(${id.dcr}, '${API.dataCollection}').immutableId`,
  ];
  return [
    {
      type: 'Microsoft.Web/serverfarms',
      apiVersion: API.web,
      name: x(v('planName')),
      location: x(p('location')),
      tags: x(p('tags')),
      kind: 'functionapp',
      sku: { tier: 'FlexConsumption', name: 'FC1' },
      properties: { reserved: true },
    },
    {
      type: 'Microsoft.Web/sites',
      apiVersion: API.web,
      name: x(v('functionAppName')),
      location: x(p('location')),
      tags: x(p('tags')),
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

function roleResources(): JsonObject[] {
  const fn = { principal: principalId, principalType: 'ServicePrincipal' as const };
  return [
    roleAssignment({
      ...fn,
      role: 'eventHubsDataReceiver',
      scope: [
        'Microsoft.EventHub/namespaces/{0}/eventhubs/{1}',
        v('eventHubNamespaceName'),
        v('eventHubName'),
      ],
      scopeId: id.hub,
      description: 'ot-soc Function: Event Hubs trigger (receive) on the alert hub only',
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
      scope: [
        'Microsoft.EventHub/namespaces/{0}/eventhubs/{1}',
        v('eventHubNamespaceName'),
        v('eventHubName'),
      ],
      scopeId: id.hub,
      nameSeed: p('forwarderPrincipalId'),
      description: 'ot-soc on-site forwarder: send alerts to the hub',
      dependsOn: [id.hub],
    }),
  ];
}

/** Sentinel Responder for the Function on the workspace, and the optional SecurityAlert export rule. */
function workspaceAccessDeployment(): JsonObject {
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

function outputs(): JsonObject {
  const out = (type: string, value: string) => ({ type, value: x(value) });
  return {
    functionAppName: out('string', v('functionAppName')),
    functionAppPrincipalId: out('string', `reference(${id.site}, '${API.web}', 'full').identity.principalId`),
    functionHostName: out('string', `reference(${id.site}, '${API.web}').defaultHostName`),
    eventHubNamespaceName: out('string', v('eventHubNamespaceName')),
    eventHubName: out('string', v('eventHubName')),
    consumerGroupName: out('string', v('consumerGroupName')),
    forwarderSendRuleName: out('string', `if(${p('eventHubLocalAuth')}, ${v('forwarderRuleName')}, '')`),
    storageAccountName: out('string', v('storageAccountName')),
    keyVaultName: out('string', v('keyVaultName')),
    keyVaultUri: out('string', `reference(${id.keyVault}, '${API.keyVault}').vaultUri`),
    dataCollectionRuleId: out('string', id.dcr),
    dcrImmutableId: out('string', `reference(${id.dcr}, '${API.dataCollection}').immutableId`),
    logsIngestionEndpoint: out(
      'string',
      `if(${p('useDataCollectionEndpoint')}, reference(${id.dce}, '${API.dataCollection}').logsIngestion.endpoint, reference(${id.dcr}, '${API.dataCollection}').endpoints.logsIngestion)`,
    ),
    workspaceResourceId: out('string', id.sentinelWorkspace),
    workspaceName: out('string', p('workspaceName')),
    workspaceResourceGroup: out('string', p('workspaceResourceGroup')),
  };
}

/** The main template as an object (deterministic). */
export function buildMainTemplate(): JsonObject {
  return {
    $schema: TEMPLATE_SCHEMA,
    contentVersion: '1.0.0.0',
    metadata: {
      description:
        'ot-soc: Defender for IoT (OT) alerts → Event Hubs → Azure Functions (Flex Consumption) → Logs Ingestion API → OTAlerts_CL in Microsoft Sentinel.',
      generator:
        'scripts/gen-infra.ts — do not edit by hand; the DCR stream and the table come from pipeline/sink/schema.ts',
    },
    parameters: parameters(),
    variables: variables(),
    resources: [
      ...eventHubResources(),
      ...storageResources(),
      ...monitoringResources(),
      ...dataCollectionResources(),
      ...functionResources(),
      ...roleResources(),
      workspaceAccessDeployment(),
    ],
    outputs: outputs(),
  };
}

/** Exactly the text of infra/main.json. */
export function renderMainTemplate(): string {
  return `${JSON.stringify(buildMainTemplate(), null, 2)}\n`;
}

/** The repository root: the nearest directory above this module with package.json. */
export function repoRoot(from: string = dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${from}`);
    dir = up;
  }
}

/** Writes main.json into `outDir` (default <repo>/infra); returns the file written. */
export function writeMainTemplate(outDir: string = join(repoRoot(), 'infra')): string {
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, MAIN_TEMPLATE_FILE);
  writeFileSync(file, renderMainTemplate());
  return file;
}

const invokedDirectly =
  process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href;
if (invokedDirectly) {
  const outDir = process.argv[2] ? resolve(process.argv[2]) : join(repoRoot(), 'infra');
  console.log(`wrote ${writeMainTemplate(outDir)}`);
  // The playbook shim's automation rules carry the shipped analytics rule ids (scripts/playbookShim.ts).
  const shim = join(outDir, SHIM_TEMPLATE_FILE);
  writeFileSync(shim, renderShimTemplate());
  console.log(`wrote ${shim}`);
}
