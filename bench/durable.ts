/**
 * Issues 10.3 and 20 — the durable path: batches of 100 through processBatch with group state in Azure Table
 * Storage (Azurite, started here) behind the instance's ETag-validated cache (CachingGroupStore, as the Function
 * and the CLI build it) and rows through the real `LogsIngestionClient` (createLogsIngestionSink, gzip, HTTPS
 * with a self-signed CA) to the loopback Logs Ingestion fake. Next to it, in the same run, the same batches with
 * the memory store and the same sink: the ratio is what durable state costs. Two inputs: a plant mix (four
 * zones, 200 keys, a few noisy) and a storm in one zone (one Table partition, 20 keys). Table operations per
 * alert are the cost driver in Azure (billed per 10,000 transactions).
 */
import { readFile } from 'node:fs/promises';
import { type AzuriteHandle, startAzurite } from '../cli/azurite.js';
import { partitionIdForKey } from '../cli/forward/partitionMap.js';
import { azuriteTableClient } from '../cli/state/azuriteTable.js';
import { CachingGroupStore } from '../pipeline/dedup/cachingGroupStore.js';
import type { GroupStore } from '../pipeline/dedup/groupState.js';
import { MemoryGroupStore } from '../pipeline/dedup/memoryGroupStore.js';
import { TableGroupStore } from '../pipeline/dedup/tableGroupStore.js';
import { relayKeyOf } from '../pipeline/relay/zoneRelay.js';
import { createLogsIngestionSink } from '../pipeline/sink/logsIngestionSink.js';
import { groupBy } from '../pipeline/util/groupBy.js';
import {
  type FakeLogsIngestion,
  generateSelfSignedCert,
  type SelfSignedCert,
  startFakeLogsIngestion,
} from '../test/helpers/fakeLogsIngestion.js';
import { asEvents, plantMixRows, plantMixZones, zoneDataset } from './data.js';
import { depsFor, runPartitions, type SampleSetup, sampleSetup } from './harness.js';
import { alternate, figure, median, p50, p99 } from './stats.js';
import type { Bench, BenchOptions, BenchResult, Figure } from './types.js';

const BATCH = 100;

let tables = 0;

/** A fresh table behind a cold cache per instance (each with its own client): each run starts as new instances would. */
async function tableStores(azurite: AzuriteHandle, instances: number): Promise<GroupStore[]> {
  const name = `bench${process.pid}x${Date.now().toString(36)}x${tables++}`;
  const stores: GroupStore[] = [];
  for (let i = 0; i < instances; i++)
    stores.push(
      new CachingGroupStore(await new TableGroupStore(azuriteTableClient(azurite.tableUrl, name)).init()),
    );
  return stores;
}

/** The instance owning stream `p` of `streams` when `instances` share them: consecutive partitions per instance. */
const ownerOf = (p: number, streams: number, instances: number) => Math.floor((p * instances) / streams);

interface RunFigures {
  p50: number;
  p99: number;
  rate: number;
  opsPerBatch: number;
  /** Entities written per batch (what a Table partition's throughput target counts). */
  entitiesPerBatch: number;
  requestsPerBatch: number;
  rows: number;
  batches: number;
  wallMs: number;
  /** ETag races lost and retried. */
  conflicts: number;
  /** CPU of this process (the pipeline, its Table client, the sink and the fake it writes to), ms per batch. */
  cpuPerBatch: number;
  /** CPU of the Azurite process, ms per batch (undefined without /proc, or for the memory store). */
  azuriteCpuPerBatch?: number;
}

/** USER_HZ: 100 on Linux for every architecture Node supports. */
const CLOCK_TICKS = 100;

/** CPU time (user + system, ms) a process has used so far, from /proc (Linux); undefined elsewhere. */
async function processCpuMs(pid: number): Promise<number | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces, in parentheses): utime and stime are the 12th and 13th.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}

async function runOnce(
  setup: SampleSetup,
  streams: readonly (readonly unknown[])[],
  stores: readonly GroupStore[],
  fake: FakeLogsIngestion,
  cert: SelfSignedCert,
  azuritePid?: number,
): Promise<RunFigures> {
  const sink = createLogsIngestionSink({
    endpoint: fake.url,
    dcrId: fake.dcrId,
    credential: { getToken: async () => ({ token: 'bench', expiresOnTimestamp: Date.now() + 3_600_000 }) },
    tlsCa: cert.cert,
  });
  const operations = () => stores.reduce((n, s) => n + s.operations, 0);
  const opsBefore = operations();
  const entities = () => stores.reduce((n, s) => n + (s.entitiesWritten ?? 0), 0);
  const entitiesBefore = entities();
  const deps = stores.map((store) => depsFor(setup, store, sink));
  const cpuBefore = process.cpuUsage();
  const azuriteBefore = azuritePid === undefined ? undefined : await processCpuMs(azuritePid);
  const r = await runPartitions(streams, (p) => deps[ownerOf(p, streams.length, deps.length)]!, BATCH);
  const cpu = process.cpuUsage(cpuBefore);
  const azuriteAfter = azuritePid === undefined ? undefined : await processCpuMs(azuritePid);
  if (r.stats.rowsRejected || r.stats.deadLettered) {
    throw new Error(`durable run lost rows: ${JSON.stringify(r.stats)}`);
  }
  const batches = r.batchMs.length;
  const alerts = streams.reduce((n, s) => n + s.length, 0);
  return {
    p50: p50(r.batchMs),
    p99: p99(r.batchMs),
    rate: alerts / (r.totalMs / 1000),
    opsPerBatch: (operations() - opsBefore) / batches,
    entitiesPerBatch: (entities() - entitiesBefore) / batches,
    requestsPerBatch: sink.stats.requests / batches,
    rows: r.stats.rowsWritten,
    batches,
    wallMs: r.totalMs,
    conflicts: r.stats.conflicts,
    cpuPerBatch: (cpu.user + cpu.system) / 1000 / batches,
    azuriteCpuPerBatch:
      azuriteBefore === undefined || azuriteAfter === undefined
        ? undefined
        : (azuriteAfter - azuriteBefore) / batches,
  };
}

interface Scenario {
  label: string;
  /** One stream per Event Hubs partition, run at once (one stream: a partition's batches one after another). */
  streams: unknown[][];
  /**
   * Function instances sharing the partitions (default 1), each with its own cache and Table client on the one
   * table; the memory store, which cannot be shared, stays one store.
   */
  instances?: number;
}

/** Events split by key (in order within each), as a partition key splits them over a hub's partitions. */
const splitBy = <T>(events: readonly T[], keys: readonly string[]): T[][] => [
  ...groupBy(events, (_, i) => keys[i]!).values(),
];

/**
 * The streams the alert hub's partitions carry when the zone relay republishes `events` (pipeline/relay): each
 * record keyed by its store partition, which the service hashes to a partition (cli/forward/partitionMap.ts), in
 * the order the records came.
 */
export function relayedStreams(
  events: readonly unknown[],
  setup: SampleSetup,
  partitions: number,
): unknown[][] {
  const ids = Array.from({ length: partitions }, (_, i) => String(i));
  const streams: unknown[][] = ids.map(() => []);
  for (const e of events) streams[Number(partitionIdForKey(relayKeyOf(e, setup), ids))]!.push(e);
  return streams;
}

/**
 * The best Table / memory ratio this machine allows when the emulated service's work is counted and the store
 * cost this process nothing: with one partition a batch waits for its commit, so Azurite's CPU adds to the
 * memory store's batch time; with partitions at once it can run beside them, on its own core, and bounds only
 * when it takes longer than the memory store's batch. (In Azure that work is the service's, not on these cores.)
 */
function ceiling(memoryBatchMs: number, azuriteBatchMs: number, sc: Scenario): number {
  return sc.streams.length > 1
    ? Math.min(1, memoryBatchMs / azuriteBatchMs)
    : memoryBatchMs / (memoryBatchMs + azuriteBatchMs);
}

/** Table and memory runs of one input, alternating which goes first so load that comes and goes hits both. */
async function measure(
  sc: Scenario,
  setup: SampleSetup,
  azurite: AzuriteHandle,
  fake: FakeLogsIngestion,
  cert: SelfSignedCert,
  opts: BenchOptions,
): Promise<Figure[]> {
  const table: RunFigures[] = [];
  const memory: RunFigures[] = [];
  // One untimed warm-up of each (JIT, TLS session, table creation paths).
  const warmUp = sc.streams.map((s) => s.slice(0, 500 / sc.streams.length));
  const instances = sc.instances ?? 1;
  await runOnce(setup, warmUp, await tableStores(azurite, instances), fake, cert);
  await runOnce(setup, warmUp, [new MemoryGroupStore()], fake, cert);
  for (let r = 0; r < opts.runs; r++) {
    opts.log(`  ${sc.label}: run ${r + 1}/${opts.runs} …`);
    const t = async () =>
      table.push(
        await runOnce(setup, sc.streams, await tableStores(azurite, instances), fake, cert, azurite.pid),
      );
    const m = async () => memory.push(await runOnce(setup, sc.streams, [new MemoryGroupStore()], fake, cert));
    await alternate(r, t, m);
  }
  const t = (f: (x: RunFigures) => number) => table.map(f);
  const m = (f: (x: RunFigures) => number) => memory.map(f);
  const ratios = table.map((x, i) => x.rate / memory[i]!.rate);
  const ratio = median(ratios);
  const opsPerAlert = median(t((x) => x.opsPerBatch / BATCH));
  return [
    figure(
      `${sc.label}: Table store alerts/s`,
      t((x) => x.rate),
      'alerts/s',
      {
        baseline: { name: 'memory store, same sink', value: median(m((x) => x.rate)), unit: 'alerts/s' },
        ratio,
        target: 'ratio ≥ 0.5',
        met: ratio >= 0.5,
      },
    ),
    figure(
      `${sc.label}: batch latency p50`,
      t((x) => x.p50),
      'ms',
      { baseline: { name: 'memory store p50', value: median(m((x) => x.p50)), unit: 'ms' } },
    ),
    figure(
      `${sc.label}: batch latency p99`,
      t((x) => x.p99),
      'ms',
      { baseline: { name: 'memory store p99', value: median(m((x) => x.p99)), unit: 'ms' } },
    ),
    figure(
      `${sc.label}: Table operations per alert`,
      t((x) => x.opsPerBatch / BATCH),
      'ops/alert',
      { target: '≤ 0.3', met: opsPerAlert <= 0.3 },
    ),
    figure(
      `${sc.label}: Table entities written per alert`,
      t((x) => x.entitiesPerBatch / BATCH),
      'entities/alert',
    ),
    figure(
      `${sc.label}: ETag conflicts retried per run`,
      t((x) => x.conflicts),
      'conflicts',
    ),
    figure(
      `${sc.label}: Logs Ingestion requests per batch`,
      t((x) => x.requestsPerBatch),
      'requests/batch',
    ),
    figure(
      `${sc.label}: CPU per batch, this process (pipeline, client, sink)`,
      t((x) => x.cpuPerBatch),
      'ms',
      {
        baseline: { name: 'memory store', value: median(m((x) => x.cpuPerBatch)), unit: 'ms' },
        ratio: median(table.map((x, i) => memory[i]!.cpuPerBatch / x.cpuPerBatch)),
      },
    ),
    ...(table.every((x) => x.azuriteCpuPerBatch !== undefined)
      ? [
          figure(
            `${sc.label}: CPU per batch, Azurite`,
            t((x) => x.azuriteCpuPerBatch!),
            'ms',
          ),
          figure(
            `${sc.label}: Azurite CPU per entity written`,
            t((x) => (x.azuriteCpuPerBatch! / x.entitiesPerBatch) * 1000),
            'µs',
          ),
          figure(
            `${sc.label}: ratio ceiling from Azurite's CPU on this machine`,
            table.map((x, i) => ceiling(memory[i]!.wallMs / memory[i]!.batches, x.azuriteCpuPerBatch!, sc)),
            'ratio',
          ),
        ]
      : []),
    figure(
      `${sc.label}: rows per batch`,
      t((x) => x.rows / x.batches),
      'rows/batch',
    ),
  ];
}

export const durable: Bench = {
  name: 'durable',
  title:
    'Durable path: Table Storage state (Azurite) behind the ETag cache + real LogsIngestionClient over HTTPS to a loopback fake',
  async run(opts: BenchOptions): Promise<BenchResult> {
    const n = opts.quick ? 2_000 : 5_000;
    const setup = await sampleSetup();
    const plant = asEvents('SecurityAlert', plantMixRows(n));
    const scenarios: Scenario[] = [
      // Cloud-connected sensors: SecurityAlert rows as the host hands them over, a few noisy keys dominating.
      { label: 'plant mix', streams: [plant] },
      // The same alerts as `ot-soc forward` publishes them (partition key site/zone): four partitions at once.
      { label: 'plant mix, zones at once', streams: splitBy(plant, plantMixZones(n)) },
      // As the SecurityAlert data export may deliver them: every zone on every partition (here the worst spread,
      // every 4th alert on each), four partitions at once in one instance.
      {
        label: 'plant mix, spread over 4 partitions',
        streams: splitBy(
          plant,
          plant.map((_, i) => String(i % 4)),
        ),
      },
      { label: 'storm, one zone', streams: [asEvents('SecurityAlert', zoneDataset(n, 20, 10, 2))] },
      // The data export in Azure: its 4 partitions shared by 2 instances (2 caches, 2 clients, one table). As
      // exported, every zone on every partition (both instances write every zone) …
      {
        label: 'export, 2 instances, direct',
        streams: splitBy(
          plant,
          plant.map((_, i) => String(i % 4)),
        ),
        instances: 2,
      },
      // … and through the zone relay (each zone on the partition its key hashes to: one writer per zone).
      {
        label: 'export, 2 instances, through the relay',
        streams: relayedStreams(plant, setup, 4),
        instances: 2,
      },
    ];
    opts.log('  starting Azurite and the HTTPS fake …');
    const azurite = await startAzurite();
    const cert = await generateSelfSignedCert();
    const fake = await startFakeLogsIngestion({ cert: cert.cert, key: cert.key });
    try {
      const figures: Figure[] = [];
      for (const sc of scenarios) figures.push(...(await measure(sc, setup, azurite, fake, cert, opts)));
      return {
        name: 'durable',
        title: this.title,
        setup: {
          alerts: n,
          batch: BATCH,
          format:
            'SecurityAlert (host-parsed); plant mix: 4 zones, keys ⌊200·u³⌋, on one partition, then split by zone ' +
            'over 4 partitions run at once, then spread over 4 partitions run at once; storm: 1 zone, keys ⌊20·u²⌋; ' +
            'export: the spread plant mix over 2 instances, direct and through the relay',
          table:
            'Azurite 3.35 in memory (cli/state/azuriteLauncher.ts), loopback; a fresh table and cold cache per run',
          sink: 'createLogsIngestionSink → HTTPS 127.0.0.1 fake (gzip, TLS, 204)',
        },
        figures,
        notes: [
          'Table operations: a point read per key the cache does not hold (first sight, or after a lost race) + one ' +
            'entity-group transaction per ≤ 100 writes of a scope (heads, archives, one id entry per new alert); ' +
            'Azurite on loopback answers in well under a millisecond, so latency in Azure (a few ms per operation) will be higher.',
          'Table entities written per alert: the id entry of each new alert, the head of each key a batch changes, ' +
            'and the side entities (due markers, retention journals, AlertId aliases, archived groups). A scope (zone) is ' +
            "one Table partition, whose throughput target in Azure is about 2,000 entities/s: a zone's alerts/s there " +
            'stay under 2,000 ÷ this figure (docs/deploy.md "Sizing"). Azurite CPU per entity: its CPU per batch over the ' +
            "entities the batch wrote (each transaction's fixed cost, about 1 ms here, included).",
          'The memory-store run uses the same HTTPS sink, so the ratio isolates the cost of durable state.',
          'Export, 2 instances: the spread input (every 4th alert on each of 4 partitions) with partitions 0–1 on one ' +
            'instance and 2–3 on another, each with its own cache and Table client on the same table, as the host ' +
            'shares a hub between instances; direct, both instances write every zone and race on ETags; through the ' +
            'relay (pipeline/relay/zoneRelay.ts) each zone lands on the partition its key hashes to, so on one ' +
            "instance. The relay's own cost (one more parse and enrich, one more hub hop) is in `--only relay`.",
          'Spread over 4 partitions: the same alerts with every zone on every partition (every 4th alert on each), ' +
            'as a data export without a partition key may deliver them; one instance, so its invocations take turns ' +
            'per zone (pipeline/dedup/partitionLock.ts) and only instances would race.',
          'Zones at once: the plant mix as `ot-soc forward` publishes it (partition key site/zone), each zone on a ' +
            "partition of its own and the four run at once as the Functions host runs a hub's partitions, one " +
            'batch at a time each; a batch then holds one zone, so its Table writes are one transaction.',
          "Ratio ceiling: memory store's batch time / (that + Azurite's CPU per batch) on one partition, or " +
            "min(1, that / Azurite's CPU) with partitions at once: the best ratio possible here if the Table store " +
            "cost this process nothing, since the emulator's work shares these 2 cores (in Azure it is the service's).",
          "CPU per batch splits a Table batch's time between this process (what the Function itself spends, " +
            "in Azure too; ratio = memory store's / Table store's) and Azurite (the emulated service's work, " +
            "which in Azure is not on the Function's cores but runs here on the same 2 cores).",
        ],
      };
    } finally {
      await fake.close();
      await cert.cleanup();
      await azurite.stop();
    }
  },
};
