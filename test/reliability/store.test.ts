/**
 * Faults of the group store on Table Storage (Azurite, real ETags): 412 from a second instance writing the same
 * groups at the same time, and 503 ServerBusy (single requests, answers lost after the write, and an outage
 * longer than the SDK's retries). Part 1 of the fault-injection suite (issue 11).
 */
import { describe, expect } from 'vitest';
import { CachingGroupStore } from '../../pipeline/dedup/cachingGroupStore.js';
import type { GroupStore } from '../../pipeline/dedup/groupState.js';
import { TableGroupStore } from '../../pipeline/dedup/tableGroupStore.js';
import { type Instance, type TableFaults, tableClient } from './harness.js';
import { defineSuite, note, type Scenario, type World } from './runner.js';
import { type Batch, cutBatches, mulberry32, PARTITIONS } from './stream.js';

/** One partition's batches through one instance, in order, as the host delivers them (it checkpoints even when the handler throws). */
async function consume(world: World, instance: Instance, batches: readonly Batch[]): Promise<void> {
  for (const b of batches) {
    try {
      world.stats.add(await instance.ingest(b));
    } catch {
      // The Event Hubs trigger checkpoints the batch anyway (docs/contracts.md#azure-functions-host): nothing retries it.
      note(world, 'handler errors');
    }
    world.delivered++;
  }
}

const chance = mulberry32(503);
const coin = (p: number) => chance() < p;

/**
 * The scenarios with the Table store as tests build it, and (`cached`) behind each instance's ETag-validated
 * cache as the Function builds it (functions/deps.ts): a stale cached entry must fail its write and be re-read.
 */
const scenariosFor = (cached: boolean): Scenario[] => {
  const suffix = cached ? ', instance caches' : '';
  const store = async (world: World, faults?: TableFaults): Promise<GroupStore> => {
    const table = await new TableGroupStore(tableClient(world.table!, faults)).init();
    return cached ? new CachingGroupStore(table) : table;
  };
  return [
    {
      name: `Table 412: two instances on the same groups${suffix}`,
      handling:
        'conditional writes (ETag) before any row is sent; the loser has written nothing, re-reads, re-applies and commits the next revision',
      store: 'table',
      async run(world) {
        // Instance A owns partitions 0 and 2, B owns 1 and 3: Rotterdam's zones (data export, one partition per
        // sensor) reach both instances; Lyon's (forwarder, one partition per zone) only one, except in the handover.
        const a = await world.instance('a', cached ? { store: await store(world) } : {});
        const b = await world.instance('b', { store: await store(world) });
        const batches = new Map(
          PARTITIONS.map((p) => [p, cutBatches(p, world.stream.partitions.get(p)!, world.rand, 200, 500)]),
        );
        // A lease moves: B receives partition 0's batches 10-12 while A is still processing them.
        const p0 = batches.get('0')!;
        await Promise.all([
          consume(world, a, p0.slice(0, 10)).then(() =>
            Promise.all([consume(world, a, p0.slice(10, 13)), consume(world, b, p0.slice(10, 13))]).then(() =>
              consume(world, a, p0.slice(13)),
            ),
          ),
          consume(world, a, batches.get('2')!),
          consume(world, b, batches.get('1')!),
          consume(world, b, batches.get('3')!),
        ]);
        note(world, '412/409 conflicts retried', world.stats.total.conflicts);
        note(world, 'table operations', a.deps.store.operations + b.deps.store.operations);
        expect(world.stats.total.conflicts).toBeGreaterThan(0);
      },
    },
    {
      name: `Table 503 (busy, lost answers, outage)${suffix}`,
      handling: 'SDK retries; an outage dead-letters the batch (commit) for the redrive',
      store: 'table',
      async run(world) {
        let outage = false;
        const faults: TableFaults = {
          before: () => outage || coin(0.015),
          after: (method) => method !== 'GET' && coin(0.01),
          injected: 0,
        };
        const a = await world.instance('a', { store: await store(world, faults) });
        const batches = PARTITIONS.map((p) =>
          cutBatches(p, world.stream.partitions.get(p)!, world.rand, 200, 500),
        );
        const order: Batch[] = [];
        for (let i = 0; order.length < batches.flat().length; i++)
          for (const list of batches) if (list[i]) order.push(list[i]!);
        for (const [i, b] of order.entries()) {
          outage = i >= 20 && i < 24;
          await consume(world, a, [b]);
        }
        note(world, '503s injected', faults.injected);
        note(world, 'table operations', world.store.operations + a.deps.store.operations);
      },
    },
  ];
};
const scenarios = [...scenariosFor(false), ...scenariosFor(true)];

describe('fault injection, Table Storage group store: every alert written once or dead-lettered with a reason', () => {
  defineSuite('store', scenarios);
});
