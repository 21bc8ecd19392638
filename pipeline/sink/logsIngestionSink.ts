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

import type { HttpClient } from '@azure/core-rest-pipeline';
import type { DefaultAzureCredentialOptions, TokenCredential } from '@azure/identity';
import {
  isAggregateLogsUploadError,
  LogsIngestionClient,
  type LogsIngestionClientOptions,
  type LogsUploadFailure,
} from '@azure/monitor-ingestion';
import { createLimiter } from '../util/mapLimit.js';
import type { AlertSink, SinkRejection, SinkResult } from './alertSink.js';
import { type AttemptRecord, createAttemptCounter } from './logsIngestion/attemptCounter.js';
import { type PreparedRows, prepareRows } from './logsIngestion/prepareRows.js';
import { splitLikeSdk } from './logsIngestion/sdkChunks.js';
import { describeFailure, type UploadFailure } from './logsIngestion/uploadFailure.js';
import { WriteAbort } from './logsIngestion/writeAbort.js';
import { type OtAlertsRow, STREAM_NAME } from './schema.js';

// The contract this sink implements, for callers that take it from here (bench/harness.ts).
export type { AlertSink, SinkRejection, SinkResult } from './alertSink.js';

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

/** The client options from the sink's options: retries bounded so that a write fits its deadline. */
function clientOptions(options: LogsIngestionSinkOptions, maxAttempts: number, deadlineMs: number) {
  const maxRetries = maxAttempts - 1;
  const retryDelayInMs = options.retryDelayInMs ?? 1000;
  const maxRetryDelayInMs =
    options.maxRetryDelayInMs ??
    Math.max(retryDelayInMs, Math.floor(deadlineMs / (2 * Math.max(1, maxRetries))));
  const out: LogsIngestionClientOptions = {
    retryOptions: { maxRetries, retryDelayInMs, maxRetryDelayInMs },
  };
  if (options.httpClient) out.httpClient = options.httpClient;
  if (options.tlsCa !== undefined) out.tlsOptions = { ca: options.tlsCa };
  if (options.audience) out.audience = options.audience;
  return out;
}

/** What a sink's writes share: the client, its attempt counter, the concurrency limit and the totals. */
interface SinkContext {
  client: LogsIngestionClient;
  dcrId: string;
  stream: string;
  track: (signal: AbortSignal) => AttemptRecord;
  limit: <T>(fn: () => Promise<T>) => Promise<T>;
  deadlineMs: number;
  validate: boolean;
  stats: LogsIngestionSinkStats;
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
  const client = new LogsIngestionClient(
    options.endpoint,
    options.credential,
    clientOptions(options, maxAttempts, deadlineMs),
  );
  const counter = createAttemptCounter();
  client.pipeline.addPolicy(counter.policy, { afterPhase: 'Retry' });
  const sink: SinkContext = {
    client,
    dcrId: options.dcrId,
    stream,
    track: counter.track,
    limit: createLimiter(maxConcurrency),
    deadlineMs,
    validate: options.validate ?? true,
    stats: { writes: 0, requests: 0, attempts: 0, retries: 0, bisections: 0 },
  };
  return {
    client,
    stats: sink.stats,
    write: (rows, signal) => write(sink, rows, signal),
  };
}

/** One upload() call (one SDK chunk: one request and its retries) with its own signal, relayed from the write's. */
async function upload(
  sink: SinkContext,
  logs: Record<string, unknown>[],
  abort: WriteAbort,
): Promise<{ failures: LogsUploadFailure[]; record: AttemptRecord }> {
  const ownSignal = new AbortController();
  const relay = () => ownSignal.abort();
  abort.signal.addEventListener('abort', relay, { once: true });
  const record = sink.track(ownSignal.signal);
  const failures: LogsUploadFailure[] = [];
  try {
    await sink.client.upload(sink.dcrId, sink.stream, logs, {
      maxConcurrency: 1,
      abortSignal: ownSignal.signal,
      onError: (failure) => failures.push(failure),
    });
  } catch (error) {
    if (!isAggregateLogsUploadError(error)) throw error;
    if (failures.length === 0) failures.push(...error.errors);
  } finally {
    abort.signal.removeEventListener('abort', relay);
    if (record.attempts > 0) {
      sink.stats.requests++;
      sink.stats.attempts += record.attempts;
      sink.stats.retries += record.attempts - 1;
    }
  }
  return { failures, record };
}

/**
 * One write: rows prepared, cut into SDK chunks, uploaded within the deadline; every row ends accepted or
 * rejected (retryable or not), never lost in between.
 */
async function write(sink: SinkContext, rows: OtAlertsRow[], signal?: AbortSignal): Promise<SinkResult> {
  if (!Array.isArray(rows)) throw new TypeError('write(rows): rows must be an array');
  sink.stats.writes++;
  const accepted: number[] = [];
  const rejected: SinkRejection[] = [];
  let retries = 0;
  if (rows.length === 0) return { accepted, rejected, retries };
  const abort = new WriteAbort(sink.deadlineMs, signal);
  const prepared: PreparedRows = prepareRows(rows, sink.validate, rejected);

  const rejectAll = (positions: readonly number[], failure: UploadFailure) => {
    for (const p of positions) {
      const rejection: SinkRejection = {
        index: prepared.index[p] ?? -1,
        reason: failure.reason,
        retryable: failure.retryable,
      };
      if (failure.status !== undefined) rejection.status = failure.status;
      rejected.push(rejection);
    }
  };

  // One upload() call for one chunk; 400/413 chunks of several rows are halved until the bad rows stand alone.
  const sendChunk = async (positions: number[]): Promise<void> => {
    const outcome = await sink.limit(async () => {
      if (abort.aborted) return undefined;
      const sent = await upload(
        sink,
        positions.map((p) => prepared.rows[p] as Record<string, unknown>),
        abort,
      );
      retries += Math.max(0, sent.record.attempts - 1);
      return sent;
    });
    if (!outcome) {
      rejectAll(positions, { reason: `not sent: ${abort.abortReason}`, retryable: true });
      return;
    }
    const byObject = new Map<object, number>(positions.map((p) => [prepared.rows[p] as object, p]));
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
      const failure = describeFailure(cause, outcome.record, abort);
      if ((failure.status === 400 || failure.status === 413) && failedPositions.length > 1) {
        bisect.push(failedPositions);
      } else {
        rejectAll(failedPositions, failure);
      }
    }
    for (const p of positions) if (!failed.has(p)) accepted.push(prepared.index[p] ?? -1);
    await Promise.all(
      bisect.flatMap((group) => {
        sink.stats.bisections++;
        const half = Math.ceil(group.length / 2);
        return [sendChunk(group.slice(0, half)), sendChunk(group.slice(half))];
      }),
    );
  };

  try {
    await Promise.all(splitLikeSdk(prepared.sizes).map((chunk) => sendChunk(chunk)));
  } finally {
    abort.dispose();
  }
  accepted.sort((a, b) => a - b);
  rejected.sort((a, b) => a.index - b.index);
  return { accepted, rejected, retries };
}
