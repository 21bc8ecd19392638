import { readFile, rename, writeFile } from 'node:fs/promises';
import type { AlertStatus } from '../model/alert.js';
import { cloneState } from './grouper.js';
import {
  type CommitResult,
  type GroupState,
  type GroupStore,
  type IdEntry,
  MAX_COMMIT_WRITES,
  type PartitionRead,
  type PutResult,
  type StoreWrite,
  type Versioned,
} from './groupState.js';

interface Slot<T> {
  value: T;
  version: number;
}

const idSlot = (partition: string, id: string): string => `${partition}\u0000${id}`;

/** `at` (epoch ms) in two small integers: an epoch in ms is beyond V8's small integers and would be a boxed double. */
const AT_SPLIT = 2 ** 20;

/**
 * An id entry as memory holds it, one per remembered alert (a plant storm: millions). A class of small fields
 * instead of a Slot around an IdEntry copy, keyed by partition then id (no concatenated key string), its key and
 * AlertId strings shared with the group's (docs/performance.md has the bytes per id).
 */
class IdSlot {
  constructor(
    readonly alertId: string,
    readonly key: string,
    readonly status: AlertStatus,
    readonly atHigh: number,
    readonly atLow: number,
    readonly version: number,
  ) {}

  get entry(): IdEntry {
    return {
      alertId: this.alertId,
      key: this.key,
      status: this.status,
      at: this.atHigh * AT_SPLIT + this.atLow,
    };
  }
}

/**
 * Group state in process memory, with the same ETag and all-or-nothing commit semantics as Table Storage (a
 * version counter per entity), so code that is correct against it is correct against the durable store.
 * Heads are held by key (a key lives in one partition), archived groups by AlertId, id entries by partition and
 * id. Optionally snapshotted to a JSON file so `ot-soc replay --state DIR` keeps its state between runs.
 */
export class MemoryGroupStore implements GroupStore {
  readonly kind: string = 'memory';
  #heads = new Map<string, Slot<GroupState>>();
  #archived = new Map<string, Slot<GroupState>>();
  /** Partition → scoped id → entry. */
  #ids = new Map<string, Map<string, IdSlot>>();
  #idCount = 0;
  #operations = 0;

  get operations(): number {
    return this.#operations;
  }

  /** Open heads (the bench's groups-in-memory figure). */
  get size(): number {
    return this.#heads.size;
  }

  /** Remembered vendor alert ids. */
  get idCount(): number {
    return this.#idCount;
  }

  #setId(partition: string, id: string, e: IdEntry, version: number): void {
    let ids = this.#ids.get(partition);
    if (!ids) {
      ids = new Map();
      this.#ids.set(partition, ids);
    }
    // Share the strings of the group the entry names (the member's own copies would stay alive otherwise).
    const group = this.#heads.get(e.key)?.value ?? this.#archived.get(e.alertId)?.value;
    const key = group?.key === e.key ? group.key : e.key;
    const alertId = group?.alertId === e.alertId ? group.alertId : e.alertId;
    const at = Math.floor(e.at / AT_SPLIT);
    if (!ids.has(id)) this.#idCount++;
    ids.set(id, new IdSlot(alertId, key, e.status, at, e.at - at * AT_SPLIT, version));
  }

  async read(
    partition: string,
    want: { keys?: readonly string[]; alertIds?: readonly string[]; ids?: readonly string[] },
  ): Promise<PartitionRead> {
    const out: PartitionRead = { heads: new Map(), groups: new Map(), ids: new Map() };
    for (const key of want.keys ?? []) {
      this.#operations++;
      const s = this.#heads.get(key);
      if (s) out.heads.set(key, { value: cloneState(s.value), etag: String(s.version) });
    }
    for (const alertId of want.alertIds ?? []) {
      this.#operations++;
      const s = this.#archived.get(alertId);
      if (s) out.groups.set(alertId, { value: cloneState(s.value), etag: String(s.version) });
    }
    const ids = this.#ids.get(partition);
    for (const id of want.ids ?? []) {
      this.#operations++;
      const s = ids?.get(id);
      if (s) out.ids.set(id, { value: s.entry, etag: String(s.version) });
    }
    return out;
  }

  /** The stored version a write replaces, if any. */
  #current(partition: string, w: StoreWrite): { version: number } | undefined {
    if (w.kind === 'id') return this.#ids.get(partition)?.get(w.id);
    return w.state.archived ? this.#archived.get(w.state.alertId) : this.#heads.get(w.state.key);
  }

  async commit(partition: string, writes: readonly StoreWrite[]): Promise<CommitResult> {
    if (writes.length > MAX_COMMIT_WRITES)
      throw new Error(`a commit holds at most ${MAX_COMMIT_WRITES} writes`);
    this.#operations++;
    // All or nothing: every ETag is checked before anything is written.
    for (const [i, w] of writes.entries()) {
      const cur = this.#current(partition, w);
      if (w.etag === undefined && cur !== undefined)
        return { ok: false, reason: 'conflict', inserted: true, write: i };
      if (w.etag !== undefined && cur?.version !== Number(w.etag)) return { ok: false, reason: 'conflict' };
    }
    const etags: string[] = [];
    for (const w of writes) {
      const version = (this.#current(partition, w)?.version ?? 0) + 1;
      if (w.kind === 'id') this.#setId(partition, w.id, w.entry, version);
      else {
        const value = cloneState(w.state);
        (w.state.archived ? this.#archived : this.#heads).set(
          w.state.archived ? w.state.alertId : w.state.key,
          { value, version },
        );
        // A head archived by this commit leaves the heads (its key's new head is written in the same commit).
        if (w.state.archived && this.#heads.get(w.state.key)?.value.alertId === w.state.alertId)
          this.#heads.delete(w.state.key);
      }
      etags.push(String(version));
    }
    return { ok: true, etags };
  }

  async put(state: GroupState, etag: string | undefined): Promise<PutResult> {
    const r = await this.commit(state.partition ?? '', [{ kind: 'group', state, etag }]);
    return r.ok ? { ok: true, etag: r.etags[0]! } : { ok: false, reason: 'conflict' };
  }

  async findByAlertId(alertId: string): Promise<Versioned<GroupState> | undefined> {
    this.#operations++;
    const archived = this.#archived.get(alertId);
    if (archived) return { value: cloneState(archived.value), etag: String(archived.version) };
    for (const { value, version } of this.#heads.values()) {
      if (value.alertId === alertId) return { value: cloneState(value), etag: String(version) };
    }
    return undefined;
  }

  async listDirty(): Promise<Versioned<GroupState>[]> {
    this.#operations++;
    const out: Versioned<GroupState>[] = [];
    for (const map of [this.#heads, this.#archived])
      for (const { value, version } of map.values()) {
        if (value.dirty || value.outbox?.length)
          out.push({ value: cloneState(value), etag: String(version) });
      }
    return out;
  }

  async expire(before: number, limit: number): Promise<number> {
    this.#operations++;
    let n = 0;
    for (const ids of this.#ids.values())
      for (const [id, e] of ids) {
        if (n >= limit) return n;
        if (e.entry.at < before) {
          ids.delete(id);
          this.#idCount--;
          n++;
        }
      }
    // An archived group goes once it owes nothing and its last change is older than the retention.
    for (const [alertId, { value }] of this.#archived) {
      if (n >= limit) return n;
      if (!value.dirty && !value.outbox?.length && (value.changedAt ?? 0) < before) {
        this.#archived.delete(alertId);
        n++;
      }
    }
    return n;
  }

  async close(): Promise<void> {}

  /** Writes all state to `file` atomically (write to a temp file, then rename). */
  async save(file: string): Promise<void> {
    const data = {
      format: 'ot-soc.groups.v2',
      groups: [...this.#heads.values()],
      archived: [...this.#archived.values()],
      ids: [...this.#ids].flatMap(([partition, ids]) =>
        [...ids].map(([id, e]) => [idSlot(partition, id), { value: e.entry, version: e.version }]),
      ),
    };
    const tmp = `${file}.tmp`;
    await writeFile(tmp, JSON.stringify(data));
    await rename(tmp, file);
  }

  /** Loads a snapshot written by `save` (v1: heads only, from before identity); a missing file is an empty store. */
  static async load(file: string): Promise<MemoryGroupStore> {
    const store = new MemoryGroupStore();
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return store;
      throw e;
    }
    const data = JSON.parse(text) as {
      format?: string;
      groups?: Slot<GroupState>[];
      archived?: Slot<GroupState>[];
      ids?: [string, Slot<IdEntry>][];
    };
    const known = data.format === 'ot-soc.groups.v1' || data.format === 'ot-soc.groups.v2';
    if (!known || !Array.isArray(data.groups)) {
      throw new Error(`${file}: not an ot-soc group state file (format ${String(data.format)})`);
    }
    for (const g of data.groups) store.#heads.set(g.value.key, g);
    for (const g of data.archived ?? []) store.#archived.set(g.value.alertId, g);
    for (const [slot, e] of data.ids ?? []) {
      const cut = slot.indexOf('\u0000');
      store.#setId(slot.slice(0, cut), slot.slice(cut + 1), e.value, e.version);
    }
    return store;
  }
}
