/**
 * A rendered workbook → one HTML section: items in workbook order, laid out by their custom widths (items
 * whose widths add up to 100% or less share a row, as in the portal), each visual drawn by its declared kind.
 */

import { pieChart } from '../charts/pie.js';
import { barChart, timeChart } from '../charts/plot.js';
import { barPoints, piePoints, seriesColors, timePoints } from '../charts/series.js';
import { escapeHtml, markdownHtml } from '../html.js';
import { grid, tileMax, tiles } from './cells.js';
import { queriesOf, type RenderedItem, type RenderedQuery, type RenderedWorkbook } from './model.js';

/** Page content width the charts are drawn for (the page itself is at most this wide). */
const CONTENT_PX = 1180;

function status(kind: string, text: string): string {
  return `<p class="visual-status ${kind}" data-status="${kind}">${escapeHtml(text)}</p>`;
}

function visual(q: RenderedQuery, tileScale: number): string {
  if (!q.result.ok) {
    const f = q.result.failure;
    if (f.kind === 'absent') return status('absent', `No local data: ${f.message}.`);
    return f.kind === 'unsupported'
      ? status('unsupported', `Not supported by the local engine: ${f.message}`)
      : status('error', `The query failed in the local engine: ${f.message}`);
  }
  const t = q.result.table;
  if (!t.rows.length) return status('nodata', q.noDataMessage ?? 'The query returned no rows.');
  const title = q.title ?? q.name;
  const width = Math.round((CONTENT_PX * (q.width ?? 100)) / 100) - 24;
  switch (q.visualization) {
    case 'tiles':
      return tiles(t, q.tileSettings, tileScale, q.size);
    case 'table':
      return grid(t, q.gridSettings, title, q.width ?? 100);
    case 'timechart':
    case 'barchart':
    case 'piechart': {
      const { points, problem } =
        q.visualization === 'timechart'
          ? timePoints(t)
          : q.visualization === 'barchart'
            ? barPoints(t)
            : piePoints(t);
      if (problem) return status('error', `Cannot draw a ${q.visualization}: ${problem}.`);
      if (!points.length) return status('nodata', q.noDataMessage ?? 'The query returned nothing to plot.');
      const colors = seriesColors(q.chartSettings);
      if (q.visualization === 'piechart') return pieChart(points, title, colors);
      return (q.visualization === 'timechart' ? timeChart : barChart)(points, { title, width, colors });
    }
    default:
      return status('unsupported', `Visualization "${q.visualization}" is not drawn by the report.`);
  }
}

function queryHtml(q: RenderedQuery, tileScale: number): string {
  const kind = q.result.ok ? q.visualization : 'failed';
  const ms = q.result.ok ? ` · ${q.result.ms.toFixed(0)} ms` : '';
  const narrow = (q.width ?? 100) < 50 ? ' narrow' : '';
  return `<div class="item visual${narrow}" data-item="${escapeHtml(q.name)}" data-kind="${escapeHtml(kind)}" style="--w:${q.width ?? 100}">
${q.title ? `<h4>${escapeHtml(q.title)}</h4>` : ''}${visual(q, tileScale)}
<details class="kql"><summary>KQL (${escapeHtml(q.name)}${ms})</summary><pre>${escapeHtml(q.query)}</pre></details></div>`;
}

/** Side-by-side tile items share one colour scale (the ATT&CK matrix columns). */
function tileScales(items: readonly RenderedItem[]): Map<RenderedItem, number> {
  const scales = new Map<RenderedItem, number>();
  let run: RenderedQuery[] = [];
  const flush = () => {
    const max = Math.max(0, ...run.map((q) => (q.result.ok ? tileMax(q.result.table, q.tileSettings) : 0)));
    for (const q of run) scales.set(q, max);
    run = [];
  };
  for (const i of items) {
    if (i.type === 'query' && i.visualization === 'tiles' && i.width) run.push(i);
    else {
      flush();
      if (i.type === 'query' && i.visualization === 'tiles' && i.result.ok)
        scales.set(i, tileMax(i.result.table, i.tileSettings));
    }
  }
  flush();
  return scales;
}

function itemsHtml(items: readonly RenderedItem[]): string {
  const scales = tileScales(items);
  const out = items.map((i): string => {
    switch (i.type) {
      case 'markdown':
        return `<div class="item md" style="--w:${i.width ?? 100}">${markdownHtml(i.text, 2)}</div>`;
      case 'parameters':
        return `<div class="item params"><span class="muted">Parameters at their defaults:</span> ${i.parameters
          .map((p) => `<span class="pill">${escapeHtml(p.name)}: ${escapeHtml(p.label)}</span>`)
          .join(' ')}</div>`;
      case 'tabs':
        return `<div class="item params"><span class="muted">Tabs (all drawn below, one after another):</span> ${i.labels.map((l) => `<span class="pill">${escapeHtml(l)}</span>`).join(' ')}</div>`;
      case 'group':
        if (i.hidden)
          return `<div class="item group hidden-group" data-item="${escapeHtml(i.name)}"><p class="muted">Group “${escapeHtml(i.name)}”: ${escapeHtml(i.hidden)}</p></div>`;
        return `<div class="item group" data-item="${escapeHtml(i.name)}" style="--w:${i.width ?? 100}">${i.tab ? `<h4 class="tab">Tab: ${escapeHtml(i.tab)}</h4>` : ''}<div class="items">${itemsHtml(i.items)}</div></div>`;
      default:
        return queryHtml(i, scales.get(i) ?? 0);
    }
  });
  return out.join('\n');
}

/** Which tables a workbook reads whose columns the twin left null, said once under its heading. */
function nullNote(wb: RenderedWorkbook, nullColumns: Record<string, string[]>): string {
  const queries = queriesOf(wb.items).map((q) => q.query);
  const reads = (name: string) => queries.some((q) => new RegExp(`\\b${name}\\b`).test(q));
  const notes = Object.entries(nullColumns)
    .filter(([table]) => reads(table))
    .map(([table, cols]) => [table, cols.filter(reads)] as const)
    .filter(([, cols]) => cols.length)
    .map(([table, cols]) => `${table}: ${cols.join(', ')}`);
  return notes.length
    ? `<p class="note">${escapeHtml(`These queries read Sentinel's own tables as the local Sentinel twin computed them; columns the twin does not compute are null here (${notes.join('; ')}).`)}</p>`
    : '';
}

export function workbookHtml(
  wb: RenderedWorkbook,
  id: string,
  nullColumns: Record<string, string[]> = {},
): string {
  return `<section class="workbook" id="${escapeHtml(id)}" data-workbook="${escapeHtml(wb.file)}" aria-labelledby="${escapeHtml(id)}-h">
<h2 id="${escapeHtml(id)}-h">Workbook: ${escapeHtml(wb.title)} <span class="muted small">(workbooks/${escapeHtml(wb.file)})</span></h2>
${nullNote(wb, nullColumns)}<div class="items">${itemsHtml(wb.items)}</div></section>`;
}
