/**
 * The demo's rows take their TimeGenerated from a clock that steps evenly per pipeline reading (cli/commands/demo.ts
 * demoClock), not from the wall clock: the local Sentinel's rule windows follow those times, and with the wall clock
 * a cold first run on a fresh clone printed other figures than warm runs (88 playbook actions instead of 84).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { demoClock } from '../../cli/commands/demo.js';
import { runFile } from '../../cli/commands/runFile.js';
import { tempDirSync } from '../helpers/tempDirs.js';

const SCENARIO = join(process.cwd(), 'samples', 'plant-scenario.ndjson');
const CONFIG = join(process.cwd(), 'samples', 'ot-soc.config.json');

async function rowsOf(out: string): Promise<Record<string, unknown>[]> {
  return (await readFile(join(out, 'OTAlerts_CL.ndjson'), 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('the demo clock', () => {
  it('starts at the minute and steps 100 ms per reading', () => {
    const now = demoClock(Date.parse('2026-12-07T03:41:27.512Z'));
    expect([now(), now(), now()].map((d) => d.toISOString())).toEqual([
      '2026-12-07T03:41:00.000Z',
      '2026-12-07T03:41:00.100Z',
      '2026-12-07T03:41:00.200Z',
    ]);
  });

  it('the plant scenario gives the same rows, times included, however long the run takes', async () => {
    const dir = tempDirSync('ot-soc-demo-clock-');
    const start = Date.parse('2026-12-07T03:41:27.512Z');
    const run = (name: string) =>
      runFile({
        input: SCENARIO,
        out: join(dir, name),
        config: CONFIG,
        partitions: 4,
        batchSize: 100,
        progress: false,
        now: demoClock(start),
      });
    await run('a');
    // A slower second run: the machine busy meanwhile changes nothing in what the rows say.
    const busy = setInterval(() => {
      const until = Date.now() + 20;
      while (Date.now() < until);
    }, 25);
    try {
      await run('b');
    } finally {
      clearInterval(busy);
    }
    const [a, b] = [await rowsOf(join(dir, 'a')), await rowsOf(join(dir, 'b'))];
    expect(a.length).toBe(81);
    expect(b).toEqual(a);
    for (const r of a) expect((Date.parse(String(r.TimeGenerated)) - start + 27_512) % 100).toBe(0);
  }, 120_000);
});
