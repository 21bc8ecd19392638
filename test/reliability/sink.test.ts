/**
 * Faults of the Logs Ingestion API (the HTTPS loopback fake behind the real LogsIngestionClient): 429 with
 * Retry-After, 500s and an outage, timeouts (a hung service, and rows accepted whose answer never came back),
 * and 413. Part 1 of the fault-injection suite (issue 11); docs/failure-modes.md.
 */
import { describe, expect } from 'vitest';
import type { FakeRequestRecord } from '../helpers/fakeLogsIngestion.js';
import { defineSuite, deliver, note, plainBatches, type Scenario } from './runner.js';

/** A deterministic per-request coin (the same request number always lands the same way). */
const coin = (n: number, p: number) => ((Math.imul(n, 2654435761) >>> 0) % 10_000) / 10_000 < p;

/** For each 429, how long the client waited before sending that request again (same x-ms-client-request-id). */
function retryWaits(requests: readonly FakeRequestRecord[]): number[] {
  return requests
    .filter((r) => r.status === 429)
    .map((r) => {
      const again = requests.find(
        (x) => x.requestNumber > r.requestNumber && x.clientRequestId === r.clientRequestId,
      );
      return again ? again.at - r.at : Number.NaN;
    });
}

const scenarios: Scenario[] = [
  {
    name: 'no fault (control)',
    handling: '-',
    async run(world) {
      await deliver(world, await world.instance('a'), plainBatches(world));
    },
  },
  {
    name: 'sink 429 with Retry-After',
    handling: 'the SDK waits Retry-After (not capped) and sends again; then the batch commits',
    async run(world) {
      const throttled = new Set([7, 40]);
      world.fake.setBehavior(({ requestNumber }) =>
        throttled.has(requestNumber) ? { status: 429, retryAfter: 1 } : 204,
      );
      const a = await world.instance('a');
      await deliver(world, a, plainBatches(world));
      const waits = retryWaits(world.fake.requests);
      expect(waits).toHaveLength(2);
      for (const w of waits) expect(w).toBeGreaterThanOrEqual(950);
      note(world, 'throttled requests', waits.length);
      note(world, 'shortest wait ms', Math.round(Math.min(...waits)));
      note(world, 'sink retries', world.stats.total.sinkRetries);
    },
  },
  {
    name: 'sink 500s (15% of requests, and an outage)',
    handling:
      'exponential retry; a row still refused stays owed by its committed group and is sent again by the next batch or the flush timer',
    async run(world) {
      // 15% of all attempts fail; batches 40-47 meet an outage longer than the retries.
      world.fake.setBehavior(({ requestNumber }) =>
        (world.delivered >= 40 && world.delivered < 48) || coin(requestNumber, 0.15) ? 500 : 204,
      );
      await deliver(world, await world.instance('a'), plainBatches(world));
      note(world, 'sink retries', world.stats.total.sinkRetries);
      note(world, 'rows rejected', world.stats.total.rowsRejected);
      expect(world.stats.total.rowsRejected).toBeGreaterThan(0);
    },
  },
  {
    name: 'sink timeouts (hung; accepted but unanswered)',
    handling:
      'the write deadline aborts; the rows stay owed and are sent again identical (same AlertId, Revision, content)',
    async run(world) {
      // Batch 30: the service stores the rows but its answer comes after the deadline (lost).
      // Batch 60: the service hangs and stores nothing.
      world.fake.setBehavior(() =>
        world.delivered === 30
          ? { status: 204, delayMs: 4_000 }
          : world.delivered === 60
            ? { status: 500, delayMs: 4_000 }
            : 204,
      );
      const a = await world.instance('a', { sink: { deadlineMs: 1_000, retryDelayInMs: 10 } });
      await deliver(world, a, plainBatches(world));
      note(world, 'rows rejected', world.stats.total.rowsRejected);
      expect(world.stats.total.rowsRejected).toBeGreaterThan(0);
    },
  },
  {
    name: 'sink 413 (request too large)',
    handling: 'the sink halves a 413 chunk until the parts are accepted',
    async run(world) {
      // A service (or proxy) limit far below the SDK's 1 MB chunks: every write of more than 32 KB is refused.
      world.fake.setBehavior(({ jsonBytes }) =>
        jsonBytes > 32_000
          ? { status: 413, error: { code: 'ContentLengthLimitExceeded', message: 'too large' } }
          : 204,
      );
      const a = await world.instance('a');
      await deliver(world, a, plainBatches(world));
      note(world, 'chunks halved', a.sink.stats.bisections);
      expect(a.sink.stats.bisections).toBeGreaterThan(0);
    },
  },
];

describe('fault injection, Logs Ingestion API: every alert written once or dead-lettered with a reason', () => {
  defineSuite('sink', scenarios);
});
