/**
 * What the four workbooks share: the context they are built in, headline tiles, the site/zone parameters, common
 * queries.
 */
import {
  parameters,
  queryDropdownParameter,
  tilesFor,
  timeRangeParameter,
  type Workbook,
} from '../workbookBuilder.js';

/**
 * The tail of a headline query: its one summarized row turned into ordered tiles (Order, Metric, Value), one per
 * `[label, column]`; drawn with {@link METRIC_TILES}.
 */
export function metricTiles(metrics: readonly (readonly [label: string, column: string])[]): string {
  const bags = metrics
    .map(([label, column], i) => `    bag_pack("Order", ${i + 1}, "Metric", "${label}", "Value", ${column})`)
    .join(',\n');
  return `| project Tiles = pack_array(
${bags})
| mv-expand Tile = Tiles
| project Order = toint(Tile.Order), Metric = tostring(Tile.Metric), Value = todouble(Tile.Value)
| order by Order asc`;
}

/**
 * Severity series in a SOC's colours (High red, Medium orange, Low yellow, Informational blue), in that order; without
 * them the chart's palette gave Medium red and High blue.
 */
export const SEVERITY_SERIES = {
  seriesLabelSettings: [
    { seriesName: 'High', color: 'redBright' },
    { seriesName: 'Medium', color: 'orange' },
    { seriesName: 'Low', color: 'yellow' },
    { seriesName: 'Informational', color: 'blue' },
  ],
};

/** How {@link metricTiles} rows are drawn: one blue tile per metric. */
export const METRIC_TILES = {
  visualization: 'tiles',
  size: 3,
  tileSettings: tilesFor('Metric', 'Value', undefined, 'blue'),
} as const;

export interface WorkbookRule {
  readonly id: string;
  readonly name: string;
  readonly tactics: readonly string[];
  readonly relevantTechniques: readonly string[];
}

export interface WorkbookContext {
  readonly rules: readonly WorkbookRule[];
}

export interface WorkbookDefinition {
  /** File name under workbooks/ and the ARM resource seed. */
  readonly file: string;
  readonly displayName: string;
  readonly description: string;
  readonly build: (ctx: WorkbookContext) => Workbook;
}

export const kqlString = (s: string) => JSON.stringify(s);
export const kqlList = (values: readonly string[]) => values.map(kqlString).join(', ');

/**
 * A time chart's query with its empty bins drawn as 0. `summarize … by bin()` has no row for a bin without data,
 * and the chart draws its line straight across the gap: a storm that stopped for hours and came back reads as one
 * ramp. `make-series` fills them in Kusto; this does the same with `range` and joins, which the local engine runs
 * too (docs/local-sentinel-kql.md). `binned` is a tabular expression with the column `time` (binned by `step`),
 * the series column `by` if any, and the numeric `values`; bins run from its first to its last.
 */
export function zeroFilled(
  binned: string,
  o: { time: string; step: string; by?: string; values: readonly string[] },
): string {
  const by = o.by ? `, ${o.by}` : '';
  const everySeries = o.by
    ? `\n| extend Key_ = 1\n| join kind=inner (Binned | distinct ${o.by} | extend Key_ = 1) on Key_`
    : '';
  return `let Binned = ${binned};
let FirstBin = toscalar(Binned | summarize min(${o.time}));
let LastBin = toscalar(Binned | summarize max(${o.time}));
range ${o.time} from coalesce(FirstBin, now()) to coalesce(LastBin, ago(1d)) step ${o.step}${everySeries}
| join kind=leftouter Binned on ${o.time}${by}
| project ${o.time}${by}, ${o.values.map((v) => `${v} = coalesce(${v}, 0)`).join(', ')}
| render timechart`;
}

/** Alert groups in the time range, latest revision, filtered by the Site and Zone parameters. */
export const GROUPS = `OTAlerts_CL
| where TimeGenerated {TimeRange}
| summarize arg_max(Revision, *) by AlertId
| where (Site in ({Site}) or '*' in ({Site})) and (Zone in ({Zone}) or '*' in ({Zone}))`;

export const SITE_QUERY = `OTAlerts_CL
| where TimeGenerated {TimeRange}
| where isnotempty(Site)
| distinct Site
| order by Site asc`;

export const ZONE_QUERY = `OTAlerts_CL
| where TimeGenerated {TimeRange}
| where Site in ({Site}) or '*' in ({Site})
| where isnotempty(Zone)
| distinct Zone
| order by Zone asc`;

export const CONTROLLERS = 'dynamic(["PLC", "RTU", "DCS", "SIS", "IED"])';

/** The plant-site dropdown every workbook filters by. */
export function siteParameter(id: string): ReturnType<typeof queryDropdownParameter> {
  return queryDropdownParameter(
    id,
    'Site',
    'Site',
    SITE_QUERY,
    'Plant sites that reported alert groups in the time range.',
  );
}

/** Time range, site and zone, then any `extra` parameters of the workbook. */
export function siteZoneParameters(
  id: string,
  extra: readonly ReturnType<typeof queryDropdownParameter>[] = [],
): ReturnType<typeof parameters> {
  return parameters('parameters', [
    timeRangeParameter(id),
    siteParameter(id),
    queryDropdownParameter(id, 'Zone', 'Zone', ZONE_QUERY, 'Network zones of the selected sites.'),
    ...extra,
  ]);
}

export const otSocRules = (ctx: WorkbookContext) =>
  `let OtSocRules = dynamic([${kqlList(ctx.rules.map((r) => r.id))}]);`;

export const ruleNames = (ctx: WorkbookContext) =>
  `let RuleNames = datatable(RuleGuid:string, Rule:string)[${ctx.rules
    .map((r) => `${kqlString(r.id)}, ${kqlString(r.name)}`)
    .join(', ')}];`;
