/**
 * Identity by Defender for IoT alert id through `ot-soc replay` (runFile, as the CLI calls it): in memory within
 * one run, and with --state (the Table store on Azurite) across runs. The invariant every case checks: the sum of
 * latest-revision Counts (arg_max(Revision) by AlertId) equals the number of distinct alert ids sent, and
 * records of known ids are reported as updates in summary.json.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFile } from '../../cli/commands/runFile.js';
import { latestRows } from '../../cli/summary.js';
import { minute, securityAlert } from '../helpers/records.js';

const T0 = '2026-11-18T02:00:00.000Z';
const id = (n: number) => `bbbbbbbb-0000-4000-8000-${String(n).padStart(12, '0')}`;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ot-soc-identity-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function input(name: string, records: unknown[]): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, `${records.map((r) => JSON.stringify(r)).join('\n')}\n`);
  return file;
}

const run = (file: string, out: string, state?: string) =>
  runFile({
    input: file,
    out: join(dir, out),
    ...(state ? { state: join(dir, state) } : {}),
    partitions: 1,
    batchSize: 25,
    progress: false,
  });

/** Latest revision per AlertId over every row the out directory received (all runs). */
async function latest(out: string): Promise<Record<string, unknown>[]> {
  const rows = (await readFile(join(dir, out, 'OTAlerts_CL.ndjson'), 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  return [...latestRows(rows).values()].map((v) => v.row);
}

const sumCounts = (rows: Record<string, unknown>[]) => rows.reduce((n, r) => n + Number(r.Count), 0);

describe('ot-soc replay: one count per Defender for IoT alert id', () => {
  it('in memory: A, B, A-closed, then A-closed again after its group was final: 2 alerts, A Closed', async () => {
    const file = await input('abc.ndjson', [
      securityAlert({ id: id(1), t: T0 }),
      securityAlert({ id: id(2), t: minute(T0, 1), dst: '10.10.2.99' }),
      securityAlert({ id: id(1), t: T0, status: 'Closed' }),
      securityAlert({ id: id(3), t: minute(T0, 30), dst: '10.10.2.77' }), // ends both windows
      securityAlert({ id: id(1), t: minute(T0, 31), status: 'Closed' }), // update after close and after window
    ]);
    const summary = await run(file, 'o-abc');
    expect(summary).toMatchObject({ alertsParsed: 5, vendorUpdates: 2, groups: 3 });
    expect(JSON.parse(await readFile(join(dir, 'o-abc', 'summary.json'), 'utf8'))).toMatchObject({
      vendorUpdates: 2,
    });
    const rows = await latest('o-abc');
    expect(sumCounts(rows)).toBe(3);
    expect(rows.find((r) => r.DestinationIP === '10.10.2.21')).toMatchObject({
      Count: 1,
      Status: 'Closed',
      LastSeen: minute(T0, 31),
    });
  });

  it('in memory: a group of 80, then re-published copies of 10 of them, is 80', async () => {
    const alerts = Array.from({ length: 80 }, (_, i) =>
      securityAlert({ id: id(100 + i), t: minute(T0, i / 10) }),
    );
    const file = await input('eighty.ndjson', [...alerts, ...alerts.slice(0, 10)]);
    const summary = await run(file, 'o-80');
    // the printed ratio counts alerts once too (from the groups' Counts, not the 90 records parsed)
    expect(summary).toMatchObject({ alertsParsed: 90, vendorUpdates: 10, groups: 1, dedupRatio: 80 });
    expect(sumCounts(await latest('o-80'))).toBe(80);
  });

  it('with --state (Table store): the same file plus one new line gives the counts of one clean run', async () => {
    const alerts = Array.from({ length: 60 }, (_, i) =>
      securityAlert({ id: id(200 + i), t: minute(T0, i / 5), dst: `10.10.2.${i % 3}` }),
    );
    const first = await run(await input('day1.ndjson', alerts), 'o-rerun', 's-rerun');
    expect(first.state).toContain('Azurite');
    const extra = securityAlert({ id: id(999), t: minute(T0, 11), dst: '10.10.2.0' });
    const second = await run(await input('day1-plus.ndjson', [...alerts, extra]), 'o-rerun', 's-rerun');
    // Another file (another content hash): no record is a redelivery, every known id is an update.
    expect(second).toMatchObject({ alertsParsed: 61, vendorUpdates: 60, duplicatesIgnored: 0 });
    expect(sumCounts(await latest('o-rerun'))).toBe(61);
    await run(await input('clean.ndjson', [...alerts, extra]), 'o-clean');
    expect(sumCounts(await latest('o-clean'))).toBe(61);
    expect((await latest('o-rerun')).map((r) => r.Count).sort()).toEqual(
      (await latest('o-clean')).map((r) => r.Count).sort(),
    );
  });

  it('with --state (Table store): a copy after its window, and a status update, in a later run count nothing', async () => {
    await run(await input('w1.ndjson', [securityAlert({ id: id(300), t: T0 })]), 'o-late', 's-late');
    await run(
      await input('w2.ndjson', [
        securityAlert({ id: id(301), t: minute(T0, 20) }), // same key, a new group: the first is final
        securityAlert({ id: id(300), t: T0, status: 'Closed' }),
      ]),
      'o-late',
      's-late',
    );
    const rows = await latest('o-late');
    expect(sumCounts(rows)).toBe(2);
    expect(rows.find((r) => r.FirstSeen === T0)).toMatchObject({ Count: 1, Status: 'Closed' });
  });
});
