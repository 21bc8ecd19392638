/**
 * The sites, zones and assets workbook: per-zone picture, Purdue levels, assets at risk, escalations, sensors.
 */

import { CHAIN_ROWS, chainLets, NETWORK_SCAN } from '../routing.js';
import { ASSET_WATCHLIST } from '../schemas.js';
import {
  bar,
  group,
  heatmap,
  markdown,
  query,
  tabs,
  type Workbook,
  when,
  workbook,
} from '../workbookBuilder.js';
import { CONTROLLERS, GROUPS, SEVERITY_SERIES, siteZoneParameters, zeroFilled } from './shared.js';

// ---------------------------------------------------------------------------------------------------------------
// Sites, zones and assets

export function sitesAssets(): Workbook {
  const id = 'ot-soc-sites-assets';
  return workbook(`sentinel-${id}`, [
    markdown(
      'header',
      `## OT sites, zones and assets

The plant as the alerts see it: alert groups per site and zone, the Purdue levels they hit, the assets most at risk
(the pipeline's risk score, asset criticality from the inventory), the escalations applied (outside working hours, not an
engineering station, expected maintenance), the sensors and when they last reported, the inventory watchlist
\`${ASSET_WATCHLIST}\`, and the devices controller alerts were aimed at that no inventory types: add the controllers
among them, so that an attack on one is one incident.`,
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
          chartSettings: SEVERITY_SERIES,
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
        query('untyped targets', {
          title: 'Devices that controller alerts were aimed at, with no device type',
          query: `${chainLets().join('\n')}
${GROUPS}
| where isempty(DestinationAssetType)
| extend Device = coalesce(DestinationName, DestinationIP, DestinationMAC)
| where isnotempty(Device)
| where ${CHAIN_ROWS}
// a port or address sweep names every host of a subnet: its targets after the devices something else was aimed at
| extend NetworkScan = ${NETWORK_SCAN}
| summarize Groups = count(), RawAlerts = sum(Count), AlertTypes = make_set(AlertTitle, 5), LastSeen = max(LastSeen),
    Beyond = countif(not(NetworkScan)) by Site, Zone, Device, DestinationIP
| extend OnlyNetworkScans = Beyond == 0
| order by OnlyNetworkScans asc, RawAlerts desc
| project-away Beyond`,
          noDataMessage:
            'Every device that scans, programming or stop commands were aimed at has a type (from the inventory or Defender for IoT).',
          gridSettings: { formatters: [bar('RawAlerts')], filter: true },
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
          query: zeroFilled(
            `${GROUPS}
| mv-expand Sensor = Sensors to typeof(string)
| summarize Groups = count() by FirstSeen = bin(FirstSeen, {TimeRange:grain}), Sensor`,
            { time: 'FirstSeen', step: '{TimeRange:grain}', by: 'Sensor', values: ['Groups'] },
          ),
          visualization: 'timechart',
        }),
      ],
      { visibleWhen: when('Tab', 'sensors') },
    ),
  ]);
}
