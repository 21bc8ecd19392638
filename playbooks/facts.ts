import { technique } from '../pipeline/enrich/attack.js';
import { type AssetFacts, entityAsset, mergeAssets } from './assetFacts.js';
import {
  criticalityRank,
  escalationRules,
  firstBool,
  firstNumber,
  firstString,
  parseMaybeJson,
  pick,
  strings,
  strip,
  techniqueIds,
  uniq,
} from './factValues.js';
import type { IncidentTrigger, TriggerAlert, TriggerEntity } from './payload.js';

/**
 * The OT facts the playbooks decide on, read from an incident trigger. ot-soc's analytics rules surface
 * OTAlerts_CL columns as alert custom details under the column names (AlertId, Site, Zone, Count, FirstSeen,
 * LastSeen, Techniques, PurdueLevel, AssetCriticality, …); native Defender for IoT alerts carry
 * SourceDeviceAddress/SensorId/AlertManagementUri in additionalData and IoTDevice entities. Whatever a rule
 * could not surface (Sentinel allows 20 custom details) is filled from Log Analytics by AlertId
 * (`AlertFactsSource`).
 */
export interface AlertFacts {
  /** The OTAlerts_CL group id, when the alert came from an ot-soc rule. */
  alertId?: string;
  title?: string;
  severity?: string;
  productName?: string;
  site?: string;
  zone?: string;
  count?: number;
  firstSeen?: string;
  lastSeen?: string;
  techniques: string[];
  tactics: string[];
  sourceIp?: string;
  sourceName?: string;
  destinationIp?: string;
  destinationName?: string;
  assets: AssetFacts[];
  purdueLevel?: number;
  criticality?: string;
  owner?: string;
  otTeam?: string;
  riskScore?: number;
  /** Escalation rule names from the pipeline (ExpectedMaintenance, NotEngineeringStation, …). */
  escalations: string[];
  inMaintenanceWindow?: boolean;
  alertManagementUri?: string;
  sensors: string[];
}

export interface TechniqueRef {
  id: string;
  name?: string;
  url: string;
}

export interface OtFacts {
  alerts: AlertFacts[];
  site?: string;
  zone?: string;
  count?: number;
  firstSeen?: string;
  lastSeen?: string;
  techniques: TechniqueRef[];
  tactics: string[];
  assets: AssetFacts[];
  /** Lowest (most process-near) Purdue level among the assets. */
  purdueLevel?: number;
  /** Highest criticality among the assets. */
  criticality?: string;
  otTeam?: string;
  riskScore?: number;
  escalations: string[];
  productNames: string[];
  alertIds: string[];
  alertManagementUris: string[];
  sensors: string[];
  /** The incident has IoTDevice entities (Defender for IoT). */
  hasIoTDevices: boolean;
}

/** Reads OTAlerts_CL rows by AlertId (the latest revision of each), for facts a rule did not surface. */
export interface AlertFactsSource {
  latest(workspaceId: string, alertIds: readonly string[]): Promise<Record<string, unknown>[]>;
}

/** Facts from one record keyed by OTAlerts_CL column names (custom details or a row). */
export function alertFactsFromRecord(r: Record<string, unknown>): AlertFacts {
  const sourceName =
    firstString(pick(r, 'SourceAssetName')) ?? firstString(pick(r, 'SourceName', 'SourceDevice'));
  const destinationName =
    firstString(pick(r, 'DestinationAssetName')) ??
    firstString(pick(r, 'DestinationName', 'DestinationDevice'));
  const sourceIp = firstString(pick(r, 'SourceIP', 'SourceDeviceAddress'));
  const destinationIp = firstString(pick(r, 'DestinationIP', 'DestinationDeviceAddress'));
  const purdueLevel = firstNumber(pick(r, 'PurdueLevel'));
  const criticality = firstString(pick(r, 'AssetCriticality'));
  const owner = firstString(pick(r, 'AssetOwner'));
  const otTeam = firstString(pick(r, 'OTTeam'));
  const assets: AssetFacts[] = [];
  const sourceType = firstString(pick(r, 'SourceAssetType'));
  const destinationType = firstString(pick(r, 'DestinationAssetType'));
  if (sourceName || sourceIp)
    assets.push(strip({ role: 'source', name: sourceName, ip: sourceIp, type: sourceType }) as AssetFacts);
  if (destinationName || destinationIp)
    assets.push(
      strip({
        role: 'destination',
        name: destinationName,
        ip: destinationIp,
        type: destinationType,
      }) as AssetFacts,
    );
  // The enrichment's "asset" is the destination when it is a controller, else the source (schema.ts).
  const main = assets.find((a) => a.role === 'destination' && isController(a.type)) ?? assets[0];
  if (main) Object.assign(main, strip({ purdueLevel, criticality, owner, otTeam }));
  return strip({
    alertId: firstString(pick(r, 'AlertId')),
    title: firstString(pick(r, 'AlertTitle', 'AlertName')),
    severity: firstString(pick(r, 'Severity')),
    site: firstString(pick(r, 'Site')),
    zone: firstString(pick(r, 'Zone')),
    count: firstNumber(pick(r, 'Count')),
    firstSeen: firstString(pick(r, 'FirstSeen')),
    lastSeen: firstString(pick(r, 'LastSeen')),
    techniques: techniqueIds(pick(r, 'Techniques')),
    tactics: uniq(strings(pick(r, 'Tactics'))),
    sourceIp,
    sourceName,
    destinationIp,
    destinationName,
    assets,
    purdueLevel,
    criticality,
    owner,
    otTeam,
    riskScore: firstNumber(pick(r, 'RiskScore')),
    escalations: escalationRules(pick(r, 'Escalations')),
    inMaintenanceWindow: firstBool(pick(r, 'InMaintenanceWindow')),
    alertManagementUri: firstString(pick(r, 'AlertManagementUri')),
    sensors: uniq(strings(pick(r, 'Sensors', 'SensorId'))),
  }) as AlertFacts;
}

const CONTROLLERS = /^(plc|rtu|dcs|sis|ied|controller)/i;
const isController = (type: string | undefined) => !!type && CONTROLLERS.test(type);

/** An incident alert's custom details (`additionalData["Custom Details"]`, a JSON string of arrays), or none. */
export function customDetails(alert: TriggerAlert): Record<string, unknown> {
  const data = (alert.properties.additionalData ?? {}) as Record<string, unknown>;
  const custom = parseMaybeJson(pick(data, 'Custom Details', 'CustomDetails'));
  return custom && typeof custom === 'object' && !Array.isArray(custom)
    ? (custom as Record<string, unknown>)
    : {};
}

/** Facts of one incident alert: its custom details, then its additionalData, then the alert itself. */
export function alertFacts(alert: TriggerAlert): AlertFacts {
  const p = alert.properties;
  const data = (p.additionalData ?? {}) as Record<string, unknown>;
  const facts = alertFactsFromRecord({ ...data, ...customDetails(alert) });
  facts.title ??= p.alertDisplayName ?? undefined;
  facts.severity ??= p.severity ?? undefined;
  facts.firstSeen ??= p.startTimeUtc ?? undefined;
  facts.lastSeen ??= p.endTimeUtc ?? undefined;
  if (p.productName) facts.productName = p.productName;
  facts.techniques = uniq([...facts.techniques, ...techniqueIds(p.techniques)]);
  facts.tactics = uniq([...facts.tactics, ...strings(p.tactics)]);
  return facts;
}

const minOf = (xs: (number | undefined)[]) => {
  const ns = xs.filter((x): x is number => x !== undefined);
  return ns.length ? Math.min(...ns) : undefined;
};
const maxOf = (xs: (number | undefined)[]) => {
  const ns = xs.filter((x): x is number => x !== undefined);
  return ns.length ? Math.max(...ns) : undefined;
};
const earliest = (xs: (string | undefined)[]) =>
  xs
    .filter((x): x is string => !!x && !Number.isNaN(Date.parse(x)))
    .sort((a, b) => Date.parse(a) - Date.parse(b))[0];
const latest = (xs: (string | undefined)[]) =>
  xs
    .filter((x): x is string => !!x && !Number.isNaN(Date.parse(x)))
    .sort((a, b) => Date.parse(b) - Date.parse(a))[0];

const mostCommon = (xs: (string | undefined)[]) => {
  const counts = new Map<string, number>();
  for (const x of xs) if (x) counts.set(x, (counts.get(x) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
};

/** Incident-level facts from its alerts and entities. */
export function aggregateFacts(trigger: IncidentTrigger, alerts: AlertFacts[]): OtFacts {
  const p = trigger.object.properties;
  const entityAssets = (p.relatedEntities ?? []).map(entityAsset).filter((a): a is AssetFacts => !!a);
  const assets = mergeAssets([...alerts.flatMap((a) => a.assets), ...entityAssets]);
  const byAlertId = new Map<string, AlertFacts>();
  for (const a of alerts) if (a.alertId) byAlertId.set(a.alertId, a);
  // Count distinct groups once even when Sentinel split one group into several alerts.
  const counted = [...byAlertId.values(), ...alerts.filter((a) => !a.alertId)];
  const counts = counted.map((a) => a.count).filter((c): c is number => c !== undefined);
  const techniques = uniq([
    ...alerts.flatMap((a) => a.techniques),
    ...techniqueIds(p.additionalData?.techniques),
  ]).sort();
  const criticality = [...assets.map((a) => a.criticality), ...alerts.map((a) => a.criticality)]
    .filter((c): c is string => !!c)
    .sort((a, b) => criticalityRank(b) - criticalityRank(a))[0];
  return strip({
    alerts,
    site: mostCommon(alerts.map((a) => a.site)) ?? firstString(entityField(p.relatedEntities, 'site')),
    zone: mostCommon(alerts.map((a) => a.zone)) ?? firstString(entityField(p.relatedEntities, 'zone')),
    count: counts.length ? counts.reduce((x, y) => x + y, 0) : undefined,
    firstSeen: earliest(alerts.map((a) => a.firstSeen)) ?? p.firstActivityTimeUtc ?? undefined,
    lastSeen: latest(alerts.map((a) => a.lastSeen)) ?? p.lastActivityTimeUtc ?? undefined,
    techniques: techniques.map((id) => {
      const t = technique(id);
      return strip({ id, name: t?.name, url: `https://attack.mitre.org/techniques/${id}` }) as TechniqueRef;
    }),
    tactics: uniq([...alerts.flatMap((a) => a.tactics), ...strings(p.additionalData?.tactics)]),
    assets,
    purdueLevel: minOf([...assets.map((a) => a.purdueLevel), ...alerts.map((a) => a.purdueLevel)]),
    criticality,
    otTeam: mostCommon([...alerts.map((a) => a.otTeam), ...assets.map((a) => a.otTeam)]),
    riskScore: maxOf(alerts.map((a) => a.riskScore)),
    escalations: uniq(alerts.flatMap((a) => a.escalations)),
    productNames: uniq([
      ...alerts.map((a) => a.productName).filter((x): x is string => !!x),
      ...strings(p.additionalData?.alertProductNames),
      ...(p.providerName ? [p.providerName] : []),
    ]),
    alertIds: [...byAlertId.keys()],
    alertManagementUris: uniq(alerts.map((a) => a.alertManagementUri).filter((x): x is string => !!x)),
    sensors: uniq(alerts.flatMap((a) => a.sensors)),
    hasIoTDevices: entityAssets.length > 0,
  }) as OtFacts;
}

function entityField(entities: TriggerEntity[] | null | undefined, key: string): unknown {
  return (entities ?? [])
    .filter((e) => e.kind.toLowerCase() === 'iotdevice')
    .map((e) => pick((e.properties ?? {}) as Record<string, unknown>, key))
    .find((v) => v !== undefined);
}

const MERGEABLE: (keyof AlertFacts)[] = [
  'title',
  'severity',
  'site',
  'zone',
  'count',
  'firstSeen',
  'lastSeen',
  'sourceIp',
  'sourceName',
  'destinationIp',
  'destinationName',
  'purdueLevel',
  'criticality',
  'owner',
  'otTeam',
  'riskScore',
  'inMaintenanceWindow',
  'alertManagementUri',
];

/** Fills what the alert did not carry from the OTAlerts_CL row of its group. */
export function mergeRow(alert: AlertFacts, row: AlertFacts): AlertFacts {
  const out: AlertFacts = { ...alert };
  const o = out as unknown as Record<string, unknown>;
  const r = row as unknown as Record<string, unknown>;
  for (const k of MERGEABLE) if (o[k] === undefined && r[k] !== undefined) o[k] = r[k];
  // Counts and times move on after the incident was created: the row is newer.
  if (row.count !== undefined) out.count = Math.max(row.count, alert.count ?? 0);
  if (row.lastSeen) out.lastSeen = latest([row.lastSeen, alert.lastSeen]);
  for (const k of ['techniques', 'tactics', 'escalations', 'sensors'] as const)
    out[k] = uniq([...alert[k], ...row[k]]);
  out.assets = mergeAssets([...alert.assets, ...row.assets]);
  return out;
}

/**
 * All facts of an incident: payload first, then (when a source is given and the incident names its workspace)
 * the OTAlerts_CL rows of its AlertIds. A failing query only loses the extra facts, never the run.
 */
export async function incidentFacts(
  trigger: IncidentTrigger,
  source?: AlertFactsSource,
  onError?: (e: unknown) => void,
): Promise<OtFacts> {
  let alerts = (trigger.object.properties.Alerts ?? []).map(alertFacts);
  const ids = uniq(alerts.map((a) => a.alertId).filter((x): x is string => !!x));
  if (source && trigger.workspaceId && ids.length) {
    try {
      const rows = (await source.latest(trigger.workspaceId, ids)).map(alertFactsFromRecord);
      const byId = new Map(rows.filter((r) => r.alertId).map((r) => [r.alertId!, r]));
      alerts = alerts.map((a) => (a.alertId && byId.has(a.alertId) ? mergeRow(a, byId.get(a.alertId)!) : a));
    } catch (e) {
      onError?.(e);
    }
  }
  return aggregateFacts(trigger, alerts);
}
