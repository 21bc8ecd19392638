/**
 * A query result → the points of a chart, by the workbook chart rules (no per-query knowledge):
 * - time chart: x = the first datetime column; every numeric column is a series; string columns split them;
 * - bar chart: x = the first column; numeric columns after it are values; other columns split into stacked series;
 * - pie chart: slices = the text columns joined, value = the first numeric column.
 */
import type { KqlColumn, KqlTable, KqlValue } from '../engine.js';
import { cellText } from '../html.js';

export interface Point {
  x: Date | string;
  series: string;
  y: number;
}

const NUMERIC = new Set(['long', 'int', 'real', 'decimal']);
const isNumeric = (c: KqlColumn) => NUMERIC.has(c.type);
const num = (v: KqlValue | undefined): number | undefined =>
  typeof v === 'number' && Number.isFinite(v) ? v : undefined;

function seriesName(
  row: Record<string, KqlValue>,
  split: KqlColumn[],
  value: KqlColumn,
  values: number,
): string {
  const parts = split.map((c) => cellText(row[c.name]) || '(empty)');
  if (values > 1 || parts.length === 0) parts.push(value.name);
  return parts.join(' · ');
}

export function timePoints(t: KqlTable): { points: Point[]; problem?: string } {
  const x = t.columns.find((c) => c.type === 'datetime');
  if (!x) return { points: [], problem: 'a time chart needs a datetime column' };
  const values = t.columns.filter(isNumeric);
  if (!values.length) return { points: [], problem: 'a time chart needs a numeric column' };
  const split = t.columns.filter((c) => c !== x && !isNumeric(c) && c.type !== 'datetime');
  const points: Point[] = [];
  for (const row of t.rows) {
    const at = row[x.name];
    if (!(at instanceof Date)) continue;
    for (const v of values) {
      const y = num(row[v.name]);
      if (y !== undefined) points.push({ x: at, series: seriesName(row, split, v, values.length), y });
    }
  }
  points.sort((a, b) => (a.x as Date).getTime() - (b.x as Date).getTime());
  return { points };
}

export function barPoints(t: KqlTable): { points: Point[]; problem?: string } {
  const [x, ...rest] = t.columns;
  if (!x) return { points: [], problem: 'no columns' };
  const values = rest.filter(isNumeric);
  if (!values.length) return { points: [], problem: 'a bar chart needs a numeric column after the first' };
  const split = rest.filter((c) => !isNumeric(c));
  const points: Point[] = [];
  for (const row of t.rows) {
    for (const v of values) {
      const y = num(row[v.name]);
      if (y !== undefined)
        points.push({
          x: cellText(row[x.name]) || '(empty)',
          series: seriesName(row, split, v, values.length),
          y,
        });
    }
  }
  return { points };
}

export function piePoints(t: KqlTable): { points: Point[]; problem?: string } {
  const value = t.columns.find(isNumeric);
  if (!value) return { points: [], problem: 'a pie chart needs a numeric column' };
  const labels = t.columns.filter((c) => !isNumeric(c));
  const points = t.rows.flatMap((row) => {
    const y = num(row[value.name]);
    const x = labels.map((c) => cellText(row[c.name])).join(' · ') || '(empty)';
    return y !== undefined && y > 0 ? [{ x, series: x, y }] : [];
  });
  return { points };
}

/**
 * The workbook's named series colours (chartSettings.seriesLabelSettings[].color), drawn with Fluent UI's values
 * for the same names: the portal's exact shades are not documented. A `#rrggbb` colour is taken as is.
 */
const NAMED_COLORS: Record<string, string> = {
  redBright: '#e81123',
  red: '#d13438',
  redDark: '#a4262c',
  orange: '#ff8c00',
  yellow: '#fce100',
  green: '#107c10',
  greenDark: '#0b6a0b',
  turquoise: '#038387',
  blue: '#0078d4',
  blueDark: '#004e8c',
  lightBlue: '#62a5e8',
  purple: '#8764b8',
  magenta: '#c239b3',
  pink: '#e3008c',
  gray: '#7a7574',
  grayDark: '#3b3a39',
};

/** A colour per name: the settings' colour where given, else the palette's next one, in order. */
export function colorsFor(
  names: readonly string[],
  colors: ReadonlyMap<string, string>,
  palette: readonly string[],
): string[] {
  let next = 0;
  return names.map((n) => colors.get(n) ?? palette[next++ % palette.length]!);
}

/** Series name → CSS colour, from a chart's `seriesLabelSettings` (names it does not colour are left out). */
export function seriesColors(chartSettings: Record<string, unknown> | undefined): Map<string, string> {
  const colors = new Map<string, string>();
  const settings = chartSettings?.seriesLabelSettings;
  for (const s of Array.isArray(settings) ? settings : []) {
    const { seriesName, color } = (s ?? {}) as { seriesName?: unknown; color?: unknown };
    if (typeof seriesName !== 'string' || typeof color !== 'string') continue;
    const css = /^#[0-9a-f]{6}$/i.test(color) ? color : NAMED_COLORS[color];
    if (css) colors.set(seriesName, css);
  }
  return colors;
}
