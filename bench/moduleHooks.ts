/**
 * `node --import ./dist/bench/moduleHooks.js …` records every ES module Node resolves (and who imported it) as
 * NDJSON lines in the file named by OTSOC_BENCH_MODULE_LOG. The same file is the `--import` preload (main thread:
 * it registers itself) and the hooks module (hooks thread: the `resolve` hook below). CommonJS files that a
 * CommonJS package require()s are not seen by hooks on Node 20; bench/coldStart.ts reads those from require.cache.
 */
import { appendFileSync } from 'node:fs';
import { register } from 'node:module';
import { isMainThread } from 'node:worker_threads';

interface ResolveContext {
  parentURL?: string;
}
type NextResolve = (specifier: string, context: ResolveContext) => Promise<{ url: string }>;

if (isMainThread) register(import.meta.url);

export async function resolve(
  specifier: string,
  context: ResolveContext,
  next: NextResolve,
): Promise<{ url: string }> {
  const result = await next(specifier, context);
  const log = process.env.OTSOC_BENCH_MODULE_LOG;
  if (log) appendFileSync(log, `${JSON.stringify({ url: result.url, parent: context.parentURL ?? null })}\n`);
  return result;
}
