// A point read (Table Storage "Query Entities" by PartitionKey and RowKey) sent through the client's own pipeline.
// TableClient.getEntity runs the generated client's serializer, a tracing span and, for an entity that does not
// exist, builds a RestError with a stack that the caller only turns into `undefined`: a cold durable batch reads
// ~4 entities, most of them absent (a key seen for the first time), and that cost ~1 ms of CPU per batch
// (docs/performance.md). This sends the request getEntity sends (test/pipeline/util/tableRead.test.ts compares
// them) and reads the answer as it does for the properties this project stores: strings, Int32 numbers and
// booleans (the SDK leaves those as they are; an Edm-annotated property keeps its text and annotation here).
import {
  createDefaultHttpClient,
  createHttpHeaders,
  createPipelineRequest,
  type HttpClient,
  RestError,
} from '@azure/core-rest-pipeline';
import type { TableClient, TableEntity } from '@azure/data-tables';
import { keyPart } from './tableTransaction.js';

export type ReadEntity = TableEntity<Record<string, unknown>> & { etag: string; timestamp?: string };

let http: HttpClient | undefined;

/** The entity at (pk, rk), or undefined when there is none (404); any other failure is the SDK's RestError. */
export async function readEntity(
  table: TableClient,
  pk: string,
  rk: string,
): Promise<ReadEntity | undefined> {
  const [account, sas] = table.url.split('?') as [string, string | undefined];
  const root = account.endsWith('/') ? account : `${account}/`;
  const request = createPipelineRequest({
    url: `${root}${table.tableName}${keyPart(pk, rk)}${sas ? `?${sas}` : ''}`,
    method: 'GET',
    headers: createHttpHeaders({
      Accept: 'application/json;odata=minimalmetadata',
      'x-ms-version': '2019-02-02',
      DataServiceVersion: '3.0',
    }),
    allowInsecureConnection: root.startsWith('http:'),
  });
  http ??= createDefaultHttpClient();
  const response = await table.pipeline.sendRequest(http, request);
  if (response.status === 404) return undefined;
  const text = response.bodyAsText ?? '';
  if (response.status < 200 || response.status >= 300) {
    let err: { code?: string; message?: { value?: string } } | undefined;
    try {
      err = (JSON.parse(text) as { 'odata.error'?: typeof err })['odata.error'];
    } catch {}
    throw new RestError(err?.message?.value ?? `Table read failed with status ${response.status}`, {
      code: err?.code ?? response.headers.get('x-ms-error-code'),
      statusCode: response.status,
      request,
      response,
    });
  }
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
