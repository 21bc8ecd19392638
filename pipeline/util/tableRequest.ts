// What the Table requests this project writes itself (tableTransaction.ts, tableRead.ts) share: the account's URL
// as the client holds it, one HTTP client for requests sent through a TableClient's own pipeline (its policies
// sign, retry and log them as the SDK's own requests), keys in URLs, and a failed answer as the SDK's RestError.
import {
  createDefaultHttpClient,
  createPipelineRequest,
  type HttpClient,
  type HttpHeaders,
  type PipelineRequest,
  type PipelineResponse,
  RestError,
} from '@azure/core-rest-pipeline';
import type { TableClient } from '@azure/data-tables';

/** `PartitionKey='…',RowKey='…'` as the SDK writes it in a URL (quotes doubled, then URI-encoded). */
export const keyPart = (pk: string, rk: string): string =>
  `(PartitionKey='${encodeURIComponent(pk.replaceAll("'", "''"))}',RowKey='${encodeURIComponent(rk.replaceAll("'", "''"))}')`;

/** The client's account URL ending in `/`, and the SAS it may carry (`?…`, or '' without one). */
export function accountOf(table: TableClient): { root: string; sas: string } {
  const [account, sas] = table.url.split('?') as [string, string | undefined];
  return { root: account.endsWith('/') ? account : `${account}/`, sas: sas ? `?${sas}` : '' };
}

/** The SDK's client keeps its HTTP client to itself: one for every request sent here. */
let http: HttpClient | undefined;

/** Sends a request to `url` through the client's pipeline. */
export function sendThrough(
  table: TableClient,
  init: { url: string; method: 'GET' | 'POST'; headers: HttpHeaders; body?: Buffer },
): Promise<{ request: PipelineRequest; response: PipelineResponse }> {
  const request = createPipelineRequest({ ...init, allowInsecureConnection: init.url.startsWith('http:') });
  http ??= createDefaultHttpClient();
  return table.pipeline.sendRequest(http, request).then((response) => ({ request, response }));
}

/** A failed answer (or sub-answer) as the SDK reports it: its `odata.error` message and code, and `status`. */
export function restErrorOf(
  body: string,
  status: number,
  exchange: { request: PipelineRequest; response: PipelineResponse },
  fallback: string,
): RestError {
  let err: { code?: string; message?: { value?: string } } | undefined;
  try {
    err = (JSON.parse(body) as { 'odata.error'?: typeof err })['odata.error'];
  } catch {}
  return new RestError(err?.message?.value ?? fallback, { code: err?.code, statusCode: status, ...exchange });
}
