import { describe, expect, it } from 'vitest';
import type { AlertSink, SinkResult } from '../../../pipeline/sink/alertSink.js';
import { coalescingSink } from '../../../pipeline/sink/coalescingSink.js';
import type { OtAlertsRow } from '../../../pipeline/sink/schema.js';
import { makeRow } from './fixtures.js';

/** A sink that records each write's rows and refuses (for good) the rows whose AlertId ends in `-bad`. */
function recordingSink(): AlertSink & { writes: string[][] } {
  const writes: string[][] = [];
  return {
    writes,
    async write(rows: OtAlertsRow[]): Promise<SinkResult> {
      writes.push(rows.map((r) => r.AlertId));
      await new Promise((r) => setTimeout(r, 5));
      const accepted: number[] = [];
      const rejected: SinkResult['rejected'] = [];
      rows.forEach((r, index) => {
        if (r.AlertId.endsWith('-bad'))
          rejected.push({ index, reason: 'bad', status: 400, retryable: false });
        else accepted.push(index);
      });
      return { accepted, rejected, retries: 2 };
    },
  };
}

const rows = (...ids: string[]) => ids.map((id, i) => makeRow(i, { AlertId: id }));

describe('coalescingSink', () => {
  it('merges the writes of one turn, and those made while a write is in flight, in call order', async () => {
    const inner = recordingSink();
    const sink = coalescingSink(inner);
    const first = [sink.write(rows('a1', 'a2')), sink.write(rows('b1'))];
    await new Promise((r) => setTimeout(r, 1)); // the first merged write is now in flight
    const later = [sink.write(rows('c1')), sink.write(rows('d1', 'd2'))];
    await Promise.all([...first, ...later]);
    expect(inner.writes).toEqual([
      ['a1', 'a2', 'b1'],
      ['c1', 'd1', 'd2'],
    ]);
  });

  it('answers each caller for its own rows, indices relative to them; retries counted once per write', async () => {
    const sink = coalescingSink(recordingSink());
    const [a, b] = await Promise.all([
      sink.write(rows('a1', 'a-bad', 'a3')),
      sink.write(rows('b-bad', 'b2')),
    ]);
    expect(a).toEqual({
      accepted: [0, 2],
      rejected: [{ index: 1, reason: 'bad', status: 400, retryable: false }],
      retries: 2,
    });
    expect(b).toEqual({
      accepted: [1],
      rejected: [{ index: 0, reason: 'bad', status: 400, retryable: false }],
      retries: 0,
    });
  });

  it('a failing write fails each of its callers; the next write goes on', async () => {
    let calls = 0;
    const sink = coalescingSink({
      async write(r) {
        if (calls++ === 0) throw new Error('down');
        return { accepted: r.map((_, i) => i), rejected: [], retries: 0 };
      },
    });
    const failed = await Promise.allSettled([sink.write(rows('a')), sink.write(rows('b'))]);
    expect(failed.map((f) => f.status)).toEqual(['rejected', 'rejected']);
    expect(await sink.write(rows('c'))).toEqual({ accepted: [0], rejected: [], retries: 0 });
  });

  it('a write with a signal, or without rows, is passed through alone', async () => {
    const inner = recordingSink();
    const sink = coalescingSink(inner);
    await Promise.all([sink.write(rows('a'), new AbortController().signal), sink.write(rows('b'))]);
    await sink.write([]);
    expect(inner.writes).toEqual([['a'], ['b'], []]);
  });
});
