/**
 * zod schemas for the Azure-Sentinel content YAML (analytics rules and hunting queries), as the Azure-Sentinel repo
 * writes them (docs/contracts.md#analytics-rule-yaml) and the SecurityInsights alertRules API accepts them
 * (2024-09-01).
 *
 * The schemas check shape and enums; what needs more than one field or the KQL result (durations against each
 * other, techniques against tactics, columns against the query output, GUID uniqueness) is checked in validate.ts.
 */
import { z } from 'zod';
import { parseDuration } from './duration.js';

/** Microsoft Sentinel `AttackTactic` (Azure-Sentinel AttackTactic.cs + `PreAttack` of the ARM API). */
export const SENTINEL_TACTICS = [
  'Reconnaissance',
  'ResourceDevelopment',
  'InitialAccess',
  'Execution',
  'Persistence',
  'PrivilegeEscalation',
  'DefenseEvasion',
  'CredentialAccess',
  'Discovery',
  'LateralMovement',
  'Collection',
  'Exfiltration',
  'CommandAndControl',
  'Impact',
  'ImpairProcessControl',
  'InhibitResponseFunction',
  'PreAttack',
] as const;
export type SentinelTactic = (typeof SENTINEL_TACTICS)[number];

export const SEVERITIES = ['High', 'Medium', 'Low', 'Informational'] as const;

/** Entity types an analytics rule can map, with their identifiers (Sentinel entities reference). */
export const ENTITY_IDENTIFIERS: Readonly<Record<string, readonly string[]>> = {
  Account: [
    'Name',
    'FullName',
    'NTDomain',
    'DnsDomain',
    'UPNSuffix',
    'Sid',
    'AadTenantId',
    'AadUserId',
    'PUID',
    'IsDomainJoined',
    'DisplayName',
    'ObjectGuid',
  ],
  AzureResource: ['ResourceId'],
  CloudApplication: ['AppId', 'Name', 'InstanceName'],
  DNS: ['DomainName'],
  File: ['Directory', 'Name'],
  FileHash: ['Algorithm', 'Value'],
  Host: [
    'DnsDomain',
    'NTDomain',
    'HostName',
    'FullName',
    'NetBiosName',
    'AzureID',
    'OMSAgentID',
    'OSFamily',
    'OSVersion',
    'IsDomainJoined',
  ],
  IoTDevice: [
    'DeviceId',
    'DeviceName',
    'Manufacturer',
    'Model',
    'FirmwareVersion',
    'OperatingSystem',
    'MacAddress',
    'Protocols',
    'SerialNumber',
    'Source',
    'IoTSecurityAgentId',
    'DeviceType',
  ],
  IP: ['Address', 'AddressScope'],
  MailCluster: [
    'NetworkMessageIds',
    'CountByDeliveryStatus',
    'CountByThreatType',
    'CountByProtectionStatus',
    'Threats',
    'Query',
    'QueryTime',
    'MailCount',
    'IsVolumeAnomaly',
    'Source',
    'ClusterSourceIdentifier',
    'ClusterSourceType',
    'ClusterQueryStartTime',
    'ClusterQueryEndTime',
    'ClusterGroup',
  ],
  MailMessage: [
    'Recipient',
    'Urls',
    'Threats',
    'Sender',
    'P1Sender',
    'P1SenderDisplayName',
    'P1SenderDomain',
    'SenderIP',
    'P2Sender',
    'P2SenderDisplayName',
    'P2SenderDomain',
    'ReceivedDate',
    'NetworkMessageId',
    'InternetMessageId',
    'Subject',
  ],
  Mailbox: ['MailboxPrimaryAddress', 'DisplayName', 'Upn', 'ExternalDirectoryObjectId', 'RiskLevel'],
  Malware: ['Name', 'Category'],
  Process: ['ProcessId', 'CommandLine', 'ElevationToken', 'CreationTimeUtc'],
  RegistryKey: ['Hive', 'Key'],
  RegistryValue: ['Name', 'Value', 'ValueType'],
  SecurityGroup: ['DistinguishedName', 'SID', 'ObjectGuid'],
  SubmissionMail: [
    'SubmissionId',
    'SubmissionDate',
    'Submitter',
    'NetworkMessageId',
    'Timestamp',
    'Recipient',
  ],
  URL: ['Url'],
};
export const ENTITY_TYPES = Object.keys(ENTITY_IDENTIFIERS) as [string, ...string[]];

/**
 * Identifier combinations of which an entity mapping must contain at least one, else Sentinel drops the entity
 * (Azure-Sentinel EntityMappingIdentifiers.cs `RequiredIdentifiers`, checked by its ValidEntityMappingsAttribute).
 */
export const REQUIRED_IDENTIFIERS: Readonly<Record<string, readonly (readonly string[])[]>> = {
  Account: [['FullName'], ['Sid'], ['Name'], ['AadUserId'], ['PUID'], ['ObjectGuid']],
  AzureResource: [['ResourceId']],
  CloudApplication: [['AppId'], ['Name']],
  DNS: [['DomainName']],
  File: [['Name']],
  FileHash: [['Algorithm', 'Value']],
  Host: [['FullName'], ['HostName'], ['NetBiosName'], ['AzureID'], ['OMSAgentID']],
  IoTDevice: [['DeviceId']],
  IP: [['Address']],
  Mailbox: [['MailboxPrimaryAddress']],
  MailCluster: [['Query'], ['Source']],
  MailMessage: [['NetworkMessageId'], ['Recipient']],
  Malware: [['Name']],
  Process: [['CommandLine'], ['ProcessId']],
  RegistryKey: [['Key'], ['Hive']],
  RegistryValue: [['Name']],
  SecurityGroup: [['DistinguishedName'], ['SID'], ['ObjectGuid']],
  SubmissionMail: [['SubmissionId'], ['NetworkMessageId'], ['Recipient'], ['Submitter']],
  URL: [['Url']],
};

/** A Log Analytics column name as entity mappings and custom details may reference it (Azure-Sentinel regex). */
export const COLUMN_NAME = /^[A-Za-z_]+\w*$/;

/** `alertDynamicProperties[].alertProperty` values. */
export const ALERT_PROPERTIES = [
  'AlertLink',
  'ConfidenceLevel',
  'ConfidenceScore',
  'ExtendedLinks',
  'ProductComponentName',
  'ProductName',
  'ProviderName',
  'RemediationSteps',
  'Techniques',
  'SubTechniques',
] as const;

/** Sentinel limits that the portal and the API enforce. */
export const LIMITS = {
  queryChars: 10_000,
  minFrequencyMs: 5 * 60_000,
  maxPeriodMs: 14 * 86_400_000,
  /** A queryPeriod of 2 days or more needs a queryFrequency of at least 1 hour. */
  longPeriodMs: 2 * 86_400_000,
  longPeriodMinFrequencyMs: 3_600_000,
  minLookbackMs: 5 * 60_000,
  maxLookbackMs: 7 * 86_400_000,
  entityMappings: 10,
  identifiersPerEntity: 3,
  customDetails: 20,
  formatPlaceholders: 3,
} as const;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Azure-Sentinel QueryBasedTemplateVersionValidator: X.Y.Z, all numbers (no pre-release or build suffix). */
const VERSION = /^\d+\.\d+\.\d+$/;
const TECHNIQUE_ID = /^T\d{4}(\.\d{3})?$/;
const CUSTOM_DETAIL_KEY = /^[A-Za-z][A-Za-z0-9_]{0,19}$/;

const guid = z.string().regex(GUID, { message: 'must be a GUID (8-4-4-4-12 hex digits)' });
const duration = z.string().refine((s) => parseDuration(s) !== undefined, {
  message: 'must be a duration like 5m, 1h, 1d or ISO 8601 like PT5M, P1D',
});
const tactic = z.enum(SENTINEL_TACTICS, {
  message: `not a Sentinel tactic (one of ${SENTINEL_TACTICS.join(', ')})`,
});
const techniqueId = z
  .string()
  .regex(TECHNIQUE_ID, { message: 'must be an ATT&CK technique id like T0843 (sub-technique T0843.001)' });

export const requiredDataConnectorsSchema = z
  .array(z.object({ connectorId: z.string().min(1), dataTypes: z.array(z.string().min(1)).min(1) }).strict())
  .min(1);

export const entityMappingSchema = z
  .object({
    entityType: z.enum(ENTITY_TYPES, { message: `not an entity type (one of ${ENTITY_TYPES.join(', ')})` }),
    fieldMappings: z
      .array(z.object({ identifier: z.string().min(1), columnName: z.string().min(1) }).strict())
      .min(1)
      .max(LIMITS.identifiersPerEntity),
  })
  .strict();

const groupingSchema = z
  .object({
    enabled: z.boolean(),
    reopenClosedIncident: z.boolean(),
    lookbackDuration: duration,
    matchingMethod: z.enum(['AllEntities', 'AnyAlert', 'Selected']),
    groupByEntities: z.array(z.enum(ENTITY_TYPES)).optional(),
    groupByAlertDetails: z.array(z.enum(['DisplayName', 'Severity'])).optional(),
    groupByCustomDetails: z.array(z.string().min(1)).optional(),
  })
  .strict();

export const incidentConfigurationSchema = z
  .object({ createIncident: z.boolean(), groupingConfiguration: groupingSchema })
  .strict();

export const alertDetailsOverrideSchema = z
  .object({
    alertDisplayNameFormat: z.string().min(1).max(256).optional(),
    alertDescriptionFormat: z.string().min(1).max(5000).optional(),
    alertTacticsColumnName: z.string().min(1).optional(),
    alertSeverityColumnName: z.string().min(1).optional(),
    alertDynamicProperties: z
      .array(z.object({ alertProperty: z.enum(ALERT_PROPERTIES), value: z.string().min(1) }).strict())
      .optional(),
  })
  .strict();

const metadataSchema = z.record(z.string(), z.unknown());

const common = {
  id: guid,
  name: z.string().min(1).max(256),
  description: z.string().min(1).max(5000),
  requiredDataConnectors: requiredDataConnectorsSchema,
  tactics: z.array(tactic).min(1),
  relevantTechniques: z.array(techniqueId).min(1),
  query: z.string().min(1).max(LIMITS.queryChars),
  version: z
    .string({ message: 'must be a version X.Y.Z like 1.0.0 (quoted if YAML reads it as a number)' })
    .max(20, { message: 'at most 20 characters' })
    .regex(VERSION, { message: 'must be X.Y.Z, all numbers (Azure-Sentinel rejects 1.0.0-beta.1)' }),
  tags: z.array(z.string()).optional(),
  metadata: metadataSchema.optional(),
};

export const analyticsRuleSchema = z
  .object({
    ...common,
    kind: z.enum(['Scheduled', 'NRT']),
    severity: z.enum(SEVERITIES),
    status: z.enum(['Available', 'Disabled']).optional(),
    queryFrequency: duration.optional(),
    queryPeriod: duration.optional(),
    triggerOperator: z.enum(['gt', 'lt', 'eq', 'ne']).optional(),
    triggerThreshold: z.number().int().min(0).max(10_000).optional(),
    entityMappings: z.array(entityMappingSchema).max(LIMITS.entityMappings).optional(),
    customDetails: z
      .record(
        z.string().regex(CUSTOM_DETAIL_KEY, {
          message: 'custom detail keys are 1–20 letters, digits or _, starting with a letter',
        }),
        z.string().min(1),
      )
      .optional(),
    alertDetailsOverride: alertDetailsOverrideSchema.optional(),
    incidentConfiguration: incidentConfigurationSchema.optional(),
    eventGroupingSettings: z.object({ aggregationKind: z.enum(['AlertPerResult', 'SingleAlert']) }).strict(),
    suppressionEnabled: z.boolean().optional(),
    suppressionDuration: duration.optional(),
  })
  .strict();
export type AnalyticsRule = z.output<typeof analyticsRuleSchema>;

export const huntingQuerySchema = z
  .object({
    ...common,
    entityMappings: z.array(entityMappingSchema).max(LIMITS.entityMappings).optional(),
  })
  .strict();
export type HuntingQuery = z.output<typeof huntingQuerySchema>;
