/**
 * The seam to the local KQL engine (sentinel/kql, built by its own owner): the twin only needs
 * `runQuery(query, ctx) -> KqlTable` and the value types. Everything in the twin that evaluates KQL goes
 * through `QueryRunner`, so a test can also count or observe the queries a run makes.
 */
export type { KqlColumn, KqlContext, KqlTable, KqlValue } from './kql/index.js';

import { type KqlContext, type KqlTable, runQuery } from './kql/index.js';

export type QueryRunner = (query: string, ctx: KqlContext) => KqlTable;

export const defaultRunner: QueryRunner = (query, ctx) => runQuery(query, ctx);
