/**
 * The public value model of the local KQL engine (the agreed API in docs/local-sentinel-kql.md).
 *
 * long/int/real/decimal -> number; datetime -> Date; timespan -> number of milliseconds (the column type says it is
 * a timespan); dynamic -> JSON values (arrays/objects); bool -> boolean; string/guid -> string; null -> null.
 */
export type KqlValue = null | boolean | number | string | Date | KqlValue[] | { [k: string]: KqlValue };

export type KqlType =
  | 'string'
  | 'long'
  | 'int'
  | 'real'
  | 'bool'
  | 'datetime'
  | 'timespan'
  | 'dynamic'
  | 'guid'
  | 'decimal';

export const KQL_TYPES: readonly KqlType[] = [
  'string',
  'long',
  'int',
  'real',
  'bool',
  'datetime',
  'timespan',
  'dynamic',
  'guid',
  'decimal',
];

export interface KqlColumn {
  name: string;
  type: KqlType;
}

export interface KqlTable {
  columns: KqlColumn[];
  rows: Record<string, KqlValue>[];
}

export interface KqlContext {
  /** Table name -> rows (datetime cells may be Date, ISO string or epoch ms; they are read as the column type says). */
  tables: Record<string, KqlTable>;
  /** now() / ago() reference: a settable clock. */
  now: Date;
  /** ingestion_time() of a row: when the local workspace accepted it (undefined -> null). */
  ingestionTimeOf?: (table: string, row: Record<string, KqlValue>) => Date | undefined;
  /** _GetWatchlist('alias') rows (SearchKey + CSV columns), if the query reads a watchlist. */
  watchlists?: Record<string, KqlTable>;
  /** Workbook parameters substituted as {Name} or {Name:format} before parsing (workbooks only). */
  parameters?: Record<string, string>;
}
