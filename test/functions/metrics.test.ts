import { type Meter, type MeterProvider, metrics } from '@opentelemetry/api';
import { afterAll, describe, expect, it } from 'vitest';
import { recordBatchMetrics } from '../../functions/metrics.js';
import { emptyStats } from '../../pipeline/pipeline.js';

/** A MeterProvider that records counter additions: enough of the OpenTelemetry API contract for this. */
function recordingProvider(seen: { name: string; value: number; attrs: unknown }[]): MeterProvider {
  const meter = {
    createCounter: (name: string) => ({
      add: (value: number, attrs: unknown) => seen.push({ name, value, attrs }),
    }),
  } as unknown as Meter;
  return { getMeter: () => meter };
}

afterAll(() => metrics.disable());

describe('batch metrics', () => {
  it('are OpenTelemetry counters per partition, only for non-zero counts', () => {
    const seen: { name: string; value: number; attrs: unknown }[] = [];
    metrics.setGlobalMeterProvider(recordingProvider(seen));
    recordBatchMetrics({ ...emptyStats(), events: 100, parsed: 98, deadLettered: 2, rowsWritten: 7 }, '3');
    expect(seen).toEqual([
      { name: 'otsoc.events', value: 100, attrs: { partition: '3' } },
      { name: 'otsoc.parsed', value: 98, attrs: { partition: '3' } },
      { name: 'otsoc.deadLettered', value: 2, attrs: { partition: '3' } },
      { name: 'otsoc.rowsWritten', value: 7, attrs: { partition: '3' } },
    ]);
  });
});
