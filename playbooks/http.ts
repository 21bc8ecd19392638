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
export function retryAfterMs(headers: Headers, now = Date.now()): number | undefined {
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

const TRANSIENT = new Set([408, 429, 500, 502, 503, 504]);

/** A network error that proves the request never reached the server (nothing can have been written). */
function neverSent(e: unknown): boolean {
  const code =
    (e as { cause?: { code?: string }; code?: string })?.cause?.code ?? (e as { code?: string })?.code;
  return code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN';
}

/**
 * One HTTP call with the retries every downstream here needs: 429 waits exactly what Retry-After says (the
 * services count early retries against us), 5xx and network errors back off exponentially. A wait longer than
 * `maxWaitMs`, or retries exhausted, ends in a `throttled`/`unavailable` DownstreamError carrying the wait, so
 * the Function can answer 503 + Retry-After and let the Logic App retry later instead of holding the request.
 * Other statuses are returned to the caller, which knows what they mean for its service.
 */
export async function fetchWithRetry(
  service: DownstreamService,
  fetch: FetchLike,
  url: string,
  init: RequestInit,
  options: RetryOptions = {},
): Promise<Response> {
  const maxAttempts = options.maxAttempts ?? 4;
  const maxWaitMs = options.maxWaitMs ?? 30_000;
  const base = options.baseDelayMs ?? 500;
  const sleep = options.sleep ?? realSleep;
  for (let attempt = 1; ; attempt++) {
    let res: Response | undefined;
    let networkError: unknown;
    try {
      res = await fetch(url, init);
    } catch (e) {
      networkError = e;
    }
    if (res && !TRANSIENT.has(res.status)) return res;
    if (options.idempotent === false && (res ? res.status !== 429 : !neverSent(networkError))) {
      await res?.body?.cancel().catch(() => {});
      const what = res
        ? `HTTP ${res.status}`
        : `network error: ${redactSecrets(String((networkError as Error)?.message ?? networkError))}`;
      throw new DownstreamError(
        service,
        'uncertain',
        `${service} gave no clear answer (${what}): the write may or may not have happened, so it is not repeated blindly`,
        res?.status,
        res ? retryAfterMs(res.headers) : undefined,
      );
    }
    const hinted = res ? retryAfterMs(res.headers) : undefined;
    const wait = hinted ?? base * 2 ** (attempt - 1);
    if (attempt >= maxAttempts || wait > maxWaitMs) {
      await res?.body?.cancel().catch(() => {});
      const throttled = res?.status === 429;
      const what = res
        ? `HTTP ${res.status}`
        : `network error: ${redactSecrets(String((networkError as Error)?.message ?? networkError))}`;
      throw new DownstreamError(
        service,
        throttled ? 'throttled' : 'unavailable',
        `${service} ${throttled ? 'throttled the request' : 'is unavailable'} (${what}) after ${attempt} attempt(s)`,
        res?.status,
        wait,
      );
    }
    await res?.body?.cancel().catch(() => {});
    await sleep(wait);
  }
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
