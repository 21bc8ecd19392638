import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failureLines, runRedrive } from '../../cli/commands/redrive.js';
import { runFile } from '../../cli/commands/runFile.js';
import { UsageError } from '../../cli/commands/usageError.js';
import { latestRows } from '../../cli/summary.js';
import { ConfigError } from '../../pipeline/config/config.js';
import { FileDeadLetterStore } from '../../pipeline/deadletter/fileDeadLetterStore.js';
import { cefLine, minute, securityAlert } from '../helpers/records.js';

const T0 = '2026-11-18T02:00:00.000Z';
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ot-soc-replay-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const lines = async (file: string) =>
  (await readFile(file, 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

/** A mixed input: an export envelope, NDJSON rows, CEF lines and two bad lines. */
async function mixedInput(name: string): Promise<string> {
  const envelope = { records: [securityAlert({ t: T0 }), securityAlert({ t: minute(T0, 1) })] };
  const text = [
    JSON.stringify(envelope),
    JSON.stringify(securityAlert({ t: minute(T0, 2), sensor: 'rtm-pkg-sensor-02' })),
    cefLine({ t: T0 }),
    cefLine({ t: minute(T0, 1) }),
    'not an alert',
    '{"AlertName": "broken',
  ].join('\n');
  const file = join(dir, name);
  await writeFile(file, text);
  return file;
}

const options = (input: string, out: string, state?: string) => ({
  input,
  out,
  ...(state ? { state } : {}),
  partitions: 1,
  batchSize: 2,
  progress: false,
});

describe('ot-soc replay', () => {
  it('writes rows exactly as posted, dead letters with reasons and locators, and a summary', async () => {
    const input = await mixedInput('mixed.ndjson');
    const out = join(dir, 'out1');
    const summary = await runFile(options(input, out));
    expect(summary).toMatchObject({ records: 7, alertsParsed: 5, deadLettered: 2, groups: 2 });
    const rows = await lines(join(out, 'OTAlerts_CL.ndjson'));
    expect([...latestRows(rows).values()].map((l) => l.row.Count).sort()).toEqual([2, 3]);
    const letters = await lines(join(out, 'deadletter.ndjson'));
    expect(letters.map((l) => (l.origin as { locator: string }).locator)).toEqual([
      'mixed.ndjson:5',
      'mixed.ndjson:6',
    ]);
    for (const l of letters) expect(String(l.reason).length).toBeGreaterThan(5);
    expect(JSON.parse(await readFile(join(out, 'summary.json'), 'utf8'))).toMatchObject({
      groups: 2,
      rowsWritten: rows.length,
    });
  });

  it('with --state, replaying the same input again changes no count and writes no row', async () => {
    const input = await mixedInput('again.ndjson');
    const out = join(dir, 'out2');
    const state = join(dir, 'state2');
    const first = await runFile(options(input, out, state));
    expect(first.groups).toBe(2);
    const second = await runFile(options(input, out, state));
    expect(second).toMatchObject({ rowsWritten: 0, duplicatesIgnored: 5 });
    const rows = await lines(join(out, 'OTAlerts_CL.ndjson'));
    expect(rows).toHaveLength(first.rowsWritten);
    expect(second.state).toContain('Azurite');
  });

  it('with --state, the bundled plant scenario re-sent as another file (CRLF, halves in turn) counts as one clean run', async () => {
    // Its CEF without UUID, LEEF and syslog object records carry no alert id: their content identifies them.
    const scenario = (
      await readFile(join(import.meta.dirname, '..', '..', 'samples', 'plant-scenario.ndjson'), 'utf8')
    )
      .split('\n')
      .filter((l) => l.trim());
    const plantOptions = (input: string, out: string, st?: string) => ({
      ...options(input, out, st),
      batchSize: 100,
    });
    const half = Math.ceil(scenario.length / 2);
    const write = async (name: string, ls: string[], eol: string) => {
      await writeFile(join(dir, name), `${ls.join(eol)}${eol}`);
      return join(dir, name);
    };
    const whole = await write('plant.ndjson', scenario, '\n');
    const clean = await runFile(plantOptions(whole, join(dir, 'plant-clean')));
    const out = join(dir, 'plant-state');
    const state = join(dir, 'plant-state-dir');
    await runFile(plantOptions(await write('plant-2.txt', scenario.slice(half), '\r\n'), out, state));
    await runFile(plantOptions(await write('plant-1.txt', scenario.slice(0, half), '\r\n'), out, state));
    const again = await runFile(plantOptions(whole, out, state));
    expect(again).toMatchObject({ rowsWritten: 0, groups: 0 });
    // Another key spec (a longer window): known alerts are routed by identity, not by key.
    const wider = join(dir, 'plant-window-30.json');
    await writeFile(wider, JSON.stringify({ grouping: { windowMinutes: 30 } }));
    const rekeyed = await runFile({ ...plantOptions(whole, out, state), config: wider });
    expect(rekeyed).toMatchObject({ rowsWritten: 0, groups: 0, vendorUpdates: again.vendorUpdates });
    const total = (rows: Record<string, unknown>[]) =>
      [...latestRows(rows).values()].reduce((n, l) => n + Number(l.row.Count), 0);
    expect(total(await lines(join(out, 'OTAlerts_CL.ndjson')))).toBe(
      total(await lines(join(dir, 'plant-clean', 'OTAlerts_CL.ndjson'))),
    );
    expect(clean.alertsParsed).toBeGreaterThan(2000);
  }, 60_000);

  it('the bundled plant scenario makes the same groups however its events are batched and partitioned', async () => {
    // Before event time ended windows per zone and late members joined their final group (docs/grouping.md), one
    // partition in batches of 500 made 73 groups (two alerts split by another zone's later alerts in the same
    // batch) where 4 × 100 made 71; either change alone keeps them together.
    const input = join(import.meta.dirname, '..', '..', 'samples', 'plant-scenario.ndjson');
    const config = join(import.meta.dirname, '..', '..', 'samples', 'ot-soc.config.json');
    const groupsOf = async (partitions: number, batchSize: number) => {
      const out = join(dir, `plant-${partitions}x${batchSize}`);
      await runFile({ input, out, config, partitions, batchSize, progress: false });
      const latest = latestRows(await lines(join(out, 'OTAlerts_CL.ndjson')));
      return new Map([...latest.entries()].map(([id, l]) => [id, Number(l.row.Count)]));
    };
    const reference = await groupsOf(4, 100);
    expect(reference.size).toBe(71);
    for (const [partitions, batchSize] of [
      [1, 500],
      [8, 10],
      [2, 37],
    ] as const)
      expect(await groupsOf(partitions, batchSize), `${partitions} × ${batchSize}`).toEqual(reference);
  }, 60_000);

  it('a pretty-printed export envelope (jq ., CRLF, UTF-8 BOM or UTF-16) counts as its NDJSON does', async () => {
    const recs = [0, 1, 2, 3].map((m) => securityAlert({ t: minute(T0, m) }));
    const counts = async (name: string, bytes: Buffer) => {
      const input = join(dir, name);
      await writeFile(input, bytes);
      const summary = await runFile(options(input, join(dir, `out-${name}`)));
      return {
        records: summary.records,
        parsed: summary.alertsParsed,
        letters: summary.deadLettered,
        groups: summary.groups,
      };
    };
    const ndjson = await counts('plain.ndjson', Buffer.from(recs.map((r) => JSON.stringify(r)).join('\n')));
    expect(ndjson).toEqual({ records: 4, parsed: 4, letters: 0, groups: 1 });
    const pretty = JSON.stringify({ records: recs }, null, 2).replace(/\n/g, '\r\n');
    expect(await counts('export.json', Buffer.from(`\ufeff${pretty}`))).toEqual(ndjson);
    expect(await counts('export16.json', Buffer.from(`\ufeff${pretty}`, 'utf16le'))).toEqual(ndjson);
  });

  it('fails clearly on an unreadable input or an invalid config', async () => {
    await expect(runFile(options(join(dir, 'missing.ndjson'), join(dir, 'o3')))).rejects.toThrow(UsageError);
    const bad = join(dir, 'bad.json');
    await writeFile(bad, JSON.stringify({ grouping: { windowMinutes: -1 } }));
    const input = await mixedInput('x.ndjson');
    await expect(runFile({ ...options(input, join(dir, 'o4')), config: bad })).rejects.toThrow(ConfigError);
    await expect(runFile({ ...options(input, join(dir, 'o4')), config: bad })).rejects.toThrow(
      /grouping\.windowMinutes/,
    );
  });
});

describe('ot-soc redrive', () => {
  it('prints ten reasons at most, then how many letters the others hold', () => {
    const failures = Array.from({ length: 12 }, (_, i) => ({
      reason: `reason ${i}`,
      letters: 12 - i,
      parked: i % 2,
    }));
    const out = failureLines(failures);
    expect(out).toHaveLength(11);
    expect(out[0]).toBe('  failing again: 12 × reason 0');
    expect(out[1]).toBe('  failing again: 11 × reason 1 (1 parked: no more attempts)');
    expect(out[10]).toBe('  failing again: 3 more letters for 2 other reasons');
  });

  it('carries a sink-stage letter into the workspace and keeps bad input pending with its history', async () => {
    const input = await mixedInput('redrive.ndjson');
    const out = join(dir, 'out-redrive');
    await runFile(options(input, out));
    const store = new FileDeadLetterStore(join(out, 'deadletter.ndjson'));
    await store.put([
      {
        reason: "sink rejected the group's row: HTTP 503",
        stage: 'sink',
        raw: JSON.stringify(securityAlert({ t: minute(T0, 40), title: 'Controller Stop' })),
        origin: { partition: 'file:abc', sequence: 9, index: 0, locator: 'redrive.ndjson:9' },
        attempts: 1,
        failedAt: T0,
      },
    ]);
    const r = await runRedrive({ out, stages: 'sink,parse,split', limit: 100 });
    expect(r).toMatchObject({ read: 3, redriven: 1, stillFailing: 2 });
    // What the command prints under its counts: why the two still fail, in the words of the first run.
    const why = failureLines(r.failures);
    expect(why).toHaveLength(2);
    for (const line of why) expect(line).toMatch(/^ {2}failing again: 1 × \S/);
    expect(why.join('\n')).toMatch(/unterminated|not a record|JSON|format/i);
    const rows = await lines(join(out, 'OTAlerts_CL.ndjson'));
    expect(rows.at(-1)).toMatchObject({ AlertTitle: 'Controller Stop', Count: 1 });
    const pending = await new FileDeadLetterStore(join(out, 'deadletter.ndjson')).listPending(10, {
      stages: ['parse', 'split'],
    });
    expect(pending.map((l) => l.attempts)).toEqual([2, 2]);
    expect(r.notRetried).toEqual({});
    // With the default stages the parse and split letters are left, and said to be.
    const defaults = await runRedrive({ out, stages: 'enrich,sink,commit', limit: 100 });
    expect(defaults).toMatchObject({ read: 0, notRetried: { parse: 1, split: 1 } });
    await expect(runRedrive({ out, stages: 'nonsense', limit: 1 })).rejects.toThrow(/--stages/);
    await expect(runRedrive({ out: join(dir, 'nowhere'), stages: 'sink', limit: 1 })).rejects.toThrow(
      UsageError,
    );
  });
});
