import { z } from 'zod';
import type { OtAlert } from '../model/alert.js';
import { customMappingSchema, mapAttack } from './catalog.js';
import type { EnrichedAlert } from './enriched.js';

/** Sensor → site/zone, for formats that do not carry them (CEF, LEEF, sensor API). */
export const sensorPlacementSchema = z.record(
  z.string().min(1),
  z.object({ site: z.string().min(1), zone: z.string().min(1).optional() }).strict(),
);

export const enrichConfigSchema = z
  .object({
    sensors: sensorPlacementSchema.default({}),
    attackMappings: customMappingSchema.default({}),
  })
  .strict();
export type EnrichConfig = z.infer<typeof enrichConfigSchema>;

/**
 * Builds the enrichment stage once (all lookups in memory) and returns a pure per-alert function:
 * no I/O on the hot path.
 */
export function createEnricher(config: EnrichConfig): (alert: OtAlert) => EnrichedAlert {
  const sensors = new Map(Object.entries(config.sensors).map(([k, v]) => [k.toLowerCase(), v]));
  return (alert) => {
    const attack = mapAttack(alert, config.attackMappings);
    const placement = alert.sensor ? sensors.get(alert.sensor.toLowerCase()) : undefined;
    const site = alert.site ?? placement?.site;
    const zone = alert.zone ?? placement?.zone;
    const engine = alert.engine ?? attack.engine;
    const category = alert.category ?? attack.category;
    return {
      ...alert,
      ...(site ? { site } : {}),
      ...(zone ? { zone } : {}),
      ...(engine ? { engine } : {}),
      ...(category ? { category } : {}),
      originalSeverity: alert.severity,
      tactics: attack.tactics,
      techniques: attack.techniques,
      techniqueNames: attack.techniqueNames,
      attackMapping: attack.source,
      context: {},
    };
  };
}
