/**
 * The zone relay's own cost (pipeline/relay/zoneRelay.ts): what the extra hop costs the Function per batch, next
 * to the pipeline's batch on the memory store in the same run. The relay parses and enriches each record once
 * more (to key it) and sends it through the real `EventHubProducerClient` to a local AMQP hub
 * (test/helpers/fakeEventHub.ts, in this process: its decoding is in the end-to-end figure too).
 */
import { EventHubProducerClient } from '@azure/event-hubs';
import { MemoryDeadLetterStore } from '../pipeline/deadletter/memoryDeadLetterStore.js';
import { MemoryGroupStore } from '../pipeline/dedup/memoryGroupStore.js';
import { planRelay, relayBatch } from '../pipeline/relay/zoneRelay.js';
import { startFakeEventHub } from '../test/helpers/fakeEventHub.js';
import { asEvents, plantMixRows } from './data.js';
import { CountingSink, depsFor, runBatches, type SampleSetup, sampleSetup } from './harness.js';
import { alternate, figure, median, p50, p99 } from './stats.js';
import type { Bench, BenchOptions, BenchResult } from './types.js';

const BATCH = 100;
/** Records per export event (the data export packs many rows into one event). */
const PER_EVENT = 20;

/** The export's events: envelopes of PER_EVENT rows. */
function envelopes(rows: readonly unknown[]): unknown[] {
  const out: unknown[] = [];
  for (let i = 0; i < rows.length; i += PER_EVENT) out.push({ records: rows.slice(i, i + PER_EVENT) });
  return out;
}

/** CPU ms per batch of BATCH records: planning the relay (parse, enrich, key, encode) only. */
function planCpu(events: readonly unknown[], setup: SampleSetup): number {
  const perBatch = BATCH / PER_EVENT;
  const before = process.cpuUsage();
  for (let i = 0; i < events.length; i += perBatch)
    planRelay(events.slice(i, i + perBatch), { partition: '0' }, setup);
  const cpu = process.cpuUsage(before);
  return (cpu.user + cpu.system) / 1000 / Math.ceil(events.length / perBatch);
}

/** CPU ms per batch of BATCH records through processBatch on the memory store. */
async function pipelineCpu(rows: readonly unknown[], setup: SampleSetup): Promise<number> {
  const before = process.cpuUsage();
  const r = await runBatches(rows, depsFor(setup, new MemoryGroupStore(), new CountingSink()), BATCH);
  const cpu = process.cpuUsage(before);
  return (cpu.user + cpu.system) / 1000 / r.batchMs.length;
}

export const relay: Bench = {
  name: 'relay',
  title:
    'Zone relay: the extra hop the SecurityAlert export takes (plan, and send through the real producer)',
  async run(opts: BenchOptions): Promise<BenchResult> {
    const n = opts.quick ? 2_000 : 10_000;
    const setup = await sampleSetup();
    const rows = asEvents('SecurityAlert', plantMixRows(n));
    const events = envelopes(rows);
    const hub = await startFakeEventHub({ partitions: 4, hub: 'ot-alerts' });
    const producer = new EventHubProducerClient(hub.connectionString);
    try {
      const deps = { ...setup, deadLetters: new MemoryDeadLetterStore(), producer };
      const perBatch = BATCH / PER_EVENT;
      const sendAll = async () => {
        const batchMs: number[] = [];
        const started = performance.now();
        for (let i = 0; i < events.length; i += perBatch) {
          const t = performance.now();
          await relayBatch(events.slice(i, i + perBatch), { partition: '0' }, deps);
          batchMs.push(performance.now() - t);
        }
        return { batchMs, rate: n / ((performance.now() - started) / 1000) };
      };
      // Warm-up: JIT, the AMQP connection and links.
      planCpu(events.slice(0, 10), setup);
      await pipelineCpu(rows.slice(0, 500), setup);
      await sendAll();
      const plan: number[] = [];
      const pipeline: number[] = [];
      const sends: { batchMs: number[]; rate: number }[] = [];
      for (let r = 0; r < opts.runs; r++) {
        opts.log(`  relay: run ${r + 1}/${opts.runs} …`);
        await alternate(
          r,
          async () => plan.push(planCpu(events, setup)),
          async () => pipeline.push(await pipelineCpu(rows, setup)),
        );
        sends.push(await sendAll());
      }
      const ratio = median(plan.map((x, i) => x / pipeline[i]!));
      return {
        name: 'relay',
        title: this.title,
        setup: {
          alerts: n,
          batch: BATCH,
          format: `SecurityAlert rows in export envelopes of ${PER_EVENT}; plant mix (4 zones, 200 keys)`,
          hub: 'local AMQP hub (test/helpers/fakeEventHub.ts), 4 partitions, in this process',
        },
        figures: [
          figure('relay plan (parse, enrich, key, encode): CPU per batch', plan, 'ms', {
            baseline: {
              name: 'pipeline batch, memory store (processBatch)',
              value: median(pipeline),
              unit: 'ms',
            },
            ratio,
          }),
          figure(
            'relay end to end (plan + AMQP send, keys at once): alerts/s',
            sends.map((s) => s.rate),
            'alerts/s',
          ),
          figure(
            'relay end to end: batch p50',
            sends.map((s) => p50(s.batchMs)),
            'ms',
          ),
          figure(
            'relay end to end: batch p99',
            sends.map((s) => p99(s.batchMs)),
            'ms',
          ),
        ],
        notes: [
          "ratio = the relay's plan CPU / the pipeline's CPU for the same batch on the memory store: what keying by " +
            'zone adds to the Function per alert, besides the send (the records are parsed and enriched twice).',
          "The end-to-end figure includes the local hub's own decoding (same process) and no network: Azure adds a " +
            'round trip per send (one per zone per batch, at once).',
        ],
      };
    } finally {
      await producer.close();
      await hub.close();
    }
  },
};
