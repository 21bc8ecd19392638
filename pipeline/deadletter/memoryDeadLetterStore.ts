/**
 * Dead letters in memory, for one process (tests, the demo): the merge rule, redrive bookkeeping and parking of
 * every store, without I/O. The file store extends it.
 */
import {
  DEFAULT_MAX_ATTEMPTS,
  type DeadLetter,
  type DeadLetterStore,
  type DeadLetterStoreOptions,
  type FailureOptions,
  type PendingFilter,
  type StoredDeadLetter,
} from './deadLetterStore.js';
import { byAge, mergeLetter, toStored, withFailure } from './letters.js';

export type PutChange = 'new' | 'merged' | 'unchanged';

export class MemoryDeadLetterStore implements DeadLetterStore {
  readonly kind: string = 'memory';
  /** Every letter handed to `put` on this instance, as given: this run's log (the stored set is `list()`). */
  readonly letters: DeadLetter[] = [];
  readonly maxAttempts: number;
  protected readonly now: () => Date;
  protected readonly byId = new Map<string, StoredDeadLetter>();

  constructor(opts: DeadLetterStoreOptions = {}) {
    this.maxAttempts = opts.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    this.now = opts.now ?? (() => new Date());
  }

  /** Stores `letter` by id (`stored`: read back from storage, already normalised and capped). */
  protected upsert(letter: DeadLetter, stored = false): { letter: StoredDeadLetter; change: PutChange } {
    const fresh = toStored(letter, this.maxAttempts, stored);
    const cur = this.byId.get(fresh.id);
    if (!cur) {
      this.byId.set(fresh.id, fresh);
      return { letter: fresh, change: 'new' };
    }
    const merged = mergeLetter(cur, letter, this.maxAttempts);
    if (!merged.changed) return { letter: cur, change: 'unchanged' };
    this.byId.set(fresh.id, merged.letter);
    return { letter: merged.letter, change: 'merged' };
  }

  async put(letters: readonly DeadLetter[]): Promise<void> {
    for (const l of letters) this.upsert(l);
    this.letters.push(...letters);
  }

  async list(): Promise<StoredDeadLetter[]> {
    return [...this.byId.values()].map((l) => structuredClone(l));
  }

  async listPending(limit?: number, filter: PendingFilter = {}): Promise<StoredDeadLetter[]> {
    const stages = filter.stages && new Set(filter.stages);
    return [...this.byId.values()]
      .filter((l) => l.state === 'pending' && (!stages || stages.has(l.stage)))
      .sort(byAge)
      .slice(0, limit ?? Number.POSITIVE_INFINITY)
      .map((l) => structuredClone(l));
  }

  async listParked(): Promise<StoredDeadLetter[]> {
    return [...this.byId.values()]
      .filter((l) => l.state === 'parked')
      .sort(byAge)
      .map((l) => structuredClone(l));
  }

  async resolve(ids: readonly string[]): Promise<number> {
    let n = 0;
    for (const id of new Set(ids)) if (this.byId.delete(id)) n++;
    return n;
  }

  async recordFailure(
    letter: Pick<StoredDeadLetter, 'id'>,
    reason: string,
    opts: FailureOptions = {},
  ): Promise<StoredDeadLetter | undefined> {
    const cur = this.byId.get(letter.id);
    if (!cur) return undefined;
    const next = withFailure(cur, reason, {
      ...(opts.stage ? { stage: opts.stage } : {}),
      at: opts.at ?? this.now(),
      maxAttempts: opts.maxAttempts ?? this.maxAttempts,
    });
    this.byId.set(letter.id, next);
    return structuredClone(next);
  }

  async close(): Promise<void> {}
}
