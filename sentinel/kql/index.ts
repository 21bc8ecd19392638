/**
 * The local KQL engine: executes the shipped Sentinel content (rules, hunting queries, workbooks) over in-memory
 * rows, on the syntax tree of the official parser. See docs/local-sentinel-kql.md. Test double only: no product
 * path (pipeline/, functions/, playbooks/) imports it.
 */
export { runQuery } from './engine/run.js';
export { KqlRuntimeError, KqlUnsupportedError } from './errors.js';
export type { KqlColumn, KqlContext, KqlTable, KqlType, KqlValue } from './types.js';
