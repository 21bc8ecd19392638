import type { TableClient } from '@azure/data-tables';
import { conditionalPut, type PutResult, statusOf, type Versioned } from '../../pipeline/util/tablePut.js';
import { incidentKey } from '../ids.js';

export type { PutResult, Versioned };

/**
 * Small per-incident state (ticket map, notification throttle) with optimistic concurrency: insert only when
 * absent, replace and delete only with the ETag read, so two runs for one incident never both win.
 */
export interface IncidentStore<T> {
  readonly kind: 'memory' | 'table';
  get(incidentArmId: string): Promise<Versioned<T> | undefined>;
  /** Insert when `etag` is undefined, else replace only if the stored ETag still matches. */
  put(incidentArmId: string, value: T, etag: string | undefined): Promise<PutResult>;
  delete(incidentArmId: string, etag: string): Promise<boolean>;
}

/** One process's memory (tests, CLI, the offline outbox). */
export class MemoryIncidentStore<T> implements IncidentStore<T> {
  readonly kind = 'memory';
  readonly #items = new Map<string, { json: string; etag: string }>();
  #version = 0;

  async get(incidentArmId: string): Promise<Versioned<T> | undefined> {
    const item = this.#items.get(incidentKey(incidentArmId));
    return item ? { value: JSON.parse(item.json) as T, etag: item.etag } : undefined;
  }

  async put(incidentArmId: string, value: T, etag: string | undefined): Promise<PutResult> {
    const key = incidentKey(incidentArmId);
    const current = this.#items.get(key);
    if (etag === undefined ? current : current?.etag !== etag) return { ok: false, reason: 'conflict' };
    const next = `m${++this.#version}`;
    this.#items.set(key, { json: JSON.stringify(value), etag: next });
    return { ok: true, etag: next };
  }

  async delete(incidentArmId: string, etag: string): Promise<boolean> {
    const key = incidentKey(incidentArmId);
    if (this.#items.get(key)?.etag !== etag) return false;
    this.#items.delete(key);
    return true;
  }

  get size(): number {
    return this.#items.size;
  }
}

/**
 * Azure Table Storage: PartitionKey = SHA-256 of the incident ARM id (ids hold '/'), RowKey = what the row
 * is ('ticket', 'notify-teams'), the value as JSON plus the incident id for people reading the table.
 * Stale ETag → 412, existing row on insert → 409: both are a conflict to the caller.
 */
export class TableIncidentStore<T> implements IncidentStore<T> {
  readonly kind = 'table';
  #created: Promise<unknown> | undefined;
  constructor(
    private readonly table: TableClient,
    private readonly rowKey: string,
  ) {}

  /** Creates the table on first use (idempotent). */
  private ready(): Promise<unknown> {
    this.#created ??= this.table.createTable().catch((e: unknown) => {
      this.#created = undefined;
      throw e;
    });
    return this.#created;
  }

  async get(incidentArmId: string): Promise<Versioned<T> | undefined> {
    await this.ready();
    try {
      const e = await this.table.getEntity<{ json: string }>(incidentKey(incidentArmId), this.rowKey);
      return { value: JSON.parse(e.json) as T, etag: String(e.etag) };
    } catch (e) {
      if (statusOf(e) === 404) return undefined;
      throw e;
    }
  }

  async put(incidentArmId: string, value: T, etag: string | undefined): Promise<PutResult> {
    await this.ready();
    const entity = {
      partitionKey: incidentKey(incidentArmId),
      rowKey: this.rowKey,
      incidentArmId,
      json: JSON.stringify(value),
    };
    return conditionalPut(this.table, entity, etag);
  }

  async delete(incidentArmId: string, etag: string): Promise<boolean> {
    await this.ready();
    try {
      await this.table.deleteEntity(incidentKey(incidentArmId), this.rowKey, { etag });
      return true;
    } catch (e) {
      const status = statusOf(e);
      if (status === 404 || status === 412) return false;
      throw e;
    }
  }
}
