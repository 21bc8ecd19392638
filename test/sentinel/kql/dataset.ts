/**
 * A non-trivial local workspace for running the shipped content: OTAlerts_CL rows from replaying the bundled plant
 * scenario (samples/plant-scenario.ndjson) through the real pipeline into the local workspace, the asset inventory
 * as the OTAssetInventory watchlist, and SecurityAlert/SecurityIncident/SentinelHealth rows derived from those
 * groups (so the SOC workbooks' joins have matches).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  SECURITY_ALERT_COLUMNS,
  SECURITY_INCIDENT_COLUMNS,
  SENTINEL_HEALTH_COLUMNS,
  WATCHLIST_COLUMNS,
} from '../../../analytics/schemas.js';
import { runFile } from '../../../cli/commands/runFile.js';
import { readCsv } from '../../../pipeline/enrich/inventory/csv.js';
import { OTALERTS_COLUMNS } from '../../../pipeline/sink/schema.js';
import type { KqlColumn, KqlContext, KqlTable, KqlType, KqlValue } from '../../../sentinel/kql/index.js';

type Row = Record<string, KqlValue>;

const columns = (pairs: readonly (readonly [string, string])[]): KqlColumn[] =>
  pairs.map(([name, type]) => ({ name, type: (type === 'boolean' ? 'bool' : type) as KqlType }));

/** How long after its TimeGenerated the dataset's workspace ingested each row. */
export const INGESTION_DELAY_MS = 40_000;

export interface Workspace {
  ctx: KqlContext;
  /** TimeGenerated of the first and last OTAlerts_CL row. */
  first: Date;
  last: Date;
}

export async function replayWorkspace(): Promise<Workspace> {
  const dir = await mkdtemp(join(tmpdir(), 'ot-soc-kql-'));
  try {
    await runFile({
      input: 'samples/plant-scenario.ndjson',
      out: dir,
      config: 'samples/ot-soc.config.json',
      partitions: 1,
      batchSize: 50,
      progress: false,
    });
    const text = await readFile(join(dir, 'OTAlerts_CL.ndjson'), 'utf8');
    const rows = text
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Row);
    return build(rows, await readFile('samples/inventory.csv', 'utf8'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function build(alerts: Row[], inventoryCsv: string): Workspace {
  const times = alerts.map((r) => Date.parse(String(r.TimeGenerated)));
  const first = new Date(Math.min(...times));
  const last = new Date(Math.max(...times));
  // Ingestion: the local workspace accepted each row INGESTION_DELAY_MS after it was written.
  const ingested = new Map<Row, Date>(
    alerts.map((r) => [r, new Date(Date.parse(String(r.TimeGenerated)) + INGESTION_DELAY_MS)]),
  );

  const [header, ...records] = readCsv(inventoryCsv).map((r) => r.fields);
  const watchlist: KqlTable = {
    columns: columns(WATCHLIST_COLUMNS),
    rows: records.map((f, i) => {
      const row: Row = { _DTItemId: `item-${i}`, LastUpdatedTimeUTC: first, WatchlistItem: {} };
      header!.forEach((h, j) => {
        row[h] = f[j] ?? '';
      });
      return row;
    }),
  };

  // One Sentinel alert and incident per distinct alert group (latest revision), every third one closed.
  const latest = new Map<string, Row>();
  for (const r of alerts) {
    const prev = latest.get(String(r.AlertId));
    if (!prev || Number(r.Revision) > Number(prev.Revision)) latest.set(String(r.AlertId), r);
  }
  const securityAlerts: Row[] = [];
  const incidents: Row[] = [];
  let n = 0;
  for (const g of latest.values()) {
    n++;
    const created = new Date(Date.parse(String(g.TimeGenerated)) + 5 * 60_000);
    const closed = n % 3 === 0;
    const alertId = `sa-${n}`;
    const title = `OT: ${String(g.AlertTitle)} in ${String(g.Site)}/${String(g.Zone)}`;
    securityAlerts.push({
      TimeGenerated: created,
      DisplayName: title,
      AlertName: title,
      AlertSeverity: g.Severity ?? 'Medium',
      Description: g.Description ?? '',
      ProviderName: 'ASI Scheduled Alerts',
      VendorName: 'Microsoft',
      SystemAlertId: alertId,
      ProductName: 'Azure Sentinel',
      Status: 'New',
      Tactics: 'Discovery',
      Techniques: 'T0846',
      ExtendedProperties: JSON.stringify({ 'Custom Details': JSON.stringify({ AlertId: [g.AlertId] }) }),
      Entities: '[]',
      StartTime: first,
      EndTime: created,
      Type: 'SecurityAlert',
    });
    incidents.push({
      TimeGenerated: closed ? new Date(created.getTime() + 3_600_000) : created,
      IncidentName: `inc-${n}`,
      IncidentNumber: n,
      Title: title,
      Severity: g.Severity ?? 'Medium',
      Status: closed ? 'Closed' : 'New',
      Classification: closed ? (n % 2 ? 'FalsePositive' : 'BenignPositive') : '',
      ClassificationReason: closed ? 'InaccurateData' : '',
      Owner: { assignedTo: closed ? 'ot-analyst' : null },
      ProviderName: 'Azure Sentinel',
      CreatedTime: created,
      FirstActivityTime: first,
      LastActivityTime: created,
      FirstModifiedTime: created,
      LastModifiedTime: created,
      ClosedTime: closed ? new Date(created.getTime() + 3_600_000) : null,
      AlertIds: [alertId],
      RelatedAnalyticRuleIds: ['5a16befa-d52d-4914-8b77-8568abacf7a6'],
      Labels: closed ? [{ labelName: 'auto-closed', labelType: 'User' }] : [],
      Comments: [],
      Tasks: [],
      BookmarkIds: [],
      AdditionalData: { alertsCount: 1 },
      Type: 'SecurityIncident',
    });
  }
  const health: Row[] = [
    {
      TimeGenerated: last,
      OperationName: 'Scheduled analytics rule run',
      SentinelResourceName: 'OT reconnaissance followed by a controller change',
      SentinelResourceType: 'Analytics Rule',
      Status: 'Success',
      Description: '',
      ExtendedProperties: {},
      Type: 'SentinelHealth',
    },
  ];

  const ctx: KqlContext = {
    now: new Date(last.getTime() + 5 * 60_000),
    tables: {
      OTAlerts_CL: { columns: columns(OTALERTS_COLUMNS.map((c) => [c.name, c.type] as const)), rows: alerts },
      SecurityAlert: { columns: columns(SECURITY_ALERT_COLUMNS), rows: securityAlerts },
      SecurityIncident: { columns: columns(SECURITY_INCIDENT_COLUMNS), rows: incidents },
      SentinelHealth: { columns: columns(SENTINEL_HEALTH_COLUMNS), rows: health },
    },
    ingestionTimeOf: (table, row) => (table === 'OTAlerts_CL' ? ingested.get(row) : undefined),
    watchlists: { OTAssetInventory: watchlist },
  };
  return { ctx, first, last };
}
