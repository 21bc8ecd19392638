// An entity-group transaction (Table Storage `$batch`) built in one pass. The SDK's TableClient.submitTransaction
// builds a new TableClient per transaction and runs every action through a whole operation (serializer, tracing
// span, policies) only to capture its text: about 90 µs of CPU per entity, the largest cost of a durable batch
// (docs/performance.md). This writes the same request text (test/pipeline/util/tableTransaction.test.ts compares
// it with the SDK's byte for byte) and sends it through the client's own pipeline, so authentication, retries
// and any added policy apply as before. The answer is read as the SDK reads it (parseTransactionResponse in
// @azure/data-tables 13.3): the first failing sub-request's status becomes a RestError with that status.
// Written here because the SDK keeps its builder internal (TableTransaction's helpers are not exported) and no
// other maintained package writes the Table `$batch` format; the contract is in docs/contracts.md.
// Types only from @azure/data-tables (see tableGroupStore.ts on cold start); core-rest-pipeline loads with
// tablePut.ts, which every Table store module imports.
import { randomUUID } from 'node:crypto';
import {
  createDefaultHttpClient,
  createHttpHeaders,
  createPipelineRequest,
  type HttpClient,
  type PipelineRequest,
  type PipelineResponse,
  RestError,
} from '@azure/core-rest-pipeline';
import type { TableClient, TransactionAction } from '@azure/data-tables';

/** What a successful transaction answers, per action in order (as the SDK's TableTransactionResponse). */
export interface TransactionResult {
  status: number;
  subResponses: { status: number; etag?: string; rowKey?: string }[];
}

const CRLF = '\r\n';

/** Table Storage's limit on a transaction's payload: 4 MiB (docs/contracts.md#table-storage-azurite). */
export const MAX_TRANSACTION_BYTES = 4 * 1024 * 1024;

/** A transaction whose request would exceed MAX_TRANSACTION_BYTES: not sent (the service would answer 413). */
export class TransactionTooLargeError extends Error {
  constructor(readonly bytes: number) {
    super(`a transaction of ${bytes} bytes exceeds Table Storage's ${MAX_TRANSACTION_BYTES}`);
  }
}

/** Table Storage's limit on the operations of one transaction. */
export const MAX_TRANSACTION_ACTIONS = 100;

/** One HTTP client for every transaction (the SDK's client keeps its own, not exposed). */
let http: HttpClient | undefined;

/** `PartitionKey='…',RowKey='…'` as the SDK writes it in a sub-request's URL (quotes doubled, then URI-encoded). */
const keyPart = (pk: string, rk: string): string =>
  `(PartitionKey='${encodeURIComponent(pk.replaceAll("'", "''"))}',RowKey='${encodeURIComponent(rk.replaceAll("'", "''"))}')`;

/** An entity's JSON as the SDK serialises it, for the primitive values this project stores. */
function entityJson(entity: Record<string, unknown>): string {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(entity)) {
    if (value !== undefined && value !== null && !['string', 'number', 'boolean'].includes(typeof value))
      throw new Error(
        `table transaction: property ${name} is a ${typeof value}; only strings, numbers and booleans are written`,
      );
    out[name === 'partitionKey' ? 'PartitionKey' : name === 'rowKey' ? 'RowKey' : name] = value;
  }
  return JSON.stringify(out);
}

/** One sub-request of the changeset: start line, headers, blank line, body (as getNextSubrequestBodyPart). */
function subRequest(changeset: string, base: string, action: TransactionAction): string {
  const [kind, entity] = action;
  const pk = String(entity.partitionKey);
  const rk = String(entity.rowKey);
  const lines = [`--${changeset}`, 'content-type: application/http', 'content-transfer-encoding: binary', ''];
  let body: string | undefined = entityJson(entity as Record<string, unknown>);
  if (kind === 'create') {
    lines.push(`POST ${base} HTTP/1.1`, 'Content-Type: application/json;odata=nometadata');
    lines.push(
      'Accept: application/json;odata=minimalmetadata',
      'DataServiceVersion: 3.0',
      'Prefer: return-no-content',
    );
  } else if (kind === 'delete') {
    lines.push(`DELETE ${base}${keyPart(pk, rk)} HTTP/1.1`, 'Accept: application/json;odata=minimalmetadata');
    lines.push('DataServiceVersion: 3.0', 'If-Match: *');
    body = undefined;
  } else {
    const mode = action[2] ?? 'Merge';
    lines.push(`${mode === 'Replace' ? 'PUT' : 'PATCH'} ${base}${keyPart(pk, rk)} HTTP/1.1`);
    lines.push('Content-Type: application/json', 'DataServiceVersion: 3.0', 'Accept: application/json');
    // An update is conditional (the ETag given, or any version); an upsert has no If-Match (insert or replace).
    if (kind === 'update') lines.push(`If-Match: ${action[3]?.etag ?? '*'}`);
  }
  lines.push(CRLF);
  if (body !== undefined) lines.push(body);
  return lines.join(CRLF);
}

/** The request text of a transaction: what the SDK sends for the same actions, with these boundaries. */
export function transactionBody(
  tableUrl: string,
  actions: readonly TransactionAction[],
  ids: { batch: string; changeset: string },
): string {
  const changeset = `changeset_${ids.changeset}`;
  const parts = [
    `--batch_${ids.batch}${CRLF}content-type: multipart/mixed; boundary=${changeset}${CRLF}${CRLF}`,
  ];
  for (const a of actions) parts.push(subRequest(changeset, tableUrl, a));
  return `${parts.join(CRLF)}${CRLF}--${changeset}--${CRLF}--batch_${ids.batch}--${CRLF}`;
}

/** The SDK's reading of a transaction's answer (parseTransactionResponse), errors as RestError. */
function parseAnswer(request: PipelineRequest, response: PipelineResponse): TransactionResult {
  const text = response.bodyAsText ?? '';
  const fail = (body: string, statusCode: number): never => {
    let parsed: { 'odata.error'?: { code?: string; message?: { value?: string } } } = {};
    try {
      parsed = JSON.parse(body) as typeof parsed;
    } catch {}
    const err = parsed['odata.error'];
    throw new RestError(err?.message?.value ?? 'Transaction Failed', {
      code: err?.code,
      statusCode,
      request,
      response,
    });
  };
  if (response.status < 200 || response.status >= 300) fail(text, response.status);
  const parts = text.split('--changesetresponse_');
  const subResponses = parts.slice(1, -1).map((part) => {
    const status = Number(/HTTP\/1.1 ([0-9]*)/.exec(part)?.[1]);
    if (!Number.isInteger(status)) throw new Error(`Couldn't extract status from sub-response:\n ${part}`);
    const body = /\{(.*)\}/.exec(part);
    if (body) fail(body[0], status);
    const etag = /ETag: (.*)/.exec(part)?.[1];
    const rowKey = /RowKey='(.*)'/.exec(part)?.[1];
    return { status, ...(rowKey !== undefined && { rowKey }), ...(etag !== undefined && { etag }) };
  });
  return { status: response.status, subResponses };
}

/**
 * Submits `actions` (all of one partition, at most 100) as one entity-group transaction through `table`'s
 * pipeline. Same request, same answer and same errors as `table.submitTransaction(actions)`, except that a request
 * over 4 MiB is not sent: TransactionTooLargeError.
 */
export async function submitTransaction(
  table: TableClient,
  actions: readonly TransactionAction[],
): Promise<TransactionResult> {
  if (!actions.length) throw new Error('a transaction needs at least one action');
  const pk = actions[0]![1].partitionKey;
  if (actions.some((a) => a[1].partitionKey !== pk))
    throw new Error('All operations in a transaction must target the same partitionKey');
  // A SAS in the account URL stays on the $batch request and is left out of the sub-requests' URLs.
  const [account, sas] = table.url.split('?') as [string, string | undefined];
  const root = account.endsWith('/') ? account : `${account}/`;
  const ids = { batch: randomUUID(), changeset: randomUUID() };
  const body = transactionBody(`${root}${table.tableName}`, actions, ids);
  const bytes = Buffer.byteLength(body);
  if (bytes > MAX_TRANSACTION_BYTES) throw new TransactionTooLargeError(bytes);
  const request = createPipelineRequest({
    url: `${root}$batch${sas ? `?${sas}` : ''}`,
    method: 'POST',
    body,
    headers: createHttpHeaders({
      accept: 'application/json',
      'x-ms-version': '2019-02-02',
      DataServiceVersion: '3.0;',
      MaxDataServiceVersion: '3.0;NetFx',
      'Content-Type': `multipart/mixed; boundary=batch_${ids.batch}`,
      'Accept-Charset': 'UTF-8',
      Connection: 'Keep-Alive',
    }),
    allowInsecureConnection: root.startsWith('http:'),
  });
  http ??= createDefaultHttpClient();
  return parseAnswer(request, await table.pipeline.sendRequest(http, request));
}
