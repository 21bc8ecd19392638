/**
 * The retry rules of the playbooks' HTTP calls (playbooks/http.ts): what is retried, how long it waits, and
 * what a non-idempotent write does after an ambiguous answer. The service is a scripted `fetch`.
 */
import { describe, expect, it } from 'vitest';
import { DownstreamError } from '../../playbooks/errors.js';
import { type FetchLike, fetchWithRetry, type RetryOptions } from '../../playbooks/http.js';
import { recordingSleep } from '../helpers/fakeFetch.js';

type Step = number | [number, Record<string, string>] | Error;

/** Answers each call with the next step: a status (with headers) or a thrown network error. */
function scripted(...steps: Step[]): FetchLike & { calls: number } {
  const fn = Object.assign(
    async (): Promise<Response> => {
      const step = steps[Math.min(fn.calls, steps.length - 1)]!;
      fn.calls++;
      if (step instanceof Error) throw step;
      const [status, headers] = typeof step === 'number' ? [step, {}] : step;
      return new Response(JSON.stringify({ status }), { status, headers });
    },
    { calls: 0 },
  );
  return fn;
}

/** A fetch failure as undici reports it: `TypeError('fetch failed')` with the system error as its cause. */
const networkError = (code: string) =>
  Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error(code), { code }) });

async function call(fetch: FetchLike, options: RetryOptions = {}) {
  const sleep = recordingSleep();
  const result = await fetchWithRetry(
    'servicenow',
    fetch,
    'https://x.example/api',
    { method: 'POST' },
    {
      ...options,
      sleep,
    },
  ).catch((e: unknown) => e);
  return { result, waits: sleep.waits };
}

describe('fetchWithRetry', () => {
  it('returns a non-transient status at once (4xx are the caller’s to interpret)', async () => {
    const fetch = scripted(404);
    const { result, waits } = await call(fetch);
    expect((result as Response).status).toBe(404);
    expect(fetch.calls).toBe(1);
    expect(waits).toEqual([]);
  });

  it('idempotent: 5xx and network errors back off exponentially, then the answer is returned', async () => {
    const fetch = scripted(503, networkError('ECONNRESET'), 500, 200);
    const { result, waits } = await call(fetch);
    expect((result as Response).status).toBe(200);
    expect(waits).toEqual([500, 1000, 2000]);
  });

  it('429 waits exactly what Retry-After says (seconds, ms headers, HTTP date)', async () => {
    const date = new Date(Date.now() + 60_000).toUTCString();
    const fetch = scripted(
      [429, { 'retry-after': '3' }],
      [429, { 'retry-after-ms': '1500' }],
      [503, { 'x-ms-retry-after-ms': '0' }],
      [429, { 'retry-after': date }],
      200,
    );
    const { result, waits } = await call(fetch, { maxAttempts: 5, maxWaitMs: 120_000 });
    expect((result as Response).status).toBe(200);
    expect(waits.slice(0, 3)).toEqual([3000, 1500, 0]);
    expect(waits[3]).toBeGreaterThan(50_000);
  });

  it('retries spent: unavailable, with the next wait as Retry-After for the Logic App', async () => {
    const fetch = scripted(502);
    const { result, waits } = await call(fetch, { maxAttempts: 3 });
    expect(result).toBeInstanceOf(DownstreamError);
    expect(result).toMatchObject({ code: 'unavailable', status: 502, retryAfterMs: 2000 });
    expect((result as Error).message).toMatch(/HTTP 502\) after 3 attempt/);
    expect(fetch.calls).toBe(3);
    expect(waits).toEqual([500, 1000]);
  });

  it('a Retry-After over maxWaitMs is not waited for: throttled at once, carrying the wait', async () => {
    const fetch = scripted([429, { 'retry-after': '120' }]);
    const { result, waits } = await call(fetch);
    expect(result).toMatchObject({ code: 'throttled', status: 429, retryAfterMs: 120_000 });
    expect(fetch.calls).toBe(1);
    expect(waits).toEqual([]);
  });

  it('non-idempotent: a 5xx or a dropped connection is uncertain and never repeated', async () => {
    for (const step of [500, 504, [503, { 'retry-after': '2' }] as Step, networkError('ECONNRESET')]) {
      const fetch = scripted(step, 201);
      const { result, waits } = await call(fetch, { idempotent: false });
      expect(result).toMatchObject({ code: 'uncertain' });
      expect(fetch.calls).toBe(1);
      expect(waits).toEqual([]);
    }
    const { result } = await call(scripted([503, { 'retry-after': '2' }]), { idempotent: false });
    expect(result).toMatchObject({ status: 503, retryAfterMs: 2000 });
  });

  it('non-idempotent: 429 and a refused connection prove nothing was written, so they are retried', async () => {
    const fetch = scripted([429, { 'retry-after': '1' }], networkError('ECONNREFUSED'), 201);
    const { result, waits } = await call(fetch, { idempotent: false });
    expect((result as Response).status).toBe(201);
    expect(waits).toEqual([1000, 1000]);
  });

  it('a network error message keeps no URL query (signatures) in the DownstreamError', async () => {
    const fetch = async (url: string): Promise<Response> => {
      throw new Error(`request to ${url} failed`);
    };
    const e = await fetchWithRetry(
      'teams',
      fetch,
      'https://h.example/invoke?sig=SECRET-SIG',
      { method: 'GET' },
      { maxAttempts: 1 },
    ).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'unavailable' });
    expect((e as Error).message).not.toContain('SECRET-SIG');
  });
});
