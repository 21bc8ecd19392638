import { describe, expect, it } from 'vitest';
import { MemoryDeadLetterStore } from '../../pipeline/deadletter/memoryDeadLetterStore.js';
import { pipelineRedriver, redrive } from '../../pipeline/deadletter/redrive.js';
import type { CommitResult, GroupStore, StoreWrite } from '../../pipeline/dedup/groupState.js';
import { DEFAULT_KEY_SPEC } from '../../pipeline/dedup/keySpec.js';
import { MemoryGroupStore } from '../../pipeline/dedup/memoryGroupStore.js';
import { createEnricher } from '../../pipeline/enrich/enricher.js';
import { flushGroups, type PipelineDeps, processBatch } from '../../pipeline/pipeline.js';
import { RecordingSink } from '../helpers/recordingSink.js';
import { cefLine, minute, securityAlert } from '../helpers/records.js';
import { delegating } from '../helpers/stores.js';

const T0 = '2026-11-18T02:00:00.000Z';

function setup(over: Partial<PipelineDeps> = {}) {
  const sink = new RecordingSink();
  const store = new MemoryGroupStore();
  const deadLetters = new MemoryDeadLetterStore();
  const deps: PipelineDeps = {
    enrich: createEnricher({
      sensors: { 'lyn-fil-sensor-01': { site: 'Lyon', zone: 'Filling' } },
      attackMappings: {},
    }),
    spec: DEFAULT_KEY_SPEC,
    sink,
    store,
    deadLetters,
    now: () => new Date('2026-11-18T12:00:00Z'),
    ...over,
  };
  return { sink, store, deadLetters, deps };
}

const meta = (n: number, partition = '0', first = 0) => ({
  partition,
  sequenceNumbers: Array.from({ length: n }, (_, i) => first + i),
});

describe('processBatch', () => {
  it('groups a storm across sensors of one zone and writes one row per group', async () => {
    const { sink, deps } = setup();
    const events = Array.from({ length: 50 }, (_, i) =>
      securityAlert({ t: minute(T0, i / 10), sensor: i % 2 ? 'rtm-pkg-sensor-02' : 'rtm-pkg-sensor-01' }),
    );
    const stats = await processBatch(events, meta(50), deps);
    expect(stats).toMatchObject({
      events: 50,
      records: 50,
      parsed: 50,
      deadLettered: 0,
      newGroups: 1,
      merged: 49,
    });
    expect(sink.rows).toHaveLength(1);
    const row = sink.rows[0]!;
    expect(row).toMatchObject({
      Revision: 1,
      RowReason: 'Created',
      Count: 50,
      Site: 'Rotterdam',
      Zone: 'Packaging',
    });
    expect(row.Sensors).toEqual(['rtm-pkg-sensor-01', 'rtm-pkg-sensor-02']);
    expect(row.Techniques).toEqual(expect.arrayContaining(['T0843']));
    expect(row.Tactics).toEqual(expect.arrayContaining(['ImpairProcessControl']));
  });

  it('fills site/zone from the sensor map for CEF and keys by zone', async () => {
    const { sink, deps } = setup();
    await processBatch([cefLine({ t: T0 }), cefLine({ t: minute(T0, 1) })], meta(2), deps);
    expect(sink.rows).toHaveLength(1);
    expect(sink.rows[0]).toMatchObject({ Site: 'Lyon', Zone: 'Filling', Count: 2, SourceFormats: ['CEF'] });
  });

  it('changes no count when the same batch is delivered three more times', async () => {
    const { sink, deps } = setup();
    const events = Array.from({ length: 20 }, (_, i) => securityAlert({ t: minute(T0, i / 4) }));
    await processBatch(events, meta(20, '3', 100), deps);
    for (let i = 0; i < 3; i++) {
      const again = await processBatch(events, meta(20, '3', 100), deps);
      expect(again.duplicates).toBe(20);
      expect(again.rowsWritten).toBe(0);
    }
    await flushGroups(deps, { all: true });
    expect(sink.totalCount()).toBe(20);
  });

  it('dead-letters malformed records with a reason and processes the rest', async () => {
    const { sink, deadLetters, deps } = setup();
    const events = [
      securityAlert({ t: T0 }),
      'this is not an alert',
      { ProviderName: 'IoTSecurity', StartTime: T0 },
      '{"records": [ {"AlertName": "trunc',
      'CEF:0|Microsoft Defender for IoT/CyberX|s1|24.1',
    ];
    const stats = await processBatch(events, meta(5, '1', 40), deps);
    expect(stats.parsed).toBe(1);
    expect(stats.deadLettered).toBe(4);
    expect(sink.rows).toHaveLength(1);
    const letters = await deadLetters.list();
    expect(letters.map((l) => l.origin.sequence)).toEqual([41, 42, 43, 44]);
    for (const l of letters) {
      expect(l.reason.length).toBeGreaterThan(5);
      expect(l.raw.length).toBeGreaterThan(0);
      expect(l.origin.partition).toBe('1');
    }
  });

  it('commits the state before the row: a refused row stays owed, nothing is dead-lettered, and the flush re-sends it identical', async () => {
    const { sink, store, deadLetters, deps } = setup();
    sink.reject = () => 'HTTP 500 InternalServerError';
    const events = Array.from({ length: 5 }, (_, i) =>
      securityAlert({ t: minute(T0, i), severity: 'Medium' }),
    );
    const stats = await processBatch(events, meta(5), deps);
    expect(stats).toMatchObject({ rowsRejected: 1, rowsWritten: 0, deadLettered: 0 });
    expect(store.size).toBe(1);
    expect(await deadLetters.list()).toEqual([]);
    const [owed] = await store.listDirty();
    expect(owed!.value.outbox).toMatchObject([{ revision: 1, reason: 'Created' }]);

    // Still refused by the next batch of the group (it sends what the group owes: revision 1 again). When the
    // flush writes revision 2, revision 1 is still sent: the rules raise the incident from the group's first row.
    const worse = securityAlert({ t: minute(T0, 5), severity: 'High' });
    const more = await processBatch([worse], meta(1, '0', 5), deps);
    expect(more).toMatchObject({ rowsRejected: 1, deadLettered: 0 });
    const [still] = await store.listDirty();
    expect(still!.value.outbox?.map((o) => o.revision)).toEqual([1]);
    sink.reject = undefined;
    const flushed = await flushGroups(deps, { all: true });
    expect(flushed).toMatchObject({ rowsWritten: 2, rowsRejected: 0 });
    expect(sink.rows.map((r) => [r.Revision, r.Count])).toEqual([
      [1, 5],
      [2, 6],
    ]);
    // Settled: the flush cleared the outbox, and a second flush has nothing to send.
    expect(await store.listDirty()).toEqual([]);
    expect(await flushGroups(deps, { all: true })).toMatchObject({ rowsWritten: 0 });
    // A redelivery of the batch changes nothing and sends nothing.
    expect(await processBatch(events, meta(5), deps)).toMatchObject({ duplicates: 5, rowsWritten: 0 });
  });

  it("keeps a group's first row owed when later revisions follow during a sink outage (rules alert on Revision 1)", async () => {
    const { sink, store, deps } = setup();
    sink.reject = () => 'HTTP 503 ServiceUnavailable';
    await processBatch([securityAlert({ t: T0 })], meta(1), deps); // Created, revision 1: refused
    // Past the 5-minute update interval (event time): revision 2, then 3, each refused; revision 1 stays owed.
    await processBatch([securityAlert({ t: minute(T0, 6) })], meta(1, '0', 1), deps);
    await processBatch([securityAlert({ t: minute(T0, 9), severity: 'High' })], meta(1, '0', 2), deps);
    const [owed] = await store.listDirty();
    const revisions = owed!.value.outbox?.map((o) => o.revision) ?? [];
    expect(revisions[0]).toBe(1);
    expect(revisions.length).toBe(2); // the first row and the newest: intermediate revisions are superseded
    sink.reject = undefined;
    await flushGroups(deps, { all: true });
    const sent = sink.rows.map((r) => Number(r.Revision));
    expect(sent).toContain(1);
    expect(sink.rows.find((r) => r.Revision === 1)).toMatchObject({ Count: 1 });
    expect(sink.totalCount()).toBe(3);
  });

  it('dead-letters a row the sink refuses for good (stage row) and clears it, so nothing loops', async () => {
    const { sink, store, deadLetters, deps } = setup();
    sink.reject = (r) =>
      r.Revision === 1 ? '400 InvalidArgument: row rejected by transformation' : undefined;
    sink.retryable = false;
    const events = Array.from({ length: 3 }, (_, i) =>
      securityAlert({ t: minute(T0, i), severity: 'Medium' }),
    );
    const stats = await processBatch(events, meta(3, '0', 0), deps);
    expect(stats).toMatchObject({ newGroups: 1, rowsRejected: 1, deadLettered: 1 });
    const [l] = await deadLetters.list();
    expect(l).toMatchObject({ stage: 'row', origin: { sequence: 1 } });
    expect(l!.reason).toContain('400 InvalidArgument');
    expect(JSON.parse(l!.raw)).toMatchObject({ Revision: 1, Count: 3 });
    // Not something the redrive retries, and not sent again: the flush clears it from the outbox.
    expect(await redrive(deadLetters, pipelineRedriver(deps))).toMatchObject({ read: 0 });
    expect(await flushGroups(deps, { all: true })).toMatchObject({ rowsWritten: 0, rowsRejected: 0 });
    expect(await store.listDirty()).toEqual([]);
    // The group goes on: its next revision is written.
    await processBatch([securityAlert({ t: minute(T0, 4), severity: 'High' })], meta(1, '0', 3), deps);
    await flushGroups(deps, { all: true });
    expect(sink.rows.map((r) => [r.Revision, r.Count])).toEqual([[2, 4]]);
    expect(await deadLetters.list()).toHaveLength(1);
  });

  it('dead-letters the batch (commit) when the group store is down instead of throwing, and a redrive carries it', async () => {
    // The Event Hubs trigger checkpoints a batch whose handler threw: a throw here would drop these records.
    const { sink, store, deadLetters, deps } = setup();
    let down = true;
    const flaky: GroupStore = delegating(store, {
      kind: 'flaky',
      read: (p, want) => (down ? Promise.reject(new Error('503 ServerBusy')) : store.read(p, want)),
    });
    const events = Array.from({ length: 4 }, (_, i) =>
      securityAlert({ t: minute(T0, i), dst: `10.10.2.${i}` }),
    );
    const stats = await processBatch(events, meta(4, '3', 70), { ...deps, store: flaky });
    expect(stats).toMatchObject({ parsed: 4, deadLettered: 4, rowsWritten: 0 });
    const letters = await deadLetters.list();
    expect(letters.map((l) => [l.stage, l.origin.sequence])).toEqual([
      ['commit', 70],
      ['commit', 71],
      ['commit', 72],
      ['commit', 73],
    ]);
    expect(letters[0]!.reason).toBe('group store unavailable: 503 ServerBusy');

    // A redrive batch throws instead, so the redriver defers it without counting an attempt.
    const redriveDeps = { ...deps, store: flaky };
    const run = pipelineRedriver(redriveDeps);
    expect(await redrive(deadLetters, run)).toMatchObject({ redriven: 0, deferred: 4 });
    expect((await deadLetters.list()).every((l) => l.attempts === 1)).toBe(true);
    down = false;
    expect(await redrive(deadLetters, run)).toMatchObject({ redriven: 4 });
    expect(sink.totalCount()).toBe(4);
  });

  it('a failed write of one scope dead-letters its records and commits the other scopes', async () => {
    const { sink, store, deadLetters, deps } = setup();
    // A scope's groups and id entries commit together (one transaction): a failure is per scope (zone).
    const failing: GroupStore = delegating(store, {
      kind: 'failing-commit',
      commit: (p, writes) =>
        writes.some((w) => w.kind === 'group' && w.state.latest.destination.ip === '10.10.2.1')
          ? Promise.reject(new Error('socket hang up'))
          : store.commit(p, writes),
    });
    const events = Array.from({ length: 3 }, (_, i) =>
      securityAlert({ t: minute(T0, i), dst: `10.10.2.${i}`, zone: `Zone ${i}` }),
    );
    const stats = await processBatch(events, meta(3, '0', 5), { ...deps, store: failing });
    expect(stats).toMatchObject({ deadLettered: 1, rowsWritten: 2 });
    const [l] = await deadLetters.list();
    expect(l).toMatchObject({ stage: 'commit', origin: { sequence: 6 } });
    expect(l!.reason).toBe('group store unavailable: socket hang up');
    expect(store.size).toBe(2);
    // Its row was not sent (rows go out only once committed); the redrive writes it once.
    expect(sink.rows.filter((r) => r.DestinationIP === '10.10.2.1')).toEqual([]);
    await redrive(deadLetters, pipelineRedriver(deps));
    const rows = sink.rows.filter((r) => r.DestinationIP === '10.10.2.1');
    expect(rows.map((r) => [r.Revision, r.Count])).toEqual([[1, 1]]);
  });

  it('commits the row a pure redelivery writes, so no later row reuses its revision', async () => {
    const { sink, deps } = setup();
    const k = (t: string) => securityAlert({ t, dst: '10.10.2.21' });
    await processBatch([k(T0)], meta(1, '0', 0), deps); // Created, revision 1
    const b = k(minute(T0, 1));
    await processBatch([b], meta(1, '0', 1), deps); // merged, not written yet (update interval)
    // Redelivered with a later event of another group: nothing changes, but the watermark ends the window.
    const other = securityAlert({ t: minute(T0, 15), dst: '10.10.2.99' });
    const redelivered = await processBatch([b, other], meta(2, '0', 1), deps);
    expect(redelivered).toMatchObject({ duplicates: 1, newGroups: 1 });
    // A late member from another partition, then the flush timer.
    await processBatch([k(minute(T0, 5))], meta(1, '1', 0), deps);
    await flushGroups(deps, { all: true });
    const byRevision = new Map<string, number>();
    for (const r of sink.rows) {
      const id = `${r.AlertId}#${r.Revision}`;
      const count = Number(r.Count);
      expect(byRevision.get(id) ?? count, id).toBe(count);
      byRevision.set(id, count);
    }
    expect(sink.totalCount()).toBe(4);
  });

  it('re-reads and re-applies when another writer updated the group (ETag conflict)', async () => {
    const { sink, store, deps } = setup();
    const first = [securityAlert({ t: T0 })];
    await processBatch(first, meta(1, '0'), deps);
    // A racing instance (partition 1) commits between our read and our write.
    let raced = false;
    const racingStore: GroupStore = delegating(store, {
      kind: 'racing',
      async commit(p: string, writes: readonly StoreWrite[]): Promise<CommitResult> {
        if (!raced) {
          raced = true;
          await processBatch([securityAlert({ t: minute(T0, 1) })], meta(1, '1'), deps);
        }
        return store.commit(p, writes);
      },
    });
    const stats = await processBatch([securityAlert({ t: minute(T0, 2) })], meta(1, '2'), {
      ...deps,
      store: racingStore,
    });
    expect(stats.conflicts).toBe(1);
    await flushGroups(deps, { all: true });
    expect(sink.totalCount()).toBe(3);
  });

  it("flushes a zone's groups in one transaction; when a live batch moved one on, the others are written one by one", async () => {
    const { sink, store, deps } = setup();
    // Three groups of one zone (one store partition), then a flush of all of them.
    const events = [0, 1, 2].map((i) =>
      securityAlert({ t: minute(T0, i), dst: `10.10.4.${i}`, zone: 'Same' }),
    );
    await processBatch(events, meta(3), deps);
    const calls: string[] = [];
    let raced = false;
    const racing: GroupStore = delegating(store, {
      kind: 'racing-flush',
      async commit(p: string, writes: readonly StoreWrite[]): Promise<CommitResult> {
        calls.push(`commit ${writes.length}`);
        if (!raced) {
          raced = true;
          // A live batch (partition 1) moves the first group on before the flush's transaction lands.
          await processBatch(
            [securityAlert({ t: minute(T0, 3), dst: '10.10.4.0', zone: 'Same' })],
            meta(1, '1'),
            deps,
          );
        }
        return store.commit(p, writes);
      },
      put: (state, etag) => {
        calls.push('put');
        return store.put(state, etag);
      },
    });
    const r = await flushGroups({ ...deps, store: racing }, { all: true });
    // One transaction for the zone's 3 groups: it fails whole (the moved group's ETag), then one put each.
    expect(calls.slice(0, 4)).toEqual(['commit 3', 'put', 'put', 'put']);
    expect(r.conflicts).toBe(1);
    // Nothing is lost: the moved group's row is the live batch's, the others' are the flush's; a last flush ends it.
    await flushGroups(deps, { all: true });
    expect(sink.totalCount()).toBe(4);

    // Without a race: one transaction per zone, no single put.
    const quiet = setup();
    await processBatch(events, meta(3), quiet.deps);
    const quietCalls: string[] = [];
    const counting: GroupStore = delegating(quiet.store, {
      kind: 'counting',
      commit: (p, writes) => {
        quietCalls.push(`commit ${writes.length}`);
        return quiet.store.commit(p, writes);
      },
      put: (state, etag) => {
        quietCalls.push('put');
        return quiet.store.put(state, etag);
      },
    });
    expect(await flushGroups({ ...quiet.deps, store: counting }, { all: true })).toMatchObject({
      conflicts: 0,
    });
    expect(quietCalls.every((c) => c === 'commit 3')).toBe(true);
    expect(quietCalls.length).toBeGreaterThan(0);
  });

  it('writes at most 400 rows for 20,000 alerts in 40 interleaved groups over 9 minutes, counts exact', async () => {
    const { sink, deps } = setup();
    const N = 20_000;
    const groups = 40;
    const batch = 500;
    for (let start = 0; start < N; start += batch) {
      const events = [];
      for (let i = start; i < start + batch; i++) {
        const g = i % groups;
        events.push(
          securityAlert({
            t: minute(T0, 0, Math.floor((i / N) * 540)),
            dst: `10.10.2.${g}`,
            title: 'Modbus Address Range Violation',
            protocol: 'Modbus',
          }),
        );
      }
      await processBatch(events, meta(batch, '0', start), deps);
    }
    await flushGroups(deps, { all: true });
    expect(sink.latest().size).toBe(groups);
    expect(sink.rows.length).toBeLessThanOrEqual(400);
    expect(sink.totalCount()).toBe(N);
  });
});
