/**
 * The twin's Log Analytics workspace: the rows of OTAlerts_CL as the local workspace stored them, typed by the
 * table schema written once in pipeline/sink/schema.ts, each with the time the workspace accepted it (what KQL's
 * `ingestion_time()` returns). A query run only ever sees the rows that had arrived by the time it executes.
 */
import { readFile } from 'node:fs/promises';
import { OTALERTS_COLUMNS, TABLE_NAME } from '../pipeline/sink/schema.js';
import { ndjsonRecords } from '../pipeline/util/ndjson.js';
import type { KqlColumn, KqlTable, KqlValue } from './engine.js';

export type KqlRow = Record<string, KqlValue>;

export interface StoredRow {
  row: KqlRow;
  /** Epoch ms when the workspace accepted the row. */
  ingestedAt: number;
  /** Epoch ms of TimeGenerated (the column the query time range applies to). */
  timeGenerated: number;
}

const KQL_TYPE: Record<string, KqlColumn['type']> = {
  string: 'string',
  int: 'int',
  long: 'long',
  real: 'real',
  boolean: 'bool',
  dynamic: 'dynamic',
  datetime: 'datetime',
};

/** OTAlerts_CL as KQL sees it. */
export const OTALERTS_KQL_COLUMNS: KqlColumn[] = OTALERTS_COLUMNS.map((c) => ({
  name: c.name,
  type: KQL_TYPE[c.type] ?? 'string',
}));

function jsonToKql(v: unknown): KqlValue {
  if (v === null || v === undefined) return null;
  if (Array.isArray(v)) return v.map(jsonToKql);
  if (typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, jsonToKql(x)]));
  return v as KqlValue;
}

/** A row as posted (JSON) to its typed KQL form: datetimes become Dates, absent columns null. */
export function typedRow(
  json: Record<string, unknown>,
  columns: readonly KqlColumn[] = OTALERTS_KQL_COLUMNS,
): KqlRow {
  const row: KqlRow = {};
  for (const c of columns) {
    const v = json[c.name];
    if (v === undefined || v === null || v === '') {
      row[c.name] = c.type === 'string' ? (v === '' ? '' : null) : null;
      continue;
    }
    switch (c.type) {
      case 'datetime': {
        const t = Date.parse(String(v));
        row[c.name] = Number.isNaN(t) ? null : new Date(t);
        break;
      }
      case 'dynamic':
        row[c.name] = jsonToKql(typeof v === 'string' ? safeJson(v) : v);
        break;
      case 'int':
      case 'long':
      case 'real':
        row[c.name] = typeof v === 'number' ? v : Number.isFinite(Number(v)) ? Number(v) : null;
        break;
      case 'bool':
        row[c.name] = typeof v === 'boolean' ? v : String(v).toLowerCase() === 'true';
        break;
      default:
        row[c.name] = typeof v === 'string' ? v : JSON.stringify(v);
    }
  }
  return row;
}

function safeJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return s;
  }
}

export class TwinWorkspace {
  readonly #rows: StoredRow[] = [];
  readonly #ingestion = new WeakMap<KqlRow, Date>();
  readonly columns: KqlColumn[];
  readonly table: string;

  constructor(table = TABLE_NAME, columns: KqlColumn[] = OTALERTS_KQL_COLUMNS) {
    this.table = table;
    this.columns = columns;
  }

  /**
   * Accepts a row at `ingestedAt` (default: its TimeGenerated, which is how the local workspace behaves: the
   * pipeline writes a row right after it commits it).
   */
  ingest(json: Record<string, unknown>, ingestedAt?: Date | number): StoredRow {
    const row = typedRow(json, this.columns);
    const tg = row.TimeGenerated instanceof Date ? row.TimeGenerated.getTime() : Number.NaN;
    if (Number.isNaN(tg))
      throw new Error(
        `${this.table}: row without a valid TimeGenerated: ${JSON.stringify(json).slice(0, 200)}`,
      );
    const at =
      ingestedAt === undefined ? tg : typeof ingestedAt === 'number' ? ingestedAt : ingestedAt.getTime();
    const stored = { row, ingestedAt: at, timeGenerated: tg };
    this.#rows.push(stored);
    this.#ingestion.set(row, new Date(at));
    return stored;
  }

  get size(): number {
    return this.#rows.length;
  }

  get rows(): readonly StoredRow[] {
    return this.#rows;
  }

  /** Earliest and latest acceptance times (undefined when empty). */
  ingestionSpan(): { first: number; last: number } | undefined {
    if (!this.#rows.length) return undefined;
    let first = Number.POSITIVE_INFINITY;
    let last = Number.NEGATIVE_INFINITY;
    for (const r of this.#rows) {
      first = Math.min(first, r.ingestedAt);
      last = Math.max(last, r.ingestedAt);
    }
    return { first, last };
  }

  /** The table as a query sees it: only rows accepted by `visibleAt` and passing `keep`. */
  view(visibleAt: number, keep: (r: StoredRow) => boolean): KqlTable {
    return {
      columns: this.columns,
      rows: this.#rows.filter((r) => r.ingestedAt <= visibleAt && keep(r)).map((r) => r.row),
    };
  }

  /** `ingestion_time()` of a row this workspace holds. */
  ingestionTimeOf = (_table: string, row: KqlRow): Date | undefined => this.#ingestion.get(row);
}

/** Loads an NDJSON file of rows as posted (OUT/OTAlerts_CL.ndjson); a bad line names its number. */
export async function loadWorkspaceFile(file: string, into = new TwinWorkspace()): Promise<TwinWorkspace> {
  for (const { value, line } of ndjsonRecords(await readFile(file, 'utf8'), file)) {
    try {
      into.ingest(value as Record<string, unknown>);
    } catch (e) {
      throw new Error(`${file}:${line}: ${(e as Error).message}`);
    }
  }
  return into;
}
