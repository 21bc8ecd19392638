import { v, x } from './arm.js';

/**
 * Built-in role definition ids (the same in every tenant). Verified against the Azure built-in roles table,
 * MicrosoftDocs/azure-docs `articles/role-based-access-control/built-in-roles.md` @ ac4ed7a0 (ms.date 2023-08-07).
 */
export const BUILT_IN_ROLES = {
  /** Monitoring Metrics Publisher: Logs Ingestion API on the DCR; Entra-authenticated telemetry to App Insights. */
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb',
  /** Microsoft Sentinel Responder: read and update incidents, add comments (playbooks, defender-status timer). */
  sentinelResponder: '3e150937-b8fe-4cfb-8069-0eaf05ecd056',
  /** Log Analytics Reader: the playbooks' and the defender-status timer's Log Analytics queries, on the workspace. */
  logAnalyticsReader: '73c42c96-874c-492b-b04d-ab87d138a893',
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

/** The role's id as an expression over the template's `builtInRoles` variable. */
export const role = (name: keyof typeof BUILT_IN_ROLES): string => `${v('builtInRoles')}.${name}`;
export const roleDefinitionId = (name: keyof typeof BUILT_IN_ROLES): string =>
  x(`subscriptionResourceId('Microsoft.Authorization/roleDefinitions', ${role(name)})`);
