import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { splitLikeSdk } from '../../../pipeline/sink/logsIngestion/sdkChunks.js';
import {
  createLogsIngestionSink,
  type LogsIngestionSinkOptions,
} from '../../../pipeline/sink/logsIngestionSink.js';
import {
  type FakeBehavior,
  type FakeLogsIngestion,
  generateSelfSignedCert,
  type SelfSignedCert,
  startFakeLogsIngestion,
} from '../../helpers/fakeLogsIngestion.js';
import { fakeCredential, makeRow } from './fixtures.js';

let tls: SelfSignedCert;
let fake: FakeLogsIngestion | undefined;

beforeAll(async () => {
  tls = await generateSelfSignedCert();
});
afterAll(async () => {
  await tls.cleanup();
});
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function start(behavior?: FakeBehavior) {
  fake = await startFakeLogsIngestion({ cert: tls.cert, key: tls.key, ...(behavior ? { behavior } : {}) });
  return fake;
}

function sinkFor(server: FakeLogsIngestion, extra: Partial<LogsIngestionSinkOptions> = {}) {
  return createLogsIngestionSink({
    endpoint: server.url,
    dcrId: server.dcrId,
    credential: fakeCredential(),
    tlsCa: tls.cert,
    retryDelayInMs: 20,
    maxRetryDelayInMs: 50,
    ...extra,
  });
}

const log = (message: string) => console.info(`[measure] ${message}`);

describe('LogsIngestionSink over real HTTPS (self-signed loopback)', () => {
  it('posts gzip JSON with a bearer token to the DCR stream path with api-version 2023-01-01', async () => {
    const server = await start();
    const rows = Array.from({ length: 3 }, (_, i) => makeRow(i));
    const result = await sinkFor(server).write(rows);
    expect(result).toEqual({ accepted: [0, 1, 2], rejected: [], retries: 0 });
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]).toMatchObject({
      method: 'POST',
      path: `/dataCollectionRules/${server.dcrId}/streams/Custom-OTAlerts_CL`,
      rawQuery: '?api%2Dversion=2023-01-01',
      apiVersion: '2023-01-01',
      authorization: 'Bearer fake-token',
      contentType: 'application/json',
      contentEncoding: 'gzip',
      rows: 3,
      status: 204,
    });
    expect(server.requests[0]?.gzipBytes).toBeLessThan(server.requests[0]?.jsonBytes ?? 0);
    expect(server.accepted).toEqual(rows);
  });

  it('429 with Retry-After: 1 then success: accepted, retry counted, the second attempt ≥ 1 s later', async () => {
    const server = await start(({ requestNumber }) =>
      requestNumber === 1 ? { status: 429, retryAfter: 1 } : 204,
    );
    const started = performance.now();
    const result = await sinkFor(server).write([makeRow(0), makeRow(1)]);
    const ms = performance.now() - started;
    expect(result).toEqual({ accepted: [0, 1], rejected: [], retries: 1 });
    expect(server.requests.map((r) => r.status)).toEqual([429, 204]);
    const gap = (server.requests[1]?.at ?? 0) - (server.requests[0]?.at ?? 0);
    expect(gap).toBeGreaterThanOrEqual(990);
    expect(gap).toBeLessThan(4_000);
    // Same request retried, not a new one.
    expect(server.requests[1]?.clientRequestId).toBe(server.requests[0]?.clientRequestId);
    log(`429+Retry-After:1 → 2 requests, gap ${gap.toFixed(0)} ms, write ${ms.toFixed(0)} ms`);
  });

  it('500 forever: every row rejected retryable after maxAttempts, in bounded time', async () => {
    const server = await start(() => ({
      status: 500,
      error: { code: 'InternalServerError', message: 'boom' },
    }));
    const rows = Array.from({ length: 10 }, (_, i) => makeRow(i));
    const started = performance.now();
    const result = await sinkFor(server, { maxAttempts: 4 }).write(rows);
    const ms = performance.now() - started;
    expect(result.accepted).toEqual([]);
    expect(result.retries).toBe(3);
    expect(result.rejected).toHaveLength(10);
    for (const r of result.rejected) {
      expect(r).toMatchObject({ status: 500, retryable: true, reason: '500 InternalServerError: boom' });
    }
    expect(server.requests).toHaveLength(4);
    expect(ms).toBeLessThan(4_000); // the SDK's default backoff would take ~7 s
    log(
      `500 forever, maxAttempts 4, delays 20–50 ms → ${server.requests.length} requests, ${ms.toFixed(0)} ms`,
    );
  });

  it('500 forever with the default 5 attempts stays inside a short deadline', async () => {
    const server = await start(() => 500);
    const started = performance.now();
    const result = await sinkFor(server, {
      retryDelayInMs: 600,
      maxRetryDelayInMs: 1_200,
      deadlineMs: 500,
    }).write([makeRow(0)]);
    const ms = performance.now() - started;
    // Without the 500 ms deadline the delays alone add to 4.2 s (3.3 s at the least jitter): room for a loaded machine.
    expect(ms).toBeLessThan(2_500);
    expect(result.rejected).toEqual([
      {
        index: 0,
        status: 500,
        retryable: true,
        reason: 'deadline of 500 ms exceeded (request was sent, outcome unknown, last response 500)',
      },
    ]);
    expect(server.requests.length).toBeLessThan(5);
    log(`500 forever, deadline 500 ms → ${server.requests.length} requests, ${ms.toFixed(0)} ms`);
  });

  it('one poison row among 1,000: bisected out, 999 accepted, 1 rejected with the service reason', async () => {
    const server = await start(({ rows }) =>
      rows.some((r) => r.Zone === 'POISON')
        ? { status: 400, error: { code: 'InvalidArgument', message: 'row contains forbidden marker' } }
        : 204,
    );
    const rows = Array.from({ length: 1_000 }, (_, i) => makeRow(i, i === 637 ? { Zone: 'POISON' } : {}));
    const sink = sinkFor(server);
    const started = performance.now();
    const result = await sink.write(rows);
    const ms = performance.now() - started;
    expect(result.accepted).toHaveLength(999);
    expect(result.accepted).not.toContain(637);
    expect(result.rejected).toEqual([
      {
        index: 637,
        status: 400,
        retryable: false,
        reason: '400 InvalidArgument: row contains forbidden marker',
      },
    ]);
    expect(result.retries).toBe(0);
    expect(server.accepted).toHaveLength(999);
    expect(new Set(server.accepted.map((r) => r.AlertId)).size).toBe(999);
    const failed = server.requests.filter((r) => r.status === 400).length;
    expect(failed).toBe(11); // 1000 → 500 → 250 → 125 → 63 → 32 → 16 → 8 → 4 → 2 → 1
    expect(sink.stats.bisections).toBe(10);
    log(`poison 1/1,000 → ${server.requests.length} requests (${failed} × 400), ${ms.toFixed(0)} ms`);
  });

  it('413 for one oversized row: that row rejected with the reason, its neighbours accepted', async () => {
    const server = await start();
    // 20 string columns of 60 KB of random base64: ~1.2 MB of JSON even after the 64 KB truncation.
    const huge = makeRow(1, {
      Description: randomBytes(45_000).toString('base64'),
      AlertTitle: randomBytes(45_000).toString('base64'),
      RowReason: randomBytes(45_000).toString('base64'),
      Engine: randomBytes(45_000).toString('base64'),
      Category: randomBytes(45_000).toString('base64'),
      Severity: randomBytes(45_000).toString('base64'),
      OriginalSeverity: randomBytes(45_000).toString('base64'),
      Status: randomBytes(45_000).toString('base64'),
      Protocol: randomBytes(45_000).toString('base64'),
      SourceIP: randomBytes(45_000).toString('base64'),
      SourceMAC: randomBytes(45_000).toString('base64'),
      SourceName: randomBytes(45_000).toString('base64'),
      DestinationIP: randomBytes(45_000).toString('base64'),
      DestinationMAC: randomBytes(45_000).toString('base64'),
      DestinationName: randomBytes(45_000).toString('base64'),
      Site: randomBytes(45_000).toString('base64'),
      Zone: randomBytes(45_000).toString('base64'),
      AttackMapping: randomBytes(45_000).toString('base64'),
      KeyVersion: randomBytes(45_000).toString('base64'),
      GroupKey: randomBytes(45_000).toString('base64'),
    });
    expect(JSON.stringify(huge).length).toBeGreaterThan(1_048_576);
    const result = await sinkFor(server).write([makeRow(0), huge, makeRow(2)]);
    expect(result.accepted).toEqual([0, 2]);
    expect(result.rejected).toEqual([
      {
        index: 1,
        status: 413,
        retryable: false,
        reason: expect.stringMatching(
          /^413 ContentLengthLimitExceeded: request \d+ B \(gzip \d+ B\) exceeds 1 MB$/,
        ),
      },
    ]);
    expect(server.requests.map((r) => r.status).sort()).toEqual([204, 204, 413]);
  });

  it('trusts only the given CA: without tlsCa the self-signed server is refused (retryable)', async () => {
    const server = await start();
    const sink = createLogsIngestionSink({
      endpoint: server.url,
      dcrId: server.dcrId,
      credential: fakeCredential(),
      maxAttempts: 1,
    });
    const result = await sink.write([makeRow(0)]);
    expect(result.accepted).toEqual([]);
    expect(result.rejected[0]).toMatchObject({ index: 0, retryable: true });
    expect(result.rejected[0]?.reason).toMatch(/self.signed certificate/i);
    expect(server.requests).toHaveLength(0);
  });

  it('splitLikeSdk matches the SDK chunking (one upload call = one request)', async () => {
    const server = await start();
    const rows = Array.from({ length: 7_000 }, (_, i) => makeRow(i));
    const sizes = rows.map((r) => Buffer.byteLength(JSON.stringify(r)));
    const expected = splitLikeSdk(sizes).map((c) => c.length);
    await sinkFor(server).write(rows);
    expect(server.requests.map((r) => r.rows).sort()).toEqual([...expected].sort());
  });
});
