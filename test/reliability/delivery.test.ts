/**
 * Faults of delivery and of the instance itself: a crash between the sink and the commit followed by the
 * redelivery of the batch, duplicate deliveries (the same batch again, and replays from an older checkpoint
 * with other batch boundaries), partitions consumed out of step, sensor clocks hours off, and a batch
 * dead-lettered at the sink and then redelivered before its checkpoint. Part 1 of the fault-injection suite.
 */
import { describe, expect } from 'vitest';
import { MortalStore } from './harness.js';
import {
  defineSuite,
  deliver,
  note,
  plainBatches,
  type Scenario,
  streamOptions,
  type World,
} from './runner.js';
import { type Batch, cutBatches, generateStream, PARTITIONS } from './stream.js';

const HOUR = 3_600_000;

/**
 * Event Hubs as seen from one partition: the batch starts at the checkpoint, its size varies from one delivery
 * to the next (so a redelivered range is cut differently), and `step` decides what happens after each batch.
 */
async function consumeRoundRobin(
  world: World,
  step: (p: string, batch: Batch, checkpoint: number) => Promise<number>,
  min = 50,
  max = 300,
): Promise<void> {
  const cursor = new Map(PARTITIONS.map((p) => [p, 0]));
  for (let busy = true; busy; ) {
    busy = false;
    for (const p of PARTITIONS) {
      const events = world.stream.partitions.get(p)!;
      const at = cursor.get(p)!;
      if (at >= events.length) continue;
      busy = true;
      const n = min + Math.floor(world.rand() * (max - min + 1));
      cursor.set(p, await step(p, { partition: p, events: events.slice(at, at + n) }, at));
    }
  }
}

const scenarios: Scenario[] = [
  {
    name: 'crash between commit and sink, then redelivery',
    handling:
      'nothing committed is lost; the redelivered batch is re-applied from the checkpoint and sends the rows its groups owe',
    async run(world) {
      let lives = 1;
      let life = new MortalStore(world.store);
      let instance = await world.instance('a#1', { store: life });
      await consumeRoundRobin(world, async (_p, batch, checkpoint) => {
        // Every 11th batch the instance dies after 0-5 of its group commits (before the sink saw any row).
        if (world.delivered % 11 === 5) life.crashAfterPuts(Math.floor(world.rand() * 6));
        const done = await Promise.race([instance.ingest(batch), life.died.then(() => undefined)]);
        world.delivered++;
        if (!done) {
          note(world, 'crashes');
          lives++;
          life = new MortalStore(world.store);
          instance = await world.instance(`a#${lives}`, { store: life });
          return checkpoint; // no checkpoint was written: the range comes again, cut differently
        }
        world.stats.add(done);
        return checkpoint + batch.events.length;
      });
      expect(world.notes.crashes).toBeGreaterThan(5);
    },
  },
  {
    name: 'duplicate delivery of whole batches',
    handling: 'per-partition marks in each group: a redelivered record is a duplicate, no count changes',
    async run(world) {
      const a = await world.instance('a');
      await consumeRoundRobin(world, async (_p, batch, checkpoint) => {
        world.stats.add(await a.ingest(batch));
        world.delivered++;
        const r = world.rand();
        if (r < 0.25) {
          // The checkpoint was lost: the same batch again.
          world.stats.add(await a.ingest(batch));
          note(world, 'batches delivered twice');
        } else if (r < 0.35) {
          // Replay from an older checkpoint (a restarted host): up to 600 events again, other boundaries.
          note(world, 'replays from an older checkpoint');
          return Math.max(0, checkpoint - Math.floor(world.rand() * 600));
        }
        return checkpoint + batch.events.length;
      });
      expect(world.stats.total.duplicates).toBeGreaterThan(1000);
      note(world, 'duplicates skipped', world.stats.total.duplicates);
    },
  },
  {
    name: 'out-of-order partitions',
    handling: 'late members join their group (one window of tolerance) or open a linked one; counts exact',
    async run(world) {
      const a = await world.instance('a');
      const own = (p: string, min: number, max: number) =>
        cutBatches(p, world.stream.partitions.get(p)!, world.rand, min, max);
      // Partitions 0-2 at once with different batch sizes (one instance runs partitions concurrently);
      // partition 3 hours behind, delivered only once the others are done.
      await Promise.all([
        deliver(world, a, own('0', 20, 60)),
        deliver(world, a, own('1', 300, 500)),
        deliver(world, a, own('2', 50, 300)),
      ]);
      await deliver(world, a, own('3', 50, 300));
      note(world, 'ETag conflicts retried', world.stats.total.conflicts);
    },
  },
  {
    name: 'clock skew (sensors 9 h ahead, 5 h behind)',
    handling: 'groups follow event time; skewed alerts open groups of their own; counts exact',
    stream: () =>
      generateStream(
        streamOptions({ skew: { 'lyn-brw-sensor-02': 9 * HOUR, 'rtm-utl-sensor-02': -5 * HOUR } }),
      ),
    async run(world) {
      await deliver(world, await world.instance('a'), plainBatches(world));
      const future = world.fake.accepted.filter((r) => Date.parse(String(r.LastSeen)) > Date.now() + HOUR);
      expect(future.length).toBeGreaterThan(0);
      note(world, 'rows with times in the future', future.length);
    },
  },
  {
    name: 'sink outage, then redelivery before checkpoint',
    handling:
      'the state is committed, the rows stay owed (nothing dead-lettered); the redelivery is a duplicate and sends what its groups owe',
    async run(world) {
      let down = false;
      world.fake.setBehavior(() => (down ? 500 : 204));
      const a = await world.instance('a');
      const timer = await world.instance('timer');
      for (const b of plainBatches(world)) {
        // A sink outage over batches 20-29; the host restarts as it ends, before checkpointing the last batch
        // of each partition (26-29): those batches come again once the sink is back. (Before the outbox, the
        // outage dead-lettered their records, and the redrive counted again what the redelivery had applied.)
        down = world.delivered >= 20 && world.delivered < 30;
        world.stats.add(await a.ingest(b));
        const inFlight = world.delivered >= 26 && world.delivered < 30;
        world.delivered++;
        if (inFlight) {
          down = false;
          world.stats.add(await a.ingest(b));
          note(world, 'batches redelivered after the outage');
          note(world, 'alerts redelivered after the outage', b.events.flatMap((e) => e.ids).length);
        }
        // The redrive timer runs every 5 minutes, here every third batch (a batch covers minutes of this stream).
        if (world.delivered % 3 === 0) note(world, 'redriven by the timer', (await timer.redrive()).redriven);
      }
    },
  },
];

describe('fault injection, delivery and instances: every alert written once or dead-lettered with a reason', () => {
  defineSuite('delivery', scenarios);
});
