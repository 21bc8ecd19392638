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
import { alertFatigue } from './alertFatigue.js';
import { attackMatrix } from './attackMatrix.js';
import type { WorkbookDefinition } from './shared.js';
import { sitesAssets } from './sitesAssets.js';
import { socEfficiency } from './socEfficiency.js';

export type { WorkbookContext, WorkbookDefinition, WorkbookRule } from './shared.js';

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
