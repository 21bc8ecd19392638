/**
 * The SOC-efficiency workbook: time to first change and to close, classification, workload, automation outcomes.
 */
import {
  bar,
  heatmap,
  markdown,
  parameters,
  query,
  staticDropdownParameter,
  timeRangeParameter,
  type Workbook,
  workbook,
} from '../workbookBuilder.js';
import {
  METRIC_TILES,
  metricTiles,
  otSocRules,
  ruleNames,
  siteParameter,
  type WorkbookContext,
  zeroFilled,
} from './shared.js';

// ---------------------------------------------------------------------------------------------------------------
// SOC efficiency

/** Who is automation in SecurityIncident `ModifiedBy`: its format is not documented, these are the names it takes. */
const BY_AUTOMATION = `ModifiedBy has_any ("Automation", "Playbook", "Logic App", "ot-soc")`;

export function socEfficiency(ctx: WorkbookContext): Workbook {
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
// Picked up: the first record in which someone other than automation set the status (Active, or Closed other than
// by ot-soc) or took the incident as a person. FirstModifiedTime is any change: the playbooks change every OT
// incident within seconds of its creation, so "time to first change" would read 0 for all of them.
let PickUps = SecurityIncident
| where TimeGenerated {TimeRange}
| where Status == "Active" or (Status == "Closed" and not(ClassificationComment startswith "ot-soc "))
    or isnotempty(tostring(Owner.userPrincipalName))
| where not(${BY_AUTOMATION})
| summarize PickedUp = min(TimeGenerated) by IncidentNumber;
let OtIncidents = Incidents
| where '*' in ({Site}) or IncidentNumber in (InSites)
| join kind=leftouter PickUps on IncidentNumber
| extend MinutesToPickUp = iff(isnull(PickedUp), real(null), datetime_diff("minute", PickedUp, CreatedTime) * 1.0),
    HoursToClose = iff(Status == "Closed", datetime_diff("minute", ClosedTime, CreatedTime) / 60.0, real(null)),
    ClosedBy = iff(Status == "Closed", iff(${BY_AUTOMATION}
        or ClassificationComment startswith "ot-soc ", "Automation", "Analyst"), "");`;
  return workbook(`sentinel-${id}`, [
    markdown(
      'header',
      `## OT SOC efficiency

Incidents created by the ot-soc analytics rules: how fast they are picked up (an analyst sets the status or takes the
incident; the playbooks' and automation rules' changes do not count) and closed,
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
    MedianMinutesToPickUp = percentile(MinutesToPickUp, 50), MedianHoursToClose = percentile(HoursToClose, 50),
    ClosedByAutomation = countif(ClosedBy == "Automation")
${metricTiles([
  ['Incidents', 'Incidents'],
  ['Open', 'Open'],
  ['Closed', 'Closed'],
  ['Median minutes to pick-up', 'MedianMinutesToPickUp'],
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
    P50MinutesToPickUp = percentile(MinutesToPickUp, 50), P90MinutesToPickUp = percentile(MinutesToPickUp, 90),
    P50HoursToClose = round(percentile(HoursToClose, 50), 1), P90HoursToClose = round(percentile(HoursToClose, 90), 1)
    by Severity
| extend Order = case(Severity == "High", 1, Severity == "Medium", 2, Severity == "Low", 3, 4)
| order by Order asc
| project-away Order`,
      width: 50,
      gridSettings: { formatters: [heatmap('P90MinutesToPickUp'), heatmap('P90HoursToClose')] },
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
    P50MinutesToPickUp = percentile(MinutesToPickUp, 50), P50HoursToClose = round(percentile(HoursToClose, 50), 1)
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
${zeroFilled('union Created, ClosedPerDay', { time: 'Day', step: '1d', by: 'Series', values: ['Count'] })}`,
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
