import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WORKBOOKS } from '../../../analytics/workbooks/index.js';
import type { KqlContext, KqlTable } from '../../../cli/report/engine.js';
import { page } from '../../../cli/report/page.js';
import { queriesOf } from '../../../cli/report/workbooks/model.js';
import { grainOf, parametersOf, substitute } from '../../../cli/report/workbooks/params.js';
import { workbookHtml } from '../../../cli/report/workbooks/render.js';
import { runWorkbook } from '../../../cli/report/workbooks/run.js';

const NOW = new Date('2026-11-19T00:00:00Z');
const ctx: KqlContext = { tables: {}, now: NOW };
const load = (file: string): unknown => JSON.parse(readFileSync(join('workbooks', file), 'utf8'));
const hour = (h: number) => new Date(Date.UTC(2026, 10, 18, h));

class KqlUnsupportedError extends Error {
  override name = 'KqlUnsupportedError';
}

/**
 * A double of the engine's output shape (sentinel/kql runQuery → KqlTable) keyed on what a query asks for,
 * so the renderer is tested on every visual kind without the engine.
 */
function double(query: string): KqlTable {
  if (query.includes('SentinelHealth')) throw new KqlUnsupportedError('table SentinelHealth (line 1:1)');
  if (query.includes('| render timechart'))
    return {
      columns: [
        { name: 'FirstSeen', type: 'datetime' },
        { name: 'Site', type: 'string' },
        { name: 'Groups', type: 'long' },
      ],
      rows: [0, 1, 2].flatMap((h) => [
        { FirstSeen: hour(h), Site: 'Lyon', Groups: h + 1 },
        { FirstSeen: hour(h), Site: 'Rotterdam', Groups: 2 * h },
      ]),
    };
  if (query.includes('TacticTechniques'))
    return {
      columns: [
        { name: 'Technique', type: 'string' },
        { name: 'Name', type: 'string' },
        { name: 'Groups', type: 'long' },
        { name: 'Alerts', type: 'long' },
      ],
      rows: [
        { Technique: 'T0842', Name: 'Network Sniffing', Groups: 28, Alerts: 2131 },
        { Technique: 'T0801', Name: 'Monitor Process State', Groups: 0, Alerts: 0 },
      ],
    };
  if (query.includes('mv-expand Tile = Tiles'))
    return {
      columns: [
        { name: 'Order', type: 'int' },
        { name: 'Metric', type: 'string' },
        { name: 'Value', type: 'real' },
      ],
      rows: [
        { Order: 1, Metric: 'Raw sensor alerts', Value: 2482 },
        { Order: 2, Metric: 'Median minutes to pick-up', Value: null },
      ],
    };
  return {
    columns: [
      { name: 'Label', type: 'string' },
      { name: 'Count', type: 'long' },
    ],
    rows: [
      { Label: '<script>alert(1)</script>', Count: 3 },
      { Label: 'b', Count: 1 },
    ],
  };
}

describe('workbook parameters at their defaults', () => {
  it('expands the time range, its grain and "All" as the workbook renderer does', () => {
    const params = new Map(
      parametersOf({
        parameters: [
          { name: 'TimeRange', type: 4, value: { durationMs: 7 * 86_400_000 } },
          {
            name: 'Site',
            type: 2,
            quote: "'",
            delimiter: ',',
            value: ['value::all'],
            typeSettings: { selectAllValue: '*' },
          },
        ],
      }).map((p) => [p.name, p]),
    );
    expect(
      substitute(
        'where T {TimeRange} | bin(x, {TimeRange:grain}) | where S in ({Site}) | {Other} | dynamic({"a":1})',
        params,
      ),
    ).toBe(`where T > ago(7d) | bin(x, 1h) | where S in ('*') | {Other} | dynamic({"a":1})`);
    expect(grainOf(30 * 86_400_000)).toBe(86_400_000);
    expect(grainOf(3_600_000)).toBe(3_600_000);
  });
});

describe('shipped workbooks over a double of the engine', () => {
  const rendered = WORKBOOKS.map((w) => runWorkbook(w.file, w.displayName, load(w.file), ctx, double));

  it('sends every query with its parameters substituted (nothing left in braces but selections)', () => {
    for (const wb of rendered)
      for (const q of queriesOf(wb.items))
        expect(q.query).not.toMatch(/\{(TimeRange|Site|Zone|Severity)(:\w+)?\}/);
  });

  it('draws each kind: tiles, grids, time/bar/pie charts, and says why when the engine refuses', () => {
    const html = rendered.map((wb, i) => workbookHtml(wb, `wb${i}`)).join('\n');
    const dir = join(tmpdir(), 'ot-soc-report-test');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'workbooks-double.html'), page('workbooks over a double', html));
    expect(html).not.toContain('<script>');
    expect(html).toContain('&#60;script&#62;alert(1)&#60;/script&#62;');
    for (const kind of ['tiles', 'table', 'timechart', 'barchart', 'piechart'])
      expect(html).toContain(`data-kind="${kind}"`);
    expect(html).toMatch(/role="img" aria-label="Time chart: /);
    expect(html).toMatch(/role="img" aria-label="Pie chart: /);
    expect(html).toContain('Not supported by the local engine: table SentinelHealth (line 1:1)');
    // A metric without a value says so rather than leaving the tile blank.
    expect(html).toContain(
      '<span class="tile-title">Median minutes to pick-up</span><b class="tile-value">–</b>',
    );
  });

  it('lays the ATT&CK matrix out as 12 tactic columns sharing one heat scale', () => {
    const attack = rendered.find((w) => w.file === 'ot-soc-attack-ics.json')!;
    const html = workbookHtml(attack, 'a');
    const columns = queriesOf(attack.items).filter((q) => q.name.startsWith('matrix - '));
    expect(columns).toHaveLength(12);
    expect(columns.every((q) => q.width === 8)).toBe(true);
    expect(html.match(/class="tile hot" style="background:hsl\(0 70% 82%\)"/g)).toHaveLength(12);
    expect(html.match(/class="tile cold"/g)?.length).toBeGreaterThanOrEqual(12);
  });

  it('draws every tab panel with its label and keeps selection-only groups hidden at the defaults', () => {
    const sites = rendered.find((w) => w.file === 'ot-soc-sites-assets.json')!;
    const html = workbookHtml(sites, 's');
    for (const tab of ['Sites and zones', 'Assets', 'Sensors']) expect(html).toContain(`Tab: ${tab}`);
    const attack = workbookHtml(rendered.find((w) => w.file === 'ot-soc-attack-ics.json')!, 'a');
    expect(attack).toContain('Shown in Sentinel when SelectedTechnique is set');
  });
});

describe('series colours (chartSettings.seriesLabelSettings)', () => {
  const purdue = (query: string): KqlTable =>
    query.includes('by Level, Severity')
      ? {
          columns: [
            { name: 'Level', type: 'string' },
            { name: 'Severity', type: 'string' },
            { name: 'Groups', type: 'long' },
          ],
          // Low first, Medium before High: the palette in order of appearance gave Medium red and High blue.
          rows: [
            { Level: 'Level 3', Severity: 'Low', Groups: 10 },
            { Level: 'Level 1', Severity: 'Medium', Groups: 1 },
            { Level: 'Level 1', Severity: 'High', Groups: 2 },
          ],
        }
      : { columns: [{ name: 'x', type: 'string' }], rows: [] };

  it('draws severities in a SOC’s colours, High first, as the workbook asks', () => {
    const file = 'ot-soc-sites-assets.json';
    const wb = runWorkbook(file, 'sites', load(file), ctx, purdue);
    const q = queriesOf(wb.items).find((x) => x.name === 'purdue')!;
    expect(q.chartSettings).toBeDefined();
    const html = workbookHtml({ ...wb, items: [q] }, 's');
    const fills = (color: string) => html.match(new RegExp(`fill="${color}"`, 'g'))?.length ?? 0;
    expect(fills('#e81123')).toBeGreaterThan(0); // High: redBright
    expect(fills('#ff8c00')).toBeGreaterThan(0); // Medium: orange
    expect(fills('#fce100')).toBeGreaterThan(0); // Low: yellow
    const legend = [...html.matchAll(/<span class="[^"]*swatch[^"]*"[^>]*>[\s\S]*?<\/svg>([A-Za-z]+)/g)].map(
      (m) => m[1],
    );
    expect(legend).toEqual(['High', 'Medium', 'Low']);
  });

  it('every shipped chart split by severity colours every severity', () => {
    for (const w of WORKBOOKS) {
      const rendered = runWorkbook(w.file, w.displayName, load(w.file), ctx, () => ({
        columns: [],
        rows: [],
      }));
      for (const q of queriesOf(rendered.items)) {
        if (!q.visualization.endsWith('chart') || !/\bby\b[^|]*\bSeverity\b/.test(q.query)) continue;
        const names = ((q.chartSettings?.seriesLabelSettings ?? []) as { seriesName: string }[]).map(
          (s) => s.seriesName,
        );
        expect([w.file, q.name, names]).toEqual([w.file, q.name, ['High', 'Medium', 'Low', 'Informational']]);
      }
    }
  });
});
