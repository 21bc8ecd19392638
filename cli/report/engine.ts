/**
 * The local KQL engine the workbooks run on (sentinel/kql, helper "kql", API in its index.ts). Until it lands,
 * the report is built against the agreed shape only: `RunQuery` is injected, so tests pass a double.
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
export interface KqlColumn {
  name: string;
  type: KqlType;
}
export interface KqlTable {
  columns: KqlColumn[];
  rows: Record<string, KqlValue>[];
}
export interface KqlContext {
  tables: Record<string, KqlTable>;
  now: Date;
  ingestionTimeOf?: (table: string, row: Record<string, KqlValue>) => Date | undefined;
  watchlists?: Record<string, KqlTable>;
  parameters?: Record<string, string>;
}
export type RunQuery = (query: string, ctx: KqlContext) => KqlTable;

/** What the engine said when it refused or failed a query, sorted for the reader. */
export interface QueryFailure {
  kind: 'unsupported' | 'error';
  message: string;
}

/** The engine refuses what it does not support with an error named KqlUnsupportedError (never approximated). */
export function failureOf(error: unknown): QueryFailure {
  const e = error instanceof Error ? error : new Error(String(error));
  return {
    kind:
      e.name === 'KqlUnsupportedError' || e.constructor.name === 'KqlUnsupportedError'
        ? 'unsupported'
        : 'error',
    message: e.message,
  };
}

class KqlUnsupportedError extends Error {
  override name = 'KqlUnsupportedError';
}

/** Until sentinel/kql is on main: every query is refused, so every visual says why instead of faking one. */
export const runQuery: RunQuery = () => {
  throw new KqlUnsupportedError('the local KQL engine (sentinel/kql) is not on main yet');
};
