/**
 * The run's local workspace as KQL tables: `OUT/OTAlerts_CL.ndjson` (the rows exactly as the local Logs
 * Ingestion endpoint accepted them, pipeline/sink/localWorkspace.ts), typed by the table schema
 * (pipeline/sink/schema.ts), and what the local Sentinel twin wrote under `OUT/sentinel/` if it ran.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OTALERTS_COLUMNS, TABLE_NAME } from '../../pipeline/sink/schema.js';
import type { KqlColumn, KqlContext, KqlTable, KqlType, KqlValue } from './engine.js';

export type Row = Record<string, unknown>;

export function readNdjson(file: string): Row[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l, i) => {
      try {
        return JSON.parse(l) as Row;
      } catch (e) {
        throw new Error(`${file}:${i + 1}: not JSON (${(e as Error).message})`);
      }
    });
}

const KQL_TYPE: Record<string, KqlType> = {
  string: 'string',
  int: 'int',
  long: 'long',
  real: 'real',
  boolean: 'bool',
  dynamic: 'dynamic',
  datetime: 'datetime',
};

function value(v: unknown, type: KqlType): KqlValue {
  if (v === null || v === undefined) return null;
  if (type === 'datetime') {
    const d = new Date(String(v));
    return Number.isNaN(d.getTime()) ? null : d;
  }
  return v as KqlValue;
}

/** OTAlerts_CL rows → a KqlTable with every schema column (absent values are null, as in Log Analytics). */
export function otAlertsTable(rows: readonly Row[]): KqlTable {
  const columns: KqlColumn[] = OTALERTS_COLUMNS.map((c) => ({
    name: c.name,
    type: KQL_TYPE[c.type] ?? 'dynamic',
  }));
  return {
    columns,
    rows: rows.map((r) => Object.fromEntries(columns.map((c) => [c.name, value(r[c.name], c.type)]))),
  };
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
 * The engine context for the workbooks: OTAlerts_CL and the inventory watchlist (the local workspace holds no
 * SecurityIncident, SecurityAlert or SentinelHealth rows; queries on them say so). ingestion_time() is the row's
 * TimeGenerated: the local workspace accepts a row when it is written.
 */
export function workspaceContext(
  rows: readonly Row[],
  now: Date,
  watchlists: Record<string, KqlTable> = {},
): KqlContext {
  return {
    tables: { [TABLE_NAME]: otAlertsTable(rows) },
    watchlists,
    now,
    ingestionTimeOf: (table, row) =>
      table === TABLE_NAME && row.TimeGenerated instanceof Date ? row.TimeGenerated : undefined,
  };
}
