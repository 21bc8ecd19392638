import { KeyedTurns } from '../util/keyedTurns.js';
import type { GroupStore } from './groupState.js';

/** Per store (one per instance: functions/deps.ts builds it once), its partitions' turns. */
const turns = new WeakMap<GroupStore, KeyedTurns>();

/**
 * Runs `fn` once the earlier work of this process on the same store partition has ended. The Functions host runs
 * an instance's Event Hubs partitions at once, and where alerts are not partitioned by zone (the SecurityAlert data
 * export spreads a zone over every partition) two invocations would plan against the same heads and all but one
 * would lose the ETag race: a whole transaction redone, its entities dropped from the cache and read again. Taking
 * turns per zone inside an instance costs nothing when zones differ, and the later batch plans on what the earlier
 * one committed (the cache holds its ETags). Instances still race each other; ETags settle that, as before.
 */
export function withPartitionLock<T>(store: GroupStore, partition: string, fn: () => Promise<T>): Promise<T> {
  let mine = turns.get(store);
  if (!mine) {
    mine = new KeyedTurns();
    turns.set(store, mine);
  }
  return mine.run(partition, fn);
}
