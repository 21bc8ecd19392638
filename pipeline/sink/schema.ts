/**
 * The OTAlerts_CL table, written once. Everything else is generated from this list: the DCR stream
 * declaration and custom table (infra/), the KQL schema that validates analytics/ and workbooks/,
 * and the row validator the local workspace and the sink use.
 *
 * Log Analytics rules (docs/contracts.md#logs-ingestion-api-and-custom-tables): names start with a letter,
 * letters/digits/_ only,
 * 2–45 chars, not reserved (`Title`, `Type`, `id`, … are reserved, hence `AlertTitle`).
 */
export type ColumnType = 'string' | 'int' | 'long' | 'real' | 'boolean' | 'dynamic' | 'datetime';

export interface Column {
  readonly name: string;
  readonly type: ColumnType;
  readonly description: string;
}

export const TABLE_NAME = 'OTAlerts_CL';
export const STREAM_NAME = 'Custom-OTAlerts_CL';

export const OTALERTS_COLUMNS = [
  {
    name: 'TimeGenerated',
    type: 'datetime',
    description: 'When this revision of the alert group was written.',
  },
  {
    name: 'AlertId',
    type: 'string',
    description: 'Deterministic id of the alert group; stable across revisions.',
  },
  {
    name: 'Revision',
    type: 'int',
    description: 'Revision of the group, 1 on creation; read the latest with arg_max.',
  },
  {
    name: 'RowReason',
    type: 'string',
    description: 'Why this revision was written: Created, Updated, Final.',
  },
  { name: 'AlertTitle', type: 'string', description: 'Defender for IoT alert title (alert type).' },
  { name: 'Description', type: 'string', description: 'Alert message of the latest member.' },
  {
    name: 'Engine',
    type: 'string',
    description: 'Policy violation, Protocol violation, Malware, Anomaly or Operational.',
  },
  { name: 'Category', type: 'string', description: 'Defender for IoT alert category (alert group).' },
  {
    name: 'Severity',
    type: 'string',
    description: 'Effective severity (High/Medium/Low/Informational) after escalations.',
  },
  {
    name: 'OriginalSeverity',
    type: 'string',
    description: 'Severity as the sensor reported it, mapped to Azure names.',
  },
  { name: 'Status', type: 'string', description: 'New, Active or Closed.' },
  { name: 'Protocol', type: 'string', description: 'Alert protocol.' },
  { name: 'SourceIP', type: 'string', description: 'Source device IP address.' },
  { name: 'SourceMAC', type: 'string', description: 'Source device MAC address.' },
  { name: 'SourceName', type: 'string', description: 'Source device name as the sensor reported it.' },
  { name: 'DestinationIP', type: 'string', description: 'Destination device IP address.' },
  { name: 'DestinationMAC', type: 'string', description: 'Destination device MAC address.' },
  {
    name: 'DestinationName',
    type: 'string',
    description: 'Destination device name as the sensor reported it.',
  },
  { name: 'Site', type: 'string', description: 'Plant site.' },
  { name: 'Zone', type: 'string', description: 'Network zone within the site.' },
  { name: 'Sensors', type: 'dynamic', description: 'Sensors that detected members of the group.' },
  { name: 'Count', type: 'long', description: 'Distinct sensor alerts merged into the group.' },
  { name: 'FirstSeen', type: 'datetime', description: 'First detection of the first member (UTC).' },
  { name: 'LastSeen', type: 'datetime', description: 'Last detection of the latest member (UTC).' },
  {
    name: 'Tactics',
    type: 'dynamic',
    description: 'ATT&CK for ICS tactics, Sentinel enum names (e.g. ImpairProcessControl).',
  },
  { name: 'Techniques', type: 'dynamic', description: 'ATT&CK for ICS technique ids (e.g. T0843).' },
  {
    name: 'TechniqueNames',
    type: 'dynamic',
    description: 'Names of the techniques, same order as Techniques.',
  },
  {
    name: 'AttackMapping',
    type: 'string',
    description:
      'Where the mapping came from: Catalog, Vendor, Config, Category (what the catalogued alerts of its category share) or Unmapped.',
  },
  {
    name: 'VendorAlertIds',
    type: 'dynamic',
    description: 'Defender for IoT alert ids merged into the group (capped).',
  },
  { name: 'SourceFormats', type: 'dynamic', description: 'Input formats the members arrived in.' },
  {
    name: 'KeyVersion',
    type: 'string',
    description: 'Version of the grouping key spec that built this group.',
  },
  { name: 'GroupKey', type: 'string', description: 'Hash of the grouping key fields.' },
  {
    name: 'PreviousAlertId',
    type: 'string',
    description: 'Group this one continues (overflow or recurrence).',
  },
  {
    name: 'AlertManagementUri',
    type: 'string',
    description: 'ARM URI of the Defender for IoT alert (status sync).',
  },
  { name: 'RemediationSteps', type: 'dynamic', description: 'Remediation steps from the sensor.' },
  // Enrichment (pipeline/enrich): asset, time and risk context. "The asset" is the destination when it is a
  // controller (PLC/RTU/DCS/SIS/IED), else the source.
  { name: 'SourceAssetName', type: 'string', description: 'Source device name from the asset inventory.' },
  {
    name: 'SourceAssetType',
    type: 'string',
    description: 'Source device type (PLC, HMI, EngineeringStation, Historian, Workstation, …).',
  },
  {
    name: 'DestinationAssetName',
    type: 'string',
    description: 'Destination device name from the asset inventory.',
  },
  { name: 'DestinationAssetType', type: 'string', description: 'Destination device type (PLC, HMI, …).' },
  {
    name: 'PurdueLevel',
    type: 'int',
    description: 'Purdue level 0–5 of the asset (destination controller, else source).',
  },
  {
    name: 'AssetCriticality',
    type: 'string',
    description: 'Asset criticality: Low, Medium, High or Critical.',
  },
  { name: 'AssetVendor', type: 'string', description: 'Asset vendor.' },
  { name: 'AssetModel', type: 'string', description: 'Asset model.' },
  { name: 'AssetFirmware', type: 'string', description: 'Asset firmware version.' },
  { name: 'AssetOwner', type: 'string', description: 'Asset owner.' },
  {
    name: 'OTTeam',
    type: 'string',
    description: 'OT team responsible for the asset (Entra group display name).',
  },
  { name: 'ProductionLine', type: 'string', description: 'Production line of the asset.' },
  {
    name: 'InBusinessHours',
    type: 'boolean',
    description: "First detection within the site's working hours (false on holidays).",
  },
  {
    name: 'InMaintenanceWindow',
    type: 'boolean',
    description: 'First detection inside a declared maintenance window of the site and zone.',
  },
  {
    name: 'LocalTime',
    type: 'string',
    description: "First detection in the site's local time, with offset (2026-11-18T03:24:00+01:00).",
  },
  {
    name: 'Escalations',
    type: 'dynamic',
    description:
      'Rules applied, each {rule, reason, from?, to?}: OutsideWorkingHours, NotEngineeringStation, ExpectedMaintenance.',
  },
  {
    name: 'RiskScore',
    type: 'int',
    description:
      'Risk 0–100 from severity, criticality, Purdue level, tactic, escalations (docs/configuration.md "Risk score").',
  },
] as const satisfies readonly Column[];

export type ColumnName = (typeof OTALERTS_COLUMNS)[number]['name'];

/** One row as posted to the Logs Ingestion API. Missing columns are simply absent (null in Log Analytics). */
export type OtAlertsRow = { [K in ColumnName]?: unknown } & {
  TimeGenerated: string;
  AlertId: string;
  Revision: number;
};
