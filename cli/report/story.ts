/**
 * The story of the run, from what the run itself wrote: sensor alerts received vs rows written over time
 * (the storm compression), dead letters by reason, and rules → alerts → incidents → playbook actions with
 * each incident's escalation reasons.
 */

import { identityOf } from '../../pipeline/dedup/identity.js';
import { timesInSensorZone } from '../../pipeline/enrich/enricher.js';
import { placementOf, type SensorPlacements } from '../../pipeline/enrich/sensorPlacement.js';
import { parseRecord } from '../../pipeline/parse/index.js';
import { splitEvent } from '../../pipeline/parse/records.js';
import { groupBy } from '../../pipeline/util/groupBy.js';
import { fileEvents } from '../fileEvents.js';
import { shownText } from '../rowValues.js';
import { latestRows, type RunSummary } from '../summary.js';
import { barChartH, timeChart } from './charts/plot.js';
import type { Point } from './charts/series.js';
import { escapeHtml, formatNumber, formatTime, table } from './html.js';
import { timespanLiteral } from './workbooks/params.js';
import type { Row } from './workspace.js';

/**
 * When each sensor alert in the input happened (its last occurrence), as the pipeline reads it: parsed, a syslog
 * record's zone-less time in its sensor's `timeZone` (`sensors`, the run's `enrichment.sensors`), as the rows', and
 * each alert once: a status update or re-sent copy of an alert (its vendor id, else its content: docs/identity.md)
 * is the same alert, as the "Sensor alerts" tile counts it, not another received.
 */
export function alertTimes(inputText: string, name: string, sensors: SensorPlacements = {}): number[] {
  const placement = placementOf(sensors);
  const byAlert = new Map<string, number>();
  const unidentified: number[] = [];
  for (const event of fileEvents(inputText, name))
    for (const rec of splitEvent(event.body)) {
      if ('error' in rec) continue;
      const parsed = parseRecord(rec.value);
      if (!parsed.ok) continue;
      const alert = parsed.alert;
      const times = timesInSensorZone(alert, placement(alert.sensor));
      const t = Date.parse(times.lastSeen);
      if (!Number.isFinite(t)) continue;
      const id = identityOf({ ...alert, ...times });
      if (id === undefined) unidentified.push(t);
      else byAlert.set(id, Math.max(byAlert.get(id) ?? t, t));
    }
  return [...byAlert.values(), ...unidentified];
}

const MINUTE = 60_000;
/** Bin sizes the storm chart picks from: minutes for a burst, days for a week sent at once. */
const GRAINS = [1, 5, 15, 60, 360, 1440].map((m) => m * MINUTE);
/** At most this many bins: enough to see a storm's shape, few enough for a line a person reads. */
const MAX_BINS = 72;

/**
 * The smallest bin that draws `spanMs` in at most MAX_BINS bins. Not the workbooks' grain (an hour up to a week):
 * a plant's two-hour incident was two points joined by a line, its storms invisible.
 */
export function storyGrain(spanMs: number): number {
  return GRAINS.find((g) => spanMs / g <= MAX_BINS) ?? GRAINS.at(-1)!;
}

/** Counts per bin of `grain` ms, every bin from the first to the last present (zeros included). */
function binned(
  times: readonly number[],
  start: number,
  end: number,
  grain: number,
  series: string,
): Point[] {
  const counts = new Map<number, number>();
  for (const t of times) {
    const b = Math.floor(t / grain) * grain;
    counts.set(b, (counts.get(b) ?? 0) + 1);
  }
  const points: Point[] = [];
  for (let b = Math.floor(start / grain) * grain; b <= end; b += grain)
    points.push({ x: new Date(b), series, y: counts.get(b) ?? 0 });
  return points;
}

export function compressionHtml(s: RunSummary, rows: readonly Row[], times: readonly number[]): string {
  const rowTimes = rows.map((r) => Date.parse(shownText(r.LastSeen))).filter(Number.isFinite);
  const all = [...times, ...rowTimes];
  let chart = '<p class="visual-status nodata" data-status="nodata">No alert times to plot.</p>';
  if (all.length) {
    const start = Math.min(...all);
    const end = Math.max(...all);
    const grain = storyGrain(end - start);
    const points = [
      ...binned(times, start, end, grain, 'Sensor alerts received'),
      ...binned(rowTimes, start, end, grain, 'Rows written to OTAlerts_CL'),
    ];
    chart = timeChart(points, {
      title: `Sensor alerts received vs rows written, per ${timespanLiteral(grain)} of alert time (log scale)`,
      width: 1140,
      height: 300,
      yLabel: `per ${timespanLiteral(grain)} (log scale)`,
      logY: true,
    });
  }
  const storms = [...latestRows(rows as Row[]).values()]
    .filter(({ row }) => Number(row.Count) >= 100)
    .sort((a, b) => Number(b.row.Count) - Number(a.row.Count))
    .map(({ row, revisions }) => [
      shownText(row.AlertTitle),
      `${shownText(row.Site)} / ${shownText(row.Zone)}`,
      formatNumber(Number(row.Count)),
      revisions,
      `${formatTime(new Date(shownText(row.FirstSeen)))} → ${formatTime(new Date(shownText(row.LastSeen)))}`,
    ]);
  // The alerts counted, as the chart and the workbooks count them: a vendor's update of an alert already counted
  // and a redelivered record are parsed but not counted again (summary.ts).
  const repeats = s.vendorUpdates + s.duplicatesIgnored;
  const tiles: [string, string][] = [
    ['Records received', formatNumber(s.records)],
    ['Sensor alerts', formatNumber(s.alertsParsed - repeats)],
    ...(repeats ? [['Updates and re-sent copies', formatNumber(repeats)] satisfies [string, string]] : []),
    ['Alert groups', formatNumber(s.groups)],
    ['Rows written', formatNumber(s.rowsWritten)],
    ['Alerts per group', formatNumber(s.dedupRatio)],
    ['Dead-lettered', formatNumber(s.deadLettered)],
  ];
  return `<h3>Storm compression: sensor alerts in, rows out</h3>
<div class="tiles size-3">${tiles.map(([k, v]) => `<div class="tile blue"><span class="tile-title">${escapeHtml(k)}</span><b class="tile-value">${escapeHtml(v)}</b></div>`).join('')}</div>
<div class="item visual" data-item="story: compression" data-kind="timechart">${chart}</div>
${storms.length ? `<h4>Storms absorbed (groups of 100 or more sensor alerts)</h4>${table(['Alert', 'Site / Zone', 'Sensor alerts', 'Rows written', 'First → last seen (UTC)'], storms)}` : ''}`;
}

export function deadLettersHtml(letters: readonly Row[]): string {
  if (!letters.length) return '<h3>Dead letters</h3><p>None: every record parsed.</p>';
  const byReason = groupBy(letters, (l) => shownText(l.reason));
  const points: Point[] = [...byReason].map(([reason, ls]) => ({
    x: reason.length > 70 ? `${reason.slice(0, 70)}…` : reason,
    series: 'Records',
    y: ls.length,
  }));
  return `<h3>Dead letters by reason (${letters.length} records, kept with their text, nothing dropped)</h3>
<div class="item visual" data-item="story: dead letters" data-kind="barchart">${barChartH(points, { title: 'Dead-lettered records by reason', width: 1140, yLabel: 'records' })}</div>
${table(
  ['Reason', 'Stage', 'Where', 'Record (first 120 characters)'],
  letters.map((l) => [
    shownText(l.reason),
    shownText(l.stage),
    shownText((l.origin as Row | undefined)?.locator),
    shownText(l.raw).slice(0, 120),
  ]),
)}`;
}
