/**
 * `build()` once, on first call, shared by every caller after it; a failure (bad settings, a module that did not
 * load) is not cached, so the next call tries again instead of failing the instance for its whole life.
 */
export function lazy<T>(build: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    pending ??= build().catch((e: unknown) => {
      pending = undefined;
      throw e;
    });
    return pending;
  };
}
