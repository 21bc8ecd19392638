import { describe, expect, it } from 'vitest';
import { partitionKeyOf } from '../../../cli/partitionKey.js';
import { ConfigError, parseConfig } from '../../../pipeline/config/config.js';
import { createEnricher, enrichConfigSchema } from '../../../pipeline/enrich/enricher.js';
import { placementOf } from '../../../pipeline/enrich/sensorPlacement.js';
import { parseRecord } from '../../../pipeline/parse/index.js';
import { cefLine } from '../../helpers/records.js';

const T0 = '2026-11-18T02:00:00.000Z';

describe('sensor placement: one lookup, names in any case', () => {
  const sensors = { 'Ham-Sensor-7': { site: 'Hamburg', zone: 'Packaging' } };

  it('finds a sensor whatever the case it is reported or configured in', () => {
    const of = placementOf(sensors);
    for (const name of ['Ham-Sensor-7', 'ham-sensor-7', 'HAM-SENSOR-7'])
      expect(of(name)?.zone).toBe('Packaging');
    expect(of('ham-sensor-8')).toBeUndefined();
    expect(of(undefined)).toBeUndefined();
    expect(placementOf(sensors)).toBe(of); // built once per config
  });

  it('the partition key (forwarder, sender, replay lanes) names the zone the enricher places the alert in', () => {
    const line = cefLine({ t: T0, sensor: 'HAM-SENSOR-7' });
    const parsed = parseRecord(line);
    if (!parsed.ok) throw new Error(parsed.reason);
    const enriched = createEnricher(enrichConfigSchema.parse({ sensors }))(parsed.alert);
    expect(enriched).toMatchObject({ site: 'Hamburg', zone: 'Packaging' });
    expect(partitionKeyOf(line, sensors)).toBe('zone:hamburg/packaging');
  });

  it('refuses two entries that differ only in case, with the path of the second', () => {
    const config = {
      enrichment: {
        sensors: {
          'ham-sensor-7': { site: 'Hamburg', zone: 'Packaging' },
          'HAM-SENSOR-7': { site: 'Hamburg', zone: 'Utilities' },
        },
      },
    };
    let error: unknown;
    try {
      parseConfig(config, 'test.json');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      'enrichment.sensors.HAM-SENSOR-7: "HAM-SENSOR-7" and "ham-sensor-7" name one sensor (names are compared in any case): keep one entry',
    ]);
  });
});
