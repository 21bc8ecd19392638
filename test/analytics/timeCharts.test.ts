/**
 * The workbooks' time charts draw an empty bin as 0 (analytics/workbooks/shared.ts zeroFilled): with
 * `summarize … by bin()` alone a bin without alerts has no row, and the chart's line runs straight across it. Run
 * on the local engine over rows with a quiet hour between two busy ones, with the shipped workbooks' queries.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../analytics/content.js';
import { workbookQueries } from '../../analytics/workbook.js';
import { workspaceContext } from '../../cli/report/workspace.js';
import { runQuery } from '../../sentinel/kql/index.js';
import { workbookDefaultParameters } from '../../sentinel/kql/workbookParameters.js';

const NOW = new Date('2026-11-18T12:00:00Z');
const row = (n: number, at: string, sensor: string, site = 'Lyon') => ({
  TimeGenerated: new Date(at),
  AlertId: `g-${n}`,
  Revision: 1,
  AlertTitle: 'Port Scan Detected',
  Engine: 'Anomaly',
  Severity: 'Medium',
  Site: site,
  Zone: 'Filling',
  Count: 5,
  FirstSeen: new Date(at),
  LastSeen: new Date(at),
  Sensors: [sensor],
  Techniques: ['T0842'],
});
// 02:xx busy, 03:xx quiet, 04:xx busy again (two sensors), all within the workbooks' default 7 days.
const ROWS = [
  row(1, '2026-11-18T02:05:00Z', 'lyn-fil-sensor-01'),
  row(2, '2026-11-18T02:40:00Z', 'lyn-fil-sensor-01'),
  row(3, '2026-11-18T04:10:00Z', 'lyn-fil-sensor-02'),
];

function run(file: string, label: string, rows: Record<string, unknown>[] = ROWS) {
  const wb: unknown = JSON.parse(readFileSync(join(packageRoot(), 'workbooks', file), 'utf8'));
  const q = workbookQueries(wb).find((x) => x.label === label);
  if (!q) throw new Error(`${file}: no query ${label}`);
  const parameters = {
    ...workbookDefaultParameters(wb),
    SelectedTechnique: 'T0842',
  };
  return runQuery(q.query, { ...workspaceContext(rows, NOW), parameters }).rows;
}
const hourOf = (d: unknown) => (d as Date).toISOString().slice(11, 13);

describe('time charts: an hour without alerts is a 0, not a line across the gap', () => {
  it('alert fatigue: raw sensor alerts vs alert groups', () => {
    const rows = run('ot-soc-alert-fatigue.json', 'raw vs groups');
    expect(rows.map((r) => [hourOf(r.FirstSeen), r['Raw sensor alerts'], r['Alert groups']])).toEqual([
      ['02', 10, 2],
      ['03', 0, 0],
      ['04', 5, 1],
    ]);
  });

  it('sites and assets: every sensor has every bin', () => {
    const rows = run('ot-soc-sites-assets.json', 'sensor trend');
    const of = (sensor: string) =>
      rows.filter((r) => r.Sensor === sensor).map((r) => [hourOf(r.FirstSeen), r.Groups]);
    expect(of('lyn-fil-sensor-01')).toEqual([
      ['02', 2],
      ['03', 0],
      ['04', 0],
    ]);
    expect(of('lyn-fil-sensor-02')).toEqual([
      ['02', 0],
      ['03', 0],
      ['04', 1],
    ]);
  });

  it('ATT&CK drill-down: groups per day and site, days without any as 0', () => {
    const rows = run('ot-soc-attack-ics.json', 'drill-down trend', [
      ...ROWS,
      row(4, '2026-11-16T09:00:00Z', 'rtm-pkg-sensor-01', 'Rotterdam'),
    ]);
    const days = rows.map((r) => [(r.FirstSeen as Date).toISOString().slice(0, 10), r.Site, r.Groups]);
    expect(days).toEqual(
      expect.arrayContaining([
        ['2026-11-16', 'Rotterdam', 1],
        ['2026-11-17', 'Rotterdam', 0],
        ['2026-11-17', 'Lyon', 0],
        ['2026-11-18', 'Lyon', 3],
      ]),
    );
    expect(days).toHaveLength(6);
  });

  it('no alerts in the range: no rows, no error', () => {
    expect(run('ot-soc-alert-fatigue.json', 'raw vs groups', [])).toEqual([]);
    expect(run('ot-soc-sites-assets.json', 'sensor trend', [])).toEqual([]);
  });
});
