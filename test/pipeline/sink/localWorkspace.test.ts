import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import {
  createHttpHeaders,
  createPipelineRequest,
  type HttpClient,
  type PipelineRequest,
} from '@azure/core-rest-pipeline';
import { isAggregateLogsUploadError, LogsIngestionClient } from '@azure/monitor-ingestion';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createLocalWorkspace,
  dropTornTail,
  type LocalWorkspaceOptions,
} from '../../../pipeline/sink/localWorkspace.js';
import { createLogsIngestionSink } from '../../../pipeline/sink/logsIngestionSink.js';
import { STREAM_NAME } from '../../../pipeline/sink/schema.js';
import { fakeCredential, makeRow } from './fixtures.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ot-soc-ws-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Seen {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: Buffer;
}

/** The local workspace, with every request the real client sends captured on the way in. */
function workspace(options: Omit<LocalWorkspaceOptions, 'dir'> = {}) {
  const ws = createLocalWorkspace({ dir, ...options });
  const seen: Seen[] = [];
  const httpClient: HttpClient = {
    sendRequest(request: PipelineRequest) {
      seen.push({
        method: request.method,
        url: request.url,
        headers: request.headers.toJSON(),
        body: Buffer.from(request.body as Uint8Array),
      });
      return ws.httpClient.sendRequest(request);
    },
  };
  return { ws, seen, httpClient };
}

async function uploadError(client: LogsIngestionClient, dcrId: string, stream: string, rows: object[]) {
  try {
    await client.upload(dcrId, stream, rows as Record<string, unknown>[]);
  } catch (error) {
    if (isAggregateLogsUploadError(error))
      return error.errors[0]?.cause as Error & { statusCode?: number; code?: string };
    throw error;
  }
  throw new Error('upload did not fail');
}

describe('local workspace behind the real LogsIngestionClient', () => {
  it('stores rows in OTAlerts_CL.ndjson exactly as posted, over the real wire contract', async () => {
    const { ws, seen, httpClient } = workspace();
    const scopes: string[] = [];
    const client = new LogsIngestionClient(ws.endpoint, fakeCredential(scopes), { httpClient });
    const rows = Array.from({ length: 5 }, (_, i) => makeRow(i, { RemediationSteps: { steps: ['a', 'b'] } }));
    await client.upload(ws.dcrId, STREAM_NAME, rows);

    expect(ws.rowsWritten()).toEqual(rows);
    expect(ws.stats).toMatchObject({ requests: 1, rows: 5, statuses: { 204: 1 } });
    expect(scopes).toEqual(['https://monitor.azure.com/.default']);

    const [req] = seen;
    expect(req?.method).toBe('POST');
    const url = new URL(req?.url ?? '');
    expect(url.origin).toBe('https://local-workspace.ot-soc');
    expect(url.pathname).toBe(`/dataCollectionRules/${ws.dcrId}/streams/Custom-OTAlerts_CL`);
    expect(url.search).toBe('?api%2Dversion=2023-01-01'); // percent-encoded hyphen on the wire
    expect(new URLSearchParams(url.search).get('api-version')).toBe('2023-01-01');
    expect(req?.headers).toMatchObject({
      authorization: 'Bearer fake-token',
      'content-type': 'application/json',
      'content-encoding': 'gzip',
    });
    expect(req?.headers['x-ms-client-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(req?.body.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b])); // gzip magic
    const posted = gunzipSync(req?.body ?? Buffer.alloc(0)).toString('utf8');
    expect(posted).toBe(JSON.stringify(rows));
    expect(ws.stats.bytesJson).toBe(Buffer.byteLength(posted));
    expect(ws.stats.bytesGzip).toBe(req?.body.length);
  });

  it('splits 10,000 rows of ~300 B into ≥ 3 requests, each ≤ 1 MB compressed and uncompressed', async () => {
    const { ws, seen, httpClient } = workspace();
    const sink = createLogsIngestionSink({
      endpoint: ws.endpoint,
      dcrId: ws.dcrId,
      credential: fakeCredential(),
      httpClient,
    });
    const rows = Array.from({ length: 10_000 }, (_, i) => makeRow(i));
    const started = performance.now();
    const result = await sink.write(rows);
    const ms = performance.now() - started;

    expect(result.rejected).toEqual([]);
    expect(result.accepted).toHaveLength(10_000);
    expect(result.accepted[9_999]).toBe(9_999);
    expect(result.retries).toBe(0);
    expect(seen.length).toBeGreaterThanOrEqual(3);
    expect(ws.stats.requests).toBe(seen.length);
    for (const entry of ws.stats.log) {
      expect(entry.status).toBe(204);
      expect(entry.jsonBytes).toBeLessThanOrEqual(1_048_576);
      expect(entry.gzipBytes).toBeLessThanOrEqual(1_048_576);
    }
    const written = ws.rowsWritten();
    expect(written).toHaveLength(10_000);
    expect(new Set(written.map((r) => r.AlertId)).size).toBe(10_000);
    console.info(
      `[measure] 10,000 rows: ${seen.length} requests, rows ${ws.stats.log.map((l) => l.rows).join('/')}, ` +
        `json ${ws.stats.log.map((l) => l.jsonBytes).join('/')} B, gzip ${ws.stats.log.map((l) => l.gzipBytes).join('/')} B, ${ms.toFixed(0)} ms`,
    );
  });

  it('answers the service errors: unknown stream 404, bad api-version, invalid row 400, oversize 413', async () => {
    const { ws, httpClient } = workspace();
    const client = new LogsIngestionClient(ws.endpoint, fakeCredential(), { httpClient });
    const stream = await uploadError(client, ws.dcrId, 'Custom-Nope_CL', [makeRow(1)]);
    expect(stream).toMatchObject({ statusCode: 404, code: 'InvalidStream' });

    const dcr = await uploadError(client, 'dcr-other', STREAM_NAME, [makeRow(1)]);
    expect(dcr.statusCode).toBe(404);

    const invalid = await uploadError(client, ws.dcrId, STREAM_NAME, [
      makeRow(0),
      { ...makeRow(1), Revision: 'x' },
    ]);
    expect(invalid).toMatchObject({ statusCode: 400, code: 'InvalidArgument' });
    expect(invalid.message).toMatch(/^row 1: Revision: expected int/);

    const oldApi = new LogsIngestionClient(ws.endpoint, fakeCredential(), {
      httpClient,
      apiVersion: '2021-01-01',
    });
    expect((await uploadError(oldApi, ws.dcrId, STREAM_NAME, [makeRow(1)])).statusCode).toBe(400);

    // Incompressible 1.2 MB row: the SDK sends it alone and the workspace refuses it.
    const big = makeRow(2, {
      Description: Buffer.from(Array.from({ length: 900_000 }, () => Math.random() * 256)).toString('base64'),
    });
    const tooLarge = await uploadError(client, ws.dcrId, STREAM_NAME, [big]);
    expect(tooLarge).toMatchObject({ statusCode: 413, code: 'ContentLengthLimitExceeded' });

    expect(ws.rowsWritten()).toEqual([]);
    expect(ws.stats.statuses).toEqual({ 400: 2, 404: 2, 413: 1 });
  });

  it('refuses requests that break the wire contract (no gzip, no bearer, not JSON, not an array)', async () => {
    const ws = createLocalWorkspace({ dir });
    const url = `${ws.endpoint}/dataCollectionRules/${ws.dcrId}/streams/${STREAM_NAME}?api%2Dversion=2023-01-01`;
    const send = async (headers: Record<string, string>, body: Buffer | string) => {
      const request = createPipelineRequest({
        url,
        method: 'POST',
        headers: createHttpHeaders(headers),
        body,
      });
      const response = await ws.httpClient.sendRequest(request);
      return { status: response.status, body: JSON.parse(response.bodyAsText ?? '{}') };
    };
    const good = {
      authorization: 'Bearer t',
      'content-type': 'application/json',
      'content-encoding': 'gzip',
    };
    const rows = JSON.stringify([makeRow(1)]);
    expect((await send(good, gzipSync(rows))).status).toBe(204);
    expect((await send({ ...good, 'content-encoding': 'identity' }, rows)).status).toBe(400);
    expect((await send({ ...good, authorization: '' }, gzipSync(rows))).status).toBe(401);
    expect((await send({ ...good, 'content-type': 'text/plain' }, gzipSync(rows))).status).toBe(415);
    expect(await send(good, gzipSync('{"not":"array"}'))).toEqual({
      status: 400,
      body: { error: { code: 'InvalidArgument', message: 'body must be a JSON array' } },
    });
    expect((await send(good, gzipSync('[{'))).status).toBe(400);
    expect((await send(good, Buffer.from('not gzip'))).status).toBe(400);
    // 2 MB of zeros: tiny compressed, too big uncompressed.
    const zeros = gzipSync(`[${'0,'.repeat(1_000_000)}0]`);
    expect(zeros.length).toBeLessThan(10_000);
    expect(await send(good, zeros)).toMatchObject({
      status: 413,
      body: { error: { code: 'ContentLengthLimitExceeded' } },
    });
    expect(ws.rowsWritten()).toHaveLength(1);
  });
});

describe('LogsIngestionSink on the local workspace', () => {
  const sinkFor = (
    ws: ReturnType<typeof createLocalWorkspace>,
    extra: Partial<Parameters<typeof createLogsIngestionSink>[0]> = {},
  ) =>
    createLogsIngestionSink({
      endpoint: ws.endpoint,
      dcrId: ws.dcrId,
      credential: fakeCredential(),
      httpClient: ws.httpClient,
      retryDelayInMs: 5,
      maxRetryDelayInMs: 20,
      ...extra,
    });

  it('truncates > 64 KB fields before sending and stores the marker', async () => {
    const ws = createLocalWorkspace({ dir });
    const result = await sinkFor(ws).write([
      makeRow(0, {
        Description: 'd'.repeat(70_000),
        RemediationSteps: Array.from({ length: 800 }, () => 'r'.repeat(100)),
      }),
    ]);
    expect(result).toEqual({ accepted: [0], rejected: [], retries: 0 });
    const [stored] = ws.rowsWritten();
    expect(Buffer.byteLength(stored?.Description as string)).toBeLessThanOrEqual(65_536);
    expect(stored?.Description).toMatch(/…\[truncated \d+ bytes\]$/);
    expect(JSON.stringify(stored?.RemediationSteps).length).toBeLessThanOrEqual(65_536);
    expect((stored?.RemediationSteps as string[] | undefined)?.at(-1)).toMatch(/^…\[truncated/);
  });

  it('rejects invalid rows locally, sends the rest', async () => {
    const ws = createLocalWorkspace({ dir });
    const rows = [makeRow(0), { ...makeRow(1), Revision: 1.5 }, makeRow(2), { ...makeRow(3), Bogus: 1 }];
    const result = await sinkFor(ws).write(rows as never);
    expect(result.accepted).toEqual([0, 2]);
    expect(result.rejected).toEqual([
      { index: 1, reason: expect.stringMatching(/^invalid row: Revision: expected int/), retryable: false },
      { index: 3, reason: expect.stringMatching(/^invalid row: Bogus: unknown column/), retryable: false },
    ]);
    expect(ws.stats.requests).toBe(1);
  });

  it('with validation off, the service 400 is bisected down to the bad row', async () => {
    const ws = createLocalWorkspace({ dir });
    const rows = Array.from({ length: 64 }, (_, i) =>
      i === 41 ? { ...makeRow(i), Count: 'many' } : makeRow(i),
    );
    const sink = sinkFor(ws, { validate: false });
    const result = await sink.write(rows as never);
    expect(result.accepted).toHaveLength(63);
    expect(result.rejected).toEqual([
      {
        index: 41,
        status: 400,
        retryable: false,
        reason: expect.stringMatching(/^400 InvalidArgument: row 0: Count: expected long/),
      },
    ]);
    expect(ws.rowsWritten()).toHaveLength(63);
    expect(sink.stats.bisections).toBe(6); // 64 → 32 → 16 → 8 → 4 → 2 → 1
    expect(ws.stats.requests).toBe(13);
  });

  it('counts SDK retries of 429 (Retry-After) and 503 faults', async () => {
    const ws = createLocalWorkspace({
      dir,
      fault: (n) => (n === 1 ? { status: 429, retryAfter: 0 } : n === 2 ? 503 : undefined),
    });
    const result = await sinkFor(ws).write([makeRow(0), makeRow(1)]);
    expect(result).toEqual({ accepted: [0, 1], rejected: [], retries: 2 });
    expect(ws.stats.statuses).toEqual({ 204: 1, 429: 1, 503: 1 });
  });

  it('treats a 429 without Retry-After as a retryable rejection (the SDK does not retry it)', async () => {
    const ws = createLocalWorkspace({ dir, fault: () => 429 });
    const result = await sinkFor(ws).write([makeRow(0)]);
    expect(result.rejected).toEqual([
      { index: 0, status: 429, retryable: true, reason: expect.stringMatching(/^429 TooManyRequests/) },
    ]);
    expect(ws.stats.requests).toBe(1);
  });

  it('non-retryable statuses: 404 InvalidStream rejects the chunk without bisecting', async () => {
    const ws = createLocalWorkspace({ dir });
    const sink = sinkFor(ws, { stream: 'Custom-Wrong_CL' });
    const result = await sink.write([makeRow(0), makeRow(1)]);
    expect(result.accepted).toEqual([]);
    expect(result.rejected.map((r) => [r.index, r.status, r.retryable])).toEqual([
      [0, 404, false],
      [1, 404, false],
    ]);
    expect(result.rejected[0]?.reason).toMatch(/^404 InvalidStream: /);
    expect(sink.stats.bisections).toBe(0);
  });

  it('stops at the deadline: slow requests are rejected retryable, none lost', async () => {
    const ws = createLocalWorkspace({ dir, latencyMs: 5_000 });
    const sink = sinkFor(ws, { deadlineMs: 500, maxConcurrency: 1 });
    const rows = Array.from({ length: 4_000 }, (_, i) => makeRow(i)); // 2 chunks, the second never starts
    const started = performance.now();
    const result = await sink.write(rows);
    const ms = performance.now() - started;
    expect(ms).toBeLessThan(4_000); // bounded by the 500 ms deadline, not the 5 s the request would take
    expect(result.accepted).toEqual([]);
    expect(result.rejected).toHaveLength(4_000);
    expect(result.rejected.every((r) => r.retryable)).toBe(true);
    expect(result.rejected[0]?.reason).toBe(
      'deadline of 500 ms exceeded (request was sent, outcome unknown)',
    );
    expect(result.rejected[3_999]?.reason).toBe('not sent: deadline of 500 ms exceeded');
    expect(ws.stats.requests).toBeLessThanOrEqual(1); // the second chunk never started
  });

  it('caller abort: accepted + rejected always covers every row', async () => {
    const controller = new AbortController();
    // Abort while the second request is being served (maxConcurrency 1: chunks go one by one).
    const ws = createLocalWorkspace({ dir, fault: (n) => void (n === 2 && controller.abort()) });
    const sink = sinkFor(ws, { maxConcurrency: 1 });
    const rows = Array.from({ length: 10_000 }, (_, i) => makeRow(i));
    const result = await sink.write(rows, controller.signal);
    const covered = [...result.accepted, ...result.rejected.map((r) => r.index)].sort((a, b) => a - b);
    expect(covered).toEqual(rows.map((_, i) => i));
    expect(ws.stats.requests).toBe(2);
    // Chunk 1 accepted; chunk 2 was stored but the SDK reports its 204 as aborted; chunks 3–4 never sent.
    const written = ws.rowsWritten();
    expect(result.accepted).toHaveLength(ws.stats.log[0]?.rows ?? -1);
    expect(written).toHaveLength((ws.stats.log[0]?.rows ?? 0) + (ws.stats.log[1]?.rows ?? 0));
    const inFlight = result.rejected.filter((r) => /request was sent, outcome unknown/.test(r.reason));
    expect(inFlight).toHaveLength(ws.stats.log[1]?.rows ?? -1);
    expect(
      result.rejected.every((r) => r.retryable && /^(not sent: )?write aborted by caller/.test(r.reason)),
    ).toBe(true);
  });

  it('the same row object twice is written twice; non-objects are rejected; empty input sends nothing', async () => {
    const ws = createLocalWorkspace({ dir });
    const sink = sinkFor(ws);
    const row = makeRow(7);
    const result = await sink.write([row, row, null as never]);
    expect(result.accepted).toEqual([0, 1]);
    expect(result.rejected).toEqual([{ index: 2, reason: 'row is not a JSON object', retryable: false }]);
    expect(ws.rowsWritten()).toEqual([row, row]);
    expect(await sink.write([])).toEqual({ accepted: [], rejected: [], retries: 0 });
    expect(ws.stats.requests).toBe(1);
  });

  it('credential failures are per-row retryable rejections, not throws', async () => {
    const ws = createLocalWorkspace({ dir });
    const sink = createLogsIngestionSink({
      endpoint: ws.endpoint,
      dcrId: ws.dcrId,
      httpClient: ws.httpClient,
      credential: {
        getToken: async () => {
          throw Object.assign(new Error('no managed identity endpoint'), {
            name: 'CredentialUnavailableError',
          });
        },
      },
    });
    const result = await sink.write([makeRow(0)]);
    expect(result.rejected).toEqual([
      { index: 0, retryable: true, reason: 'CredentialUnavailableError: no managed identity endpoint' },
    ]);
    expect(ws.stats.requests).toBe(0);
  });
});

describe('dropTornTail (a run killed while appending)', () => {
  it('cuts the file after its last complete line, reading back past a torn line longer than one read', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ot-soc-torn-'));
    try {
      const file = join(dir, 'OTAlerts_CL.ndjson');
      const whole = '{"a":1}\n{"b":2}\n';
      await writeFile(file, `${whole}{"torn":"${'x'.repeat(100_000)}`);
      await dropTornTail(file);
      expect(await readFile(file, 'utf8')).toBe(whole);
      await dropTornTail(file); // complete: unchanged
      expect(await readFile(file, 'utf8')).toBe(whole);
      await writeFile(file, '{"only":"torn');
      await dropTornTail(file);
      expect(await readFile(file, 'utf8')).toBe('');
      await dropTornTail(join(dir, 'missing.ndjson')); // no file: nothing to do

      // A workspace opened over a torn file drops the fragment before its first append.
      await writeFile(file, `${whole}{"torn":`);
      const ws = createLocalWorkspace({ dir });
      const sink = createLogsIngestionSink({
        endpoint: ws.endpoint,
        dcrId: ws.dcrId,
        credential: fakeCredential(),
        httpClient: ws.httpClient,
      });
      expect((await sink.write([makeRow(1)])).accepted).toEqual([0]);
      const lines = (await readFile(file, 'utf8')).split('\n').filter(Boolean);
      expect(lines.map((l) => Object.keys(JSON.parse(l))[0])).toEqual(['a', 'b', 'TimeGenerated']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
