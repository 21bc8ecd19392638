/**
 * Sensor REST API exports (`/api/v1/alerts`) name no sensor, and their numeric `ID` is unique only within one
 * sensor: two sensors' exports replayed together must not merge their `42`s into one alert (one of them was
 * uncounted), while a later record of the same alert (handled) is still an update of it (docs/identity.md).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFile } from '../../cli/commands/runFile.js';
import { latestRows } from '../../cli/summary.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ot-soc-sensorless-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const apiAlert = (time: number, src: string, dst: string, handled = false) => ({
  ID: 42,
  time,
  title: 'Controller Stop',
  message: `Controller Stop on ${dst}`,
  severity: 'Minor',
  engine: 'Operational',
  sourceDeviceAddress: src,
  destinationDeviceAddress: dst,
  handled,
});

describe('sensor API ids without a sensor', () => {
  it('the same ID from two sensors’ exports is two alerts; a handled copy of one is an update', async () => {
    const t = Date.parse('2026-11-18T02:00:00.000Z');
    const records = [
      apiAlert(t, '10.20.1.10', '10.20.2.21'), // Lyon's sensor, its alert 42
      apiAlert(t + 7 * 3_600_000, '10.10.1.10', '10.10.2.21'), // Rotterdam's sensor, its own alert 42
      apiAlert(t, '10.20.1.10', '10.20.2.21', true), // Lyon's 42 again, now handled
    ];
    const input = join(dir, 'exports.ndjson');
    await writeFile(input, records.map((r) => JSON.stringify(r)).join('\n'));
    const out = join(dir, 'out');
    const summary = await runFile({ input, out, partitions: 1, batchSize: 10, progress: false });
    expect(summary).toMatchObject({ records: 3, alertsParsed: 3, vendorUpdates: 1, groups: 2 });
    const rows = (await readFile(join(out, 'OTAlerts_CL.ndjson'), 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const latest = [...latestRows(rows).values()].map(({ row }) => [
      row.DestinationIP,
      row.Count,
      row.Status,
    ]);
    expect(latest.sort()).toEqual([
      ['10.10.2.21', 1, 'New'],
      ['10.20.2.21', 1, 'Closed'],
    ]);
  });
});
