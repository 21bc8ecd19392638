import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BlobDeadLetterStore } from '../../../pipeline/deadletter/blobDeadLetterStore.js';
import {
  type DeadLetter,
  type DeadLetterStage,
  type DeadLetterStore,
  type DeadLetterStoreOptions,
  MAX_RAW_BYTES,
} from '../../../pipeline/deadletter/deadLetterStore.js';
import { FileDeadLetterStore } from '../../../pipeline/deadletter/fileDeadLetterStore.js';
import { deadLetterId } from '../../../pipeline/deadletter/letters.js';
import { MemoryDeadLetterStore } from '../../../pipeline/deadletter/memoryDeadLetterStore.js';
import { azuriteContainer } from '../../helpers/azuriteBlob.js';

const T = (m: number) => new Date(Date.UTC(2026, 10, 18, 8, m)).toISOString();

interface LetterOpts {
  partition?: string;
  seq?: number;
  index?: number;
  stage?: DeadLetterStage;
  reason?: string;
  at?: number;
  raw?: string;
}

/** A letter as processBatch writes it. */
function letter(o: LetterOpts = {}): DeadLetter {
  const partition = o.partition ?? '1';
  const seq = o.seq ?? 100;
  const index = o.index ?? 0;
  return {
    reason: o.reason ?? "sink rejected the group's row: HTTP 500 InternalServerError",
    stage: o.stage ?? 'sink',
    raw: o.raw ?? `{"AlertName":"Unauthorized PLC Programming","seq":${seq},"index":${index}}`,
    origin: {
      partition,
      sequence: seq,
      index,
      locator: `partition ${partition} seq ${seq}${index ? ` #${index}` : ''}`,
      enqueuedTime: T(0),
    },
    attempts: 1,
    failedAt: T(o.at ?? 1),
  };
}

interface Harness {
  store: DeadLetterStore;
  /** A second handle on the same storage (a new process); undefined for memory. */
  reopen?: () => DeadLetterStore;
  /** A handle that writes concurrently with `store` (blob: another instance; else the same one). */
  twin: () => DeadLetterStore;
}

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

const implementations: [string, (o: DeadLetterStoreOptions) => Promise<Harness>][] = [
  [
    'memory',
    async (o) => {
      const store = new MemoryDeadLetterStore(o);
      return { store, twin: () => store };
    },
  ],
  [
    'file',
    async (o) => {
      const dir = await mkdtemp(join(tmpdir(), 'ot-soc-dl-'));
      dirs.push(dir);
      const file = join(dir, 'deadletter.ndjson');
      const store = new FileDeadLetterStore(file, o);
      return { store, reopen: () => new FileDeadLetterStore(file, o), twin: () => store };
    },
  ],
  [
    'blob',
    async (o) => {
      const container = azuriteContainer();
      const store = new BlobDeadLetterStore(container, o);
      return {
        store,
        reopen: () => new BlobDeadLetterStore(container, o),
        twin: () => new BlobDeadLetterStore(container, o),
      };
    },
  ],
];

describe.each(implementations)('DeadLetterStore contract: %s', (kind, make) => {
  it('stores a letter with a deterministic id, one attempt and its first failure', async () => {
    const { store } = await make({});
    const l = letter();
    await store.put([l]);
    const [stored, ...rest] = await store.list();
    expect(rest).toEqual([]);
    expect(stored).toEqual({
      ...l,
      id: deadLetterId(l.origin, 'sink'),
      state: 'pending',
      attempts: 1,
      firstFailedAt: T(1),
      lastFailedAt: T(1),
      history: [{ at: T(1), stage: 'sink', reason: l.reason }],
    });
    expect(stored!.id).toMatch(/^[0-9a-f]{32}$/);
    expect(await store.listPending()).toEqual([stored]);
    expect(await store.listParked()).toEqual([]);
  });

  it('put is idempotent per id: the same letter twice is one letter, unchanged', async () => {
    const { store } = await make({});
    await store.put([letter()]);
    const once = await store.list();
    await store.put([letter()]);
    await store.put([letter(), letter()]);
    expect(await store.list()).toEqual(once);
  });

  it('a redelivered batch that fails again overwrites by id: one letter, both failures, first time kept', async () => {
    const { store } = await make({});
    await store.put([letter({ at: 1 })]);
    await store.put([letter({ at: 7, reason: 'sink deadline of 60000 ms exceeded' })]);
    const [l, ...rest] = await store.list();
    expect(rest).toEqual([]);
    expect(l).toMatchObject({
      attempts: 2,
      state: 'pending',
      firstFailedAt: T(1),
      lastFailedAt: T(7),
      failedAt: T(7),
      reason: 'sink deadline of 60000 ms exceeded',
    });
    expect(l!.history.map((h) => h.at)).toEqual([T(1), T(7)]);
  });

  it('the id is the record and the stage: another index, sequence, partition or stage is another letter', async () => {
    const { store } = await make({});
    await store.put([
      letter(),
      letter({ index: 1 }),
      letter({ seq: 101 }),
      letter({ partition: '2' }),
      letter({ stage: 'commit' }),
    ]);
    const ids = (await store.list()).map((l) => l.id);
    expect(new Set(ids).size).toBe(5);
    expect(ids).toContain(deadLetterId(letter({ index: 1 }).origin, 'sink'));
  });

  it('listPending returns the oldest first, at most limit, filtered by stage', async () => {
    const { store } = await make({});
    await store.put([
      letter({ seq: 5, at: 30 }),
      letter({ seq: 4, at: 10, stage: 'parse', reason: 'unrecognised record' }),
      letter({ seq: 3, at: 20 }),
      letter({ seq: 2, at: 20, partition: '0' }),
      letter({ seq: 1, at: 40, stage: 'commit' }),
    ]);
    const seqs = (ls: DeadLetter[]) => ls.map((l) => l.origin.sequence);
    expect(seqs(await store.listPending())).toEqual([4, 2, 3, 5, 1]);
    expect(seqs(await store.listPending(3))).toEqual([4, 2, 3]);
    expect(seqs(await store.listPending(2, { stages: ['sink', 'commit'] }))).toEqual([2, 3]);
    expect(seqs(await store.listPending(undefined, { stages: ['parse'] }))).toEqual([4]);
    expect(await store.listPending(0)).toEqual([]);
  });

  it('recordFailure adds an attempt and a history entry; at maxAttempts the letter is parked, kept whole', async () => {
    const { store } = await make({});
    await store.put([letter()]);
    const [l] = await store.list();
    for (let i = 2; i <= 4; i++) {
      const next = await store.recordFailure(l!, `attempt ${i}: HTTP 503`, {
        at: new Date(T(10 * i)),
        stage: i === 3 ? 'commit' : 'sink',
      });
      expect(next).toMatchObject({ attempts: i, state: 'pending', reason: `attempt ${i}: HTTP 503` });
    }
    const parked = await store.recordFailure(l!, 'attempt 5: HTTP 503', { at: new Date(T(50)) });
    expect(parked).toMatchObject({ attempts: 5, state: 'parked', lastFailedAt: T(50), firstFailedAt: T(1) });
    expect(parked!.history).toEqual([
      { at: T(1), stage: 'sink', reason: l!.reason },
      { at: T(20), stage: 'sink', reason: 'attempt 2: HTTP 503' },
      { at: T(30), stage: 'commit', reason: 'attempt 3: HTTP 503' },
      { at: T(40), stage: 'sink', reason: 'attempt 4: HTTP 503' },
      { at: T(50), stage: 'sink', reason: 'attempt 5: HTTP 503' },
    ]);
    expect(parked!.stage).toBe('sink');
    expect(parked!.raw).toBe(l!.raw);
    expect(await store.listPending()).toEqual([]);
    expect(await store.listParked()).toEqual([parked]);
    expect(await store.list()).toEqual([parked]);
  });

  it('recordFailure honours the store and per-call maxAttempts, and ignores letters no longer stored', async () => {
    const { store } = await make({ maxAttempts: 2, now: () => new Date(T(59)) });
    await store.put([letter(), letter({ seq: 7 })]);
    const [a, b] = await store.listPending();
    expect(await store.recordFailure(a!, 'again')).toMatchObject({
      attempts: 2,
      state: 'parked',
      lastFailedAt: T(59),
    });
    expect(await store.recordFailure(b!, 'again', { maxAttempts: 3 })).toMatchObject({
      attempts: 2,
      state: 'pending',
    });
    expect(await store.recordFailure({ id: 'f'.repeat(32) }, 'gone')).toBeUndefined();
  });

  it('resolve deletes pending and parked letters and ignores unknown ids', async () => {
    const { store } = await make({ maxAttempts: 2 });
    await store.put([letter({ seq: 1 }), letter({ seq: 2 }), letter({ seq: 3 })]);
    const [a, b, c] = await store.listPending();
    await store.recordFailure(b!, 'again');
    expect(await store.resolve([a!.id, b!.id, 'f'.repeat(32), a!.id])).toBe(2);
    expect((await store.list()).map((l) => l.id)).toEqual([c!.id]);
    expect(await store.resolve([])).toBe(0);
    expect(await store.recordFailure(a!, 'after resolve')).toBeUndefined();
  });

  it('a parked record that is dead-lettered again stays parked and gains the failure', async () => {
    const { store } = await make({ maxAttempts: 2 });
    await store.put([letter()]);
    const [l] = await store.list();
    await store.recordFailure(l!, 'again', { at: new Date(T(5)) });
    await store.put([letter({ at: 9, reason: 'redelivered, failed again' })]);
    expect(await store.listPending()).toEqual([]);
    const [parked, ...rest] = await store.listParked();
    expect(rest).toEqual([]);
    expect(parked).toMatchObject({ attempts: 3, state: 'parked', reason: 'redelivered, failed again' });
    expect(parked!.history).toHaveLength(3);
  });

  it('caps the raw payload at 1 MiB, once', async () => {
    const { store, reopen } = await make({});
    await store.put([letter({ raw: 'x'.repeat(MAX_RAW_BYTES + 10) })]);
    const [l] = await store.list();
    expect(l!.raw).toBe(`${'x'.repeat(MAX_RAW_BYTES)}…[truncated 10 chars]`);
    if (reopen) expect((await reopen().list())[0]!.raw).toBe(l!.raw);
  });

  it('keeps non-ASCII text, enqueued times and any partition name as they were', async () => {
    const { store } = await make({});
    const l = letter({
      partition: 'file:ab12/…',
      raw: 'CEF:0|Microsoft|Défense – Ω|24.1|…',
      reason: 'unknown — ω',
    });
    await store.put([l]);
    const [stored] = await store.listPending();
    expect(stored).toMatchObject({ raw: l.raw, reason: l.reason, origin: l.origin });
  });

  it.runIf(kind !== 'memory')('letters and their history survive reopening the store', async () => {
    const h = await make({ maxAttempts: 3 });
    await h.store.put([letter({ seq: 1 }), letter({ seq: 2 })]);
    const [a] = await h.store.listPending();
    await h.store.recordFailure(a!, 'again', { at: new Date(T(9)) });
    const before = await h.store.list();
    const again = h.reopen!();
    expect(await again.list()).toEqual(before);
    await again.put([letter({ seq: 2 })]);
    expect(await again.list()).toEqual(before);
    expect(await again.resolve([a!.id])).toBe(1);
    expect((await h.reopen!().list()).map((l) => l.origin.sequence)).toEqual([2]);
  });

  it('failures recorded at the same time through two handles are all kept', async () => {
    const h = await make({ maxAttempts: 100 });
    await h.store.put([letter()]);
    const [l] = await h.store.list();
    const twin = h.twin();
    await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        (i % 2 ? twin : h.store).recordFailure(l!, `racing ${i}`, { at: new Date(T(10 + i)) }),
      ),
    );
    const [after] = await h.store.list();
    expect(after!.attempts).toBe(7);
    expect(after!.history.map((x) => x.reason).sort()).toEqual(
      [l!.reason, ...Array.from({ length: 6 }, (_, i) => `racing ${i}`)].sort(),
    );
  });
});

describe('FileDeadLetterStore', () => {
  async function fileStore() {
    const dir = await mkdtemp(join(tmpdir(), 'ot-soc-dl-'));
    dirs.push(dir);
    const file = join(dir, 'deadletter.ndjson');
    return { file, store: new FileDeadLetterStore(file) };
  }
  const lines = async (file: string) =>
    (await readFile(file, 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);

  it('writes one letter per line (reason, stage, raw, origin, …) and rewrites the file on resolve', async () => {
    const { file, store } = await fileStore();
    await store.put([letter({ seq: 1 }), letter({ seq: 2, stage: 'parse', reason: 'no known format' })]);
    await store.put([letter({ seq: 3 })]);
    const written = await lines(file);
    expect(written).toHaveLength(3);
    expect(written[1]).toMatchObject({
      reason: 'no known format',
      stage: 'parse',
      raw: letter({ seq: 2 }).raw,
      origin: { partition: '1', sequence: 2, index: 0, locator: 'partition 1 seq 2' },
      state: 'pending',
      attempts: 1,
    });
    await store.resolve([String(written[0]!.id)]);
    expect((await lines(file)).map((l) => (l.origin as { sequence: number }).sequence)).toEqual([2, 3]);
    // this run's log, for the summary (what `ot-soc replay` reports)
    expect(store.letters).toHaveLength(3);
  });

  it('replaying an input that was already dead-lettered writes no new line', async () => {
    const { file, store } = await fileStore();
    await store.put([letter({ seq: 1 }), letter({ seq: 2 })]);
    const before = await readFile(file, 'utf8');
    await new FileDeadLetterStore(file).put([letter({ seq: 1 }), letter({ seq: 2 })]);
    expect(await readFile(file, 'utf8')).toBe(before);
  });

  it('reads the original line shape and keeps lines that are not letters', async () => {
    const { file } = await fileStore();
    const old = { ...letter({ seq: 9 }) } as Record<string, unknown>;
    await writeFile(file, `${JSON.stringify(old)}\nnot a letter at all\n${JSON.stringify(old)}\n`);
    const store = new FileDeadLetterStore(file);
    const [l, ...rest] = await store.list();
    expect(rest).toEqual([]);
    expect(l).toMatchObject({ id: deadLetterId(letter({ seq: 9 }).origin, 'sink'), attempts: 1 });
    await store.recordFailure(l!, 'again');
    const text = await readFile(file, 'utf8');
    expect(text).toContain('not a letter at all\n');
    expect(text.split('\n').filter((x) => x.startsWith('{'))).toHaveLength(1);
  });

  it('a torn last line (a run killed while appending) stays a line of its own: the next letter is not glued on', async () => {
    const { file, store: writer } = await fileStore();
    await writer.put([letter({ seq: 1 })]); // a line as the store writes it
    await writeFile(file, `${await readFile(file, 'utf8')}{"id":"torn-by-a-cra`);
    await new FileDeadLetterStore(file).put([letter({ seq: 2 })]);
    const text = await readFile(file, 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    expect(text.split('\n').filter(Boolean)).toContain('{"id":"torn-by-a-cra');
    const store = new FileDeadLetterStore(file);
    expect((await store.list()).map((l) => l.origin.sequence).sort()).toEqual([1, 2]);
  });
});

describe('BlobDeadLetterStore layout', () => {
  it('keeps one JSON blob per letter under pending/<id>.json with stage and attempts in metadata, parked/ after', async () => {
    const container = azuriteContainer();
    const store = new BlobDeadLetterStore(container, { maxAttempts: 2 });
    await store.put([letter()]);
    const [l] = await store.listPending();
    const blobs = async () => {
      const out: { name: string; metadata: Record<string, string> | undefined }[] = [];
      for await (const b of container.listBlobsFlat({ includeMetadata: true }))
        out.push({ name: b.name, metadata: b.metadata });
      return out;
    };
    expect(await blobs()).toEqual([
      {
        name: `pending/${l!.id}.json`,
        metadata: expect.objectContaining({
          stage: 'sink',
          attempts: '1',
          state: 'pending',
          sequence: '100',
        }),
      },
    ]);
    await store.recordFailure(l!, 'again');
    expect(await blobs()).toEqual([
      {
        name: `parked/${l!.id}.json`,
        metadata: expect.objectContaining({ stage: 'sink', attempts: '2', state: 'parked' }),
      },
    ]);
    const body = await container.getBlobClient(`parked/${l!.id}.json`).downloadToBuffer();
    expect(JSON.parse(body.toString('utf8'))).toMatchObject({ id: l!.id, attempts: 2, raw: l!.raw });
  });

  it('skips a blob that is not a letter and leaves it in place', async () => {
    const container = azuriteContainer();
    const store = await new BlobDeadLetterStore(container).init();
    await container.getBlockBlobClient('pending/junk.json').upload('not json', 8);
    await store.put([letter()]);
    expect(await store.listPending()).toHaveLength(1);
    expect(await container.getBlobClient('pending/junk.json').exists()).toBe(true);
  });

  it('finishes a move to parked/ that a crash interrupted', async () => {
    const container = azuriteContainer();
    const store = new BlobDeadLetterStore(container, { maxAttempts: 3 });
    await store.put([letter()]);
    const [l] = await store.listPending();
    // the crash: parked/ written, pending/ not yet deleted
    const body = JSON.stringify({ ...l, state: 'parked' });
    await container.getBlockBlobClient(`parked/${l!.id}.json`).upload(body, Buffer.byteLength(body));
    expect(await store.list()).toEqual([l]);
    await store.recordFailure(l!, 'again');
    const done = await store.recordFailure(l!, 'and again');
    expect(done).toMatchObject({ state: 'parked', attempts: 3 });
    expect(await container.getBlobClient(`pending/${l!.id}.json`).exists()).toBe(false);
    expect(await store.listParked()).toEqual([done]);
  });
});
