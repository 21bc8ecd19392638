import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import type { OtAlert } from '../model/alert.js';
import { canonicalCategory } from './alertGroups.js';
import { mapAttack } from './catalog.js';
import { customMappingSchema } from './customMappingSchema.js';
import type { EnrichedAlert } from './enriched.js';
import {
  type Asset,
  buildAssetIndex,
  InventoryError,
  inventoryConfigSchema,
  loadInventoryFile,
  primaryAsset,
  resolveAsset,
} from './inventory/index.js';
import { riskScore } from './risk.js';
import { placementOf, sensorPlacementSchema } from './sensorPlacement.js';
import {
  compileEscalation,
  compileSites,
  type Escalation,
  escalate,
  escalationSchema,
  maintenanceWork,
  operationKind,
  sitesSchema,
  type TimeContext,
  timeContextAt,
  wallClockToUtc,
} from './time/index.js';

type AlertTimes = Pick<OtAlert, 'firstSeen' | 'lastSeen' | 'wallClock'>;

/** The alert's zone-less times read in the sensor's forwarding-rule zone (`wallClock` then empty). */
function inSensorZone(alert: OtAlert, tz: string): AlertTimes {
  const wall = alert.wallClock ?? [];
  const firstSeen = wall.includes('firstSeen') ? wallClockToUtc(alert.firstSeen, tz) : alert.firstSeen;
  let lastSeen = wall.includes('lastSeen') ? wallClockToUtc(alert.lastSeen, tz) : alert.lastSeen;
  if (lastSeen < firstSeen) lastSeen = firstSeen;
  return { firstSeen, lastSeen, wallClock: undefined };
}

/**
 * An alert's times as the enricher reads them, from its sensor's placement: zone-less syslog times in the sensor's
 * `timeZone`, else as parsed (UTC). For whoever shows alert times beside the rows' (the report's storm chart).
 */
export function timesInSensorZone(
  alert: OtAlert,
  placement: { timeZone?: string | undefined } | undefined,
): AlertTimes {
  return alert.wallClock && placement?.timeZone ? inSensorZone(alert, placement.timeZone) : alert;
}

export const enrichConfigSchema = z
  .object({
    sensors: sensorPlacementSchema.default({}),
    attackMappings: customMappingSchema.default({}),
    /** Devices: `file` (CSV/JSON, relative to the config file) and/or inline `devices`. */
    inventory: inventoryConfigSchema.optional(),
    /** Site name → time zone, working hours, holidays, maintenance windows. */
    sites: sitesSchema.optional(),
    /** Which alerts are engineering operations and how they are escalated. */
    escalation: escalationSchema.optional(),
  })
  .strict()
  .superRefine((config, ctx) => {
    // A sensor placed in a site the calendars do not name gets no working hours, holidays or maintenance windows,
    // silently: with calendars configured, that is a typo (found: "Lyonn" beside "Lyon").
    const sites = Object.keys(config.sites ?? {});
    if (!sites.length) return;
    const known = new Set(sites.map((s) => s.toLowerCase()));
    for (const [sensor, placement] of Object.entries(config.sensors)) {
      if (known.has(placement.site.toLowerCase())) continue;
      ctx.addIssue({
        code: 'custom',
        path: ['sensors', sensor, 'site'],
        message: `"${placement.site}" is not a site of enrichment.sites (${sites.join(', ')}): add it there with its timeZone, or correct the name`,
      });
    }
  });
export type EnrichConfig = z.infer<typeof enrichConfigSchema>;

export { InventoryError };

/**
 * Reads the files the enrichment config refers to (the inventory `file`, relative to `baseDir`, normally the config
 * file's directory) and returns the config with their content inline, ready for {@link createEnricher}. Inline
 * devices come after the file's, so they override a file entry for the same device and site.
 */
export async function loadEnrichment(config: EnrichConfig, baseDir: string): Promise<EnrichConfig> {
  const file = config.inventory?.file;
  if (!file) return config;
  const path = isAbsolute(file) ? file : resolve(baseDir, file);
  const devices = [...(await loadInventoryFile(path)), ...(config.inventory?.devices ?? [])];
  return { ...config, inventory: { devices } };
}

/**
 * Context columns (OTAlerts_CL names) of one alert. One object literal with a fixed shape on purpose: building it
 * key by key, or by spreading, is several times slower in V8. Unknown values stay `undefined` (the row builder
 * drops them).
 */
function contextColumns(
  src: Asset | undefined,
  dst: Asset | undefined,
  asset: Asset | undefined,
  time: TimeContext | undefined,
  escalations: readonly Escalation[],
  risk: number,
): Record<string, unknown> {
  return {
    SourceAssetName: src?.name,
    SourceAssetType: src?.type,
    DestinationAssetName: dst?.name,
    DestinationAssetType: dst?.type,
    PurdueLevel: asset?.purdueLevel,
    AssetCriticality: asset?.criticality,
    AssetVendor: asset?.vendor,
    AssetModel: asset?.model,
    AssetFirmware: asset?.firmware,
    AssetOwner: asset?.owner,
    OTTeam: asset?.otTeam,
    ProductionLine: asset?.productionLine,
    InBusinessHours: time?.inBusinessHours,
    InMaintenanceWindow: time ? time.windows.length > 0 : undefined,
    LocalTime: time?.local.iso,
    Escalations: escalations.length ? escalations : undefined,
    RiskScore: risk,
  };
}

/** T with every key present (values may still be undefined). */
type Complete<T> = { [K in keyof Required<T>]: T[K] };

/** An asset's zone fills the alert's only when the asset is at the same site (or names none). */
function assetZone(asset: Asset | undefined, site: string | undefined): string | undefined {
  if (!asset?.zone) return undefined;
  return !asset.site || !site || asset.site.toLowerCase() === site.toLowerCase() ? asset.zone : undefined;
}

/**
 * Builds the enrichment stage once (all lookups in memory: sensors, asset index, site calendars, escalation rules)
 * and returns a pure per-alert function: no I/O on the hot path. An inventory `file` must have been read by
 * {@link loadEnrichment} (loadConfigFile does it), so that this stays synchronous and free of I/O.
 */
export function createEnricher(config: EnrichConfig): (alert: OtAlert) => EnrichedAlert {
  if (config.inventory?.file) {
    throw new Error(
      `enrichment.inventory.file "${config.inventory.file}" was not read: load the configuration with ` +
        'loadConfigFile() or pass it through loadEnrichment() before createEnricher()',
    );
  }
  const placementOfSensor = placementOf(config.sensors);
  const assets = buildAssetIndex(config.inventory?.devices ?? []);
  const calendars = compileSites(config.sites);
  const rules = compileEscalation(config.escalation ?? escalationSchema.parse({}));

  return (alert) => {
    const attack = mapAttack(alert, config.attackMappings);
    const placement = placementOfSensor(alert.sensor);
    const times = timesInSensorZone(alert, placement);
    const siteHint = alert.site ?? placement?.site;
    const siteKey = siteHint?.toLowerCase();
    const src = resolveAsset(assets, alert.source, siteKey, alert.entities);
    const dst = resolveAsset(assets, alert.destination, siteKey, alert.entities);
    const asset = primaryAsset(src, dst);
    // The sensor's placement first; when the sensor is unknown, where the devices are.
    const site = siteHint ?? asset?.site ?? src?.site ?? dst?.site;
    const zone = alert.zone ?? placement?.zone ?? assetZone(asset, site);
    // A catalogued title takes the catalog's engine and category: sensors spell and file some titles differently
    // (e.g. "Illegal commands" for a Modbus address range violation), and the rules route on these two columns, so
    // one title must always reach the one rule docs/routing.md names. For titles the catalog does not know, the
    // sensor's values are kept, the category in the catalog's spelling when it is one of the catalog's.
    const engine = attack.engine ?? alert.engine;
    const category = attack.category ?? canonicalCategory(alert.category);

    const calendar = site ? calendars.get(site.toLowerCase()) : undefined;
    const time = calendar
      ? timeContextAt(calendar, Date.parse(times.firstSeen), zone?.toLowerCase())
      : undefined;
    const kind = operationKind(category, attack.techniques, rules);
    const { severity, escalations } = escalate(
      {
        kind,
        work: kind ? undefined : maintenanceWork(category, rules),
        severity: alert.severity,
        site: calendar,
        time,
        source: alert.source,
        sourceAsset: src,
      },
      rules,
    );
    const risk = riskScore({
      severity,
      criticality: asset?.criticality,
      purdueLevel: asset?.purdueLevel,
      tactics: attack.tactics,
      escalations,
    });
    // Every field listed in one literal (Complete<> makes a new OtAlert field a compile error here): V8 builds a
    // literal many times faster than a spread of the parsed alert plus the enrichment fields.
    const enriched: Complete<EnrichedAlert> = {
      id: alert.id,
      title: alert.title,
      message: alert.message,
      engine,
      category,
      severity,
      status: alert.status,
      protocol: alert.protocol,
      source: alert.source,
      destination: alert.destination,
      sensor: alert.sensor,
      site,
      zone,
      firstSeen: times.firstSeen,
      lastSeen: times.lastSeen,
      alertManagementUri: alert.alertManagementUri,
      remediation: alert.remediation,
      vendorTactics: alert.vendorTactics,
      vendorTechniques: alert.vendorTechniques,
      entities: alert.entities,
      sourceFormat: alert.sourceFormat,
      wallClock: times.wallClock,
      sentAt: times.wallClock ? alert.sentAt : undefined,
      originalSeverity: alert.severity,
      tactics: attack.tactics,
      techniques: attack.techniques,
      techniqueNames: attack.techniqueNames,
      attackMapping: attack.source,
      context: contextColumns(src, dst, asset, time, escalations, risk),
    };
    return enriched;
  };
}
