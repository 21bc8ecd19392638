import type { GroupStore } from './groupState.js';

/** Per store (one per instance: functions/deps.ts builds it once), the last commit queued on each partition. */
const tails = new WeakMap<GroupStore, Map<string, Promise<void>>>();

/**
 * Runs `fn` once the earlier work of this process on the same store partition has ended. The Functions host runs
 * an instance's Event Hubs partitions at once, and where alerts are not partitioned by zone (the SecurityAlert data
 * export spreads a zone over every partition) two invocations would plan against the same heads and all but one
 * would lose the ETag race: a whole transaction redone, its entities dropped from the cache and read again. Taking
 * turns per zone inside an instance costs nothing when zones differ, and the later batch plans on what the earlier
 * one committed (the cache holds its ETags). Instances still race each other; ETags settle that, as before.
 */
export async function withPartitionLock<T>(
  store: GroupStore,
  partition: string,
  fn: () => Promise<T>,
): Promise<T> {
  let byPartition = tails.get(store);
  if (!byPartition) {
    byPartition = new Map();
    tails.set(store, byPartition);
  }
  let release!: () => void;
  const mine = new Promise<void>((r) => {
    release = r;
  });
  // Tails only ever resolve (each is a `mine`), so waiting on one never throws.
  const before = byPartition.get(partition);
  const tail = before ? before.then(() => mine) : mine;
  byPartition.set(partition, tail);
  if (before) await before;
  try {
    return await fn();
  } finally {
    release();
    if (byPartition.get(partition) === tail) byPartition.delete(partition);
  }
}
