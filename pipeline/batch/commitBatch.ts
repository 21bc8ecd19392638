import type { DeadLetter } from '../deadletter/deadLetterStore.js';
import { newLetter } from '../deadletter/letters.js';
import { commitPartition } from '../dedup/commitPartition.js';
import { withPartitionLock } from '../dedup/partitionLock.js';
import type { PlanContext } from '../dedup/planner.js';
import type { BatchMeta, PipelineDeps } from '../pipeline.js';
import { mapLimit } from '../util/mapLimit.js';
import { type BatchStats, countOutcome } from './batchStats.js';
import type { Keyed } from './keyEvents.js';
import { type Outgoing, owedOf } from './sendOwed.js';

/** Partitions committed in parallel per batch: each is its own transaction, as reads of the Table store are. */
const PARTITION_CONCURRENCY = 16;

/**
 * Commits each partition's members to their groups (with the rows they owe) and returns the rows now owed, to be
 * sent only after this: a row that reaches the sink is always a committed revision. Records whose commit failed
 * are dead-lettered into `letters`.
 */
export async function commitBatch(
  byPartition: Map<string, Keyed>,
  meta: Pick<BatchMeta, 'redrive'>,
  deps: Pick<PipelineDeps, 'store' | 'maxConflictRetries'>,
  ctx: Omit<PlanContext, 'watermark'>,
  into: { stats: BatchStats; letters: DeadLetter[] },
): Promise<Outgoing[]> {
  const { stats, letters } = into;
  const maxAttempts = 1 + (deps.maxConflictRetries ?? 8);
  const outgoing: Outgoing[] = [];
  const runPartition = async (partition: string, part: Keyed) => {
    const r = await withPartitionLock(deps.store, partition, () =>
      commitPartition(
        deps.store,
        partition,
        part.members,
        { ...ctx, watermark: part.watermark },
        maxAttempts,
      ),
    );
    for (const o of r.outcomes) countOutcome(stats, o);
    stats.conflicts += r.conflicts;
    for (const st of r.sendable) outgoing.push(...owedOf(st));
    for (const f of r.failed) {
      /**
       * The group store failed (an outage beyond its SDK's retries). The trigger checkpoints even when the
       * handler throws, so throwing would drop the batch: its records are dead-lettered (`commit`) for the
       * redrive instead. A redrive batch still throws, so the redriver defers its letters without an attempt.
       */
      if (f.error !== undefined && meta.redrive) throw f.error;
      letters.push(
        newLetter('commit', f.reason, part.records[f.index]!.raw, part.members[f.index]!.origin, ctx.now),
      );
    }
  };
  await mapLimit([...byPartition.entries()], PARTITION_CONCURRENCY, ([partition, part]) =>
    runPartition(partition, part),
  );
  return outgoing;
}
