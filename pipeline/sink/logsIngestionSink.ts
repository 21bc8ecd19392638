/**
 * Writes OTAlerts_CL rows through the real `LogsIngestionClient` (@azure/monitor-ingestion 1.2.0) and says,
 * per input row, whether Log Analytics accepted it. Never throws for per-row failures.
 *
 * What the SDK does and does not do (docs/contracts.md#logs-ingestion-api-and-custom-tables, read in its dist/esm):
 * - `upload()` splits rows into chunks (< 1,000,000 JSON bytes), gzips and POSTs them, and retries 429
 *   (only with a Retry-After header) / 408 / 5xx itself; Retry-After is NOT capped by maxRetryDelayInMs.
 * - A failed chunk calls `onError({failedLogs, cause})` with the chunk's own row objects, and `upload()`
 *   still throws `AggregateLogsUploadError` afterwards (message literally "undefined\n}").
 * - On abort, `upload()` silently skips the chunks it has not started: their rows are neither in an error
 *   nor sent. So this sink cuts the chunks itself with the SDK's own rule and calls `upload()` once per
 *   chunk (each call is then exactly one SDK chunk = one request + its retries), which gives an exact
 *   outcome for every row, a bounded deadline, and re-uploads for bisecting 400/413 chunks.
 */

import { type HttpClient, isRestError, type PipelinePolicy } from '@azure/core-rest-pipeline';
import type { DefaultAzureCredentialOptions, TokenCredential } from '@azure/identity';
import {
  isAggregateLogsUploadError,
  LogsIngestionClient,
  type LogsIngestionClientOptions,
  type LogsUploadFailure,
} from '@azure/monitor-ingestion';
import { createLimiter } from '../util/mapLimit.js';
import { truncateRow, validateRow } from './rowValidator.js';
import { type OtAlertsRow, STREAM_NAME } from './schema.js';

export interface SinkRejection {
  index: number;
  reason: string;
  status?: number;
  retryable: boolean;
}

export interface SinkResult {
  /** Indices (into the rows passed to `write`) of rows the service accepted, ascending. */
  accepted: number[];
  rejected: SinkRejection[];
  /** Retries the SDK made (attempts beyond the first of each request). */
  retries: number;
}

export interface AlertSink {
  write(rows: OtAlertsRow[], signal?: AbortSignal): Promise<SinkResult>;
}

export interface LogsIngestionSinkOptions {
  /** DCR `logsIngestion` endpoint or DCE URL (https). */
  endpoint: string;
  /** DCR immutable id (`dcr-…`). */
  dcrId: string;
  /** Default `Custom-OTAlerts_CL`. */
  stream?: string;
  credential: TokenCredential;
  /** Replaces the SDK's HTTP client (e.g. the local workspace). */
  httpClient?: HttpClient;
  /** Extra CA certificate(s) to trust (PEM), e.g. a loopback test server's self-signed cert. */
  tlsCa?: string | Buffer;
  /** Attempts per request, first one included. Default 5 (the SDK's `maxRetries` 4). */
  maxAttempts?: number;
  /** Bound on one `write()` call, retries and bisecting included; what is left is rejected retryable. Default 60 s. */
  deadlineMs?: number;
  /** Parallel requests across this sink. Default 5. */
  maxConcurrency?: number;
  /** First exponential retry delay (5xx/408/network). Default 1000 ms. */
  retryDelayInMs?: number;
  /** Cap of the exponential delay. Default deadlineMs / (2 × retries), at least retryDelayInMs. */
  maxRetryDelayInMs?: number;
  /** Reject rows failing `validateRow` locally instead of sending them. Default true. */
  validate?: boolean;
  /** Token audience for sovereign clouds (`https://monitor.azure.us`, …). */
  audience?: string;
}

export interface LogsIngestionSinkStats {
  writes: number;
  /** Distinct HTTP requests (a request and its retries count once). */
  requests: number;
  /** HTTP attempts, retries included. */
  attempts: number;
  retries: number;
  /** Chunks split in two because the service answered 400/413 for them. */
  bisections: number;
}

export interface LogsIngestionSink extends AlertSink {
  readonly client: LogsIngestionClient;
  readonly stats: LogsIngestionSinkStats;
}

/** The SDK's chunk limit (splitDataToChunksHelper.js): the sum of the rows' JSON sizes stays below this. */
export const SDK_CHUNK_BYTES = 1_000_000;
export const DEFAULT_MAX_ATTEMPTS = 5;
export const DEFAULT_DEADLINE_MS = 60_000;
export const DEFAULT_MAX_CONCURRENCY = 5;

/**
 * `DefaultAzureCredential`, built (and @azure/identity imported) on the first token request only.
 * In Azure Functions pass `{ managedIdentityClientId }` for a user-assigned identity.
 */
export function defaultCredential(options?: DefaultAzureCredentialOptions): TokenCredential {
  let credential: Promise<TokenCredential> | undefined;
  return {
    async getToken(scopes, getTokenOptions) {
      credential ??= import('@azure/identity').then((m) => new m.DefaultAzureCredential(options));
      return (await credential).getToken(scopes, getTokenOptions);
    },
  };
}

/**
 * Cuts rows into chunks exactly as the SDK's `splitDataToChunks` does, so that one `upload()` call per
 * chunk makes exactly one request. Returns chunks of positions into `sizes`.
 */
export function splitLikeSdk(sizes: readonly number[], maxBytes: number = SDK_CHUNK_BYTES): number[][] {
  const chunks: number[][] = [];
  let chunk: number[] = [];
  let size = 0;
  for (let i = 0; i < sizes.length; i++) {
    const elementSize = sizes[i] ?? 0;
    if (size + elementSize < maxBytes) {
      chunk.push(i);
      size += elementSize;
    } else {
      if (chunk.length > 0) chunks.push(chunk);
      chunk = [i];
      size = elementSize;
    }
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}

interface Failure {
  status?: number;
  reason: string;
  retryable: boolean;
}

/** HTTP statuses worth trying again later with the same row. */
function isRetryableStatus(status: number): boolean {
  // 401/403: token or role assignment (Monitoring Metrics Publisher) not there yet — environmental.
  return status === 408 || status === 429 || status >= 500 || status === 401 || status === 403;
}

/** Per-request bookkeeping seen by the attempt-counting policy, keyed by the request's abort signal. */
interface AttemptRecord {
  attempts: number;
  lastStatus?: number;
}

export function createLogsIngestionSink(options: LogsIngestionSinkOptions): LogsIngestionSink {
  const stream = options.stream ?? STREAM_NAME;
  const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  const deadlineMs = options.deadlineMs ?? DEFAULT_DEADLINE_MS;
  const maxConcurrency = options.maxConcurrency ?? DEFAULT_MAX_CONCURRENCY;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1)
    throw new RangeError('maxAttempts must be an integer ≥ 1');
  if (!(deadlineMs > 0)) throw new RangeError('deadlineMs must be > 0');
  if (!Number.isInteger(maxConcurrency) || maxConcurrency < 1) {
    throw new RangeError('maxConcurrency must be an integer ≥ 1');
  }
  if (!options.dcrId) throw new TypeError('dcrId is required');
  const maxRetries = maxAttempts - 1;
  const retryDelayInMs = options.retryDelayInMs ?? 1000;
  const maxRetryDelayInMs =
    options.maxRetryDelayInMs ??
    Math.max(retryDelayInMs, Math.floor(deadlineMs / (2 * Math.max(1, maxRetries))));
  const validate = options.validate ?? true;

  const clientOptions: LogsIngestionClientOptions = {
    retryOptions: { maxRetries, retryDelayInMs, maxRetryDelayInMs },
  };
  if (options.httpClient) clientOptions.httpClient = options.httpClient;
  if (options.tlsCa !== undefined) clientOptions.tlsOptions = { ca: options.tlsCa };
  if (options.audience) clientOptions.audience = options.audience;
  const client = new LogsIngestionClient(options.endpoint, options.credential, clientOptions);

  // Runs once per HTTP attempt (placed after the Retry phase); each upload() call gets its own signal.
  const attemptsBySignal = new WeakMap<object, AttemptRecord>();
  const countAttempts: PipelinePolicy = {
    name: 'otSocAttemptCounter',
    async sendRequest(request, next) {
      const record = request.abortSignal ? attemptsBySignal.get(request.abortSignal) : undefined;
      if (record) record.attempts++;
      try {
        const response = await next(request);
        if (record) record.lastStatus = response.status;
        return response;
      } catch (error) {
        if (record && isRestError(error) && error.statusCode !== undefined)
          record.lastStatus = error.statusCode;
        throw error;
      }
    },
  };
  client.pipeline.addPolicy(countAttempts, { afterPhase: 'Retry' });

  const limit = createLimiter(maxConcurrency);
  const stats: LogsIngestionSinkStats = { writes: 0, requests: 0, attempts: 0, retries: 0, bisections: 0 };

  async function write(rows: OtAlertsRow[], signal?: AbortSignal): Promise<SinkResult> {
    if (!Array.isArray(rows)) throw new TypeError('write(rows): rows must be an array');
    stats.writes++;
    const accepted: number[] = [];
    const rejected: SinkRejection[] = [];
    let retries = 0;
    if (rows.length === 0) return { accepted, rejected, retries };

    // One controller per write: the caller's signal or the deadline aborts everything still running.
    const controller = new AbortController();
    let deadlineHit = false;
    const timer = setTimeout(() => {
      deadlineHit = true;
      controller.abort();
    }, deadlineMs);
    const onCallerAbort = () => controller.abort();
    if (signal?.aborted) controller.abort();
    else signal?.addEventListener('abort', onCallerAbort, { once: true });
    const abortReason = () =>
      deadlineHit ? `deadline of ${deadlineMs} ms exceeded` : 'write aborted by caller';

    // Prepare: truncate > 64 KB fields, validate, measure like the SDK. A row object is sent once per
    // position: duplicates of the same object are copied so failed chunks map back by identity.
    const prepared: Record<string, unknown>[] = [];
    const preparedIndex: number[] = [];
    const sizes: number[] = [];
    const seen = new Set<object>();
    for (let index = 0; index < rows.length; index++) {
      const row: unknown = rows[index];
      if (typeof row !== 'object' || row === null || Array.isArray(row)) {
        rejected.push({ index, reason: 'row is not a JSON object', retryable: false });
        continue;
      }
      let out: Record<string, unknown>;
      let size: number;
      try {
        out = truncateRow(row as Record<string, unknown>);
        if (seen.has(out)) out = { ...out };
        size = Buffer.byteLength(JSON.stringify(out), 'utf8');
      } catch (error) {
        rejected.push({
          index,
          reason: `row is not JSON-serialisable: ${(error as Error).message}`,
          retryable: false,
        });
        continue;
      }
      if (validate) {
        const problems = validateRow(out);
        if (problems.length > 0) {
          rejected.push({ index, reason: `invalid row: ${problems.join('; ')}`, retryable: false });
          continue;
        }
      }
      seen.add(out);
      prepared.push(out);
      preparedIndex.push(index);
      sizes.push(size);
    }

    const rejectAll = (positions: readonly number[], failure: Failure) => {
      for (const p of positions) {
        const rejection: SinkRejection = {
          index: preparedIndex[p] ?? -1,
          reason: failure.reason,
          retryable: failure.retryable,
        };
        if (failure.status !== undefined) rejection.status = failure.status;
        rejected.push(rejection);
      }
    };

    const describe = (cause: Error, record: AttemptRecord): Failure => {
      if (cause.name === 'AbortError' || controller.signal.aborted) {
        // The SDK reports AbortError even when the aborted attempt already got its 204, so a request that
        // was sent may have been stored: retrying it is at-least-once (duplicates collapse on AlertId+Revision).
        const last = record.lastStatus !== undefined ? `, last response ${record.lastStatus}` : '';
        const inFlight = record.attempts > 0 ? ` (request was sent, outcome unknown${last})` : '';
        const failure: Failure = { reason: `${abortReason()}${inFlight}`, retryable: true };
        if (record.lastStatus !== undefined) failure.status = record.lastStatus;
        return failure;
      }
      if (isRestError(cause)) {
        const status = cause.statusCode;
        const code = cause.code ? `${cause.code}: ` : '';
        if (status === undefined)
          return { reason: `network error: ${code}${cause.message}`, retryable: true };
        return { status, reason: `${status} ${code}${cause.message}`, retryable: isRetryableStatus(status) };
      }
      // Credential failures and the like: nothing wrong with the row.
      return { reason: `${cause.name}: ${cause.message}`, retryable: true };
    };

    // One upload() call for one chunk; 400/413 chunks of several rows are halved until the bad rows stand alone.
    const sendChunk = async (positions: number[]): Promise<void> => {
      const outcome = await limit(async () => {
        if (controller.signal.aborted)
          return { failures: [] as LogsUploadFailure[], record: undefined, skipped: true };
        const logs = positions.map((p) => prepared[p] as Record<string, unknown>);
        const ownSignal = new AbortController();
        const relay = () => ownSignal.abort();
        controller.signal.addEventListener('abort', relay, { once: true });
        const record: AttemptRecord = { attempts: 0 };
        attemptsBySignal.set(ownSignal.signal, record);
        const failures: LogsUploadFailure[] = [];
        try {
          await client.upload(options.dcrId, stream, logs, {
            maxConcurrency: 1,
            abortSignal: ownSignal.signal,
            onError: (failure) => failures.push(failure),
          });
        } catch (error) {
          if (!isAggregateLogsUploadError(error)) throw error;
          if (failures.length === 0) failures.push(...error.errors);
        } finally {
          controller.signal.removeEventListener('abort', relay);
          if (record.attempts > 0) {
            stats.requests++;
            stats.attempts += record.attempts;
            stats.retries += record.attempts - 1;
            retries += record.attempts - 1;
          }
        }
        return { failures, record, skipped: false };
      });
      if (outcome.skipped || !outcome.record) {
        rejectAll(positions, { reason: `not sent: ${abortReason()}`, retryable: true });
        return;
      }
      const byObject = new Map<object, number>(positions.map((p) => [prepared[p] as object, p]));
      const failed = new Set<number>();
      const bisect: number[][] = [];
      for (const { failedLogs, cause } of outcome.failures) {
        const failedPositions: number[] = [];
        for (const log of failedLogs) {
          const p = byObject.get(log);
          if (p !== undefined && !failed.has(p)) {
            failed.add(p);
            failedPositions.push(p);
          }
        }
        const failure = describe(cause, outcome.record);
        if ((failure.status === 400 || failure.status === 413) && failedPositions.length > 1) {
          bisect.push(failedPositions);
        } else {
          rejectAll(failedPositions, failure);
        }
      }
      for (const p of positions) if (!failed.has(p)) accepted.push(preparedIndex[p] ?? -1);
      await Promise.all(
        bisect.flatMap((group) => {
          stats.bisections++;
          const half = Math.ceil(group.length / 2);
          return [sendChunk(group.slice(0, half)), sendChunk(group.slice(half))];
        }),
      );
    };

    try {
      const chunks = splitLikeSdk(sizes);
      await Promise.all(chunks.map((chunk) => sendChunk(chunk)));
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onCallerAbort);
    }
    accepted.sort((a, b) => a - b);
    rejected.sort((a, b) => a.index - b.index);
    return { accepted, rejected, retries };
  }

  return { client, stats, write };
}
