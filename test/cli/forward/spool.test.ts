import { appendFile, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { Spool } from '../../../cli/forward/spool.js';
import { tempDir } from '../../helpers/forwarder.js';

let tmp: { dir: string; cleanup(): Promise<void> };
beforeEach(async () => {
  tmp = await tempDir('ot-soc-spool-');
});
afterEach(async () => {
  await tmp.cleanup();
});

const entry = (i: number) => ({ key: `site/zone-${i % 3}`, body: `message ${i}\nwith "quotes" and ünïcode` });

describe('Spool', () => {
  test('events come back oldest first, stay until committed, and are gone after', async () => {
    const s = await Spool.open({ dir: tmp.dir, maxBytes: 1024 * 1024 });
    for (let i = 0; i < 10; i++) expect(s.append(entry(i))).toBe(true);
    await s.flushed();
    expect(s.stats.backlog).toBe(10);
    const first = await s.read(4, 1 << 20);
    expect(first.map((e) => e.body)).toEqual([0, 1, 2, 3].map((i) => entry(i).body));
    expect(first[0]!.key).toBe('site/zone-0');
    s.rewind(); // a failed delivery: read again from the first undelivered
    expect((await s.read(4, 1 << 20)).map((e) => e.body)).toEqual(first.map((e) => e.body));
    await s.commit(first[3]!.end, 4);
    expect(s.stats.backlog).toBe(6);
    const rest = await s.read(100, 1 << 20);
    expect(rest.map((e) => e.body)).toEqual([4, 5, 6, 7, 8, 9].map((i) => entry(i).body));
    await s.commit(rest[5]!.end, 6);
    expect(s.stats.backlog).toBe(0);
    expect(await s.read(100, 1 << 20)).toEqual([]);
    await s.close();
  });

  test('a restart replays exactly what was not committed', async () => {
    const s1 = await Spool.open({ dir: tmp.dir, maxBytes: 1024 * 1024, segmentBytes: 4096 });
    for (let i = 0; i < 200; i++) s1.append(entry(i));
    await s1.flushed();
    const got = await s1.read(120, 1 << 20);
    await s1.commit(got[119]!.end, 120);
    // Read but not committed (a crash during sendBatch): must come back.
    await s1.read(30, 1 << 20);
    await s1.close();

    const s2 = await Spool.open({ dir: tmp.dir, maxBytes: 1024 * 1024, segmentBytes: 4096 });
    expect(s2.stats.replayed).toBe(80);
    expect(s2.stats.backlog).toBe(80);
    s2.append(entry(200));
    await s2.flushed();
    const all = await s2.read(1000, 1 << 24);
    expect(all.map((e) => e.body)).toEqual(Array.from({ length: 81 }, (_, i) => entry(120 + i).body));
    await s2.commit(all[all.length - 1]!.end, all.length);
    await s2.close();
    const s3 = await Spool.open({ dir: tmp.dir, maxBytes: 1024 * 1024 });
    expect(s3.stats.backlog).toBe(0);
    await s3.close();
  });

  test('delivered segments are deleted; disk use stays bounded while events flow', async () => {
    const s = await Spool.open({ dir: tmp.dir, maxBytes: 64 * 1024, segmentBytes: 4096 });
    for (let round = 0; round < 50; round++) {
      for (let i = 0; i < 20; i++) expect(s.append(entry(round * 20 + i))).toBe(true);
      await s.flushed();
      const got = await s.read(1000, 1 << 20);
      expect(got).toHaveLength(20);
      await s.commit(got[got.length - 1]!.end, got.length);
      expect(s.stats.bytes).toBeLessThanOrEqual(64 * 1024);
    }
    expect((await readdir(tmp.dir)).filter((f) => f.endsWith('.seg')).length).toBeLessThanOrEqual(2);
    await s.close();
  });

  test('when full it refuses new events and keeps the old ones; room again after delivery', async () => {
    const s = await Spool.open({ dir: tmp.dir, maxBytes: 2048 });
    let accepted = 0;
    for (let i = 0; i < 100; i++) if (s.append(entry(i))) accepted++;
    expect(accepted).toBeGreaterThan(5);
    expect(accepted).toBeLessThan(100);
    await s.flushed();
    expect(s.stats.bytes).toBeLessThanOrEqual(2048);
    const got = await s.read(1000, 1 << 20);
    expect(got.map((e) => e.body)).toEqual(Array.from({ length: accepted }, (_, i) => entry(i).body));
    await s.commit(got[got.length - 1]!.end, got.length);
    expect(s.append(entry(1000))).toBe(true);
    await s.close();
  });

  test('a line torn by a crash is skipped and counted; a damaged line too', async () => {
    const s1 = await Spool.open({ dir: tmp.dir, maxBytes: 1024 * 1024 });
    for (let i = 0; i < 3; i++) s1.append(entry(i));
    await s1.close();
    const seg = (await readdir(tmp.dir)).find((f) => f.endsWith('.seg'))!;
    const file = join(tmp.dir, seg);
    const lines = (await readFile(file, 'utf8')).split('\n');
    await writeFile(file, `["only a key"]\n${lines[0]}\nnot json at all\n${lines[1]}\n${lines[2]}\n`);
    await appendFile(file, '["site/zone","torn'); // the crash

    const s2 = await Spool.open({ dir: tmp.dir, maxBytes: 1024 * 1024 });
    const got = await s2.read(100, 1 << 20);
    expect(got.map((e) => e.body)).toEqual([0, 1, 2].map((i) => entry(i).body));
    expect(s2.stats.corrupt).toBe(3);
    await s2.commit(got[2]!.end, 3);
    s2.append(entry(3));
    await s2.flushed();
    expect((await s2.read(100, 1 << 20)).map((e) => e.body)).toEqual([entry(3).body]);
    await s2.close();
  });

  test('random appends, reads, commits, rewinds and restarts: what is delivered is exactly what was appended, in order', async () => {
    let seed = 42;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const opts = { dir: tmp.dir, maxBytes: 256 * 1024, segmentBytes: 1024 };
    let s = await Spool.open(opts);
    let next = 0; // next event number to append
    let delivered = 0; // events committed so far (they must be 0, 1, 2, … in order)
    let inFlight: Awaited<ReturnType<Spool['read']>> = [];
    for (let step = 0; step < 400; step++) {
      const op = rand(10);
      if (op < 4) {
        for (let i = rand(8); i >= 0; i--) expect(s.append(entry(next++))).toBe(true);
        await s.flushed();
      } else if (op < 7) {
        if (inFlight.length === 0) inFlight = await s.read(1 + rand(12), 1 << 20);
        const n = inFlight.length;
        if (n > 0) {
          // Deliver the slice: it must continue exactly where the last delivery ended.
          expect(inFlight.map((e) => e.body)).toEqual(
            Array.from({ length: n }, (_, i) => entry(delivered + i).body),
          );
          await s.commit(inFlight[n - 1]!.end, n);
          delivered += n;
          inFlight = [];
        }
      } else if (op < 8) {
        s.rewind(); // a failed send
        inFlight = [];
      } else {
        await s.close(); // a restart (read-but-uncommitted events must come back)
        s = await Spool.open(opts);
        inFlight = [];
        expect(s.stats.backlog).toBe(next - delivered);
      }
    }
    const rest = await s.read(1_000_000, 1 << 30);
    expect(rest.map((e) => e.body)).toEqual(
      Array.from({ length: next - delivered }, (_, i) => entry(delivered + i).body),
    );
    expect(delivered).toBeGreaterThan(100);
    await s.close();
  });

  test('a commit and a segment rotation at the same moment: the cursor is written one at a time, no write fails', async () => {
    // Both persist cursor.json through one temporary file; run together, a rename failed and so did the spool
    // write that rotated, losing the events it held (seen in the edge suite's redrive).
    const spool = await Spool.open({ dir: tmp.dir, maxBytes: 1 << 20, segmentBytes: 4096 });
    const body = 'x'.repeat(1000);
    let delivered = 0;
    for (let round = 0; round < 20; round++) {
      for (let i = 0; i < 5; i++) expect(spool.append({ key: 'k', body: `${round}-${i}${body}` })).toBe(true);
      await spool.flushed();
      const slice = await spool.read(1000, 1 << 20);
      expect(spool.append({ key: 'k', body: `${round}-next${body}` })).toBe(true);
      await Promise.all([spool.commit(slice[slice.length - 1]!.end, slice.length), spool.flushed()]);
      delivered += slice.length;
    }
    const rest = await spool.read(1000, 1 << 20);
    expect(delivered + rest.length).toBe(120);
    await spool.close();
  });

  test('waitForData wakes the reader when a write lands', async () => {
    const s = await Spool.open({ dir: tmp.dir, maxBytes: 1024 * 1024 });
    const t0 = performance.now();
    const waiting = s.waitForData(5000);
    s.append(entry(1));
    await waiting;
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(await s.read(10, 1 << 20)).toHaveLength(1);
    await s.close();
  });
});
