import { MemoryDeadLetterStore } from '../../pipeline/deadletter/memoryDeadLetterStore.js';
import type { GroupStore } from '../../pipeline/dedup/groupState.js';
import { DEFAULT_KEY_SPEC, type KeySpec } from '../../pipeline/dedup/keySpec.js';
import { createEnricher } from '../../pipeline/enrich/enricher.js';
import { type PipelineDeps, processBatch } from '../../pipeline/pipeline.js';
import { RecordingSink } from './recordingSink.js';

/**
 * processBatch over `store` with nothing placed (no sensors, no ATT&CK overrides), a recording sink and a clock the
 * test moves: `batch` is one Event Hubs batch on a running partition sequence (so marks never hide a record),
 * `later(ms)` moves the clock.
 */
export function clockedPipeline<S extends GroupStore>(store: S, o: { now: number; spec?: KeySpec }) {
  const sink = new RecordingSink();
  let now = o.now;
  const deps: PipelineDeps = {
    enrich: createEnricher({ sensors: {}, attackMappings: {} }),
    spec: o.spec ?? DEFAULT_KEY_SPEC,
    store,
    sink,
    deadLetters: new MemoryDeadLetterStore(),
    now: () => new Date(now),
  };
  let seq = 0;
  const batch = (events: unknown[], partition = '0') =>
    processBatch(events, { partition, sequenceNumbers: events.map(() => seq++) }, deps);
  const later = (ms: number) => {
    now += ms;
  };
  return { store, sink, deps, batch, later };
}
