import { describe, expect, it } from 'vitest';
import { BlobDeadLetterStore } from '../../../pipeline/deadletter/blobDeadLetterStore.js';
import type {
  DeadLetter,
  DeadLetterStage,
  DeadLetterStore,
  StoredDeadLetter,
} from '../../../pipeline/deadletter/deadLetterStore.js';
import { MemoryDeadLetterStore } from '../../../pipeline/deadletter/memoryDeadLetterStore.js';
import { type RedriveOutcome, type RedriveProcess, redrive } from '../../../pipeline/deadletter/redrive.js';
import { azuriteContainer } from '../../helpers/azuriteBlob.js';

const T = (m: number) => new Date(Date.UTC(2026, 10, 18, 8, m)).toISOString();

function letter(
  seq: number,
  o: { stage?: DeadLetterStage; at?: number; partition?: string } = {},
): DeadLetter {
  const partition = o.partition ?? '3';
  return {
    reason: "sink rejected the group's row: HTTP 500",
    stage: o.stage ?? 'sink',
    raw: `{"AlertName":"Unauthorized PLC Programming","n":${seq}}`,
    origin: { partition, sequence: seq, index: 0, locator: `partition ${partition} seq ${seq}` },
    attempts: 1,
    failedAt: T(o.at ?? seq),
  };
}

/** A fake pipeline: records what it was given and answers with `decide`. */
function fake(decide: (l: StoredDeadLetter) => 'ok' | string | undefined = () => 'ok') {
  const calls: StoredDeadLetter[][] = [];
  const process: RedriveProcess = async (letters) => {
    calls.push([...letters]);
    const out: RedriveOutcome = { ok: [], failed: [] };
    for (const l of letters) {
      const d = decide(l);
      if (d === 'ok') out.ok.push(l.id);
      else if (d !== undefined) out.failed.push({ id: l.id, reason: d });
    }
    return out;
  };
  return { process, calls };
}

const seqs = (ls: readonly DeadLetter[]) => ls.map((l) => l.origin.sequence);

const stores: [string, () => DeadLetterStore][] = [
  ['memory', () => new MemoryDeadLetterStore()],
  ['blob', () => new BlobDeadLetterStore(azuriteContainer('redrive'))],
];

describe.each(stores)('redrive over the %s store', (_, open) => {
  it('resolves what the pipeline carried', async () => {
    const store = open();
    await store.put([letter(1), letter(2), letter(3)]);
    const { process, calls } = fake();
    expect(await redrive(store, process)).toEqual({
      read: 3,
      redriven: 3,
      stillFailing: 0,
      parked: 0,
      deferred: 0,
      errors: [],
      failures: [],
    });
    expect(seqs(calls[0]!)).toEqual([1, 2, 3]);
    expect(await store.list()).toEqual([]);
    expect((await redrive(store, process)).read).toBe(0);
    expect(calls).toHaveLength(1);
  });

  it('counts a failure as an attempt and parks at maxAttempts with the full history', async () => {
    const store = open();
    await store.put([letter(1), letter(2)]);
    const { process } = fake((l) => (l.origin.sequence === 1 ? 'ok' : 'HTTP 503 ServerBusy'));
    const runs = [];
    for (let i = 1; i <= 4; i++) runs.push(await redrive(store, process, { now: () => new Date(T(10 * i)) }));
    expect(runs.map((r) => [r.redriven, r.stillFailing, r.parked])).toEqual([
      [1, 1, 0],
      [0, 1, 0],
      [0, 1, 0],
      [0, 0, 1],
    ]);
    expect(await store.listPending()).toEqual([]);
    const [parked, ...rest] = await store.listParked();
    expect(rest).toEqual([]);
    expect(parked).toMatchObject({ attempts: 5, state: 'parked', firstFailedAt: T(2), lastFailedAt: T(40) });
    expect(parked!.history.map((h) => [h.at, h.reason])).toEqual([
      [T(2), "sink rejected the group's row: HTTP 500"],
      [T(10), 'HTTP 503 ServerBusy'],
      [T(20), 'HTTP 503 ServerBusy'],
      [T(30), 'HTTP 503 ServerBusy'],
      [T(40), 'HTTP 503 ServerBusy'],
    ]);
    expect((await redrive(store, process)).read).toBe(0); // parked: no longer retried, still kept
    expect(await store.list()).toEqual([parked]);
  });

  it('honours maxAttempts and records the stage a retry failed at', async () => {
    const store = open();
    await store.put([letter(1)]);
    const process: RedriveProcess = async (ls) => ({
      ok: [],
      failed: ls.map((l) => ({ id: l.id, reason: 'ETag conflicts', stage: 'commit' as const })),
    });
    expect(await redrive(store, process, { maxAttempts: 2 })).toMatchObject({
      parked: 1,
      stillFailing: 0,
      failures: [{ reason: 'ETag conflicts', letters: 1, parked: 1 }],
    });
    const [parked] = await store.listParked();
    expect(parked).toMatchObject({ stage: 'sink', attempts: 2, reason: 'ETag conflicts' });
    expect(parked!.history[1]).toMatchObject({ stage: 'commit', reason: 'ETag conflicts' });
  });

  it('says why letters failed again: each reason once, with its letters and parked ones, most frequent first', async () => {
    const store = open();
    const process: RedriveProcess = async (ls) => ({
      ok: [],
      failed: ls.map((l) => ({ id: l.id, reason: l.origin.sequence === 1 ? 'row rejected' : 'HTTP 503' })),
    });
    // Letter 4 has failed four times (its fifth attempt parks it), the others once.
    await store.put([letter(4)]);
    for (let i = 0; i < 3; i++) await redrive(store, process);
    await store.put([letter(1), letter(2), letter(3)]);
    expect((await redrive(store, process)).failures).toEqual([
      { reason: 'HTTP 503', letters: 3, parked: 1 },
      { reason: 'row rejected', letters: 1, parked: 0 },
    ]);
  });

  it('reads pending letters oldest first, at most limit per run', async () => {
    const store = open();
    await store.put([
      letter(5, { at: 50 }),
      letter(1, { at: 10 }),
      letter(4, { at: 40 }),
      letter(2, { at: 20 }),
    ]);
    await store.put([letter(3, { at: 30 })]);
    const { process, calls } = fake();
    expect(await redrive(store, process, { limit: 2 })).toMatchObject({ read: 2, redriven: 2 });
    expect(await redrive(store, process, { limit: 2 })).toMatchObject({ read: 2, redriven: 2 });
    expect(await redrive(store, process, { limit: 2 })).toMatchObject({ read: 1, redriven: 1 });
    expect(calls.map(seqs)).toEqual([[1, 2], [3, 4], [5]]);
  });

  it('does not retry parse or split letters unless asked, and keeps them', async () => {
    const store = open();
    await store.put([
      letter(1, { stage: 'parse' }),
      letter(2, { stage: 'split' }),
      letter(3, { stage: 'enrich' }),
      letter(4, { stage: 'commit' }),
      letter(5),
    ]);
    const { process, calls } = fake();
    expect(await redrive(store, process, { limit: 2 })).toMatchObject({ read: 2, redriven: 2 });
    expect(seqs(calls[0]!)).toEqual([3, 4]); // bad input does not starve the retryable letters
    await redrive(store, process);
    expect(seqs(await store.list())).toEqual([1, 2]);
    for (let i = 0; i < 3; i++) await redrive(store, process);
    expect(seqs(await store.list())).toEqual([1, 2]);
    expect(await redrive(store, fake(() => 'no known format').process, { stages: ['parse'] })).toMatchObject({
      read: 1,
      stillFailing: 1,
    });
    expect(await redrive(store, process, { stages: ['parse', 'split'] })).toMatchObject({ redriven: 2 });
    expect(await store.list()).toEqual([]);
  });

  it('a letter put again while pending (a redelivered batch) is still one letter, redriven once', async () => {
    const store = open();
    await store.put([letter(1)]);
    await store.put([letter(1)]);
    const { process, calls } = fake();
    expect(await redrive(store, process)).toMatchObject({ read: 1, redriven: 1 });
    expect(calls.flat()).toHaveLength(1);
  });

  it('leaves letters untouched when the pipeline throws, and defers unreported ones without an attempt', async () => {
    const store = open();
    await store.put([letter(1), letter(2), letter(3)]);
    const before = await store.list();
    await expect(
      redrive(store, async () => {
        throw new Error('group store unreachable');
      }),
    ).rejects.toThrow('group store unreachable');
    expect(await store.list()).toEqual(before);

    const [a, b, c] = before;
    const result = await redrive(store, async () => ({
      ok: [a!.id, c!.id, 'f'.repeat(32)],
      failed: [{ id: c!.id, reason: 'row rejected' }],
      deferred: [{ id: b!.id, reason: 'redrive deferred: sink unreachable' }],
    }));
    expect(result).toEqual({
      read: 3,
      redriven: 1,
      stillFailing: 1,
      parked: 0,
      deferred: 1,
      errors: ['redrive deferred: sink unreachable'],
      failures: [{ reason: 'row rejected', letters: 1, parked: 0 }],
    });
    const left = await store.list();
    expect(left.map((l) => [l.origin.sequence, l.attempts])).toEqual([
      [2, 1],
      [3, 2],
    ]);
  });
});
