import {
  createEmptyPipeline,
  createHttpHeaders,
  createPipelineRequest,
  type HttpClient,
  type HttpMethods,
  type PipelinePolicy,
  type PipelineResponse,
  RestError,
  type RetryStrategy,
  retryPolicy,
} from '@azure/core-rest-pipeline';
import { DownstreamError, type DownstreamService } from './errors.js';
import { redactSecrets } from './redact.js';

/** The slice of `fetch` the playbooks use; tests pass an in-process fake that honours the real contracts. */
export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

export type Sleep = (ms: number) => Promise<void>;
export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export interface RetryOptions {
  /** Total attempts including the first (default 4). */
  maxAttempts?: number;
  /** A Retry-After longer than this is not waited for in-process: the error goes back to the shim (default 30 s). */
  maxWaitMs?: number;
  /** First backoff for 5xx/network errors without Retry-After (default 500 ms, doubled each time). */
  baseDelayMs?: number;
  sleep?: Sleep;
  /**
   * False for a request that creates something (a ticket POST, a card post): a 5xx, a timeout or a dropped
   * connection may come after the write succeeded, so it is never repeated here; it ends in an `uncertain`
   * DownstreamError and the caller looks the result up before trying again. Only a refusal that proves nothing
   * was written (429, a refused connection) is retried. Default true.
   */
  idempotent?: boolean;
}

export interface HttpDeps {
  fetch: FetchLike;
  sleep?: Sleep;
  retry?: Omit<RetryOptions, 'sleep'>;
}

/**
 * Retry-After in ms from `retry-after-ms`/`x-ms-retry-after-ms` (ARM), `Retry-After` seconds or an HTTP date.
 * Undefined when the response gives no hint.
 */
export function retryAfterMs(headers: HeaderReader, now = Date.now()): number | undefined {
  for (const name of ['retry-after-ms', 'x-ms-retry-after-ms']) {
    const v = Number(headers.get(name));
    if (headers.get(name) && Number.isFinite(v) && v >= 0) return v;
  }
  const ra = headers.get('retry-after');
  if (!ra) return undefined;
  const seconds = Number(ra);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(ra);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** `Headers` (fetch) and `HttpHeaders` (core-rest-pipeline) alike. */
interface HeaderReader {
  get(name: string): string | null | undefined;
}

const TRANSIENT = new Set([408, 429, 500, 502, 503, 504]);

/** The network error code of a failed fetch (undici puts it on `cause`). */
function networkCode(e: unknown): string | undefined {
  return (e as { cause?: { code?: string }; code?: string })?.cause?.code ?? (e as { code?: string })?.code;
}

/** A network error that proves the request never reached the server (nothing can have been written). */
function neverSent(code: string | undefined): boolean {
  return code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN';
}

/**
 * One HTTP call with the retries every downstream here needs, as a core-rest-pipeline `retryPolicy` with one
 * strategy (`downstreamRetry`): 429 waits exactly what Retry-After says (the services count early retries
 * against us), 5xx and network errors back off exponentially. A wait longer than `maxWaitMs`, or retries
 * exhausted, ends in a `throttled`/`unavailable` DownstreamError carrying the wait, so the Function can answer
 * 503 + Retry-After and let the Logic App retry later instead of holding the request. Other statuses are
 * returned to the caller, which knows what they mean for its service.
 *
 * The caller's `fetch` is the pipeline's HttpClient (the fakes of the tests, the runtime's fetch in Azure) and
 * the strategy's waits are slept by `options.sleep` (the policy's own timer is given 0), so tests see them.
 */
export async function fetchWithRetry(
  service: DownstreamService,
  fetch: FetchLike,
  url: string,
  init: RequestInit,
  options: RetryOptions = {},
): Promise<Response> {
  const sleep = options.sleep ?? realSleep;
  const responses = new WeakMap<PipelineResponse, Response>();
  let pendingWait: number | undefined;
  const client: HttpClient = {
    async sendRequest(request) {
      let res: Response;
      try {
        res = await fetch(url, init);
      } catch (e) {
        const message = redactSecrets(String((e as Error)?.message ?? e));
        throw new RestError(message, { code: networkCode(e) ?? RestError.REQUEST_SEND_ERROR, request });
      }
      const headers = createHttpHeaders(Object.fromEntries(res.headers));
      const response: PipelineResponse = { request, status: res.status, headers };
      responses.set(response, res);
      return response;
    },
  };
  const pace: PipelinePolicy = {
    name: 'downstreamPace',
    async sendRequest(request, next) {
      const ms = pendingWait;
      pendingWait = undefined;
      if (ms !== undefined) await sleep(ms);
      return next(request);
    },
  };
  const discard = (r: PipelineResponse | undefined): void => {
    const res = r && responses.get(r);
    res?.body?.cancel().catch(() => {});
  };
  const strategy = downstreamRetry(service, options, discard, (ms) => {
    pendingWait = ms;
  });
  const pipeline = createEmptyPipeline();
  // The strategy decides when to stop (its DownstreamErrors); the policy's own limit is never reached first.
  pipeline.addPolicy(retryPolicy([strategy], { maxRetries: options.maxAttempts ?? 4 }));
  pipeline.addPolicy(pace);
  // The pipeline request only carries the URL and method (for the SDK's log): `client` sends the caller's `init`.
  const method = (init.method ?? 'GET').toUpperCase() as HttpMethods;
  const response = await pipeline.sendRequest(client, createPipelineRequest({ url, method }));
  return responses.get(response)!;
}

/**
 * The retry rules as a core-rest-pipeline RetryStrategy: a non-transient status is returned as is; a transient
 * answer to a non-idempotent request (other than 429 or a refused connection) is `uncertain`; otherwise wait the
 * Retry-After hint or `base·2^retry`, unless that is over `maxWaitMs` or the attempts are spent.
 */
function downstreamRetry(
  service: DownstreamService,
  options: RetryOptions,
  discard: (response: PipelineResponse | undefined) => void,
  waitBeforeNext: (ms: number) => void,
): RetryStrategy {
  const maxAttempts = options.maxAttempts ?? 4;
  const maxWaitMs = options.maxWaitMs ?? 30_000;
  const base = options.baseDelayMs ?? 500;
  return {
    name: 'downstreamRetry',
    retry({ retryCount, response, responseError }) {
      if (response && !responseError && !TRANSIENT.has(response.status)) return { skipStrategy: true };
      const attempt = retryCount + 1;
      const status = responseError ? undefined : response?.status;
      const what = status !== undefined ? `HTTP ${status}` : `network error: ${responseError?.message ?? ''}`;
      const hinted = response && status !== undefined ? retryAfterMs(response.headers) : undefined;
      discard(response);
      if (
        options.idempotent === false &&
        (status !== undefined ? status !== 429 : !neverSent(responseError?.code))
      )
        throw new DownstreamError(
          service,
          'uncertain',
          `${service} gave no clear answer (${what}): the write may or may not have happened, so it is not repeated blindly`,
          status,
          hinted,
        );
      const wait = hinted ?? base * 2 ** retryCount;
      if (attempt >= maxAttempts || wait > maxWaitMs) {
        const throttled = status === 429;
        throw new DownstreamError(
          service,
          throttled ? 'throttled' : 'unavailable',
          `${service} ${throttled ? 'throttled the request' : 'is unavailable'} (${what}) after ${attempt} attempt(s)`,
          status,
          wait,
        );
      }
      waitBeforeNext(wait);
      return { retryAfterInMs: 0 };
    },
  };
}

/** The response body as JSON, or undefined when it is empty or not JSON (error pages). */
export async function jsonOf(res: Response): Promise<unknown> {
  const text = await res.text();
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** A short, single-line excerpt of an error body for messages (never a whole HTML page). */
export function excerpt(value: unknown, max = 300): string {
  const s = typeof value === 'string' ? value : JSON.stringify(value ?? '');
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > max ? `${one.slice(0, max)}…` : one;
}
