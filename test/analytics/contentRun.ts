/**
 * Runs the shipped analytics rules' own KQL through the local KQL engine (sentinel/kql) over hand-built OTAlerts_CL
 * rows (the routing test; scheduling over time is the local Sentinel's, see lateRows.test.ts).
 */
import { loadContent } from '../../analytics/content.js';
import { parseContent } from '../../analytics/package.js';
import type { AnalyticsRule } from '../../analytics/ruleSchema.js';
import { ASSET_WATCHLIST, WATCHLIST_COLUMNS } from '../../analytics/schemas.js';
import { OTALERTS_COLUMNS } from '../../pipeline/sink/schema.js';
import {
  type KqlColumn,
  type KqlTable,
  type KqlType,
  type KqlValue,
  runQuery,
} from '../../sentinel/kql/index.js';

export type Row = Record<string, KqlValue>;

const WATCHLIST: KqlColumn[] = WATCHLIST_COLUMNS.map(([name, type]) => ({ name, type }));

export interface ShippedRule {
  readonly name: string;
  readonly rule: AnalyticsRule;
}

export function shippedRules(): ShippedRule[] {
  return parseContent(loadContent()).rules.map(({ file, rule }) => ({
    name: file.replace(/^.*\//, '').replace(/\.ya?ml$/, ''),
    rule,
  }));
}

const COLUMNS: KqlColumn[] = OTALERTS_COLUMNS.map((c) => ({
  name: c.name,
  type: (c.type === 'boolean' ? 'bool' : c.type) as KqlType,
}));

/** An OTAlerts_CL Revision 1 row as the pipeline writes it, with no inventory context unless `over` adds it. */
export function alertRow(over: Row & { AlertId: string; AlertTitle: string; TimeGenerated: Date }): Row {
  const row: Row = {};
  for (const c of COLUMNS) row[c.name] = c.type === 'string' ? '' : null;
  const t = over.TimeGenerated;
  return {
    ...row,
    Revision: 1,
    RowReason: 'Created',
    Description: `${over.AlertTitle} seen by sensor`,
    Severity: 'Medium',
    OriginalSeverity: 'Medium',
    Status: 'New',
    Protocol: 'TCP',
    SourceIP: '10.1.1.5',
    DestinationIP: '10.1.2.7',
    Site: 'Plant',
    Zone: 'Line1',
    Sensors: ['sensor-1'],
    Count: 1,
    FirstSeen: t,
    LastSeen: t,
    Tactics: [],
    Techniques: [],
    TechniqueNames: [],
    AttackMapping: 'Catalog',
    InBusinessHours: true,
    InMaintenanceWindow: false,
    Escalations: [],
    RiskScore: 40,
    ...over,
  };
}

export interface Delivered {
  readonly row: Row;
  /** When the workspace accepted the row (ingestion_time()). */
  readonly ingested: Date;
}

/**
 * One execution of a rule's query over the delivered rows, at `now`; the asset inventory watchlist holds `inventory`
 * (rows of its columns, SearchKey the IP), empty by default.
 */
export function execute(
  rule: AnalyticsRule,
  rows: readonly Delivered[],
  now: Date,
  inventory: readonly Row[] = [],
): KqlTable {
  const accepted = new Map<Row, Date>(rows.map((d) => [d.row, d.ingested]));
  return runQuery(rule.query, {
    tables: { OTAlerts_CL: { columns: COLUMNS, rows: rows.map((d) => d.row) } },
    now,
    ingestionTimeOf: (_table, row) => accepted.get(row),
    // no inventory context unless a row carries it or the test gives the watchlist rows
    watchlists: { [ASSET_WATCHLIST]: { columns: WATCHLIST, rows: [...inventory] } },
  });
}
