// Types only from @azure/data-tables: the Function's entry imports this module, and the package (53 files with
// its XML stack) then loaded at cold start even without Table settings. functions/deps.ts imports TableClient
// itself, on first use.
import type { TableClient, TableEntity } from '@azure/data-tables';
import type { GroupState, GroupStore, PutResult, Versioned } from './groupState.js';
import { conditionalPut, statusOf } from './tablePut.js';

/** Table Storage string properties hold 64 KiB (32K UTF-16 chars); the state is split across s0, s1, …. */
const PART_CHARS = 30_000;
const ROW_KEY = 'head';
const READ_CONCURRENCY = 16;

type Entity = TableEntity<Record<string, unknown>> & { etag?: string };

function toEntity(state: GroupState): TableEntity<Record<string, unknown>> {
  const json = JSON.stringify(state);
  const entity: TableEntity<Record<string, unknown>> = {
    partitionKey: state.key,
    rowKey: ROW_KEY,
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

/** An OData string literal, quotes doubled (what data-tables' odata`` tag does for a string value). */
const odataString = (v: string): string => `'${v.replace(/'/g, "''")}'`;

/**
 * Group state in Azure Table Storage: one entity per key (PartitionKey = key), replaced only with a
 * matching ETag, so two instances racing on one group never lose an update: the loser gets a conflict,
 * re-reads and re-applies (stale ETag → 412, existing key → 409: docs/contracts.md#table-storage-azurite).
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

  async getMany(keys: readonly string[]): Promise<Map<string, Versioned<GroupState>>> {
    const out = new Map<string, Versioned<GroupState>>();
    let next = 0;
    const worker = async () => {
      while (next < keys.length) {
        const key = keys[next++]!;
        this.#operations++;
        try {
          out.set(key, fromEntity((await this.table.getEntity(key, ROW_KEY)) as Entity));
        } catch (e) {
          if (statusOf(e) !== 404) throw e;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, keys.length) }, worker));
    return out;
  }

  async put(state: GroupState, etag: string | undefined): Promise<PutResult> {
    this.#operations++;
    return conditionalPut(this.table, toEntity(state), etag);
  }

  async findByAlertId(alertId: string): Promise<Versioned<GroupState> | undefined> {
    this.#operations++;
    for await (const e of this.table.listEntities({
      queryOptions: { filter: `alertId eq ${odataString(alertId)}` },
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
