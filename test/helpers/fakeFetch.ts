/**
 * In-process HTTP for the playbook tests: each fake service implements the documented wire contract of one
 * host (status codes, bodies, headers) behind a `fetch`-compatible function, so the product's real clients
 * (URL building, headers, retries, error mapping) run unchanged. No sockets, deterministic, fast.
 */
import type { TokenCredential } from '@azure/core-auth';
import type { FetchLike } from '../../playbooks/http.js';

export interface FakeRequest {
  method: string;
  url: URL;
  headers: Headers;
  body: string;
  json<T = unknown>(): T;
}

export interface FakeService {
  /** True when this fake owns the URL's host. */
  handles(url: URL): boolean;
  handle(req: FakeRequest): Response | Promise<Response>;
}

export interface RecordedRequest {
  method: string;
  url: string;
  body: string;
  authorization: string | null;
}

export const json = (status: number, body: unknown, headers: Record<string, string> = {}): Response =>
  new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });

/** Routes by host to the fakes; an unknown host is a network error, as in real life. Records every request. */
export function fakeFetch(...services: FakeService[]): FetchLike & { requests: RecordedRequest[] } {
  const requests: RecordedRequest[] = [];
  const fn = async (input: string, init: RequestInit): Promise<Response> => {
    const url = new URL(input);
    const headers = new Headers(init.headers);
    const body = typeof init.body === 'string' ? init.body : init.body ? String(init.body) : '';
    const method = (init.method ?? 'GET').toUpperCase();
    requests.push({ method, url: url.toString(), body, authorization: headers.get('authorization') });
    const service = services.find((s) => s.handles(url));
    if (!service) throw new TypeError(`fetch failed: getaddrinfo ENOTFOUND ${url.hostname}`);
    return service.handle({
      method,
      url,
      headers,
      body,
      json: <T>() => JSON.parse(body) as T,
    });
  };
  return Object.assign(fn, { requests });
}

/** A credential that hands out a fixed token per scope and remembers the scopes asked for. */
export function fakeCredential(): TokenCredential & { scopes: string[] } {
  const scopes: string[] = [];
  return {
    scopes,
    async getToken(scope) {
      const s = Array.isArray(scope) ? scope.join(' ') : scope;
      scopes.push(s);
      return { token: `token-for-${s.split('/')[2] ?? 'x'}`, expiresOnTimestamp: Date.now() + 3_600_000 };
    },
  };
}

/** A sleep that returns at once and records how long the caller wanted to wait. */
export function recordingSleep(): ((ms: number) => Promise<void>) & { waits: number[] } {
  const waits: number[] = [];
  return Object.assign(
    async (ms: number) => {
      waits.push(ms);
    },
    { waits },
  );
}

/** N queued 429s with Retry-After (seconds) before normal service: shared by the fakes. */
export class Throttle {
  #pending = 0;
  #seconds = 1;
  next(count: number, retryAfterSeconds = 1): void {
    this.#pending = count;
    this.#seconds = retryAfterSeconds;
  }
  take(
    body: unknown = { error: { code: 'TooManyRequests', message: 'Rate limit exceeded' } },
  ): Response | undefined {
    if (this.#pending <= 0) return undefined;
    this.#pending--;
    return json(429, body, { 'retry-after': String(this.#seconds) });
  }
}
