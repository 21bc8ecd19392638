/**
 * A record over the 1 MiB limit is one dead letter whose `raw` is cut: the letter says it was cut and by how much
 * (it held exactly 1 MiB with no mark, so it read as the whole record), and the records around it are carried.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFile } from '../../cli/commands/runFile.js';
import { MAX_RECORD_BYTES } from '../../pipeline/parse/records.js';
import { securityAlert } from '../helpers/records.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ot-soc-toolarge-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('a record over the size limit', () => {
  it('is a dead letter whose raw says it was cut and how many characters are missing', async () => {
    const t = '2026-11-18T02:00:00.000Z';
    const huge = JSON.stringify({ ...securityAlert({ t }), Description: 'x'.repeat(1_500_000) });
    const input = join(dir, 'huge.ndjson');
    await writeFile(
      input,
      [securityAlert({ t }), huge, securityAlert({ t, dst: '10.10.2.99' })]
        .map((r) => (typeof r === 'string' ? r : JSON.stringify(r)))
        .join('\n'),
    );
    const out = join(dir, 'out');
    const summary = await runFile({ input, out, partitions: 1, batchSize: 10, progress: false });
    expect(summary).toMatchObject({ records: 3, alertsParsed: 2, deadLettered: 1 });
    const letter = JSON.parse((await readFile(join(out, 'deadletter.ndjson'), 'utf8')).trim()) as {
      reason: string;
      raw: string;
    };
    expect(letter.reason).toBe(`record too large (over ${MAX_RECORD_BYTES} bytes)`);
    const m = /…\[truncated (\d+) chars\]$/.exec(letter.raw);
    expect(m, letter.raw.slice(-60)).not.toBeNull();
    const kept = letter.raw.length - m![0].length;
    expect(kept + Number(m![1])).toBe(huge.length);
    expect(huge.startsWith(letter.raw.slice(0, kept))).toBe(true);
    expect(letter.raw.length).toBeLessThanOrEqual(MAX_RECORD_BYTES);
  });
});
