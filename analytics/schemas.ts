/**
 * The workspace schema every rule, hunting and workbook query is type-checked against.
 *
 * - `OTAlerts_CL` is built at run time from `OTALERTS_COLUMNS` (pipeline/sink/schema.ts), the single source of
 *   truth, so a renamed or removed column fails validation of every query that uses it.
 * - `SecurityAlert`, `SecurityIncident` and `SentinelHealth` carry the column names and types of the Azure Monitor
 *   table reference (learn.microsoft.com/azure/azure-monitor/reference/tables/…), minus the `_`-prefixed system
 *   columns.
 * - `_GetWatchlist(alias)` returns Sentinel's watchlist columns plus those of the OT asset inventory watchlist (the
 *   inventory CSV shape ot-soc reads, uploaded with alias {@link ASSET_WATCHLIST}); values are typed string, as a
 *   query must not rely on Sentinel inferring more (every use converts: `toint(…)`, `tostring(…)`).
 */

import { OTALERTS_COLUMNS, TABLE_NAME } from '../pipeline/sink/schema.js';
import { kqlTableSchema } from '../pipeline/sink/tableSchema.js';
import type { KqlFunction, KqlSchema, KqlTable } from './kusto.js';

/** Alias of the OT asset inventory watchlist the correlation rules read. */
export const ASSET_WATCHLIST = 'OTAssetInventory';

const cols = (pairs: readonly (readonly [string, string])[]): string =>
  `(${pairs.map(([n, t]) => `${n}:${t}`).join(', ')})`;

export const SECURITY_ALERT_COLUMNS = [
  ['TenantId', 'string'],
  ['TimeGenerated', 'datetime'],
  ['DisplayName', 'string'],
  ['AlertName', 'string'],
  ['AlertSeverity', 'string'],
  ['Description', 'string'],
  ['ProviderName', 'string'],
  ['VendorName', 'string'],
  ['VendorOriginalId', 'string'],
  ['SystemAlertId', 'string'],
  ['ResourceId', 'string'],
  ['SourceComputerId', 'string'],
  ['AlertType', 'string'],
  ['ConfidenceLevel', 'string'],
  ['ConfidenceScore', 'real'],
  ['IsIncident', 'bool'],
  ['StartTime', 'datetime'],
  ['EndTime', 'datetime'],
  ['ProcessingEndTime', 'datetime'],
  ['RemediationSteps', 'string'],
  ['ExtendedProperties', 'string'],
  ['Entities', 'string'],
  ['SourceSystem', 'string'],
  ['WorkspaceSubscriptionId', 'string'],
  ['WorkspaceResourceGroup', 'string'],
  ['ExtendedLinks', 'string'],
  ['ProductName', 'string'],
  ['ProductComponentName', 'string'],
  ['AlertLink', 'string'],
  ['Status', 'string'],
  ['CompromisedEntity', 'string'],
  ['Tactics', 'string'],
  ['Techniques', 'string'],
  ['SubTechniques', 'string'],
  ['Type', 'string'],
] as const;

export const SECURITY_INCIDENT_COLUMNS = [
  ['TenantId', 'string'],
  ['TimeGenerated', 'datetime'],
  ['IncidentName', 'string'],
  ['Title', 'string'],
  ['Description', 'string'],
  ['Severity', 'string'],
  ['Status', 'string'],
  ['Classification', 'string'],
  ['ClassificationComment', 'string'],
  ['ClassificationReason', 'string'],
  ['Owner', 'dynamic'],
  ['ProviderName', 'string'],
  ['ProviderIncidentId', 'string'],
  ['FirstActivityTime', 'datetime'],
  ['LastActivityTime', 'datetime'],
  ['FirstModifiedTime', 'datetime'],
  ['LastModifiedTime', 'datetime'],
  ['CreatedTime', 'datetime'],
  ['ClosedTime', 'datetime'],
  ['IncidentNumber', 'int'],
  ['RelatedAnalyticRuleIds', 'dynamic'],
  ['AlertIds', 'dynamic'],
  ['BookmarkIds', 'dynamic'],
  ['Comments', 'dynamic'],
  ['Tasks', 'dynamic'],
  ['Labels', 'dynamic'],
  ['IncidentUrl', 'string'],
  ['AdditionalData', 'dynamic'],
  ['ModifiedBy', 'string'],
  ['SourceSystem', 'string'],
  ['Type', 'string'],
] as const;

export const SENTINEL_HEALTH_COLUMNS = [
  ['TenantId', 'string'],
  ['TimeGenerated', 'datetime'],
  ['OperationName', 'string'],
  ['SentinelResourceId', 'string'],
  ['SentinelResourceName', 'string'],
  ['Status', 'string'],
  ['Description', 'string'],
  ['WorkspaceId', 'string'],
  ['SentinelResourceType', 'string'],
  ['SentinelResourceKind', 'string'],
  ['RecordId', 'string'],
  ['ExtendedProperties', 'dynamic'],
  ['Reason', 'string'],
  ['SourceSystem', 'string'],
  ['Type', 'string'],
] as const;

/** Sentinel's own watchlist columns, then the asset inventory CSV header (samples/inventory.csv). */
export const WATCHLIST_COLUMNS = [
  ['_DTItemId', 'string'],
  ['LastUpdatedTimeUTC', 'datetime'],
  ['SearchKey', 'string'],
  ['WatchlistItem', 'dynamic'],
  ['IPAddress', 'string'],
  ['MACAddress', 'string'],
  ['AssetName', 'string'],
  ['AssetType', 'string'],
  ['Vendor', 'string'],
  ['Model', 'string'],
  ['Firmware', 'string'],
  ['PurdueLevel', 'string'],
  ['Criticality', 'string'],
  ['Owner', 'string'],
  ['OTTeam', 'string'],
  ['Site', 'string'],
  ['Zone', 'string'],
  ['ProductionLine', 'string'],
] as const;

/** The tables, built now from the current OTALERTS_COLUMNS. */
export function workspaceTables(): KqlTable[] {
  return [
    { name: TABLE_NAME, schema: kqlTableSchema(OTALERTS_COLUMNS) },
    { name: 'SecurityAlert', schema: cols(SECURITY_ALERT_COLUMNS) },
    { name: 'SecurityIncident', schema: cols(SECURITY_INCIDENT_COLUMNS) },
    { name: 'SentinelHealth', schema: cols(SENTINEL_HEALTH_COLUMNS) },
  ];
}

export function workspaceFunctions(): KqlFunction[] {
  return [
    {
      name: '_GetWatchlist',
      parameters: '(watchlistAlias:string)',
      body: `{ datatable${cols(WATCHLIST_COLUMNS)}[] }`,
    },
  ];
}

/** The Log Analytics workspace as the KQL validator sees it. */
export function workspaceSchema(): KqlSchema {
  return { database: 'workspace', tables: workspaceTables(), functions: workspaceFunctions() };
}
