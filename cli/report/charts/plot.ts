/**
 * Time and bar charts drawn by Observable Plot on the server: Plot builds SVG through a `document`, given here
 * by linkedom (a small DOM without a browser), and the SVG is inlined in the page. Every chart is a
 * `<figure role="img">` with a text alternative saying what it shows and its extremes.
 */
import * as Plot from '@observablehq/plot';
import { parseHTML } from 'linkedom';
import { escapeHtml, formatNumber, formatTime } from '../html.js';
import { colorsFor, type Point } from './series.js';

const { document } = parseHTML('<!doctype html><html><head></head><body></body></html>');
const doc = document as unknown as NonNullable<Plot.PlotOptions['document']>;

export interface ChartOptions {
  title: string;
  /** Drawing width in px before the page scales it down to its box. */
  width: number;
  height?: number;
  yLabel?: string;
  /** Symmetric log scale on y, for series a thousand times apart (the storm against the rows). */
  logY?: boolean;
  /** Series name → colour (the workbook's seriesLabelSettings); the others take tableau10's in order. */
  colors?: ReadonlyMap<string, string>;
}

/** The tableau10 scheme's colours, as Plot's own scale gives them (for the series the settings do not colour). */
const TABLEAU10 = Plot.scale({ color: { type: 'ordinal', scheme: 'tableau10', domain: [0] } })
  .range as string[];

/**
 * The colour scale: coloured series first, in the settings' order (so High stacks first and leads the legend),
 * then the rest in order of appearance.
 */
function colorScale(points: readonly Point[], o: ChartOptions): Plot.ScaleOptions {
  const names = series(points);
  const legend = names.length > 1;
  if (!o.colors?.size) return { legend, scheme: 'tableau10', domain: names };
  const domain = [
    ...[...o.colors.keys()].filter((n) => names.includes(n)),
    ...names.filter((n) => !o.colors!.has(n)),
  ];
  return { legend, domain, range: colorsFor(domain, o.colors, TABLEAU10) };
}

const LOG_TICKS = [0, 1, 3, 10, 30, 100, 300, 1000, 3000, 10_000, 30_000, 100_000];
const series = (points: readonly Point[]) => [...new Set(points.map((p) => p.series))];

function describe(kind: string, points: readonly Point[], o: ChartOptions): string {
  const names = series(points);
  const max = points.reduce((m, p) => (p.y > m.y ? p : m), points[0]!);
  const at = max.x instanceof Date ? formatTime(max.x) : max.x;
  return `${kind}: ${o.title}. ${names.length} series (${names.slice(0, 6).join(', ')}${names.length > 6 ? ', …' : ''}), ${points.length} points; highest ${formatNumber(max.y)} (${max.series}) at ${at}.`;
}

export function figure(svg: string, label: string, caption?: string): string {
  return `<figure class="chart" role="img" aria-label="${escapeHtml(label)}">${svg}${caption ? `<figcaption>${escapeHtml(caption)}</figcaption>` : ''}</figure>`;
}

/** The text alternative goes on the figure (escaped here): linkedom leaves `<` in attribute values as is. */
function render(plot: Plot.PlotOptions, label: string): string {
  const el = Plot.plot({ ...plot, document: doc });
  return figure(el.outerHTML, label);
}

export function timeChart(points: readonly Point[], o: ChartOptions): string {
  const label = describe('Time chart', points, o);
  return render(
    {
      width: o.width,
      height: o.height ?? 260,
      marginLeft: 50,
      // the axis name centred under the ticks: at the right end ("UTC →") it ran into the last tick's date
      marginBottom: 48,
      x: { type: 'utc', label: 'Time (UTC)', labelAnchor: 'center', labelArrow: 'none', labelOffset: 44 },
      y: {
        grid: true,
        label: o.yLabel ?? null,
        ...(o.logY
          ? {
              type: 'symlog' as const,
              ticks: LOG_TICKS.filter((t) => t <= Math.max(...points.map((p) => p.y))),
            }
          : {}),
      },
      color: colorScale(points, o),
      marks: [
        Plot.ruleY([0]),
        // z named: Plot warns on stderr ("implicit z channel has high cardinality") when series have one point each.
        Plot.lineY(points, { x: 'x', y: 'y', z: 'series', stroke: 'series', strokeWidth: 2 }),
        Plot.dot(points, { x: 'x', y: 'y', fill: 'series', r: 2.5, tip: false }),
      ],
    },
    label,
  );
}

export function barChart(points: readonly Point[], o: ChartOptions): string {
  const label = describe('Bar chart', points, o);
  const color = colorScale(points, o);
  const domain = [...new Set(points.map((p) => String(p.x)))];
  return render(
    {
      width: o.width,
      height: o.height ?? 260,
      marginLeft: 50,
      marginBottom: 40,
      x: { type: 'band', domain, label: null, tickRotate: domain.some((d) => d.length > 12) ? -20 : 0 },
      y: { grid: true, label: o.yLabel ?? null },
      color,
      marks: [
        Plot.barY(
          points,
          Plot.stackY({
            x: (p: Point) => String(p.x),
            y: 'y',
            fill: 'series',
            order: [...(color.domain ?? [])],
          }),
        ),
        Plot.ruleY([0]),
      ],
    },
    label,
  );
}

/** Horizontal bars for long category names (dead-letter reasons). */
export function barChartH(points: readonly Point[], o: ChartOptions): string {
  const label = describe('Bar chart', points, o);
  return render(
    {
      width: o.width,
      height: o.height ?? 40 + 28 * new Set(points.map((p) => p.x)).size,
      marginLeft: Math.min(420, 8 + 6 * Math.max(...points.map((p) => String(p.x).length))),
      x: {
        grid: true,
        label: o.yLabel ?? null,
        ticks: Math.min(10, Math.max(...points.map((p) => p.y))),
        tickFormat: 'd',
      },
      y: { type: 'band', label: null },
      marks: [Plot.barX(points, { y: (p: Point) => String(p.x), x: 'y', fill: '#4269d0' }), Plot.ruleX([0])],
    },
    label,
  );
}
