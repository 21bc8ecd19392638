/**
 * Issue 16.3 — a replay file larger than V8's longest string (~512 MiB; reading it whole fails with "Invalid
 * string length"): a `jq .`-style pretty-printed `{"records":[...]}` export envelope is streamed through
 * `readFileEvents` (decode → record scanner → JSON.parse per record). Next to it, in the same run, the same file
 * only read and decoded: the ratio is what finding and parsing the records costs. Peak heap shows memory stays
 * bounded (one read step plus one record), whatever the file size.
 */
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TextDecoder } from 'node:util';
import { readFileEvents } from '../cli/fileEvents.js';
import { recordText, T0 } from './data.js';
import { figure, MIB, median } from './stats.js';
import type { Bench, BenchOptions, BenchResult } from './types.js';

/** Writes a pretty-printed envelope of at least `bytes`; returns the number of records. */
async function writeEnvelope(file: string, bytes: number): Promise<number> {
  const out = createWriteStream(file);
  const samples = Array.from({ length: 500 }, (_, i) =>
    JSON.stringify(JSON.parse(recordText('SecurityAlert', i, i % 50, T0 + i * 1000)), null, 2)
      .split('\n')
      .map((l) => `    ${l}`)
      .join('\n'),
  );
  let written = 0;
  let n = 0;
  const write = async (s: string) => {
    written += s.length;
    if (!out.write(s)) await once(out, 'drain');
  };
  await write('{\n  "records": [\n');
  while (written < bytes) {
    await write(`${n ? ',\n' : ''}${samples[n % samples.length]}`);
    n++;
  }
  await write('\n  ]\n}\n');
  out.end();
  await once(out, 'finish');
  return n;
}

/** Samples heapUsed while `fn` runs; returns seconds and the peak heap growth in MiB. */
async function measured(fn: () => Promise<void>): Promise<{ seconds: number; peakMiB: number }> {
  const base = process.memoryUsage().heapUsed;
  let peak = base;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().heapUsed);
  }, 20);
  const t = performance.now();
  await fn();
  const seconds = (performance.now() - t) / 1000;
  clearInterval(timer);
  peak = Math.max(peak, process.memoryUsage().heapUsed);
  return { seconds, peakMiB: (peak - base) / MIB };
}

export const bigFile: Bench = {
  name: 'bigfile',
  title: 'Streaming a replay file larger than the V8 string limit (pretty-printed export envelope)',
  async run(o: BenchOptions): Promise<BenchResult> {
    const target = (o.quick ? 64 : 600) * MIB;
    const dir = await mkdtemp(join(tmpdir(), 'ot-soc-bigfile-'));
    const file = join(dir, 'export.json');
    try {
      const records = await writeEnvelope(file, target);
      const size = (await stat(file)).size;
      o.log(`  wrote ${(size / MIB).toFixed(0)} MiB, ${records} records`);
      const runs = Math.max(5, Math.min(o.runs, 5));
      const subject: number[] = [];
      const baseline: number[] = [];
      const peaks: number[] = [];
      for (let r = 0; r < runs; r++) {
        let seen = 0;
        const s = await measured(async () => {
          for await (const e of readFileEvents(file, 'export.json')) if (e.error === undefined) seen++;
        });
        if (seen !== records) throw new Error(`read ${seen} records of ${records}`);
        subject.push(size / MIB / s.seconds);
        peaks.push(s.peakMiB);
        const b = await measured(async () => {
          const d = new TextDecoder('utf-8');
          for await (const chunk of createReadStream(file, { highWaterMark: MIB })) d.decode(chunk as Buffer);
        });
        baseline.push(size / MIB / b.seconds);
      }
      const base = median(baseline);
      return {
        name: 'bigfile',
        title: bigFile.title,
        setup: {
          fileMiB: Math.round(size / MIB),
          records,
          layout: 'envelope, jq-style 2-space indent',
          runs,
        },
        figures: [
          figure('readFileEvents (decode + scan + JSON.parse)', subject, 'MiB/s', {
            baseline: { name: 'read + decode only', value: base, unit: 'MiB/s' },
            ratio: median(subject) / base,
          }),
          figure('peak heap growth while streaming', peaks, 'MiB', { target: '≤ 64 MiB whatever the size' }),
        ].map((f) => (f.target ? { ...f, met: f.value <= 64 } : f)),
        notes: [
          'Reading the same file whole (readFile → string), as replay did before, throws "Invalid string length" above ~512 MiB.',
        ],
      };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
};
