/**
 * The four ot-soc workbooks, built from code so they follow the rules and the ATT&CK data:
 * - ATT&CK for ICS matrix (all 12 tactics, every active technique, counts, drill-down, rule coverage);
 * - alert fatigue (raw sensor alerts vs groups, suppression ratio, noisiest types and sensors, storms,
 *   false-positive history per alert type from closed incidents);
 * - SOC efficiency (time to first change and to close, classification, workload, playbook and automation outcomes);
 * - sites, zones and assets (per-zone picture, Purdue levels, assets at risk, escalations, sensors, inventory).
 *
 * Counts are over alert groups, the latest revision of each (`summarize arg_max(Revision, *) by AlertId`);
 * "raw alerts" are the sensor alerts merged into them (`sum(Count)`).
 */
import { ATTACK_ICS_VERSION, ICS_TACTICS, ICS_TECHNIQUES } from '../pipeline/enrich/attack.js';
import { ASSET_WATCHLIST } from './schemas.js';
import {
  bar,
  group,
  heatmap,
  markdown,
  parameters,
  query,
  queryDropdownParameter,
  staticDropdownParameter,
  tabs,
  tilesFor,
  timeRangeParameter,
  type Workbook,
  when,
  whenSet,
  workbook,
} from './workbookBuilder.js';

/**
 * The tail of a headline query: its one summarized row turned into ordered tiles (Order, Metric, Value), one per
 * `[label, column]`; drawn with {@link METRIC_TILES}.
 */
function metricTiles(metrics: readonly (readonly [label: string, column: string])[]): string {
  const bags = metrics
    .map(([label, column], i) => `    bag_pack("Order", ${i + 1}, "Metric", "${label}", "Value", ${column})`)
    .join(',\n');
  return `| project Tiles = pack_array(
${bags})
| mv-expand Tile = Tiles
| project Order = toint(Tile.Order), Metric = tostring(Tile.Metric), Value = todouble(Tile.Value)
| order by Order asc`;
}

/** How {@link metricTiles} rows are drawn: one blue tile per metric. */
const METRIC_TILES = {
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

const kqlString = (s: string) => JSON.stringify(s);
const kqlList = (values: readonly string[]) => values.map(kqlString).join(', ');

/** Alert groups in the time range, latest revision, filtered by the Site and Zone parameters. */
const GROUPS = `OTAlerts_CL
| where TimeGenerated {TimeRange}
| summarize arg_max(Revision, *) by AlertId
| where (Site in ({Site}) or '*' in ({Site})) and (Zone in ({Zone}) or '*' in ({Zone}))`;

const SITE_QUERY = `OTAlerts_CL
| where TimeGenerated {TimeRange}
| where isnotempty(Site)
| distinct Site
| order by Site asc`;

const ZONE_QUERY = `OTAlerts_CL
| where TimeGenerated {TimeRange}
| where Site in ({Site}) or '*' in ({Site})
| where isnotempty(Zone)
| distinct Zone
| order by Zone asc`;

const CONTROLLERS = 'dynamic(["PLC", "RTU", "DCS", "SIS", "IED"])';

/** The plant-site dropdown every workbook filters by. */
function siteParameter(id: string): ReturnType<typeof queryDropdownParameter> {
  return queryDropdownParameter(
    id,
    'Site',
    'Site',
    SITE_QUERY,
    'Plant sites that reported alert groups in the time range.',
  );
}

/** Time range, site and zone, then any `extra` parameters of the workbook. */
function siteZoneParameters(
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

const otSocRules = (ctx: WorkbookContext) =>
  `let OtSocRules = dynamic([${kqlList(ctx.rules.map((r) => r.id))}]);`;

const ruleNames = (ctx: WorkbookContext) =>
  `let RuleNames = datatable(RuleGuid:string, Rule:string)[${ctx.rules
    .map((r) => `${kqlString(r.id)}, ${kqlString(r.name)}`)
    .join(', ')}];`;

// ---------------------------------------------------------------------------------------------------------------
// ATT&CK for ICS matrix

function attackMatrix(ctx: WorkbookContext): Workbook {
  const id = 'ot-soc-attack-ics';
  const active = ICS_TECHNIQUES.filter((t) => !t.deprecated && !t.revoked);
  const filtered = `${GROUPS}
| where Severity in ({Severity}) or '*' in ({Severity})`;
  const rulesPerTechnique = new Map<string, number>();
  for (const r of ctx.rules)
    for (const t of r.relevantTechniques) rulesPerTechnique.set(t, (rulesPerTechnique.get(t) ?? 0) + 1);

  const tacticColumns = ICS_TACTICS.map((tactic) => {
    const own = active.filter((t) => (t.tactics as readonly string[]).includes(tactic.shortname));
    return query(`matrix - ${tactic.shortname}`, {
      title: tactic.name,
      query: `let TacticTechniques = datatable(Technique:string, Name:string)[${own
        .map((t) => `${kqlString(t.id)}, ${kqlString(t.name)}`)
        .join(', ')}];
let Observed = ${filtered}
| mv-expand Technique = Techniques to typeof(string)
| summarize Groups = dcount(AlertId), Alerts = sum(Count) by Technique;
TacticTechniques
| join kind=leftouter Observed on Technique
| project Technique, Name, Groups = coalesce(Groups, 0), Alerts = coalesce(Alerts, 0)
| order by Groups desc, Technique asc`,
      visualization: 'tiles',
      size: 4,
      width: 8,
      exported: [
        { field: 'Technique', parameter: 'SelectedTechnique' },
        { field: 'Name', parameter: 'SelectedTechniqueName' },
      ],
      tileSettings: tilesFor('Name', 'Groups', 'Technique'),
    });
  });

  const techniqueTable = `let Matrix = datatable(Technique:string, Name:string, MatrixTactics:string, Rules:long)[${active
    .map(
      (t) =>
        `${kqlString(t.id)}, ${kqlString(t.name)}, ${kqlString(
          t.tactics.map((s) => ICS_TACTICS.find((x) => x.shortname === s)!.name).join(', '),
        )}, ${rulesPerTechnique.get(t.id) ?? 0}`,
    )
    .join(', ')}];
let Observed = ${filtered}
| mv-expand Technique = Techniques to typeof(string)
| summarize Groups = dcount(AlertId), Alerts = sum(Count), Sites = dcount(Site), Zones = dcount(strcat(Site, "/", Zone)),
    FirstSeen = min(FirstSeen), LastSeen = max(LastSeen), AlertTypes = make_set(AlertTitle, 5) by Technique;
Matrix
| join kind=leftouter Observed on Technique
| project Technique, Name, Tactics = MatrixTactics, Groups = coalesce(Groups, 0), Alerts = coalesce(Alerts, 0), Sites, Zones,
    FirstSeen, LastSeen, AlertTypes, Rules
| order by Groups desc, Technique asc`;

  const tacticSummary = `let Matrix = datatable(Order:int, Tactic:string, TacticName:string)[${ICS_TACTICS.map(
    (t) => `${t.order}, ${kqlString(t.sentinel)}, ${kqlString(t.name)}`,
  ).join(', ')}];
let Observed = ${filtered}
| mv-expand Tactic = Tactics to typeof(string)
| summarize Groups = dcount(AlertId), Alerts = sum(Count) by Tactic;
Matrix
| join kind=leftouter Observed on Tactic
| project Order, TacticName, Groups = coalesce(Groups, 0), Alerts = coalesce(Alerts, 0)
| order by Order asc`;

  return workbook(`sentinel-${id}`, [
    markdown(
      'header',
      `## ATT&CK® for ICS: what the plant's alerts map to

Every Defender for IoT alert group in \`OTAlerts_CL\` (latest revision) counted under the ATT&CK for ICS ${ATTACK_ICS_VERSION} techniques the pipeline mapped it to, for all 12 tactics and all ${active.length} active techniques. A tile's number is
alert groups; "Alerts" in the table below is the raw sensor alerts merged into them. Select a technique to drill down.
"Rules" is how many ot-soc analytics rules list the technique.`,
    ),
    siteZoneParameters(id, [
      staticDropdownParameter(id, 'Severity', 'Severity', ['High', 'Medium', 'Low', 'Informational']),
    ]),
    query('tactic summary', {
      title: 'Alert groups per tactic',
      query: tacticSummary,
      visualization: 'tiles',
      size: 3,
      tileSettings: tilesFor('TacticName', 'Groups'),
    }),
    ...tacticColumns,
    group(
      'drill-down',
      [
        markdown('drill-down header', '### {SelectedTechnique} {SelectedTechniqueName}'),
        query('drill-down groups', {
          title: 'Alert groups with this technique',
          query: `${filtered}
| where Techniques has "{SelectedTechnique}"
| project LastSeen, AlertTitle, Severity, Status, Site, Zone, Source = coalesce(SourceAssetName, SourceName, SourceIP),
    Destination = coalesce(DestinationAssetName, DestinationName, DestinationIP), Protocol, Count, FirstSeen, RiskScore,
    Escalations = strcat_array(extract_all(@'"rule":"(\\w+)"', tostring(Escalations)), ", "), AlertId
| order by LastSeen desc`,
          width: 60,
          gridSettings: { formatters: [heatmap('RiskScore'), bar('Count')] },
        }),
        query('drill-down trend', {
          title: 'Alert groups per day and site',
          query: `${filtered}
| where Techniques has "{SelectedTechnique}"
| summarize Groups = count() by bin(FirstSeen, 1d), Site
| render timechart`,
          visualization: 'timechart',
          width: 40,
        }),
      ],
      { visibleWhen: whenSet('SelectedTechnique') },
    ),
    query('technique table', {
      title: 'Techniques: alert groups, raw alerts, reach and rule coverage',
      query: techniqueTable,
      exported: [
        { field: 'Technique', parameter: 'SelectedTechnique' },
        { field: 'Name', parameter: 'SelectedTechniqueName' },
      ],
      gridSettings: {
        formatters: [heatmap('Groups'), bar('Alerts'), heatmap('Rules', 'redGreen')],
        filter: true,
      },
    }),
  ]);
}

// ---------------------------------------------------------------------------------------------------------------
// Alert fatigue

function alertFatigue(ctx: WorkbookContext): Workbook {
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
      query: `${GROUPS}
| summarize ['Raw sensor alerts'] = sum(Count), ['Alert groups'] = count() by bin(FirstSeen, {TimeRange:grain})
| render timechart`,
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

// ---------------------------------------------------------------------------------------------------------------
// SOC efficiency

function socEfficiency(ctx: WorkbookContext): Workbook {
  const id = 'ot-soc-soc-efficiency';
  const incidents = `${otSocRules(ctx)}
let AlertSites = SecurityAlert
| where TimeGenerated {TimeRange}
| extend Details = parse_json(tostring(parse_json(ExtendedProperties)["Custom Details"]))
| project SystemAlertId, AlertSite = tostring(Details.Site[0]);
let Incidents = SecurityIncident
| where TimeGenerated {TimeRange}
| summarize arg_max(TimeGenerated, *) by IncidentNumber
| where RelatedAnalyticRuleIds has_any (OtSocRules)
| where Severity in ({Severity}) or '*' in ({Severity});
let InSites = Incidents
| mv-expand SystemAlertId = AlertIds to typeof(string)
| join kind=inner AlertSites on SystemAlertId
| where AlertSite in ({Site})
| distinct IncidentNumber;
let OtIncidents = Incidents
| where '*' in ({Site}) or IncidentNumber in (InSites)
| extend MinutesToFirstChange = datetime_diff("minute", FirstModifiedTime, CreatedTime),
    HoursToClose = iff(Status == "Closed", datetime_diff("minute", ClosedTime, CreatedTime) / 60.0, real(null)),
    ClosedBy = iff(Status == "Closed", iff(ModifiedBy has_any ("Automation", "Playbook", "Logic App", "ot-soc"), "Automation", "Analyst"), "");`;
  return workbook(`sentinel-${id}`, [
    markdown(
      'header',
      `## OT SOC efficiency

Incidents created by the ot-soc analytics rules: how fast they are picked up (first change after creation) and closed,
how they are classified, who carries the load, and what automation (playbooks, automation rules) did. Sites come from
the incidents' alerts (custom detail \`Site\`). Automation outcomes come from \`SentinelHealth\`: enable Sentinel health
monitoring for automation rules and playbooks.`,
    ),
    parameters('parameters', [
      timeRangeParameter(id, 30 * 86_400_000),
      siteParameter(id),
      staticDropdownParameter(id, 'Severity', 'Severity', ['High', 'Medium', 'Low', 'Informational']),
    ]),
    query('headline', {
      query: `${incidents}
OtIncidents
| summarize Incidents = count(), Open = countif(Status != "Closed"), Closed = countif(Status == "Closed"),
    MedianMinutesToFirstChange = percentile(MinutesToFirstChange, 50), MedianHoursToClose = percentile(HoursToClose, 50),
    ClosedByAutomation = countif(ClosedBy == "Automation")
${metricTiles([
  ['Incidents', 'Incidents'],
  ['Open', 'Open'],
  ['Closed', 'Closed'],
  ['Median minutes to first change', 'MedianMinutesToFirstChange'],
  ['Median hours to close', 'MedianHoursToClose'],
  ['Closed by automation', 'ClosedByAutomation'],
])}`,
      ...METRIC_TILES,
    }),
    query('by severity', {
      title: 'Response times by severity',
      query: `${incidents}
OtIncidents
| summarize Incidents = count(), Open = countif(Status != "Closed"),
    P50MinutesToFirstChange = percentile(MinutesToFirstChange, 50), P90MinutesToFirstChange = percentile(MinutesToFirstChange, 90),
    P50HoursToClose = round(percentile(HoursToClose, 50), 1), P90HoursToClose = round(percentile(HoursToClose, 90), 1)
    by Severity
| extend Order = case(Severity == "High", 1, Severity == "Medium", 2, Severity == "Low", 3, 4)
| order by Order asc
| project-away Order`,
      width: 50,
      gridSettings: { formatters: [heatmap('P90MinutesToFirstChange'), heatmap('P90HoursToClose')] },
    }),
    query('classification', {
      title: 'How closed incidents were classified',
      query: `${incidents}
OtIncidents
| where Status == "Closed"
| summarize Incidents = count() by Classification = strcat(Classification, iff(isempty(ClassificationReason), "", strcat(" - ", ClassificationReason)))
| order by Incidents desc`,
      visualization: 'piechart',
      width: 50,
    }),
    query('by rule', {
      title: 'Per analytics rule: volume, outcome and speed',
      query: `${incidents}
${ruleNames(ctx)}
OtIncidents
| mv-expand RuleId = RelatedAnalyticRuleIds to typeof(string)
| extend RuleGuid = tolower(tostring(split(RuleId, "/")[-1]))
| join kind=inner RuleNames on RuleGuid
| summarize Incidents = dcount(IncidentNumber), Open = dcountif(IncidentNumber, Status != "Closed"),
    TruePositive = dcountif(IncidentNumber, Classification == "TruePositive"),
    NotActionable = dcountif(IncidentNumber, Classification in ("FalsePositive", "BenignPositive")),
    P50MinutesToFirstChange = percentile(MinutesToFirstChange, 50), P50HoursToClose = round(percentile(HoursToClose, 50), 1)
    by Rule
| extend NotActionablePercent = round(100.0 * NotActionable / Incidents, 1)
| order by Incidents desc`,
      gridSettings: { formatters: [bar('Incidents'), heatmap('NotActionablePercent')] },
    }),
    query('trend', {
      title: 'Incidents created and closed per day',
      query: `${incidents}
let Created = OtIncidents | summarize Count = count() by Day = bin(CreatedTime, 1d) | extend Series = "Created";
let ClosedPerDay = OtIncidents | where Status == "Closed" | summarize Count = count() by Day = bin(ClosedTime, 1d) | extend Series = "Closed";
union Created, ClosedPerDay
| render timechart`,
      visualization: 'timechart',
      width: 50,
    }),
    query('workload', {
      title: 'Workload per owner',
      query: `${incidents}
OtIncidents
| extend Owner = coalesce(tostring(Owner.assignedTo), tostring(Owner.email), "(unassigned)")
| summarize Incidents = count(), Open = countif(Status != "Closed"), High = countif(Severity == "High"),
    P50HoursToClose = round(percentile(HoursToClose, 50), 1) by Owner
| order by Open desc, Incidents desc`,
      width: 50,
      gridSettings: { formatters: [bar('Open', 'orange')] },
    }),
    query('automation runs', {
      title: 'Playbook and automation-rule runs (SentinelHealth)',
      query: `SentinelHealth
| where TimeGenerated {TimeRange}
| where SentinelResourceType in ("Automation rule", "Playbook")
| summarize Runs = count(), Succeeded = countif(Status == "Success"), PartlySucceeded = countif(Status == "Partial success"),
    Failed = countif(Status == "Failure"), LastRun = max(TimeGenerated), LastFailure = take_anyif(Description, Status == "Failure")
    by SentinelResourceType, SentinelResourceName
| extend SuccessPercent = round(100.0 * Succeeded / Runs, 1)
| order by Failed desc, Runs desc`,
      width: 50,
      noDataMessage:
        'No automation health records: enable health monitoring for automation rules and playbooks.',
      gridSettings: { formatters: [heatmap('Failed'), heatmap('SuccessPercent', 'redGreen')] },
    }),
    query('playbook outcomes', {
      title: 'Playbook outcomes on incidents (labels set, closed by automation)',
      query: `${incidents}
let Labelled = OtIncidents
| mv-expand Label = Labels
| extend Outcome = strcat("Label: ", tostring(Label.labelName))
| where Outcome != "Label: "
| summarize Incidents = dcount(IncidentNumber) by Outcome;
let AutoClosed = OtIncidents
| where ClosedBy == "Automation"
| summarize Incidents = dcount(IncidentNumber) by Outcome = strcat("Closed by automation: ", Classification);
let Commented = OtIncidents
| where array_length(Comments) > 0
| summarize Incidents = dcount(IncidentNumber) by Outcome = "Has comments (playbook audit trail or analyst)";
union Labelled, AutoClosed, Commented
| order by Incidents desc`,
      width: 50,
      gridSettings: { formatters: [bar('Incidents')] },
    }),
  ]);
}

// ---------------------------------------------------------------------------------------------------------------
// Sites, zones and assets

function sitesAssets(): Workbook {
  const id = 'ot-soc-sites-assets';
  return workbook(`sentinel-${id}`, [
    markdown(
      'header',
      `## OT sites, zones and assets

The plant as the alerts see it: alert groups per site and zone, the Purdue levels they hit, the assets most at risk
(the pipeline's risk score, asset criticality from the inventory), the escalations applied (outside working hours, not an
engineering station, expected maintenance), the sensors and when they last reported, and the inventory watchlist
\`${ASSET_WATCHLIST}\`.`,
    ),
    siteZoneParameters(id),
    tabs('tabs', 'Tab', [
      { id: 'zones', label: 'Sites and zones' },
      { id: 'assets', label: 'Assets' },
      { id: 'sensors', label: 'Sensors' },
    ]),
    group(
      'zones',
      [
        query('site zone grid', {
          title: 'Alert groups per site and zone',
          query: `let Base = ${GROUPS};
let TechniquesPerZone = Base
| mv-expand Technique = Techniques to typeof(string)
| summarize Techniques = dcount(Technique) by Site, Zone;
Base
| summarize Groups = count(), RawAlerts = sum(Count), High = countif(Severity == "High"), Escalated = countif(array_length(Escalations) > 0),
    MaxRisk = max(RiskScore), Assets = dcount(DestinationIP), LastSeen = max(LastSeen) by Site, Zone
| join kind=leftouter TechniquesPerZone on Site, Zone
| project Site, Zone, Groups, RawAlerts, High, Escalated, MaxRisk, Techniques, Assets, LastSeen
| order by MaxRisk desc, Groups desc`,
          gridSettings: { formatters: [bar('Groups'), heatmap('High'), heatmap('MaxRisk')] },
        }),
        query('purdue', {
          title: 'Alert groups by Purdue level of the asset',
          query: `${GROUPS}
| extend Level = iff(isnull(PurdueLevel), "unknown", strcat("Level ", tostring(PurdueLevel)))
| summarize Groups = count() by Level, Severity
| order by Level asc`,
          visualization: 'barchart',
          width: 50,
        }),
        query('escalations', {
          title: 'Escalations applied per site',
          query: `${GROUPS}
| mv-expand Escalation = Escalations
| extend Rule = tostring(Escalation.rule)
| where isnotempty(Rule)
| summarize Groups = dcount(AlertId) by Site, Rule
| order by Site asc, Groups desc`,
          visualization: 'barchart',
          width: 50,
        }),
        query('time context', {
          title: 'Working hours and maintenance windows',
          query: `${GROUPS}
| summarize Groups = count(), InWorkingHours = countif(InBusinessHours == true), OutsideWorkingHours = countif(InBusinessHours == false),
    InMaintenanceWindow = countif(InMaintenanceWindow == true), UnknownCalendar = countif(isnull(InBusinessHours)) by Site
| order by OutsideWorkingHours desc`,
          gridSettings: { formatters: [heatmap('OutsideWorkingHours')] },
        }),
      ],
      { visibleWhen: when('Tab', 'zones') },
    ),
    group(
      'assets',
      [
        query('assets at risk', {
          title: 'Assets most at risk',
          query: `${GROUPS}
| extend IsController = DestinationAssetType in (${CONTROLLERS})
| extend Asset = iff(IsController, coalesce(DestinationAssetName, DestinationName, DestinationIP), coalesce(SourceAssetName, SourceName, SourceIP)),
    AssetIP = iff(IsController, DestinationIP, SourceIP), AssetType = iff(IsController, DestinationAssetType, SourceAssetType)
| summarize Groups = count(), RawAlerts = sum(Count), MaxRisk = max(RiskScore), High = countif(Severity == "High"),
    AlertTypes = make_set(AlertTitle, 5), LastSeen = max(LastSeen)
    by Site, Zone, Asset, AssetIP, AssetType, AssetCriticality, PurdueLevel, AssetVendor, AssetModel, AssetFirmware, OTTeam, ProductionLine
| top 50 by MaxRisk desc`,
          gridSettings: { formatters: [heatmap('MaxRisk'), bar('Groups')], filter: true },
        }),
        query('inventory', {
          title: `Inventory assets (watchlist ${ASSET_WATCHLIST}) and their alert activity`,
          query: `let Activity = ${GROUPS}
| mv-expand IP = pack_array(SourceIP, DestinationIP) to typeof(string)
| where isnotempty(IP)
| summarize Groups = dcount(AlertId), High = dcountif(AlertId, Severity == "High"), LastAlert = max(LastSeen) by IP;
_GetWatchlist("${ASSET_WATCHLIST}")
| project IP = tostring(SearchKey), AssetName = tostring(AssetName), AssetType = tostring(AssetType), Criticality = tostring(Criticality),
    PurdueLevel = tostring(PurdueLevel), Site = tostring(Site), Zone = tostring(Zone), OTTeam = tostring(OTTeam)
| where (Site in ({Site}) or '*' in ({Site})) and (Zone in ({Zone}) or '*' in ({Zone}))
| join kind=leftouter Activity on IP
| project Site, Zone, AssetName, IP, AssetType, Criticality, PurdueLevel, OTTeam, Groups = coalesce(Groups, 0),
    High = coalesce(High, 0), LastAlert
| order by High desc, Groups desc`,
          noDataMessage: `No inventory watchlist: upload the asset inventory CSV as watchlist ${ASSET_WATCHLIST} (SearchKey = IP address).`,
          gridSettings: { formatters: [bar('Groups'), heatmap('High')], filter: true },
        }),
      ],
      { visibleWhen: when('Tab', 'assets') },
    ),
    group(
      'sensors',
      [
        query('sensors', {
          title: 'Sensors: last row written and silence alerts',
          query: `OTAlerts_CL
| where TimeGenerated {TimeRange}
| where (Site in ({Site}) or '*' in ({Site})) and (Zone in ({Zone}) or '*' in ({Zone}))
| mv-expand Sensor = Sensors to typeof(string)
| where isnotempty(Sensor)
| summarize LastRow = max(TimeGenerated), Groups = dcount(AlertId),
    SilenceAlerts = dcountif(AlertId, AlertTitle =~ "No Traffic Detected on Sensor Interface"), Zones = make_set(Zone, 5) by Sensor, Site
| extend HoursSinceLastRow = round((now() - LastRow) / 1h, 1)
| order by SilenceAlerts desc, HoursSinceLastRow desc`,
          gridSettings: { formatters: [heatmap('SilenceAlerts'), heatmap('HoursSinceLastRow')] },
        }),
        query('sensor trend', {
          title: 'Alert groups per sensor over time',
          query: `${GROUPS}
| mv-expand Sensor = Sensors to typeof(string)
| summarize Groups = count() by bin(FirstSeen, {TimeRange:grain}), Sensor
| render timechart`,
          visualization: 'timechart',
        }),
      ],
      { visibleWhen: when('Tab', 'sensors') },
    ),
  ]);
}

export const WORKBOOKS: readonly WorkbookDefinition[] = [
  {
    file: 'ot-soc-attack-ics.json',
    displayName: 'OT SOC - ATT&CK for ICS',
    description:
      'ATT&CK for ICS matrix of the Defender for IoT alert groups ot-soc wrote to OTAlerts_CL, with drill-down and rule coverage.',
    build: attackMatrix,
  },
  {
    file: 'ot-soc-alert-fatigue.json',
    displayName: 'OT SOC - Alert fatigue',
    description:
      'Raw sensor alerts vs deduplicated groups, suppression ratio, noisiest alert types and sensors, storms and false-positive history.',
    build: alertFatigue,
  },
  {
    file: 'ot-soc-soc-efficiency.json',
    displayName: 'OT SOC - SOC efficiency',
    description:
      'Time to first change and to close, classification, workload and automation outcomes of ot-soc incidents.',
    build: socEfficiency,
  },
  {
    file: 'ot-soc-sites-assets.json',
    displayName: 'OT SOC - Sites, zones and assets',
    description:
      'Alert groups per site and zone, Purdue levels, assets at risk, escalations, sensors and the asset inventory.',
    build: sitesAssets,
  },
];
