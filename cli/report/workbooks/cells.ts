/**
 * Grids and tiles with the workbook's formatters: heat map (8) colours a cell by its value within the column,
 * bar (4) draws a bar proportional to the column's maximum, tiles take title/value/subtitle columns.
 */
import type { KqlTable, KqlValue } from '../engine.js';
import { cellText, escapeHtml } from '../html.js';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});

/** Colour at t ∈ [0, 1] from green through yellow to red, light enough for dark text (contrast ≥ 4.5:1). */
export function heatColor(t: number, palette: string): string {
  const u = palette === 'redGreen' ? 1 - t : t;
  const hue = 120 - 120 * Math.max(0, Math.min(1, u));
  return `hsl(${hue.toFixed(0)} 70% 82%)`;
}

const BAR_COLORS: Record<string, string> = { blue: '#9ab8ee', orange: '#f6c58f' };

const range = (t: KqlTable, col: string): [number, number] => {
  const vs = t.rows
    .map((r) => r[col])
    .filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  return vs.length ? [Math.min(...vs), Math.max(...vs)] : [0, 0];
};

function formattedCell(
  v: KqlValue | undefined,
  f: Obj | undefined,
  span: [number, number] | undefined,
): string {
  const text = escapeHtml(cellText(v));
  if (!f || typeof v !== 'number' || !span) return `<td>${text}</td>`;
  const palette = String(obj(f.formatOptions).palette ?? '');
  const [lo, hi] = span;
  if (f.formatter === 8) {
    const t = hi === lo ? (v > 0 ? 1 : 0) : (v - lo) / (hi - lo);
    return `<td class="num" style="background:${heatColor(t, palette)}">${text}</td>`;
  }
  if (f.formatter === 4) {
    const pct = hi > 0 ? Math.max(0, (100 * v) / hi) : 0;
    return `<td class="num bar"><span class="barfill" style="width:${pct.toFixed(0)}%;background:${BAR_COLORS[palette] ?? BAR_COLORS.blue}"></span><span class="barval">${text}</span></td>`;
  }
  return `<td class="num">${text}</td>`;
}

/**
 * A text cell. Words break only between words (a narrow column of "Rotterdam" and "Packaging" read "Rotte rdam",
 * "Packa ging" when every cell could break anywhere); a long token (an id, a URL) may break anywhere, or it would
 * widen the table past its box.
 */
const textCell = (text: string): string =>
  /[^\s-]{11}/.test(text) ? `<td class="long">${escapeHtml(text)}</td>` : `<td>${escapeHtml(text)}</td>`;

/**
 * `widthPct`: the item's share of the page. A table with many columns for its width is set dense (smaller type,
 * long tokens may break anywhere) so it fits without a horizontal scroll.
 */
export function grid(t: KqlTable, settings: Obj | undefined, caption: string, widthPct = 100): string {
  const formatters = new Map<string, Obj>();
  for (const f of Array.isArray(settings?.formatters) ? settings.formatters : []) {
    const o = obj(f);
    formatters.set(String(o.columnMatch), o);
  }
  const spans = new Map(t.columns.map((c) => [c.name, range(t, c.name)] as const));
  // Column names are CamelCase words: let them break between words (AssetCriticality → Asset·Criticality).
  const head = t.columns
    .map((c) => `<th scope="col">${escapeHtml(c.name).replace(/([a-z])(?=[A-Z])/g, '$1<wbr>')}</th>`)
    .join('');
  const body = t.rows
    .map(
      (r) =>
        `<tr>${t.columns
          .map((c) =>
            typeof r[c.name] === 'number'
              ? formattedCell(r[c.name], formatters.get(c.name), spans.get(c.name))
              : textCell(cellText(r[c.name])),
          )
          .join('')}</tr>`,
    )
    .join('');
  const cls = widthPct / t.columns.length < 6.5 ? 'grid dense' : 'grid';
  return `<div class="table-wrap"><table class="${cls}" data-rows="${t.rows.length}"><caption class="sr-only">${escapeHtml(caption)}</caption><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table></div>`;
}

/**
 * Tiles: one per row. A heat palette colours each tile by its value against `max` (the largest value among
 * the tiles drawn side by side, so the ATT&CK matrix's twelve columns share one scale); 0 stays neutral.
 */
export function tiles(t: KqlTable, settings: Obj | undefined, max: number, size: number): string {
  const s = settings ?? {};
  const col = (k: string) => String(obj(s[k]).columnMatch ?? '');
  const [title, value, sub] = [col('titleContent'), col('leftContent'), col('subtitleContent')];
  const palette = String(obj(obj(s.leftContent).formatOptions).palette ?? '');
  const heat = palette !== 'blue' && palette !== '';
  // A metric without a value (a median of no incident picked up yet) reads "–", not an empty tile.
  const items = t.rows.map((r) => {
    const v = r[value];
    const n = typeof v === 'number' ? v : Number.NaN;
    const bg = heat
      ? n > 0
        ? `background:${heatColor(0.5 + 0.5 * (max > 0 ? n / max : 0), 'greenRed')}`
        : ''
      : '';
    const cls = heat ? (n > 0 ? 'tile hot' : 'tile cold') : 'tile blue';
    return `<div class="${cls}"${bg ? ` style="${bg}"` : ''}><span class="tile-title">${escapeHtml(cellText(r[title]))}</span><b class="tile-value">${escapeHtml(cellText(v) || '–')}</b>${sub ? `<span class="tile-sub">${escapeHtml(cellText(r[sub]))}</span>` : ''}</div>`;
  });
  return `<div class="tiles size-${size}" data-rows="${t.rows.length}">${items.join('')}</div>`;
}

/** The largest value column of a tiles result (for a shared scale). */
export function tileMax(t: KqlTable, settings: Obj | undefined): number {
  const value = String(obj(obj(settings).leftContent).columnMatch ?? '');
  return range(t, value)[1];
}
