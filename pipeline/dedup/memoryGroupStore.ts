import { readFile, rename, writeFile } from 'node:fs/promises';
import { cloneState } from './grouper.js';
import type { GroupState, GroupStore, PutResult, Versioned } from './groupState.js';

/**
 * Group state in process memory, with the same ETag semantics as Table Storage (a version counter), so
 * code that is correct against it is correct against the durable store. Optionally snapshotted to a JSON
 * file so `ot-soc replay --state DIR` keeps its grouping between runs.
 */
export class MemoryGroupStore implements GroupStore {
  readonly kind: string = 'memory';
  #groups = new Map<string, { value: GroupState; version: number }>();
  #operations = 0;

  get operations(): number {
    return this.#operations;
  }

  get size(): number {
    return this.#groups.size;
  }

  async getMany(keys: readonly string[]): Promise<Map<string, Versioned<GroupState>>> {
    const out = new Map<string, Versioned<GroupState>>();
    for (const key of keys) {
      this.#operations++;
      const entry = this.#groups.get(key);
      if (entry) out.set(key, { value: cloneState(entry.value), etag: String(entry.version) });
    }
    return out;
  }

  async put(state: GroupState, etag: string | undefined): Promise<PutResult> {
    this.#operations++;
    const entry = this.#groups.get(state.key);
    if (etag === undefined ? entry !== undefined : entry?.version !== Number(etag)) {
      return { ok: false, reason: 'conflict' };
    }
    const version = (entry?.version ?? 0) + 1;
    this.#groups.set(state.key, { value: cloneState(state), version });
    return { ok: true, etag: String(version) };
  }

  async findByAlertId(alertId: string): Promise<Versioned<GroupState> | undefined> {
    this.#operations++;
    for (const { value, version } of this.#groups.values()) {
      if (value.alertId === alertId) return { value: cloneState(value), etag: String(version) };
    }
    return undefined;
  }

  async listDirty(): Promise<Versioned<GroupState>[]> {
    this.#operations++;
    const out: Versioned<GroupState>[] = [];
    for (const { value, version } of this.#groups.values()) {
      if (value.dirty || value.outbox?.length) out.push({ value: cloneState(value), etag: String(version) });
    }
    return out;
  }

  async close(): Promise<void> {}

  /** Writes all groups to `file` atomically (write to a temp file, then rename). */
  async save(file: string): Promise<void> {
    const groups = [...this.#groups.values()];
    const tmp = `${file}.tmp`;
    await writeFile(tmp, JSON.stringify({ format: 'ot-soc.groups.v1', groups }));
    await rename(tmp, file);
  }

  /** Loads a snapshot written by `save`; a missing file is an empty store. */
  static async load(file: string): Promise<MemoryGroupStore> {
    const store = new MemoryGroupStore();
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return store;
      throw e;
    }
    const data = JSON.parse(text) as { format?: string; groups?: { value: GroupState; version: number }[] };
    if (data.format !== 'ot-soc.groups.v1' || !Array.isArray(data.groups)) {
      throw new Error(`${file}: not an ot-soc group state file (format ${String(data.format)})`);
    }
    for (const g of data.groups) store.#groups.set(g.value.key, g);
    return store;
  }
}
