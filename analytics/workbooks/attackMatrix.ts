/**
 * The ATT&CK for ICS matrix workbook: all 12 tactics, every active technique, counts, drill-down, rule coverage.
 */
import { ATTACK_ICS_VERSION, ICS_TACTICS, ICS_TECHNIQUES } from '../../pipeline/enrich/attack.js';
import {
  bar,
  group,
  heatmap,
  markdown,
  query,
  staticDropdownParameter,
  tilesFor,
  type Workbook,
  whenSet,
  workbook,
} from '../workbookBuilder.js';
import { GROUPS, kqlString, siteZoneParameters, type WorkbookContext, zeroFilled } from './shared.js';

// ---------------------------------------------------------------------------------------------------------------
// ATT&CK for ICS matrix

export function attackMatrix(ctx: WorkbookContext): Workbook {
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
          query: zeroFilled(
            `${filtered}
| where Techniques has "{SelectedTechnique}"
| summarize Groups = count() by FirstSeen = bin(FirstSeen, 1d), Site`,
            { time: 'FirstSeen', step: '1d', by: 'Site', values: ['Groups'] },
          ),
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
