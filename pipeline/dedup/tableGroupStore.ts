// Types only from @azure/data-tables: the Function's entry imports this module, and the package (53 files with
// its XML stack) then loaded at cold start even without Table settings. functions/deps.ts imports TableClient
// itself, on first use.
import type { TableClient, TransactionAction } from '@azure/data-tables';
import { chunks } from '../util/chunks.js';
import { mapLimit } from '../util/mapLimit.js';
import { conditionalPut, statusOf } from '../util/tablePut.js';
import { readEntity } from '../util/tableRead.js';
import {
  MAX_TRANSACTION_ACTIONS,
  submitTransaction,
  TransactionTooLargeError,
} from '../util/tableTransaction.js';
import {
  type CommitResult,
  type GroupState,
  type GroupStore,
  MAX_COMMIT_WRITES,
  type PartitionRead,
  type PutResult,
  type StoreWrite,
  type Versioned,
} from './groupState.js';
import type { KeySpec } from './keySpec.js';
import { findByAlias, listDue, registeredPartitions, type TableContext } from './tableIndex.js';
import { migrateLegacyLayout } from './tableMigration.js';
import { expireJournaled } from './tableRetention.js';
import {
  aliasEntity,
  archiveRow,
  type Entity,
  fromEntity,
  fromIdEntity,
  groupEntity,
  groupRowOf,
  headRow,
  idEntity,
  idRow,
  isDue,
  type JournalItem,
  journalRow,
  markerRow,
  type NewEntity,
  partitionKeyOf,
  REGISTRY_PK,
} from './tableRows.js';

export { partitionKeyOf } from './tableRows.js';

const READ_CONCURRENCY = 16;
/** A flush lists the registry once (listDirty) and its retention (expire, right after) reuses the list. */
const REGISTRY_REUSE_MS = 60_000;
/** Versions this instance read or wrote (see #seen): bounded, started over when full. */
const SEEN_MAX = 100_000;
const seenKey = (pk: string, s: GroupState, etag: string) => `${pk}\u0000${groupRowOf(s)}\u0000${etag}`;

/** The index of a transaction's failed action, from the service's error message (`<index>:<message>`). */
function failedAction(e: unknown): number | undefined {
  const m = /^(\d+):/.exec((e as Error)?.message ?? '');
  return m ? Number(m[1]) : undefined;
}

/**
 * Group state in Azure Table Storage. Every write is conditional (insert, or replace with the ETag read), and
 * a batch's writes to a scope commit as one entity-group transaction, so two instances racing on a group never
 * lose an update and a group never exists without the id entries of the alerts it counts: the loser gets a
 * conflict, re-reads and re-applies (stale ETag → 412, existing key → 409: docs/contracts.md#table-storage-azurite).
 * No access path is a query on a non-key property (docs/state.md): the flush lists due markers per known
 * partition, a lookup by AlertId reads an index entity, retention follows journals by time.
 */
export class TableGroupStore implements GroupStore {
  readonly kind = 'table';
  #operations = 0;
  #entities = 0;
  /** Scope partitions registered (REGISTRY_PK) by this instance. */
  #registered = new Set<string>();
  /**
   * Group versions this instance read or wrote (PartitionKey, RowKey, ETag → due, AlertId): a write that
   * replaces a version known to be due and to hold the same AlertId needs no marker and no index entry again.
   * A version not known just gets them (both are idempotent upserts).
   */
  #seen = new Map<string, { due: boolean; alertId: string }>();
  readonly #ctx: TableContext;
  #partitions?: { at: number; list: Promise<string[]> };

  constructor(private readonly table: TableClient) {
    this.#ctx = {
      table,
      op: (n = 1) => {
        this.#operations += n;
      },
      saw: (pk, v) => this.#saw(pk, v.value, v.etag),
      partitions: async (fresh) => {
        const now = Date.now();
        if (fresh || !this.#partitions || now - this.#partitions.at > REGISTRY_REUSE_MS)
          this.#partitions = { at: now, list: registeredPartitions(this.#ctx) };
        this.#partitions.list.catch(() => {
          this.#partitions = undefined;
        });
        return [...new Set([...(await this.#partitions.list), ...this.#registered])];
      },
    };
  }

  get operations(): number {
    return this.#operations;
  }

  get entitiesWritten(): number {
    return this.#entities;
  }

  /**
   * Creates the table if needed (idempotent). With `spec` (the pipeline's key spec, which decides partitions),
   * state written by the layout before this one is migrated once (tableMigration.ts).
   */
  async init(opts: { spec?: KeySpec } = {}): Promise<this> {
    this.#operations++;
    await this.table.createTable();
    if (opts.spec) await migrateLegacyLayout(this.table, this, opts.spec, (n) => this.#ctx.op(n));
    return this;
  }

  #saw(pk: string, s: GroupState, etag: string): void {
    if (this.#seen.size >= SEEN_MAX) this.#seen.clear();
    this.#seen.set(seenKey(pk, s, etag), { due: isDue(s), alertId: s.alertId });
  }

  async read(
    partition: string,
    want: { keys?: readonly string[]; alertIds?: readonly string[]; ids?: readonly string[] },
  ): Promise<PartitionRead> {
    const pk = partitionKeyOf(partition);
    const out: PartitionRead = { heads: new Map(), groups: new Map(), ids: new Map() };
    const gets: (() => Promise<void>)[] = [];
    const get = (rowKey: string, found: (e: Entity) => void) =>
      gets.push(async () => {
        this.#operations++;
        const e = await readEntity(this.table, pk, rowKey);
        if (e) found(e);
      });
    const group = (e: Entity) => {
      const v = fromEntity(e);
      this.#saw(pk, v.value, v.etag);
      return v;
    };
    for (const key of want.keys ?? []) get(headRow(key), (e) => out.heads.set(key, group(e)));
    for (const a of want.alertIds ?? []) get(archiveRow(a), (e) => out.groups.set(a, group(e)));
    for (const id of want.ids ?? []) get(idRow(id), (e) => out.ids.set(id, fromIdEntity(e)));
    await mapLimit(gets, READ_CONCURRENCY, (get) => get());
    return out;
  }

  /** Registers a scope partition (once per instance) before its first write, so the flush visits it. */
  async #register(pk: string, partition: string): Promise<void> {
    if (this.#registered.has(pk)) return;
    this.#operations++;
    this.#entities++;
    await this.table.upsertEntity({ partitionKey: REGISTRY_PK, rowKey: pk, scope: partition }, 'Replace');
    this.#registered.add(pk);
  }

  async commit(partition: string, writes: readonly StoreWrite[]): Promise<CommitResult> {
    if (writes.length > MAX_COMMIT_WRITES)
      throw new Error(`a commit holds at most ${MAX_COMMIT_WRITES} writes`);
    if (!writes.length) return { ok: true, etags: [] };
    const pk = partitionKeyOf(partition);
    await this.#register(pk, partition);
    const entities = writes.map((w) =>
      w.kind === 'id' ? idEntity(pk, w.id, w.entry) : groupEntity(pk, partition, w.state),
    );

    // Side entities: a due marker for a group that becomes due, a journal of what retention must find later.
    const side: TransactionAction[] = [];
    const items: JournalItem[] = [];
    const opened: GroupState[] = [];
    // The journal's time is its oldest item's: retention visits it once that item may have expired.
    let oldest = Number.POSITIVE_INFINITY;
    // Per write, the version it replaces as this instance knows it (looked up once: the key is built each time).
    const knowns = writes.map((w) =>
      w.kind === 'group' && w.etag !== undefined ? this.#seen.get(seenKey(pk, w.state, w.etag)) : undefined,
    );
    // AlertIds of heads this commit replaces, known to be indexed (they were committed through the index).
    const replaced = new Set<string>();
    writes.forEach((w, i) => {
      if (w.kind === 'group' && !w.state.archived) replaced.add(knowns[i]?.alertId ?? '');
    });
    for (const [i, w] of writes.entries()) {
      if (w.kind === 'id') {
        items.push(['i', idRow(w.id)]);
        oldest = Math.min(oldest, w.entry.at);
        continue;
      }
      const row = groupRowOf(w.state);
      const known = knowns[i];
      if (isDue(w.state) && !known?.due)
        side.push(['upsert', { partitionKey: pk, rowKey: markerRow(row) }, 'Replace']);
      if (w.state.archived) {
        items.push(['a', row]);
        // An archive is its key's former head, indexed then; one not known so gets its entry (idempotent).
        if (!known && !replaced.has(w.state.alertId)) opened.push(w.state);
      } else if (known?.alertId !== w.state.alertId) {
        opened.push(w.state);
        items.push(['x', w.state.alertId, w.state.key]);
      } else continue;
      oldest = Math.min(oldest, w.state.changedAt ?? Date.now());
    }
    if (items.length) {
      const journal: NewEntity = {
        partitionKey: pk,
        rowKey: journalRow(oldest),
        items: JSON.stringify(items),
      };
      side.push(['create', journal]);
    }
    // The AlertId alias of each group opened, in the same transaction: a group that exists is always found.
    for (const s of opened) side.push(['upsert', aliasEntity(pk, s), 'Replace']);

    const r = await this.#submit(writes, entities, side);
    if (r.ok)
      writes.forEach((w, i) => {
        if (w.kind !== 'group') return;
        // The version it replaced is gone: its entry would only wait for the next clear.
        if (w.etag !== undefined) this.#seen.delete(seenKey(pk, w.state, w.etag));
        this.#saw(pk, w.state, r.etags[i]!);
      });
    return r;
  }

  async #submit(
    writes: readonly StoreWrite[],
    entities: NewEntity[],
    side: TransactionAction[],
  ): Promise<CommitResult> {
    this.#entities += entities.length + side.length;
    if (entities.length === 1 && !side.length) {
      this.#operations++;
      const r = await conditionalPut(this.table, entities[0]!, writes[0]!.etag);
      if (r.ok) return { ok: true, etags: [r.etag] };
      return writes[0]!.etag === undefined ? { ok: false, reason: 'conflict', inserted: true } : r;
    }
    const actions: TransactionAction[] = entities.map((entity, i) => {
      const etag = writes[i]!.etag;
      return etag === undefined ? ['create', entity] : ['update', entity, 'Replace', { etag }];
    });
    // The store's side entities count towards the transaction's limit too.
    if (actions.length + side.length <= MAX_TRANSACTION_ACTIONS) actions.push(...side);
    else {
      // No room beside the writes: the side entities go first (a marker, journal or alias without its commit is
      // harmless: the flush, retention and lookups check what they name), then the writes.
      const txs = chunks(side, MAX_TRANSACTION_ACTIONS);
      this.#operations += txs.length;
      await Promise.all(txs.map((c) => submitTransaction(this.table, c)));
    }
    this.#operations++;
    try {
      const res = await submitTransaction(this.table, actions);
      return { ok: true, etags: res.subResponses.slice(0, writes.length).map((s) => String(s.etag)) };
    } catch (e) {
      if (e instanceof TransactionTooLargeError) return { ok: false, reason: 'too-large' };
      const status = statusOf(e);
      if (status === 409) {
        // The failed sub-request's index leads the error's message ("3:The specified entity already exists."):
        // docs/contracts.md#table-storage-azurite. Side entities come after the writes.
        const at = failedAction(e);
        return {
          ok: false,
          reason: 'conflict',
          inserted: true,
          ...(at !== undefined && at < writes.length ? { write: at } : {}),
        };
      }
      // 404: an update whose entity was deleted since it was read (retention on another instance): re-read.
      if (status === 412 || status === 404) return { ok: false, reason: 'conflict' };
      if (status === 413) return { ok: false, reason: 'too-large' };
      throw e;
    }
  }

  async put(state: GroupState, etag: string | undefined): Promise<PutResult> {
    const r = await this.commit(state.partition ?? '', [{ kind: 'group', state, etag }]);
    return r.ok ? { ok: true, etag: r.etags[0]! } : { ok: false, reason: 'conflict' };
  }

  /** Point reads: the AlertId's alias in each registered partition, then the group where it says (docs/state.md). */
  findByAlertId(alertId: string): Promise<Versioned<GroupState> | undefined> {
    return findByAlias(this.#ctx, alertId);
  }

  /** The due markers of every registered partition (key-range queries), and the groups they name. */
  listDirty(): Promise<Versioned<GroupState>[]> {
    return listDue(this.#ctx);
  }

  /** Retention by journal (tableRetention.ts): id entries, settled archived groups, stale index entries. */
  expire(before: number, limit: number): Promise<number> {
    return expireJournaled(this.#ctx, before, limit);
  }

  async close(): Promise<void> {}
}
