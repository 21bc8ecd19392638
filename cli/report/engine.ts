/**
 * The local KQL engine the workbooks run on (sentinel/kql, its API in docs/local-sentinel-kql.md). `RunQuery`
 * is injected into the workbook runner, so its tests can pass a double of the engine's output shape.
 */

import type { KqlContext, KqlTable } from '../../sentinel/kql/index.js';
import { KqlUnsupportedError } from '../../sentinel/kql/index.js';

export type { KqlColumn, KqlContext, KqlTable, KqlType, KqlValue } from '../../sentinel/kql/index.js';
export { runQuery } from '../../sentinel/kql/index.js';

export type RunQuery = (query: string, ctx: KqlContext) => KqlTable;

/** What the engine said when it refused or failed a query, sorted for the reader. */
export interface QueryFailure {
  /** `absent`: the query reads a Sentinel table this local workspace does not hold. */
  kind: 'unsupported' | 'absent' | 'error';
  message: string;
}

/** Tables Sentinel itself writes (incidents, their alerts, automation health); the local workspace has none. */
const SENTINEL_TABLES = ['SecurityIncident', 'SecurityAlert', 'SentinelHealth'];

/** The engine refuses what it does not support with KqlUnsupportedError (never an approximation). */
export function failureOf(error: unknown): QueryFailure {
  const e = error instanceof Error ? error : new Error(String(error));
  const table = /The name '(\w+)' does not refer to any known table/.exec(e.message)?.[1];
  if (table && SENTINEL_TABLES.includes(table))
    return {
      kind: 'absent',
      message: `this query reads ${table}, which Sentinel writes itself and this run's local workspace does not hold (the engine: ${e.message})`,
    };
  return {
    kind: e instanceof KqlUnsupportedError || e.name === 'KqlUnsupportedError' ? 'unsupported' : 'error',
    message: e.message,
  };
}
