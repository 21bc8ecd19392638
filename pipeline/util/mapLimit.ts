import pLimit from 'p-limit';

/**
 * Runs `fn` over `items` with at most `limit` calls in flight; results in input order. The one bounded-concurrency
 * helper of the pipeline (dead letters, the sink's uploads, group commits and reads all use it), on p-limit.
 */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const run = pLimit(Math.max(1, limit));
  return Promise.all(items.map((item) => run(() => fn(item))));
}

/** A limiter for calls that do not come as one list (each upload of the sink): at most `limit` run at once. */
export function createLimiter(limit: number): <T>(fn: () => Promise<T>) => Promise<T> {
  const run = pLimit(Math.max(1, limit));
  return (fn) => run(fn);
}
