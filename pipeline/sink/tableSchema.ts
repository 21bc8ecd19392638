/**
 * Everything that describes OTAlerts_CL to Azure is generated here from `OTALERTS_COLUMNS` (schema.ts),
 * so the DCR stream, the custom table, the KQL validator's schema and the row validator cannot drift.
 *
 * Contracts (docs/contracts.md#logs-ingestion-api-and-custom-tables):
 * - DCR `streamDeclarations` column types: string, int, long, real, boolean, dynamic, datetime.
 * - Tables API column types: string, int, long, real, boolean, dateTime, guid, dynamic (note `dateTime`).
 * - Column names: start with a letter, then [A-Za-z0-9_], 2–45 chars, not reserved; ≤ 500 columns;
 *   every table needs TimeGenerated.
 */
import { type Column, type ColumnType, OTALERTS_COLUMNS, STREAM_NAME, TABLE_NAME } from './schema.js';

export interface NameType<T extends string = string> {
  name: string;
  type: T;
}

export type TablesApiColumnType =
  | 'string'
  | 'int'
  | 'long'
  | 'real'
  | 'boolean'
  | 'dateTime'
  | 'guid'
  | 'dynamic';

/** DCR stream types → Tables API types. Only `datetime` is spelt differently. */
const TABLES_API_TYPE: Readonly<Record<ColumnType, TablesApiColumnType>> = {
  string: 'string',
  int: 'int',
  long: 'long',
  real: 'real',
  boolean: 'boolean',
  dynamic: 'dynamic',
  datetime: 'dateTime',
};

export const DCR_STREAM_TYPES: readonly ColumnType[] = [
  'string',
  'int',
  'long',
  'real',
  'boolean',
  'dynamic',
  'datetime',
];

/** Names Log Analytics reserves for itself (create-custom-table.md). Compared case-insensitively. */
export const RESERVED_COLUMN_NAMES: readonly string[] = [
  'id',
  'BilledSize',
  'IsBillable',
  'InvalidTimeGenerated',
  'TenantId',
  'Title',
  'Type',
  'UniqueId',
  '_ItemId',
  '_ResourceGroup',
  '_ResourceId',
  '_SubscriptionId',
  '_TimeReceived',
];

export const MAX_COLUMNS = 500;
export const MIN_COLUMN_NAME_LENGTH = 2;
export const MAX_COLUMN_NAME_LENGTH = 45;
const COLUMN_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_]*$/;

export interface StreamDeclaration {
  [stream: string]: { columns: NameType<ColumnType>[] };
}

/** `properties.streamDeclarations` of the DCR: `{ 'Custom-OTAlerts_CL': { columns: [{name,type}] } }`. */
export function streamDeclaration(columns: readonly Column[] = OTALERTS_COLUMNS): StreamDeclaration {
  return { [STREAM_NAME]: { columns: columns.map((c) => ({ name: c.name, type: c.type })) } };
}

export interface TablesApiColumn {
  name: string;
  type: TablesApiColumnType;
  description?: string;
}

export interface CustomTableBody {
  properties: { schema: { name: string; columns: TablesApiColumn[] } };
}

/**
 * Body for `PUT …/workspaces/{ws}/tables/OTAlerts_CL?api-version=…` (Tables API). Includes TimeGenerated
 * and each column's description (shown in the Log Analytics schema pane).
 */
export function customTableSchema(columns: readonly Column[] = OTALERTS_COLUMNS): CustomTableBody {
  return {
    properties: {
      schema: {
        name: TABLE_NAME,
        columns: columns.map((c) => ({
          name: c.name,
          type: TABLES_API_TYPE[c.type],
          description: c.description,
        })),
      },
    },
  };
}

/** `(TimeGenerated:datetime, AlertId:string, …)`: the table schema string the KQL validator takes. */
export function kqlTableSchema(columns: readonly Column[] = OTALERTS_COLUMNS): string {
  return `(${columns.map((c) => `${c.name}:${c.type}`).join(', ')})`;
}

/** Parses a `kqlTableSchema()` string back to name/type pairs (used to prove the generators agree). */
export function parseKqlTableSchema(schema: string): NameType[] {
  const inner = schema.trim().replace(/^\(/, '').replace(/\)$/, '');
  if (inner.trim() === '') return [];
  return inner.split(',').map((part) => {
    const [name, type] = part.split(':').map((s) => s.trim());
    return { name: name ?? '', type: type ?? '' };
  });
}

/** Tables API type → DCR/KQL type (`dateTime` → `datetime`), to compare the table body with the stream. */
export function fromTablesApiType(type: TablesApiColumnType): ColumnType | 'guid' {
  return type === 'dateTime' ? 'datetime' : type;
}

/**
 * Checks the Log Analytics column rules; returns one message per violation (empty = all rules pass).
 * Duplicates and reserved names are compared case-insensitively.
 */
export function checkColumnRules(columns: readonly Column[] = OTALERTS_COLUMNS): string[] {
  const violations: string[] = [];
  if (columns.length > MAX_COLUMNS) {
    violations.push(`table has ${columns.length} columns; Log Analytics allows at most ${MAX_COLUMNS}`);
  }
  const reserved = new Set(RESERVED_COLUMN_NAMES.map((n) => n.toLowerCase()));
  const seen = new Map<string, string>();
  for (const { name, type } of columns) {
    if (!COLUMN_NAME_PATTERN.test(name)) {
      violations.push(`${name}: must start with a letter and contain only A-Z, a-z, 0-9 and _`);
    }
    if (name.length < MIN_COLUMN_NAME_LENGTH || name.length > MAX_COLUMN_NAME_LENGTH) {
      violations.push(
        `${name}: length ${name.length} outside ${MIN_COLUMN_NAME_LENGTH}–${MAX_COLUMN_NAME_LENGTH} characters`,
      );
    }
    if (reserved.has(name.toLowerCase())) violations.push(`${name}: reserved column name`);
    const previous = seen.get(name.toLowerCase());
    if (previous !== undefined)
      violations.push(`${name}: duplicate column (already declared as ${previous})`);
    else seen.set(name.toLowerCase(), name);
    if (!DCR_STREAM_TYPES.includes(type)) violations.push(`${name}: type '${type}' is not a DCR stream type`);
  }
  const timeGenerated = columns.find((c) => c.name === 'TimeGenerated');
  if (!timeGenerated) violations.push('TimeGenerated: missing (every Log Analytics table needs it)');
  else if (timeGenerated.type !== 'datetime') violations.push('TimeGenerated: must be datetime');
  return violations;
}
