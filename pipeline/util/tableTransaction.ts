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
import { createHttpHeaders, type PipelineRequest, type PipelineResponse } from '@azure/core-rest-pipeline';
import type { TableClient, TransactionAction } from '@azure/data-tables';
import { accountOf, keyPart, restErrorOf, sendThrough } from './tableRequest.js';

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

/**
 * An entity's JSON as the SDK serialises it, for the primitive values this project stores. Written property by
 * property: a durable batch writes ~200 entities, and building a renamed copy to stringify cost a third more.
 */
function entityJson(entity: Record<string, unknown>): string {
  let json = '';
  for (const name of Object.keys(entity)) {
    const value = entity[name];
    if (value === undefined) continue;
    const type = typeof value;
    if (value !== null && type !== 'string' && type !== 'number' && type !== 'boolean')
      throw new Error(
        `table transaction: property ${name} is a ${type}; only strings, numbers and booleans are written`,
      );
    const prop = name === 'partitionKey' ? 'PartitionKey' : name === 'rowKey' ? 'RowKey' : name;
    json += `${json ? ',' : '{'}${JSON.stringify(prop)}:${JSON.stringify(value)}`;
  }
  return json ? `${json}}` : '{}';
}

// The fixed lines of a sub-request (as getNextSubrequestBodyPart writes them), joined once.
const PART_HEAD = `content-type: application/http${CRLF}content-transfer-encoding: binary${CRLF}${CRLF}`;
const CREATE_HEADERS = [
  'Content-Type: application/json;odata=nometadata',
  'Accept: application/json;odata=minimalmetadata',
  'DataServiceVersion: 3.0',
  'Prefer: return-no-content',
].join(CRLF);
const DELETE_HEADERS = [
  'Accept: application/json;odata=minimalmetadata',
  'DataServiceVersion: 3.0',
  'If-Match: *',
].join(CRLF);
const UPDATE_HEADERS = [
  'Content-Type: application/json',
  'DataServiceVersion: 3.0',
  'Accept: application/json',
].join(CRLF);

/** One sub-request of the changeset: start line, headers, blank line, body. */
function subRequest(changeset: string, base: string, action: TransactionAction): string {
  const [kind, entity] = action;
  const start = `--${changeset}${CRLF}${PART_HEAD}`;
  if (kind === 'create')
    return `${start}POST ${base} HTTP/1.1${CRLF}${CREATE_HEADERS}${CRLF}${CRLF}${CRLF}${entityJson(entity)}`;
  const keys = keyPart(String(entity.partitionKey), String(entity.rowKey));
  if (kind === 'delete')
    return `${start}DELETE ${base}${keys} HTTP/1.1${CRLF}${DELETE_HEADERS}${CRLF}${CRLF}`;
  const method = (action[2] ?? 'Merge') === 'Replace' ? 'PUT' : 'PATCH';
  // An update is conditional (the ETag given, or any version); an upsert has no If-Match (insert or replace).
  const ifMatch = kind === 'update' ? `${CRLF}If-Match: ${action[3]?.etag ?? '*'}` : '';
  return `${start}${method} ${base}${keys} HTTP/1.1${CRLF}${UPDATE_HEADERS}${ifMatch}${CRLF}${CRLF}${CRLF}${entityJson(entity)}`;
}

/** The request text of a transaction: what the SDK sends for the same actions, with these boundaries. */
export function transactionBody(
  tableUrl: string,
  actions: readonly TransactionAction[],
  ids: { batch: string; changeset: string },
): string {
  const changeset = `changeset_${ids.changeset}`;
  let body = `--batch_${ids.batch}${CRLF}content-type: multipart/mixed; boundary=${changeset}${CRLF}${CRLF}`;
  for (const a of actions) body += `${CRLF}${subRequest(changeset, tableUrl, a)}`;
  return `${body}${CRLF}--${changeset}--${CRLF}--batch_${ids.batch}--${CRLF}`;
}

/** The SDK's reading of a transaction's answer (parseTransactionResponse), errors as RestError. */
function parseAnswer(request: PipelineRequest, response: PipelineResponse): TransactionResult {
  const text = response.bodyAsText ?? '';
  const fail = (body: string, status: number): never => {
    throw restErrorOf(body, status, { request, response }, 'Transaction Failed');
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
  const { root, sas } = accountOf(table);
  const ids = { batch: randomUUID(), changeset: randomUUID() };
  // Encoded once: measuring a string and then sending it would encode it twice (a batch's bodies: ~300 KB).
  const body = Buffer.from(transactionBody(`${root}${table.tableName}`, actions, ids));
  if (body.length > MAX_TRANSACTION_BYTES) throw new TransactionTooLargeError(body.length);
  const { request, response } = await sendThrough(table, {
    url: `${root}$batch${sas}`,
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
      'content-length': String(body.length),
    }),
  });
  return parseAnswer(request, response);
}
