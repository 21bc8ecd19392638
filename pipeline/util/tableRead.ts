// A point read (Table Storage "Query Entities" by PartitionKey and RowKey) sent through the client's own pipeline.
// TableClient.getEntity runs the generated client's serializer, a tracing span and, for an entity that does not
// exist, builds a RestError with a stack that the caller only turns into `undefined`: a cold durable batch reads
// ~4 entities, most of them absent (a key seen for the first time), and that cost ~1 ms of CPU per batch
// (docs/performance.md). This sends the request getEntity sends (test/pipeline/util/tableRead.test.ts compares
// them) and reads the answer as it does for the properties this project stores: strings, Int32 numbers and
// booleans (the SDK leaves those as they are; an Edm-annotated property keeps its text and annotation here).
import { createHttpHeaders } from '@azure/core-rest-pipeline';
import type { TableClient, TableEntity } from '@azure/data-tables';
import { accountOf, keyPart, restErrorOf, sendThrough } from './tableRequest.js';

export type ReadEntity = TableEntity<Record<string, unknown>> & { etag: string; timestamp?: string };

/** The entity at (pk, rk), or undefined when there is none (404); any other failure is the SDK's RestError. */
export async function readEntity(
  table: TableClient,
  pk: string,
  rk: string,
): Promise<ReadEntity | undefined> {
  const { root, sas } = accountOf(table);
  const exchange = await sendThrough(table, {
    url: `${root}${table.tableName}${keyPart(pk, rk)}${sas}`,
    method: 'GET',
    headers: createHttpHeaders({
      Accept: 'application/json;odata=minimalmetadata',
      'x-ms-version': '2019-02-02',
      DataServiceVersion: '3.0',
    }),
  });
  const { response } = exchange;
  if (response.status === 404) return undefined;
  const text = response.bodyAsText ?? '';
  if (response.status < 200 || response.status >= 300)
    throw restErrorOf(text, response.status, exchange, `Table read failed with status ${response.status}`);
  // The SDK's names: PartitionKey → partitionKey, RowKey → rowKey, Timestamp → timestamp, odata.etag → etag.
  const {
    PartitionKey,
    RowKey,
    Timestamp,
    'odata.etag': etag,
    ...props
  } = JSON.parse(text) as Record<string, unknown>;
  return {
    ...props,
    partitionKey: String(PartitionKey),
    rowKey: String(RowKey),
    etag: String(etag ?? response.headers.get('etag')),
    ...(Timestamp !== undefined && { timestamp: String(Timestamp) }),
  };
}
