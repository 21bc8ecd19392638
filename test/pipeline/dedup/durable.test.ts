import { describe, expect, it, vi } from 'vitest';
import { MemoryDeadLetterStore } from '../../../pipeline/deadletter/memoryDeadLetterStore.js';
import type { GroupStore } from '../../../pipeline/dedup/groupState.js';
import { DEFAULT_KEY_SPEC, type KeySpec } from '../../../pipeline/dedup/keySpec.js';
import { setGroupStatus } from '../../../pipeline/dedup/statusFeedback.js';
import { TableGroupStore } from '../../../pipeline/dedup/tableGroupStore.js';
import { createEnricher } from '../../../pipeline/enrich/enricher.js';
import { flushGroups, type PipelineDeps, processBatch } from '../../../pipeline/pipeline.js';
import { azuriteTable } from '../../helpers/azurite.js';
import { RecordingSink } from '../../helpers/recordingSink.js';
import { minute, securityAlert } from '../../helpers/records.js';
import { delegating } from '../../helpers/stores.js';

const T0 = '2026-11-18T02:00:00.000Z';
const enrich = createEnricher({ sensors: {}, attackMappings: {} });

async function setup(spec: KeySpec = DEFAULT_KEY_SPEC) {
  const store = await new TableGroupStore(azuriteTable()).init();
  const sink = new RecordingSink();
  const deadLetters = new MemoryDeadLetterStore();
  const deps: PipelineDeps = {
    enrich,
    spec,
    store,
    sink,
    deadLetters,
    now: () => new Date('2026-11-18T12:00:00Z'),
  };
  return { store, sink, deadLetters, deps };
}

const meta = (n: number, partition: string, first: number) => ({
  partition,
  sequenceNumbers: Array.from({ length: n }, (_, i) => first + i),
});

/** Every (AlertId, Revision) written more than once must be the same revision (same Count). */
function expectNoConflictingRevisions(sink: RecordingSink): void {
  const seen = new Map<string, unknown>();
  for (const r of sink.rows) {
    const k = `${r.AlertId}#${r.Revision}`;
    if (seen.has(k)) expect(r.Count).toBe(seen.get(k));
    seen.set(k, r.Count);
  }
}

describe('durable grouping on Table Storage (Azurite)', () => {
  it('changes no Count when a batch is redelivered three times', async () => {
    const { sink, deps } = await setup();
    const events = Array.from({ length: 30 }, (_, i) => securityAlert({ t: minute(T0, i / 5) }));
    await processBatch(events, meta(30, '0', 1000), deps);
    for (let i = 0; i < 3; i++) {
      const s = await processBatch(events, meta(30, '0', 1000), deps);
      expect(s).toMatchObject({ duplicates: 30, rowsWritten: 0, newGroups: 0, merged: 0 });
    }
    await flushGroups(deps, { all: true });
    expect(sink.totalCount()).toBe(30);
  });

  it('survives a crash between commit and sink: the redelivered batch sends the committed row, counts stay exact', async () => {
    const { store, sink, deps } = await setup();
    let committed = 0;
    const crashing: GroupStore = delegating(store, {
      kind: 'crashing',
      // The instance dies once its commit is stored: the answer never comes, and nothing after it happens.
      commit: async (p, writes) => {
        await store.commit(p, writes);
        committed++;
        return new Promise<never>(() => {});
      },
    });
    const events = Array.from({ length: 10 }, (_, i) => securityAlert({ t: minute(T0, i / 2) }));
    void processBatch(events, meta(10, '4', 0), { ...deps, store: crashing });
    await vi.waitFor(() => expect(committed).toBe(1)); // the state (with the row it owes) is stored
    expect(sink.rows).toEqual([]); // nothing reached Sentinel
    const again = await processBatch(events, meta(10, '4', 0), deps); // Event Hubs redelivers
    expect(again).toMatchObject({ duplicates: 10, rowsWritten: 1 });
    await flushGroups(deps, { all: true });
    expectNoConflictingRevisions(sink);
    expect(sink.latest().size).toBe(1);
    expect(sink.totalCount()).toBe(10);
  });

  it('a loser of an ETag race writes nothing: every written revision has one content', async () => {
    const { store, sink, deps } = await setup();
    await processBatch([securityAlert({ t: T0 })], meta(1, '0', 0), deps);
    // Another instance commits between this instance's read and its write, every time it tries once.
    let raced = 0;
    const racing: GroupStore = delegating(store, {
      kind: 'racing',
      commit: async (p, writes) => {
        if (raced++ < 2)
          await processBatch(
            [securityAlert({ t: minute(T0, raced), severity: 'Low' })],
            meta(1, `p${raced}`, 0),
            deps,
          );
        return store.commit(p, writes);
      },
    });
    const stats = await processBatch([securityAlert({ t: minute(T0, 3) })], meta(1, 'p9', 0), {
      ...deps,
      store: racing,
    });
    expect(stats.conflicts).toBe(2);
    await flushGroups(deps, { all: true });
    expectNoConflictingRevisions(sink);
    expect(sink.totalCount()).toBe(4);
  });

  it('loses no update when two instances process the same group at the same time', async () => {
    const { sink, deadLetters, deps } = await setup();
    const a = Array.from({ length: 40 }, (_, i) =>
      securityAlert({ t: minute(T0, i / 10), sensor: 'rtm-pkg-sensor-01' }),
    );
    const b = Array.from({ length: 40 }, (_, i) =>
      securityAlert({ t: minute(T0, i / 10), sensor: 'rtm-pkg-sensor-02' }),
    );
    // Same zone/title/devices from two partitions at once; each partition in order, as Event Hubs delivers it.
    const consume = async (events: unknown[], partition: string) => {
      for (let i = 0; i < events.length; i += 5)
        await processBatch(events.slice(i, i + 5), meta(5, partition, i), deps);
    };
    await Promise.all([consume(a, 'p1'), consume(b, 'p2')]);
    await flushGroups(deps, { all: true });
    expect(deadLetters.letters).toEqual([]);
    expect(sink.latest().size).toBe(1);
    expect(sink.totalCount()).toBe(80);
    const row = [...sink.latest().values()][0]!;
    expect(row.Sensors).toEqual(expect.arrayContaining(['rtm-pkg-sensor-01', 'rtm-pkg-sensor-02']));
  });

  it('overflows into linked groups at maxGroupSize with exact counts', async () => {
    const { sink, deps } = await setup({ ...DEFAULT_KEY_SPEC, maxGroupSize: 25 });
    const events = Array.from({ length: 60 }, (_, i) => securityAlert({ t: minute(T0, i / 10) }));
    await processBatch(events, meta(60, '0', 0), deps);
    await flushGroups(deps, { all: true });
    const latest = [...sink.latest().values()].sort((x, y) =>
      String(x.FirstSeen).localeCompare(String(y.FirstSeen)),
    );
    expect(latest.map((r) => r.Count)).toEqual([25, 25, 10]);
    expect(latest[1]!.PreviousAlertId).toBe(latest[0]!.AlertId);
    expect(latest[2]!.PreviousAlertId).toBe(latest[1]!.AlertId);
  });

  it('puts an alert at exactly 10:00 after first detection into a new group, across batches', async () => {
    const { sink, deps } = await setup();
    await processBatch(
      [securityAlert({ t: T0 }), securityAlert({ t: minute(T0, 9, 59) })],
      meta(2, '0', 0),
      deps,
    );
    await processBatch([securityAlert({ t: minute(T0, 10) })], meta(1, '0', 2), deps);
    await flushGroups(deps, { all: true });
    const counts = [...sink.latest().values()].map((r) => r.Count).sort();
    expect(counts).toEqual([1, 2]);
  });

  it('opens a new group after Sentinel closed the incident (status feedback)', async () => {
    const { store, sink, deps } = await setup();
    await processBatch([securityAlert({ t: T0 })], meta(1, '0', 0), deps);
    const alertId = sink.rows[0]!.AlertId;
    expect(await setGroupStatus(store, alertId, 'Closed')).toEqual({
      ok: true,
      alertId,
      status: 'Closed',
      changed: true,
    });
    expect(await setGroupStatus(store, alertId, 'Closed')).toMatchObject({ ok: true, changed: false });
    await processBatch([securityAlert({ t: minute(T0, 1) })], meta(1, '0', 1), deps);
    await flushGroups(deps, { all: true });
    const latest = sink.latest();
    expect(latest.size).toBe(2);
    expect(latest.get(alertId)).toMatchObject({ Status: 'Closed', Count: 1 });
    expect(await setGroupStatus(store, '00000000-0000-5000-a000-000000000000', 'Closed')).toMatchObject({
      ok: false,
      reason: 'not-found',
    });
  });

  // 4,000 here (20,000 on the memory store, pipeline.test.ts): every alert now writes its id entry, and Azurite
  // writes entities one by one (about 200/s on this machine) where Table Storage takes a transaction at once.
  it('collapses 4,000 alerts in 40 interleaved groups over 9 minutes into at most 400 rows, counts exact', async () => {
    const { store, sink, deps } = await setup();
    const N = 4_000;
    const batch = 500;
    for (let start = 0; start < N; start += batch) {
      const events = [];
      for (let i = start; i < start + batch; i++) {
        events.push(
          securityAlert({
            t: minute(T0, 0, Math.floor((i / N) * 540)),
            dst: `10.10.2.${i % 40}`,
            protocol: 'Modbus',
            title: 'Modbus Address Range Violation',
          }),
        );
      }
      await processBatch(events, meta(batch, '0', start), deps);
    }
    await flushGroups(deps, { all: true });
    expect(sink.latest().size).toBe(40);
    expect(sink.rows.length).toBeLessThanOrEqual(400);
    expect(sink.totalCount()).toBe(N);
    // Per batch one read per group and one transaction per 98 writes (40 heads, 500 id entries: 6), no id read
    // (new alerts' entries are inserted unread). The first batch also registers the partition, indexes the 40
    // AlertIds (≤ 4 requests per transaction) and may send due markers ahead of a full transaction (≤ 1 each).
    // The flush: the registry and marker queries, per group a read, the commit of the final row and, once sent,
    // the clear of its outbox; retention: the registry and journal queries. Nothing scans the table.
    expect(store.operations).toBeLessThanOrEqual((40 + 6) * (N / batch) + 1 + 6 * 4 + 6 + 2 + 3 * 40 + 2 + 1);
  }, 60_000);
});
