import { LRUCache } from 'lru-cache';
import { cloneState } from './grouper.js';
import type {
  CommitResult,
  GroupState,
  GroupStore,
  IdEntry,
  PartitionRead,
  PutResult,
  StoreWrite,
  Versioned,
} from './groupState.js';

/** Entities an instance keeps by default: heads of ~3 KB each, so about 30 MB at most. */
export const DEFAULT_CACHE_ENTRIES = 10_000;

const slot = (partition: string, name: string): string => `${partition}\u0000${name}`;

/**
 * An instance-local cache of what this instance last read or wrote, each entity with its ETag, in front of a
 * GroupStore (issue 20: fewer round trips). A batch's reads are answered from it; its commits still go to the
 * store, conditional on the cached ETag, so a stale entry (another instance wrote since) makes the commit fail
 * with a conflict (412; 409 for an insert of what exists): every entity the failed commit touched is then
 * dropped from the cache (only the failed one after a 409 that names it), and commitPartition's retry re-reads
 * them from the store and re-applies. Nothing is decided on a cached value without a conditional write behind it,
 * except what a redelivery finds already applied: marks only grow, so a stale head can only say "not applied yet",
 * and that is re-checked by the write.
 *
 * Cached values are copies (cloneState) and are handed out as such: callers may change what they get.
 * Only the batch path is cached; flush queries, lookups by AlertId and retention go to the store. Retention
 * deletes entities, so `expire` empties the cache.
 */
export class CachingGroupStore implements GroupStore {
  readonly kind: string;
  // lru-cache, not a Map evicting its first key: V8 walks a Map's deleted slots to find its first live one, which
  // made every eviction cost ~6 µs at 10,000 entries (a replay evicts one id entry per new alert).
  readonly #heads: LRUCache<string, Versioned<GroupState>>;
  readonly #groups: LRUCache<string, Versioned<GroupState>>;
  readonly #ids: LRUCache<string, Versioned<IdEntry>>;
  /** Reads answered from the cache, and reads sent to the store. */
  hits = 0;
  misses = 0;

  constructor(
    readonly inner: GroupStore,
    maxEntries = DEFAULT_CACHE_ENTRIES,
  ) {
    this.kind = inner.kind;
    this.#heads = new LRUCache({ max: Math.max(1, maxEntries) });
    this.#groups = new LRUCache({ max: Math.max(1, maxEntries) });
    this.#ids = new LRUCache({ max: Math.max(1, maxEntries) });
  }

  get operations(): number {
    return this.inner.operations;
  }

  get entitiesWritten(): number | undefined {
    return this.inner.entitiesWritten;
  }

  /** Cached entities (heads, archived groups, id entries). */
  get size(): number {
    return this.#heads.size + this.#groups.size + this.#ids.size;
  }

  async read(
    partition: string,
    want: { keys?: readonly string[]; alertIds?: readonly string[]; ids?: readonly string[] },
  ): Promise<PartitionRead> {
    const out: PartitionRead = { heads: new Map(), groups: new Map(), ids: new Map() };
    const miss = { keys: [] as string[], alertIds: [] as string[], ids: [] as string[] };
    const serve = <V>(
      names: readonly string[] | undefined,
      lru: LRUCache<string, Versioned<V>>,
      into: Map<string, Versioned<V>>,
      rest: string[],
      copy: (v: V) => V,
    ) => {
      for (const name of names ?? []) {
        const hit = lru.get(slot(partition, name));
        if (hit) into.set(name, { value: copy(hit.value), etag: hit.etag });
        else rest.push(name);
      }
    };
    serve(want.keys, this.#heads, out.heads, miss.keys, cloneState);
    serve(want.alertIds, this.#groups, out.groups, miss.alertIds, cloneState);
    serve(want.ids, this.#ids, out.ids, miss.ids, (e) => ({ ...e }));
    const asked = (want.keys?.length ?? 0) + (want.alertIds?.length ?? 0) + (want.ids?.length ?? 0);
    const missed = miss.keys.length + miss.alertIds.length + miss.ids.length;
    this.hits += asked - missed;
    this.misses += missed;
    if (!missed) return out;
    const read = await this.inner.read(partition, miss);
    for (const [k, v] of read.heads) {
      this.#heads.set(slot(partition, k), { value: cloneState(v.value), etag: v.etag });
      out.heads.set(k, v);
    }
    for (const [a, v] of read.groups) {
      this.#groups.set(slot(partition, a), { value: cloneState(v.value), etag: v.etag });
      out.groups.set(a, v);
    }
    for (const [id, v] of read.ids) {
      this.#ids.set(slot(partition, id), { value: { ...v.value }, etag: v.etag });
      out.ids.set(id, v);
    }
    return out;
  }

  peekIds(partition: string, ids: readonly string[]): Map<string, Versioned<IdEntry>> {
    const out = new Map<string, Versioned<IdEntry>>();
    for (const id of ids) {
      const hit = this.#ids.get(slot(partition, id));
      if (hit) out.set(id, { value: { ...hit.value }, etag: hit.etag });
    }
    this.hits += out.size;
    return out;
  }

  async commit(partition: string, writes: readonly StoreWrite[]): Promise<CommitResult> {
    let r: CommitResult;
    try {
      r = await this.inner.commit(partition, writes);
    } catch (e) {
      // The writes may or may not have been applied: nothing of them is known any more.
      this.#forget(partition, writes);
      throw e;
    }
    if (r.ok) for (let i = 0; i < writes.length; i++) this.#remember(partition, writes[i]!, r.etags[i]!);
    // An insert of an entity that exists (a known id) says nothing of the other writes: the versions cached for
    // them are still the store's last known ones (nothing was written), and a stale one fails the retry (412),
    // which then forgets them all. So the retry re-reads only what failed, not every head of the batch.
    else if (r.reason === 'conflict' && r.inserted && r.write !== undefined && writes[r.write])
      this.#forget(partition, [writes[r.write]!]);
    else this.#forget(partition, writes);
    return r;
  }

  async put(state: GroupState, etag: string | undefined): Promise<PutResult> {
    const write: StoreWrite = { kind: 'group', state, etag };
    const partition = state.partition ?? '';
    let r: PutResult;
    try {
      r = await this.inner.put(state, etag);
    } catch (e) {
      this.#forget(partition, [write]);
      throw e;
    }
    if (r.ok) this.#remember(partition, write, r.etag);
    else this.#forget(partition, [write]);
    return r;
  }

  findByAlertId(alertId: string): Promise<Versioned<GroupState> | undefined> {
    return this.inner.findByAlertId(alertId);
  }

  listDirty(): Promise<Versioned<GroupState>[]> {
    return this.inner.listDirty();
  }

  async expire(before: number, limit: number): Promise<number> {
    const n = (await this.inner.expire?.(before, limit)) ?? 0;
    if (n) this.clear();
    return n;
  }

  /** Drops every cached entity (their next read goes to the store). */
  clear(): void {
    this.#heads.clear();
    this.#groups.clear();
    this.#ids.clear();
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  #remember(partition: string, w: StoreWrite, etag: string): void {
    if (w.kind === 'id') {
      this.#ids.set(slot(partition, w.id), { value: { ...w.entry }, etag });
      return;
    }
    const value = cloneState(w.state);
    if (w.state.archived) {
      this.#groups.set(slot(partition, w.state.alertId), { value, etag });
      // The head it was is no longer the head of its key (its successor is written in the same commit).
      const head = this.#heads.get(slot(partition, w.state.key));
      if (head?.value.alertId === w.state.alertId) this.#heads.delete(slot(partition, w.state.key));
    } else this.#heads.set(slot(partition, w.state.key), { value, etag });
  }

  #forget(partition: string, writes: readonly StoreWrite[]): void {
    for (const w of writes) {
      if (w.kind === 'id') this.#ids.delete(slot(partition, w.id));
      else {
        this.#heads.delete(slot(partition, w.state.key));
        if (w.state.archived) this.#groups.delete(slot(partition, w.state.alertId));
      }
    }
  }
}
