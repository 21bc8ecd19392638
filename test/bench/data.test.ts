import { describe, expect, it } from 'vitest';
import { asEvents, plantMixRows, plantMixZones } from '../../bench/data.js';
import { depsFor } from '../../bench/harness.js';
import { keySpecOf, loadConfigFile } from '../../pipeline/config/config.js';
import { MemoryGroupStore } from '../../pipeline/dedup/memoryGroupStore.js';
import { createEnricher } from '../../pipeline/enrich/enricher.js';
import { keyBatch } from '../../pipeline/pipeline.js';
import { RecordingSink } from '../helpers/recordingSink.js';

describe('bench data: the zone of each generated record', () => {
  it("splits the records as the pipeline's own store partitions (site/zone) do", async () => {
    const n = 400;
    const events = asEvents('SecurityAlert', plantMixRows(n));
    const zones = plantMixZones(n);
    expect(zones).toHaveLength(n);
    // The bundled sample configuration, as the benchmarks use it (bench/harness.ts sampleSetup, from dist/).
    const config = await loadConfigFile(
      new URL('../../samples/ot-soc.config.json', import.meta.url).pathname,
    );
    const setup = { enrich: createEnricher(config.enrichment), spec: keySpecOf(config) };
    const deps = depsFor(setup, new MemoryGroupStore(), new RecordingSink());
    const { keyed } = keyBatch(events, { partition: '0' }, deps);
    expect(keyed.letters).toEqual([]);
    const zoneOfPartition = new Map<string, string>();
    for (const [partition, part] of keyed.byPartition)
      for (const m of part.members) {
        const zone = zones[m.origin.sequence]!;
        expect(zoneOfPartition.get(partition) ?? zone).toBe(zone);
        zoneOfPartition.set(partition, zone);
      }
    expect(new Set(zoneOfPartition.values())).toEqual(
      new Set(['Rotterdam/Packaging', 'Rotterdam/Utilities', 'Lyon/Brewhouse', 'Lyon/Filling']),
    );
  });
});
