import { describe, expect, it } from 'vitest';
import { originKey } from '../../../pipeline/deadletter/letters.js';
import { MemoryDeadLetterStore } from '../../../pipeline/deadletter/memoryDeadLetterStore.js';
import {
  pipelineRedriver,
  type RedriveBatchMeta,
  redrive,
  redriveBatches,
} from '../../../pipeline/deadletter/redrive.js';
import { DEFAULT_KEY_SPEC } from '../../../pipeline/dedup/keySpec.js';
import { MemoryGroupStore } from '../../../pipeline/dedup/memoryGroupStore.js';
import { createEnricher } from '../../../pipeline/enrich/enricher.js';
import type { OtAlert } from '../../../pipeline/model/alert.js';
import {
  type BatchMeta,
  emptyStats,
  flushGroups,
  type PipelineDeps,
  processBatch,
} from '../../../pipeline/pipeline.js';
import { RecordingSink } from '../../helpers/recordingSink.js';
import { minute, securityAlert } from '../../helpers/records.js';

const T0 = '2026-11-18T02:00:00.000Z';

function setup() {
  const sink = new RecordingSink();
  const store = new MemoryGroupStore();
  const deadLetters = new MemoryDeadLetterStore({ now: () => new Date('2026-11-18T12:05:00Z') });
  const base = createEnricher({ sensors: {}, attackMappings: {} });
  /** Vendor ids whose enrichment throws once (an inventory lookup that timed out). */
  const flaky = new Set<string>();
  const deps: PipelineDeps = {
    enrich: (a: OtAlert) => {
      if (a.id && flaky.delete(a.id)) throw new Error('inventory lookup timed out');
      return base(a);
    },
    spec: DEFAULT_KEY_SPEC,
    sink,
    store,
    deadLetters,
    now: () => new Date('2026-11-18T12:00:00Z'),
  };
  return { sink, store, deadLetters, deps, flaky };
}

const meta = (n: number, partition: string, first: number): BatchMeta => ({
  partition,
  sequenceNumbers: Array.from({ length: n }, (_, i) => first + i),
});

/** The group store behind `deps`, down: every read fails, so a batch's records are dead-lettered (`commit`). */
const storeDown = (deps: PipelineDeps): PipelineDeps => ({
  ...deps,
  store: {
    kind: 'down',
    operations: 0,
    read: () => Promise.reject(new Error('503 ServerBusy')),
    commit: () => Promise.reject(new Error('503 ServerBusy')),
    put: () => Promise.reject(new Error('503 ServerBusy')),
    findByAlertId: () => Promise.reject(new Error('503 ServerBusy')),
    listDirty: () => Promise.reject(new Error('503 ServerBusy')),
    close: async () => {},
  },
});

const storm = (n: number, from = 0) =>
  Array.from({ length: n }, (_, i) => securityAlert({ t: minute(T0, 0, from + i) }));

describe('redriveBatches', () => {
  it('turns letters into one processBatch batch per partition with their original origins', async () => {
    const dl = new MemoryDeadLetterStore();
    const origin = (partition: string, sequence: number, index: number) => ({
      partition,
      sequence,
      index,
      locator: `partition ${partition} seq ${sequence}${index ? ` #${index}` : ''}`,
      ...(index ? {} : { enqueuedTime: '2026-11-18T02:00:01.000Z' }),
    });
    await dl.put(
      [origin('1', 40, 2), origin('0', 7, 0), origin('1', 41, 0)].map((o, i) => ({
        reason: 'x',
        stage: 'sink' as const,
        raw: `{"n":${i}}`,
        origin: o,
        attempts: 1,
        failedAt: `2026-11-18T02:0${i}:00.000Z`,
      })),
    );
    const batches = redriveBatches(await dl.listPending());
    expect(batches.map((b) => b.meta.partition)).toEqual(['1', '0']);
    const [one] = batches;
    expect(one!.events).toEqual(['{"n":0}', '{"n":2}']);
    expect(one!.meta).toEqual({
      partition: '1',
      sequenceNumbers: [40, 41],
      locators: ['partition 1 seq 40 #2', 'partition 1 seq 41'],
      enqueuedTimes: [undefined, '2026-11-18T02:00:01.000Z'],
      redrive: [
        { origin: origin('1', 40, 2), mark: `redrive:${originKey(origin('1', 40, 2))}` },
        { origin: origin('1', 41, 0), mark: `redrive:${originKey(origin('1', 41, 0))}` },
      ],
    } satisfies RedriveBatchMeta);
  });
});

describe('redrive through processBatch', () => {
  it('writes the records of a group store outage once the store is back, and resolves their letters', async () => {
    const { sink, deadLetters, deps } = setup();
    await processBatch(storm(5), meta(5, '1', 10), storeDown(deps));
    expect(await deadLetters.listPending()).toHaveLength(5);

    const result = await redrive(deadLetters, pipelineRedriver(deps));
    expect(result).toMatchObject({ read: 5, redriven: 5, stillFailing: 0, parked: 0 });
    expect(sink.rows).toHaveLength(1);
    expect(sink.rows[0]!.Count).toBe(5);
    expect(await deadLetters.list()).toEqual([]);
    expect((await redrive(deadLetters, pipelineRedriver(deps))).read).toBe(0);
  });

  it('records a retry that fails again on its letter, without writing a second letter', async () => {
    const { sink, deadLetters, deps, flaky } = setup();
    const events = storm(3);
    await processBatch(events, meta(3, '1', 10), storeDown(deps));
    // The store is back, but the enrichment of every record throws this time.
    for (const e of events) flaky.add(String(e.VendorOriginalId));
    const result = await redrive(deadLetters, pipelineRedriver(deps));
    expect(result).toMatchObject({ read: 3, redriven: 0, stillFailing: 3 });
    const letters = await deadLetters.list();
    expect(letters).toHaveLength(3);
    expect(deadLetters.letters).toHaveLength(3); // the redrive wrote no new letter
    for (const l of letters) {
      expect(l).toMatchObject({ stage: 'commit', attempts: 2 });
      expect(l.history[1]).toMatchObject({ stage: 'enrich' });
      expect(l.reason).toContain('inventory lookup timed out');
    }
    expect(sink.rows).toEqual([]);
  });

  it('a record that now fails to parse is recorded as a parse failure of its sink letter', async () => {
    const { deadLetters, deps } = setup();
    await deadLetters.put([
      {
        reason: "sink rejected the group's row: HTTP 500",
        stage: 'sink',
        raw: '{"AlertName": "Unauthorized PLC Prog…[truncated 90000 chars]',
        origin: { partition: '2', sequence: 9, index: 0, locator: 'partition 2 seq 9' },
        attempts: 1,
        failedAt: '2026-11-18T02:00:00.000Z',
      },
    ]);
    expect(await redrive(deadLetters, pipelineRedriver(deps))).toMatchObject({ stillFailing: 1 });
    const [l] = await deadLetters.list();
    expect(l).toMatchObject({ stage: 'sink', attempts: 2 });
    expect(l!.history[1]!.stage).toBe('split');
  });

  it('redrives records whose group moved on past them in the same partition (per-record redrive marks)', async () => {
    const { sink, deadLetters, deps } = setup();
    await processBatch(storm(5), meta(5, '1', 10), storeDown(deps));
    // The group goes on: a later event of the same partition moves the group's mark past the letters.
    await processBatch(storm(1, 30), meta(1, '1', 20), deps);
    expect(sink.totalCount()).toBe(1);

    const result = await redrive(deadLetters, pipelineRedriver(deps));
    await flushGroups(deps, { all: true });
    expect(result).toMatchObject({ redriven: 5 });
    expect(sink.totalCount()).toBe(6);
  });

  it('a redrive that crashed after writing but before resolving does not count its records twice', async () => {
    const { sink, deadLetters, deps } = setup();
    await processBatch(storm(3), meta(3, '1', 10), storeDown(deps));
    const process = pipelineRedriver(deps);
    await process(await deadLetters.listPending()); // carried, then the host died: nothing resolved
    expect(await deadLetters.listPending()).toHaveLength(3);

    const result = await redrive(deadLetters, process);
    await flushGroups(deps, { all: true });
    expect(sink.totalCount()).toBe(3);
    expect(result).toMatchObject({ redriven: 3 });
  });

  it('a record that was not the first of its event is not mistaken for record 0 of that event', async () => {
    const { sink, deadLetters, deps, flaky } = setup();
    const [a, b] = storm(2);
    flaky.add(String(b!.VendorOriginalId));
    await processBatch([{ records: [a, b] }], meta(1, '0', 77), deps);
    const [l] = await deadLetters.list();
    expect(l).toMatchObject({ stage: 'enrich', origin: { sequence: 77, index: 1 } });
    expect(sink.totalCount()).toBe(1);

    const result = await redrive(deadLetters, pipelineRedriver(deps));
    await flushGroups(deps, { all: true });
    expect(result).toMatchObject({ redriven: 1 });
    expect(sink.totalCount()).toBe(2);
  });

  it('a duplicate under per-record redrive marks means already applied: resolved', async () => {
    const { deadLetters, deps } = setup();
    await deadLetters.put([
      {
        reason: 'x',
        stage: 'commit',
        raw: JSON.stringify(securityAlert({ t: T0 })),
        origin: { partition: '4', sequence: 1, index: 3, locator: 'partition 4 seq 1 #3' },
        attempts: 1,
        failedAt: T0,
      },
    ]);
    const seen: BatchMeta[] = [];
    const run = async (events: readonly unknown[], m: BatchMeta) => {
      seen.push(m);
      return { ...emptyStats(), events: events.length, records: 1, parsed: 1, duplicates: 1 };
    };
    const result = await redrive(deadLetters, pipelineRedriver(deps, { run }));
    expect(result).toMatchObject({ redriven: 1 });
    expect((seen[0] as RedriveBatchMeta).redrive[0]!.origin.index).toBe(3);
  });

  it('defers the batch of a partition whose processing throws, and carries the others', async () => {
    const { deadLetters, deps } = setup();
    const put = (partition: string) =>
      deadLetters.put([
        {
          reason: 'x',
          stage: 'sink',
          raw: JSON.stringify(securityAlert({ t: T0 })),
          origin: { partition, sequence: 1, index: 0, locator: `partition ${partition} seq 1` },
          attempts: 1,
          failedAt: T0,
        },
      ]);
    await put('0');
    await put('1');
    const run = async (events: readonly unknown[], m: BatchMeta, d: PipelineDeps) => {
      if (m.partition === '1') throw new Error('Table Storage unreachable');
      return processBatch(events, m, d);
    };
    const result = await redrive(deadLetters, pipelineRedriver(deps, { run }));
    expect(result).toMatchObject({
      redriven: 1,
      deferred: 1,
      errors: ['redrive deferred: Table Storage unreachable'],
    });
    const [left] = await deadLetters.list();
    expect(left).toMatchObject({ attempts: 1, origin: { partition: '1' } });
  });

  it('feeds one record dead-lettered at two stages once, and resolves both letters', async () => {
    const { sink, deadLetters, deps } = setup();
    const raw = JSON.stringify(securityAlert({ t: T0 }));
    const origin = { partition: '5', sequence: 3, index: 0, locator: 'partition 5 seq 3' };
    await deadLetters.put([
      { reason: 'HTTP 500', stage: 'sink', raw, origin, attempts: 1, failedAt: T0 },
      { reason: 'conflicts', stage: 'commit', raw, origin, attempts: 1, failedAt: minute(T0, 1) },
    ]);
    expect(await redrive(deadLetters, pipelineRedriver(deps))).toMatchObject({ read: 2, redriven: 2 });
    expect(sink.totalCount()).toBe(1);
    expect(await deadLetters.list()).toEqual([]);
  });
});
