import { isRestError } from '@azure/core-rest-pipeline';
import type { TableClient, TableEntity } from '@azure/data-tables';

/** A value with the concurrency token it was read with. */
export interface Versioned<T> {
  value: T;
  /** Opaque concurrency token (Table Storage ETag, or a counter in memory). */
  etag: string;
}

/** The result of a conditional write: the new token, or a lost race for the caller to re-read. */
export type PutResult = { ok: true; etag: string } | { ok: false; reason: 'conflict' };

/** The HTTP status of an Azure SDK error (core-rest-pipeline's RestError), if it is one. */
export const statusOf = (e: unknown): number | undefined => (isRestError(e) ? e.statusCode : undefined);

/**
 * Optimistic concurrency on one Table entity: insert when `etag` is undefined, else replace only if the stored
 * ETag still matches. A lost race (409 on insert, 412 or 404 on replace) is a `conflict` for the caller to re-read;
 * any other error is thrown.
 */
export async function conditionalPut(
  table: TableClient,
  entity: TableEntity<Record<string, unknown>>,
  etag: string | undefined,
): Promise<PutResult> {
  try {
    const res =
      etag === undefined
        ? await table.createEntity(entity)
        : await table.updateEntity(entity, 'Replace', { etag });
    return { ok: true, etag: String(res.etag) };
  } catch (e) {
    const status = statusOf(e);
    // 404 answers a replace whose entity was deleted since it was read: a lost race like 412.
    if (status === 409 || status === 412 || (status === 404 && etag !== undefined))
      return { ok: false, reason: 'conflict' };
    throw e;
  }
}
