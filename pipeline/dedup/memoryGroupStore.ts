import { readFile, rename, writeFile } from 'node:fs/promises';
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
  #ids = new Map<string, Slot<IdEntry>>();
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
    return this.#ids.size;
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
    for (const id of want.ids ?? []) {
      this.#operations++;
      const s = this.#ids.get(idSlot(partition, id));
      if (s) out.ids.set(id, { value: { ...s.value }, etag: String(s.version) });
    }
    return out;
  }

  #slotOf(
    partition: string,
    w: StoreWrite,
  ): [Map<string, Slot<GroupState>> | Map<string, Slot<IdEntry>>, string] {
    if (w.kind === 'id') return [this.#ids, idSlot(partition, w.id)];
    return w.state.archived ? [this.#archived, w.state.alertId] : [this.#heads, w.state.key];
  }

  async commit(partition: string, writes: readonly StoreWrite[]): Promise<CommitResult> {
    if (writes.length > MAX_COMMIT_WRITES)
      throw new Error(`a commit holds at most ${MAX_COMMIT_WRITES} writes`);
    this.#operations++;
    // All or nothing: every ETag is checked before anything is written.
    for (const w of writes) {
      const [map, slot] = this.#slotOf(partition, w);
      const cur = map.get(slot);
      if (w.etag === undefined && cur !== undefined) return { ok: false, reason: 'conflict', inserted: true };
      if (w.etag !== undefined && cur?.version !== Number(w.etag)) return { ok: false, reason: 'conflict' };
    }
    const etags: string[] = [];
    for (const w of writes) {
      const [map, slot] = this.#slotOf(partition, w);
      const version = (map.get(slot)?.version ?? 0) + 1;
      if (w.kind === 'id') this.#ids.set(slot, { value: { ...w.entry }, version });
      else {
        const value = cloneState(w.state);
        (map as Map<string, Slot<GroupState>>).set(slot, { value, version });
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
    for (const [slot, { value }] of this.#ids) {
      if (n >= limit) return n;
      if (value.at < before) {
        this.#ids.delete(slot);
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
      ids: [...this.#ids.entries()],
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
    for (const [slot, e] of data.ids ?? []) store.#ids.set(slot, e);
    return store;
  }
}
