import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemoryDeadLetterStore } from '../../../pipeline/deadletter/memoryDeadLetterStore.js';
import { DEFAULT_KEY_SPEC } from '../../../pipeline/dedup/keySpec.js';
import { MemoryGroupStore } from '../../../pipeline/dedup/memoryGroupStore.js';
import { createEnricher } from '../../../pipeline/enrich/enricher.js';
import { processBatch } from '../../../pipeline/pipeline.js';
import { RecordingSink } from '../../helpers/recordingSink.js';
import { minute, securityAlert } from '../../helpers/records.js';

describe('MemoryGroupStore snapshot (groups.json)', () => {
  it('saves and loads heads and id entries (ids per partition, `at` exact to the millisecond)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ot-soc-snap-'));
    try {
      const store = new MemoryGroupStore();
      const deps = {
        enrich: createEnricher({ sensors: {}, attackMappings: {} }),
        spec: DEFAULT_KEY_SPEC,
        store,
        sink: new RecordingSink(),
        deadLetters: new MemoryDeadLetterStore(),
        now: () => new Date('2026-11-18T12:00:00.123Z'),
      };
      const events = Array.from({ length: 6 }, (_, i) =>
        securityAlert({ t: minute('2026-11-18T02:00:00.000Z', i), sensor: `rtm-pkg-sensor-0${(i % 2) + 1}` }),
      );
      await processBatch(events, { partition: 'p', sequenceNumbers: [0, 1, 2, 3, 4, 5] }, deps);
      expect(store.idCount).toBe(6);
      const file = join(dir, 'groups.json');
      await store.save(file);
      const loaded = await MemoryGroupStore.load(file);
      expect(loaded.idCount).toBe(6);
      expect(loaded.size).toBe(store.size);
      const head = (await store.listDirty())[0]!.value;
      const partition = head.partition ?? '';
      const ids = head.vendorIds.map((id) => `g:${id.toLowerCase()}`);
      const before = await store.read(partition, { keys: [head.key], ids });
      const after = await loaded.read(partition, { keys: [head.key], ids });
      expect(after.ids.size).toBeGreaterThan(0);
      expect([...after.ids]).toEqual([...before.ids]);
      expect(after.heads.get(head.key)).toEqual(before.heads.get(head.key));
      for (const { value } of after.ids.values())
        expect(value.at).toBe(Date.parse('2026-11-18T12:00:00.123Z'));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
