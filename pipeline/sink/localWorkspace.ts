/**
 * A stand-in for a Log Analytics workspace behind its Logs Ingestion endpoint, plugged into the REAL
 * `LogsIngestionClient` as its `httpClient` option (no socket). It checks the wire contract the SDK must
 * meet (docs/contracts.md#logs-ingestion-api-and-custom-tables) and stores accepted rows as NDJSON:
 *
 * - `POST /dataCollectionRules/{dcrId}/streams/Custom-OTAlerts_CL?api-version=2023-01-01`
 *   (the SDK writes the query key as `api%2Dversion`; URLSearchParams decodes it);
 * - `Authorization: Bearer …`, `Content-Type: application/json`, `Content-Encoding: gzip`;
 * - body: a JSON array, ≤ 1 MB compressed and uncompressed (413 `ContentLengthLimitExceeded` otherwise);
 * - every row valid per `validateRow` (400 `InvalidArgument`, `row N: …`), unknown stream → 404 `InvalidStream`;
 * - success → rows appended to `<dir>/OTAlerts_CL.ndjson`, one line per row, and 204.
 *
 * Error codes other than InvalidStream/InvalidArgument/ContentLengthLimitExceeded are stand-ins.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { appendFile, open } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import {
  createHttpHeaders,
  type HttpClient,
  type PipelineRequest,
  type PipelineResponse,
} from '@azure/core-rest-pipeline';
import { validateRow } from './rowValidator.js';
import { STREAM_NAME, TABLE_NAME } from './schema.js';

const gunzipAsync = promisify(gunzip);

/**
 * Cuts `file` after its last complete line. A process killed while appending (Linux stops a large write between
 * pages on SIGKILL) can leave the start of a line; the next append would glue a row onto it. Reads backwards from
 * the end, 64 KiB at a time, so the cost follows the torn line, not the file.
 */
export async function dropTornTail(file: string): Promise<void> {
  const fd = await open(file, 'r+').catch(() => undefined);
  if (!fd) return;
  try {
    const { size } = await fd.stat();
    const buf = Buffer.alloc(64 * 1024);
    for (let end = size; end > 0; ) {
      const start = Math.max(0, end - buf.length);
      const { bytesRead } = await fd.read(buf, 0, end - start, start);
      const nl = buf.subarray(0, bytesRead).lastIndexOf(0x0a);
      if (nl >= 0) {
        if (start + nl + 1 < size) await fd.truncate(start + nl + 1);
        return;
      }
      end = start;
    }
    if (size > 0) await fd.truncate(0); // no complete line at all
  } finally {
    await fd.close();
  }
}

export const LOCAL_WORKSPACE_ENDPOINT = 'https://local-workspace.ot-soc';
export const LOCAL_WORKSPACE_HOST = 'local-workspace.ot-soc';
export const DEFAULT_LOCAL_DCR_ID = 'dcr-00000000000000000000000000000000';
export const LOGS_INGESTION_API_VERSION = '2023-01-01';
/**
 * "1 MB per API call, both compressed and uncompressed". Taken as 1 MiB: the SDK packs rows until their
 * JSON sizes sum to < 1,000,000 bytes and then adds brackets and one comma per row, so a full chunk of
 * small rows is a few KB over 1,000,000 and a 1,000,000-byte limit would reject the SDK's own chunks.
 */
export const MAX_REQUEST_BYTES = 1_048_576;

export interface LocalWorkspaceFault {
  status: number;
  /** Seconds, sent as `Retry-After`. */
  retryAfter?: number;
  code?: string;
  message?: string;
}

/** Consulted for every request that passed the wire checks; return nothing (or 204) to proceed normally. */
export type LocalWorkspaceFaultFn = (
  requestNumber: number,
  rows: readonly Record<string, unknown>[],
) => number | LocalWorkspaceFault | undefined;

export interface LocalWorkspaceRequestRecord {
  /** 1-based, counts every request including retries. */
  requestNumber: number;
  status: number;
  code?: string;
  rows: number;
  gzipBytes: number;
  jsonBytes: number;
  clientRequestId?: string;
}

export interface LocalWorkspaceStats {
  requests: number;
  /** Rows written to the NDJSON file. */
  rows: number;
  /** Bytes as received (gzip) and after decompression (JSON), summed over all requests. */
  bytesGzip: number;
  bytesJson: number;
  statuses: Record<number, number>;
  log: LocalWorkspaceRequestRecord[];
}

export interface LocalWorkspaceOptions {
  dir: string;
  dcrId?: string;
  fault?: LocalWorkspaceFaultFn;
  /** Simulated service latency per request (ms); honours the request's abort signal. */
  latencyMs?: number;
  /** Per-request size limit, compressed and uncompressed. Default 1 MiB. */
  maxBytes?: number;
}

export interface LocalWorkspace {
  httpClient: HttpClient;
  endpoint: string;
  dcrId: string;
  /** `<dir>/OTAlerts_CL.ndjson` */
  file: string;
  stats: LocalWorkspaceStats;
  /** Rows in the NDJSON file, parsed (empty if nothing was written yet). */
  rowsWritten(): Record<string, unknown>[];
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly retryAfter?: number,
  ) {
    super(message);
  }
}

function bodyBytes(body: PipelineRequest['body']): Buffer {
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (body instanceof ArrayBuffer) return Buffer.from(body);
  if (ArrayBuffer.isView(body)) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  throw new HttpError(
    400,
    'InvalidArgument',
    'request body must be a buffer (streams are not supported here)',
  );
}

function abortError(): Error {
  const error = new Error('The operation was aborted.');
  error.name = 'AbortError';
  return error;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError());
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export function createLocalWorkspace(options: LocalWorkspaceOptions): LocalWorkspace {
  const dcrId = options.dcrId ?? DEFAULT_LOCAL_DCR_ID;
  const maxBytes = options.maxBytes ?? MAX_REQUEST_BYTES;
  mkdirSync(options.dir, { recursive: true });
  const file = join(options.dir, `${TABLE_NAME}.ndjson`);
  const stats: LocalWorkspaceStats = {
    requests: 0,
    rows: 0,
    bytesGzip: 0,
    bytesJson: 0,
    statuses: {},
    log: [],
  };
  // Appends are chained so concurrent chunks never interleave inside the file. The first link drops a torn last
  // line a killed run left (an upload is all or nothing in Log Analytics; its rows are still owed and re-sent).
  let writes: Promise<void> = dropTornTail(file);
  writes.catch(() => {}); // its failure reaches the first append, which awaits it

  async function handle(request: PipelineRequest, record: LocalWorkspaceRequestRecord): Promise<void> {
    if (request.method !== 'POST') throw new HttpError(405, 'MethodNotAllowed', `method ${request.method}`);
    const url = new URL(request.url);
    if (url.hostname !== LOCAL_WORKSPACE_HOST)
      throw new HttpError(404, 'NotFound', `unknown host ${url.host}`);
    const path = /^\/dataCollectionRules\/([^/]+)\/streams\/([^/]+)$/.exec(url.pathname);
    if (!path) throw new HttpError(404, 'NotFound', `no such path ${url.pathname}`);
    const apiVersion = new URLSearchParams(url.search).get('api-version');
    if (apiVersion !== LOGS_INGESTION_API_VERSION) {
      throw new HttpError(
        400,
        'InvalidApiVersion',
        `api-version must be ${LOGS_INGESTION_API_VERSION}, got ${apiVersion}`,
      );
    }
    if (!/^Bearer \S+/.test(request.headers.get('authorization') ?? '')) {
      throw new HttpError(401, 'InvalidAuthenticationToken', 'missing Authorization: Bearer token');
    }
    if (decodeURIComponent(path[1] ?? '') !== dcrId) {
      throw new HttpError(404, 'InvalidDataCollectionRule', `unknown data collection rule ${path[1]}`);
    }
    const stream = decodeURIComponent(path[2] ?? '');
    if (stream !== STREAM_NAME) throw new HttpError(404, 'InvalidStream', `stream ${stream} is not declared`);
    const contentType = request.headers.get('content-type') ?? '';
    if (!/^application\/json\b/i.test(contentType)) {
      throw new HttpError(
        415,
        'UnsupportedMediaType',
        `content-type must be application/json, got ${contentType}`,
      );
    }
    if ((request.headers.get('content-encoding') ?? '').toLowerCase() !== 'gzip') {
      throw new HttpError(400, 'InvalidContentEncoding', 'content-encoding must be gzip');
    }
    const wire = bodyBytes(request.body);
    record.gzipBytes = wire.length;
    stats.bytesGzip += wire.length;
    if (wire.length > maxBytes) {
      throw new HttpError(
        413,
        'ContentLengthLimitExceeded',
        `compressed body ${wire.length} B > ${maxBytes} B`,
      );
    }
    let json: Buffer;
    try {
      json = await gunzipAsync(wire, { maxOutputLength: maxBytes + 1 });
    } catch (error) {
      if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
        throw new HttpError(413, 'ContentLengthLimitExceeded', `uncompressed body > ${maxBytes} B`);
      }
      throw new HttpError(400, 'InvalidArgument', `body is not valid gzip: ${(error as Error).message}`);
    }
    record.jsonBytes = json.length;
    stats.bytesJson += json.length;
    if (json.length > maxBytes) {
      throw new HttpError(
        413,
        'ContentLengthLimitExceeded',
        `uncompressed body ${json.length} B > ${maxBytes} B`,
      );
    }
    let rows: unknown;
    try {
      rows = JSON.parse(json.toString('utf8'));
    } catch (error) {
      throw new HttpError(400, 'InvalidArgument', `body is not valid JSON: ${(error as Error).message}`);
    }
    if (!Array.isArray(rows)) throw new HttpError(400, 'InvalidArgument', 'body must be a JSON array');
    record.rows = rows.length;
    const injected = options.fault?.(record.requestNumber, rows as Record<string, unknown>[]);
    const fault = typeof injected === 'number' ? { status: injected } : injected;
    if (fault && fault.status !== 204) {
      throw new HttpError(
        fault.status,
        fault.code ?? (fault.status === 429 ? 'TooManyRequests' : 'InjectedFault'),
        fault.message ?? `injected fault on request ${record.requestNumber}`,
        fault.retryAfter,
      );
    }
    for (let i = 0; i < rows.length; i++) {
      const problems = validateRow(rows[i]);
      if (problems.length > 0)
        throw new HttpError(400, 'InvalidArgument', `row ${i}: ${problems.join('; ')}`);
    }
    const lines = rows.length === 0 ? '' : `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`;
    const write = writes.then(() => appendFile(file, lines, 'utf8'));
    writes = write.catch(() => undefined);
    await write;
    stats.rows += rows.length;
  }

  const httpClient: HttpClient = {
    async sendRequest(request: PipelineRequest): Promise<PipelineResponse> {
      if (request.abortSignal?.aborted) throw abortError();
      stats.requests += 1;
      const record: LocalWorkspaceRequestRecord = {
        requestNumber: stats.requests,
        status: 204,
        rows: 0,
        gzipBytes: 0,
        jsonBytes: 0,
        clientRequestId: request.headers.get('x-ms-client-request-id'),
      };
      stats.log.push(record);
      if (options.latencyMs) await sleep(options.latencyMs, request.abortSignal as AbortSignal | undefined);
      let response: PipelineResponse;
      try {
        await handle(request, record);
        response = { status: 204, headers: createHttpHeaders(), request };
      } catch (error) {
        if (!(error instanceof HttpError)) throw error;
        record.status = error.status;
        record.code = error.code;
        const headers = createHttpHeaders({ 'content-type': 'application/json' });
        if (error.retryAfter !== undefined) headers.set('retry-after', String(error.retryAfter));
        response = {
          status: error.status,
          headers,
          request,
          bodyAsText: JSON.stringify({ error: { code: error.code, message: error.message } }),
        };
      }
      stats.statuses[response.status] = (stats.statuses[response.status] ?? 0) + 1;
      return response;
    },
  };

  return {
    httpClient,
    endpoint: LOCAL_WORKSPACE_ENDPOINT,
    dcrId,
    file,
    stats,
    rowsWritten() {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (error) {
        if ((error as { code?: string }).code === 'ENOENT') return [];
        throw error;
      }
      return text
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>);
    },
  };
}
