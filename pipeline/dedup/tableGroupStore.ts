// Types only from @azure/data-tables: the Function's entry imports this module, and the package (53 files with
// its XML stack) then loaded at cold start even without Table settings. functions/deps.ts imports TableClient
// itself, on first use.
import { createHash } from 'node:crypto';
import type { TableClient, TableEntity, TransactionAction } from '@azure/data-tables';
import type { AlertStatus } from '../model/alert.js';
import { mapLimit } from '../util/mapLimit.js';
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
import { conditionalPut, statusOf } from './tablePut.js';

/** Table Storage string properties hold 64 KiB (32K UTF-16 chars); the state is split across s0, s1, …. */
const PART_CHARS = 30_000;
const READ_CONCURRENCY = 16;
/** An entity-group transaction carries at most 4 MiB; this leaves room for the multipart envelope. */
const MAX_COMMIT_BYTES = 3_500_000;

type Entity = TableEntity<Record<string, unknown>> & { etag?: string };

const hash22 = (text: string): string => createHash('sha256').update(text).digest('base64url').slice(0, 22);

/**
 * The key design (docs/state.md): one PartitionKey per scope, so a batch's writes to a scope go in one
 * entity-group transaction; RowKeys by access path, each read a point read: `h~<key>` the head of a key,
 * `a~<AlertId>` a group a newer one of its key superseded, `i~<scoped id>` a vendor alert id's entry.
 * Scopes are free text (site and zone names), so the PartitionKey is their hash; the text is kept as `scope`.
 */
export const partitionKeyOf = (partition: string): string => `p~${hash22(partition)}`;
const headRow = (key: string): string => `h~${key}`;
const archiveRow = (alertId: string): string => `a~${alertId}`;
/** Ids in plain text when they are safe key characters (GUIDs are), else hashed (`/ \ # ?` are not allowed). */
const idRow = (id: string): string => (/^[\w.:\- ]{1,200}$/.test(id) ? `i~${id}` : `i~~${hash22(id)}`);

function groupEntity(pk: string, partition: string, state: GroupState): TableEntity<Record<string, unknown>> {
  const json = JSON.stringify(state);
  const entity: TableEntity<Record<string, unknown>> = {
    partitionKey: pk,
    rowKey: state.archived ? archiveRow(state.alertId) : headRow(state.key),
    scope: partition,
    dirty: state.dirty,
    // Rows committed and not yet known to be in Sentinel: the flush query finds them.
    owed: Boolean(state.outbox?.length),
    alertId: state.alertId,
    parts: Math.ceil(json.length / PART_CHARS) || 1,
  };
  for (let i = 0, p = 0; i < json.length; i += PART_CHARS, p++)
    entity[`s${p}`] = json.slice(i, i + PART_CHARS);
  return entity;
}

function fromEntity(e: Entity): Versioned<GroupState> {
  let json = '';
  for (let p = 0; p < Number(e.parts); p++) json += String(e[`s${p}`] ?? '');
  return { value: JSON.parse(json) as GroupState, etag: String(e.etag) };
}

function idEntity(pk: string, id: string, entry: IdEntry): TableEntity<Record<string, unknown>> {
  return {
    partitionKey: pk,
    rowKey: idRow(id),
    alertId: entry.alertId,
    key: entry.key,
    status: entry.status,
    // A string: an epoch in ms is beyond Int32, and the SDK would send a JS number as a Double.
    at: String(entry.at),
  };
}

const fromIdEntity = (e: Entity): Versioned<IdEntry> => ({
  value: {
    alertId: String(e.alertId),
    key: String(e.key),
    status: e.status as AlertStatus,
    at: Number(e.at),
  },
  etag: String(e.etag),
});

/** An OData string literal, quotes doubled (what data-tables' odata`` tag does for a string value). */
const odataString = (v: string): string => `'${v.replace(/'/g, "''")}'`;

/**
 * Group state in Azure Table Storage. Every write is conditional (insert, or replace with the ETag read), and
 * a batch's writes to a scope commit as one entity-group transaction, so two instances racing on a group never
 * lose an update and a group never exists without the id entries of the alerts it counts: the loser gets a
 * conflict, re-reads and re-applies (stale ETag → 412, existing key → 409: docs/contracts.md#table-storage-azurite).
 */
export class TableGroupStore implements GroupStore {
  readonly kind = 'table';
  #operations = 0;
  constructor(private readonly table: TableClient) {}

  get operations(): number {
    return this.#operations;
  }

  /** Creates the table if needed (idempotent). */
  async init(): Promise<this> {
    this.#operations++;
    await this.table.createTable();
    return this;
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
        try {
          found((await this.table.getEntity(pk, rowKey)) as Entity);
        } catch (e) {
          if (statusOf(e) !== 404) throw e;
        }
      });
    for (const key of want.keys ?? []) get(headRow(key), (e) => out.heads.set(key, fromEntity(e)));
    for (const a of want.alertIds ?? []) get(archiveRow(a), (e) => out.groups.set(a, fromEntity(e)));
    for (const id of want.ids ?? []) get(idRow(id), (e) => out.ids.set(id, fromIdEntity(e)));
    await mapLimit(gets, READ_CONCURRENCY, (get) => get());
    return out;
  }

  async commit(partition: string, writes: readonly StoreWrite[]): Promise<CommitResult> {
    if (writes.length > MAX_COMMIT_WRITES)
      throw new Error(`a commit holds at most ${MAX_COMMIT_WRITES} writes`);
    if (!writes.length) return { ok: true, etags: [] };
    const pk = partitionKeyOf(partition);
    const entities = writes.map((w) =>
      w.kind === 'id' ? idEntity(pk, w.id, w.entry) : groupEntity(pk, partition, w.state),
    );
    if (writes.length === 1) {
      this.#operations++;
      const r = await conditionalPut(this.table, entities[0]!, writes[0]!.etag);
      if (r.ok) return { ok: true, etags: [r.etag] };
      return writes[0]!.etag === undefined ? { ok: false, reason: 'conflict', inserted: true } : r;
    }
    let bytes = 0;
    for (const e of entities) bytes += Buffer.byteLength(JSON.stringify(e));
    if (bytes > MAX_COMMIT_BYTES) return { ok: false, reason: 'too-large' };
    const actions: TransactionAction[] = entities.map((entity, i) => {
      const etag = writes[i]!.etag;
      return etag === undefined ? ['create', entity] : ['update', entity, 'Replace', { etag }];
    });
    this.#operations++;
    try {
      const res = await this.table.submitTransaction(actions);
      return { ok: true, etags: res.subResponses.map((s) => String(s.etag)) };
    } catch (e) {
      const status = statusOf(e);
      if (status === 409) return { ok: false, reason: 'conflict', inserted: true };
      if (status === 412) return { ok: false, reason: 'conflict' };
      if (status === 413) return { ok: false, reason: 'too-large' };
      throw e;
    }
  }

  async put(state: GroupState, etag: string | undefined): Promise<PutResult> {
    this.#operations++;
    const partition = state.partition ?? '';
    return conditionalPut(this.table, groupEntity(partitionKeyOf(partition), partition, state), etag);
  }

  async findByAlertId(alertId: string): Promise<Versioned<GroupState> | undefined> {
    this.#operations++;
    for await (const e of this.table.listEntities({
      queryOptions: { filter: `alertId eq ${odataString(alertId)} and parts ge 1` },
    })) {
      return fromEntity(e as Entity);
    }
    return undefined;
  }

  async listDirty(): Promise<Versioned<GroupState>[]> {
    const out: Versioned<GroupState>[] = [];
    this.#operations++;
    for await (const e of this.table.listEntities({
      queryOptions: { filter: 'dirty eq true or owed eq true' },
    })) {
      out.push(fromEntity(e as Entity));
    }
    return out;
  }

  async close(): Promise<void> {}
}
