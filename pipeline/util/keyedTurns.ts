const noop = () => {};

/**
 * Work that takes turns per key: each `run` starts once the key's earlier work has settled (succeeded or failed),
 * work of different keys runs at once. A key's entry is dropped when its last work has settled. Serves the CLI's
 * lanes (cli/lanes.ts) and the group store's per-partition turns within an instance (dedup/partitionLock.ts).
 */
export class KeyedTurns {
  readonly #tails = new Map<string, Promise<void>>();

  run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const result = (this.#tails.get(key) ?? Promise.resolve()).then(fn);
    const tail = result.then(noop, noop);
    this.#tails.set(key, tail);
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return result;
  }
}
