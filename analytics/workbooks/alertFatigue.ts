/**
 * The alert-fatigue workbook: raw sensor alerts vs groups, suppression ratio, noisiest types and sensors, storms,
 * false-positive history per alert type from closed incidents.
 */
import { bar, heatmap, markdown, query, type Workbook, workbook } from '../workbookBuilder.js';
import {
  GROUPS,
  METRIC_TILES,
  metricTiles,
  otSocRules,
  siteZoneParameters,
  type WorkbookContext,
  zeroFilled,
} from './shared.js';

// ---------------------------------------------------------------------------------------------------------------
// Alert fatigue

export function alertFatigue(ctx: WorkbookContext): Workbook {
  const id = 'ot-soc-alert-fatigue';
  return workbook(`sentinel-${id}`, [
    markdown(
      'header',
      `## OT alert fatigue: what deduplication saves the SOC

**Raw alerts** are the sensor alerts Defender for IoT raised (the \`Count\` of each group, summed); **groups** are what
ot-soc wrote to Sentinel after merging duplicates the way Defender for IoT does (same zone, title, protocol, status and
devices within the window). The **suppression ratio** is the share of raw alerts that did not become a separate group.
**Rows written** counts every revision (creation, updates, final row): what Log Analytics ingested.`,
    ),
    siteZoneParameters(id),
    query('headline', {
      query: `let Rows = toscalar(OTAlerts_CL
| where TimeGenerated {TimeRange}
| where (Site in ({Site}) or '*' in ({Site})) and (Zone in ({Zone}) or '*' in ({Zone}))
| count);
${GROUPS}
| summarize Raw = sum(Count), Groups = count()
| extend Ratio = iff(Raw == 0, 0.0, round(100.0 * (Raw - Groups) / Raw, 1)), PerGroup = iff(Groups == 0, 0.0, round(todouble(Raw) / Groups, 1))
${metricTiles([
  ['Raw sensor alerts', 'Raw'],
  ['Alert groups in Sentinel', 'Groups'],
  ['Suppression ratio (%)', 'Ratio'],
  ['Raw alerts per group', 'PerGroup'],
  ['Rows written (revisions)', 'Rows'],
])}`,
      ...METRIC_TILES,
    }),
    query('raw vs groups', {
      title: 'Raw sensor alerts vs alert groups over time',
      query: zeroFilled(
        `${GROUPS}
| summarize ['Raw sensor alerts'] = sum(Count), ['Alert groups'] = count() by FirstSeen = bin(FirstSeen, {TimeRange:grain})`,
        {
          time: 'FirstSeen',
          step: '{TimeRange:grain}',
          values: ["['Raw sensor alerts']", "['Alert groups']"],
        },
      ),
      visualization: 'timechart',
    }),
    query('noisiest types', {
      title: 'Noisiest alert types',
      query: `${GROUPS}
| summarize Raw = sum(Count), Groups = count(), High = countif(Severity == "High"), Sites = dcount(Site),
    Zones = dcount(strcat(Site, "/", Zone)), LastSeen = max(LastSeen) by AlertTitle, Engine
| extend PerGroup = round(todouble(Raw) / Groups, 1), Suppressed = round(100.0 * (Raw - Groups) / Raw, 1)
| top 25 by Raw desc`,
      width: 60,
      gridSettings: { formatters: [bar('Raw', 'orange'), heatmap('PerGroup'), heatmap('High', 'greenRed')] },
    }),
    query('noisiest sensors', {
      title: 'Noisiest sensors (a group counts for every sensor that saw it)',
      query: `${GROUPS}
| mv-expand Sensor = Sensors to typeof(string)
| summarize RawInGroups = sum(Count), Groups = dcount(AlertId), AlertTypes = dcount(AlertTitle), TopTypes = make_set(AlertTitle, 3)
    by Sensor, Site, Zone
| top 25 by RawInGroups desc`,
      width: 40,
      gridSettings: { formatters: [bar('RawInGroups', 'orange')] },
    }),
    query('storms', {
      title: 'Alert storms absorbed (groups of 100 or more sensor alerts)',
      query: `${GROUPS}
| where Count >= 100
| extend Minutes = max_of(1, datetime_diff("minute", LastSeen, FirstSeen)), Source = coalesce(SourceAssetName, SourceName, SourceIP)
| project FirstSeen, LastSeen, AlertTitle, Site, Zone, Source, Count, Minutes, PerMinute = round(todouble(Count) / Minutes, 1),
    Sensors = strcat_array(Sensors, ", "), AlertId
| order by Count desc`,
      noDataMessage: 'No group of 100 or more sensor alerts in the time range.',
      gridSettings: { formatters: [bar('Count', 'orange')] },
    }),
    query('revisions', {
      title: 'Rows written per group (creation, throttled updates, final row; 10 = 10 or more)',
      query: `OTAlerts_CL
| where TimeGenerated {TimeRange}
| where (Site in ({Site}) or '*' in ({Site})) and (Zone in ({Zone}) or '*' in ({Zone}))
| summarize Rows = count() by AlertId
| summarize Groups = count() by RowsWritten = min_of(Rows, 10)
| order by RowsWritten asc`,
      visualization: 'barchart',
      width: 50,
    }),
    query('false positives', {
      title: 'False-positive history per alert type (closed ot-soc incidents)',
      query: `${otSocRules(ctx)}
let Closed = SecurityIncident
| where TimeGenerated {TimeRange}
| summarize arg_max(TimeGenerated, *) by IncidentNumber
| where Status == "Closed" and RelatedAnalyticRuleIds has_any (OtSocRules)
| mv-expand SystemAlertId = AlertIds to typeof(string)
| project IncidentNumber, Classification, ClassificationReason, SystemAlertId;
SecurityAlert
| where TimeGenerated {TimeRange}
| summarize arg_max(TimeGenerated, *) by SystemAlertId
| extend Details = parse_json(tostring(parse_json(ExtendedProperties)["Custom Details"]))
| extend AlertTitle = coalesce(tostring(Details.AlertTitle[0]), AlertName)
| join kind=inner Closed on SystemAlertId
| summarize Incidents = dcount(IncidentNumber), TruePositive = dcountif(IncidentNumber, Classification == "TruePositive"),
    BenignPositive = dcountif(IncidentNumber, Classification == "BenignPositive"),
    FalsePositive = dcountif(IncidentNumber, Classification == "FalsePositive"),
    Undetermined = dcountif(IncidentNumber, Classification == "Undetermined"),
    Reasons = make_set(ClassificationReason, 4) by AlertTitle
| extend FalsePositivePercent = round(100.0 * FalsePositive / Incidents, 1),
    NotActionablePercent = round(100.0 * (FalsePositive + BenignPositive) / Incidents, 1)
| order by NotActionablePercent desc, Incidents desc`,
      width: 50,
      noDataMessage: 'No closed ot-soc incidents in the time range.',
      gridSettings: { formatters: [heatmap('FalsePositivePercent'), heatmap('NotActionablePercent')] },
    }),
  ]);
}
