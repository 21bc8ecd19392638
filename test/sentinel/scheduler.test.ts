/**
 * Scheduler semantics against what Microsoft documents (docs/local-sentinel.md): runs at queryFrequency over
 * queryPeriod, five minutes late, seeing only rows ingested by then; NRT every minute over the rows ingested in the
 * minute two minutes earlier; the alert threshold; event grouping with the 150-alert limit; suppression.
 */
import { describe, expect, it } from 'vitest';
import { planRuns } from '../../sentinel/scheduler.js';
import { runTwin } from '../../sentinel/twin.js';
import { at, min, row, rule, T0, workspace } from './helpers.js';

const iso = (offset: number) => at(offset).toISOString();

describe('scheduled rules: frequency, period and the five-minute delay', () => {
  it('plans the first run at the start and then every queryFrequency, each executed five minutes late', () => {
    const runs = planRuns([rule({ queryFrequency: '15m', queryPeriod: '1h' })], T0, T0 + min(40));
    expect(runs.map((r) => [r.scheduledAt - T0, r.executedAt - T0])).toEqual([
      [0, min(5)],
      [min(15), min(20)],
      [min(30), min(35)],
    ]);
  });

  it('alerts a row in the run whose window (scheduled - period, scheduled] holds its TimeGenerated, once', async () => {
    const r = await runTwin({
      rules: [rule()],
      workspace: workspace({ row: row({ TimeGenerated: iso(min(2)) }) }),
      start: T0,
      end: T0 + min(30),
    });
    expect(r.alerts).toHaveLength(1);
    // scheduled 00:05 (window 00:00–00:05], executed 00:10
    expect(r.alerts[0]!.timeGenerated).toBe(iso(min(10)));
    expect([r.alerts[0]!.startTimeUtc, r.alerts[0]!.endTimeUtc]).toEqual([iso(0), iso(min(5))]);
  });

  it('still sees a row ingested up to five minutes after its window closed (the documented delay)', async () => {
    const ws = workspace({ row: row({ TimeGenerated: iso(min(2)) }), ingested: min(9) });
    const r = await runTwin({ rules: [rule()], workspace: ws, start: T0, end: T0 + min(30) });
    expect(r.alerts.map((a) => a.timeGenerated)).toEqual([iso(min(10))]);
  });

  it('misses a row that arrives after the run that covers its TimeGenerated (documented ingestion-delay gap)', async () => {
    const ws = workspace({ row: row({ TimeGenerated: iso(min(2)) }), ingested: min(11) });
    const r = await runTwin({ rules: [rule()], workspace: ws, start: T0, end: T0 + min(60) });
    expect(r.alerts).toHaveLength(0);
    expect(r.runs.every((x) => x.results === 0)).toBe(true);
  });

  it('overlapping windows (period > frequency) see a row once per run that covers it', async () => {
    const ws = workspace({ row: row({ TimeGenerated: iso(min(2)) }) });
    const r = await runTwin({
      rules: [rule({ queryFrequency: '5m', queryPeriod: '15m' })],
      workspace: ws,
      start: T0,
      end: T0 + min(30),
    });
    expect(r.alerts.map((a) => a.timeGenerated)).toEqual([iso(min(10)), iso(min(15)), iso(min(20))]);
  });
});

describe('NRT rules', () => {
  it('run every minute, two minutes late, over the rows ingested in the minute before', async () => {
    const old = row({ TimeGenerated: iso(-min(120)) }); // generated two hours earlier: NRT uses ingestion time
    const ws = workspace({ row: old, ingested: min(2) + 30_000 });
    const nrt = rule({ kind: 'NRT', queryFrequency: undefined, queryPeriod: undefined });
    const r = await runTwin({ rules: [nrt], workspace: ws, start: T0, end: T0 + min(10) });
    expect(r.runs.filter((x) => !x.suppressed).length).toBe(9); // executions at 00:02 … 00:10
    expect(r.alerts.map((a) => a.timeGenerated)).toEqual([iso(min(5))]); // ingestion minute (00:02, 00:03], run 00:05
  });
});

describe('alert threshold', () => {
  const three = () => workspace(...[1, 2, 3].map((m) => ({ row: row({ TimeGenerated: iso(min(m)) }) })));
  it.each([
    ['gt', 2, 3],
    ['gt', 3, 0],
    ['eq', 3, 3],
    ['ne', 3, 0],
    ['lt', 4, 3],
  ] as const)('%s %d with 3 results → %d alerts', async (op, threshold, expected) => {
    const r = await runTwin({
      rules: [rule({ triggerOperator: op, triggerThreshold: threshold })],
      workspace: three(),
      start: T0 + min(5),
      end: T0 + min(10),
    });
    expect(r.alerts).toHaveLength(expected);
  });
});

describe('event grouping', () => {
  const many = (n: number) =>
    workspace(...Array.from({ length: n }, (_, i) => ({ row: row({ TimeGenerated: iso(min(1) + i) }) })));
  it('SingleAlert: one alert for all results', async () => {
    const r = await runTwin({
      rules: [rule({ eventGroupingSettings: { aggregationKind: 'SingleAlert' } })],
      workspace: many(3),
      start: T0 + min(5),
      end: T0 + min(10),
    });
    expect(r.alerts).toHaveLength(1);
    expect(r.alerts[0]!.eventCount).toBe(3);
    expect(r.alerts[0]!.alertIds).toHaveLength(3);
  });

  it('AlertPerResult: one alert per result; above 150 the 150th alert summarises all of them', async () => {
    const r = await runTwin({ rules: [rule()], workspace: many(151), start: T0 + min(5), end: T0 + min(10) });
    expect(r.alerts).toHaveLength(150);
    expect(r.alerts.slice(0, 149).every((a) => a.eventCount === 1)).toBe(true);
    expect(r.alerts[149]!.eventCount).toBe(151);
  });
});

describe('suppression', () => {
  it('stops running the rule for suppressionDuration after it raised an alert', async () => {
    const ws = workspace(
      ...Array.from({ length: 12 }, (_, i) => ({ row: row({ TimeGenerated: iso(min(5 * i + 1)) }) })),
    );
    const r = await runTwin({
      rules: [rule({ suppressionEnabled: true, suppressionDuration: '20m' })],
      workspace: ws,
      start: T0,
      end: T0 + min(65),
    });
    // alert at 00:10 (scheduled 00:05); runs executing before 00:30 are suppressed; next alert at 00:30, then 00:50
    expect(r.alerts.map((a) => a.timeGenerated)).toEqual([iso(min(10)), iso(min(30)), iso(min(50))]);
    expect(r.runs.filter((x) => x.suppressed).map((x) => x.executedAt)).toEqual(
      [15, 20, 25, 35, 40, 45, 55, 60, 65].map((m) => iso(min(m))),
    );
  });
});
