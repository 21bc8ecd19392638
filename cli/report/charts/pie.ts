/**
 * Pie charts, drawn by hand: Observable Plot has no arc mark. A few dozen lines of SVG (one path per slice
 * and a legend with counts and shares) instead of a second chart library.
 */
import { escapeHtml, formatNumber } from '../html.js';
import { figure } from './plot.js';
import { colorsFor, type Point } from './series.js';

const COLORS = [
  '#4269d0',
  '#efb118',
  '#ff725c',
  '#6cc5b0',
  '#3ca951',
  '#ff8ab7',
  '#a463f2',
  '#97bbf5',
  '#9c6b4e',
  '#9498a0',
];

/** `colors`: series name → colour (the workbook's seriesLabelSettings); other slices take the palette in order. */
export function pieChart(
  points: readonly Point[],
  title: string,
  colors: ReadonlyMap<string, string> = new Map(),
): string {
  const fills = colorsFor(
    points.map((p) => p.series),
    colors,
    COLORS,
  );
  const total = points.reduce((s, p) => s + p.y, 0);
  const r = 90;
  let angle = -Math.PI / 2;
  const slices = points.map((p, i) => {
    const share = p.y / total;
    const a0 = angle;
    angle += share * 2 * Math.PI;
    const color = fills[i]!;
    const path =
      share >= 0.9999
        ? `<circle cx="0" cy="0" r="${r}" fill="${color}"/>`
        : `<path d="M0,0L${(r * Math.cos(a0)).toFixed(2)},${(r * Math.sin(a0)).toFixed(2)}A${r},${r} 0 ${share > 0.5 ? 1 : 0} 1 ${(r * Math.cos(angle)).toFixed(2)},${(r * Math.sin(angle)).toFixed(2)}Z" fill="${color}" stroke="#fff"/>`;
    return { p, share, color, path };
  });
  const svg = `<svg viewBox="-100 -100 200 200" width="200" height="200" aria-hidden="true">${slices.map((s) => s.path).join('')}</svg>`;
  const legend = `<ul class="legend">${slices
    .map(
      (s) =>
        `<li><span class="swatch" style="background:${s.color}"></span>${escapeHtml(s.p.x)}: ${formatNumber(s.p.y)} (${Math.round(s.share * 100)}%)</li>`,
    )
    .join('')}</ul>`;
  const label = `Pie chart: ${title}. ${slices.map((s) => `${String(s.p.x)} ${formatNumber(s.p.y)}`).join('; ')}.`;
  return figure(`<div class="pie">${svg}${legend}</div>`, label);
}
