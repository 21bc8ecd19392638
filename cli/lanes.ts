import { KeyedTurns } from '../pipeline/util/keyedTurns.js';

const noop = () => {};

/**
 * Work run in order within a lane and at once across lanes, as Event Hubs consumers of different partitions run:
 * the replay applies a batch's share of each group-store partition in that partition's lane (runPipeline.ts).
 * After a failure no lane starts new work, and `settle` throws it once everything started has ended (nothing is
 * left writing to the store when the caller closes it).
 */
export class Lanes {
  readonly #turns = new KeyedTurns();
  readonly #pending = new Set<Promise<void>>();
  #failure: { error: unknown } | undefined;

  /** Runs `fn` once the lane's earlier work has ended; not at all if anything has failed by then. */
  run<T>(lane: string, fn: () => Promise<T>): Promise<T> {
    return this.#turns.run(lane, async () => {
      if (this.#failure) throw this.#failure.error;
      try {
        return await fn();
      } catch (error) {
        // Recorded before the lane's next work starts, so that work does not.
        this.#fail(error);
        throw error;
      }
    });
  }

  /** Counts `work` as in flight until it ends (see settle). */
  track(work: Promise<unknown>): void {
    const done = work.then(noop, (error: unknown) => this.#fail(error));
    this.#pending.add(done);
    void done.then(() => this.#pending.delete(done));
  }

  /** Waits until at most `limit` tracked works are in flight (none after a failure), then throws the failure. */
  async settle(limit = 0): Promise<void> {
    while (this.#pending.size > (this.#failure ? 0 : limit)) await Promise.race(this.#pending);
    if (this.#failure) throw this.#failure.error;
  }

  #fail(error: unknown): void {
    this.#failure ??= { error };
  }
}
