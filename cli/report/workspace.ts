/**
 * The run's local workspace as KQL tables: `OUT/OTAlerts_CL.ndjson` (the rows exactly as the local Logs
 * Ingestion endpoint accepted them, pipeline/sink/localWorkspace.ts), typed by the table schema
 * (pipeline/sink/schema.ts), and what the local Sentinel twin wrote under `OUT/sentinel/` if it ran.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TABLE_NAME } from '../../pipeline/sink/schema.js';
import { ndjsonRecords } from '../../pipeline/util/ndjson.js';
import { OTALERTS_KQL_COLUMNS, typedRow } from '../../sentinel/workspace.js';
import type { KqlContext, KqlTable } from './engine.js';

export type Row = Record<string, unknown>;

export function readNdjson(file: string): Row[] {
  if (!existsSync(file)) return [];
  return Array.from(ndjsonRecords(readFileSync(file, 'utf8'), file), (r) => r.value as Row);
}

/** OTAlerts_CL rows → a KqlTable typed as the twin types them (sentinel/workspace.ts: datetimes, absent = null). */
export function otAlertsTable(rows: readonly Row[]): KqlTable {
  return { columns: OTALERTS_KQL_COLUMNS, rows: rows.map((r) => typedRow(r)) };
}

/** What the local Sentinel twin wrote (issue 17 layout), empty lists if it did not run. */
export interface TwinOutput {
  ran: boolean;
  alerts: Row[];
  incidents: Row[];
  actions: Row[];
}

export function readTwin(outDir: string): TwinOutput {
  const dir = join(outDir, 'sentinel');
  const ran = existsSync(join(dir, 'incidents.ndjson'));
  return {
    ran,
    alerts: readNdjson(join(dir, 'alerts.ndjson')),
    incidents: readNdjson(join(dir, 'incidents.ndjson')),
    actions: readNdjson(join(dir, 'actions.ndjson')),
  };
}

/**
 * The engine context for the workbooks: OTAlerts_CL, the inventory watchlist and the tables Sentinel writes
 * that the twin computed (SecurityAlert, SecurityIncident, SentinelHealth). ingestion_time() is the row's
 * TimeGenerated: the local workspace accepts a row when it is written.
 */
export function workspaceContext(
  rows: readonly Row[],
  now: Date,
  watchlists: Record<string, KqlTable> = {},
  sentinel: Record<string, KqlTable> = {},
): KqlContext {
  return {
    tables: { [TABLE_NAME]: otAlertsTable(rows), ...sentinel },
    watchlists,
    now,
    ingestionTimeOf: (table, row) =>
      table === TABLE_NAME && row.TimeGenerated instanceof Date ? row.TimeGenerated : undefined,
  };
}
