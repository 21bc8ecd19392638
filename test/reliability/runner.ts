/**
 * Runs one fault scenario end to end and reports it: a fresh workspace fake, group store and dead-letter store;
 * the scenario's deliveries under its fault; then the fault ends and the timers run as in Azure (flush, redrive
 * until nothing is left to carry, flush), with a reconciliation before and after the redrive.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Settings } from '../../functions/settings.js';
import { MemoryDeadLetterStore } from '../../pipeline/deadletter/memoryDeadLetterStore.js';
import type { GroupStore } from '../../pipeline/dedup/groupState.js';
import { MemoryGroupStore } from '../../pipeline/dedup/memoryGroupStore.js';
import { TableGroupStore } from '../../pipeline/dedup/tableGroupStore.js';
import { azuriteUrl } from '../helpers/azuriteUrl.js';
import {
  type FakeLogsIngestion,
  generateSelfSignedCert,
  type SelfSignedCert,
  startFakeLogsIngestion,
} from '../helpers/fakeLogsIngestion.js';
import {
  DCR,
  flushAll,
  type Instance,
  makeInstance,
  type Reconciliation,
  reconcile,
  redriveAll,
  type SinkTuning,
  StatsTotal,
  settingsFor,
  sinkFor,
  tableClient,
  tableName,
} from './harness.js';
import {
  type AlertStream,
  type Batch,
  cutBatches,
  generateStream,
  mulberry32,
  PARTITIONS,
  roundRobin,
  SENSOR_PLACEMENT,
  type StreamOptions,
} from './stream.js';

export const ALERTS = 20_000;
const HOUR = 3_600_000;

/** The suite's stream: 20,000 alerts over 6 hours ending an hour before now (every window has ended). */
export function streamOptions(over: Partial<StreamOptions> = {}): StreamOptions {
  const start = Math.floor((Date.now() - 7 * HOUR) / 60_000) * 60_000;
  return { alerts: ALERTS, seed: 11, start, hours: 6, poison: 20, ...over };
}

/** Everything one scenario runs against. */
export interface World {
  stream: AlertStream;
  fake: FakeLogsIngestion;
  settings: Settings;
  deadLetters: MemoryDeadLetterStore;
  store: GroupStore;
  /** Table scenarios: the table's name (a second instance opens its own client on it). */
  table: string | undefined;
  stats: StatsTotal;
  rand: () => number;
  /** Batches delivered so far: fault windows are expressed in it. */
  delivered: number;
  /** A Function instance over the world's stores; `store` replaces the group store it sees. */
  instance(name: string, over?: { store?: GroupStore; sink?: SinkTuning }): Promise<Instance>;
  /** Mechanism figures the scenario reports (retries, bisections, conflicts, crashes, …). */
  notes: Record<string, number>;
}

export interface Scenario {
  name: string;
  /** What ot-soc does about the fault. */
  handling: string;
  store?: 'memory' | 'table';
  /** A stream of its own (clock skew). */
  stream?: () => AlertStream;
  /**
   * A limit the suite shows rather than hides (docs/failure-modes.md): marked in the table.
   * It exempts nothing: lost, double-counted and revision ties are asserted 0 for every scenario.
   */
  knownLimit?: { what: string };
  run(world: World): Promise<void>;
}

export interface Outcome {
  scenario: string;
  handling: string;
  knownLimit?: string;
  afterFault: Reconciliation;
  afterRedrive: Reconciliation;
  redrive: { runs: number; redriven: number };
  stats: StatsTotal['total'];
  notes: Record<string, number>;
  seconds: number;
}

/** All partitions cut into batches of `min`-`max` events, round robin across partitions (one instance). */
export function plainBatches(world: World, min = 50, max = 300): Batch[] {
  return roundRobin(
    PARTITIONS.map((p) => cutBatches(p, world.stream.partitions.get(p)!, world.rand, min, max)),
  );
}

export async function deliver(world: World, instance: Instance, batches: readonly Batch[]): Promise<void> {
  for (const b of batches) {
    world.stats.add(await instance.ingest(b));
    world.delivered++;
  }
}

export const note = (world: World, key: string, n = 1) => {
  world.notes[key] = (world.notes[key] ?? 0) + n;
};

let defaultStream: AlertStream | undefined;

export async function runScenario(s: Scenario, cert: SelfSignedCert): Promise<Outcome> {
  const began = performance.now();
  defaultStream ??= generateStream(streamOptions());
  const stream = s.stream?.() ?? defaultStream;
  const fake = await startFakeLogsIngestion({ cert: cert.cert, key: cert.key, dcrId: DCR });
  const settings = settingsFor(fake, SENSOR_PLACEMENT);
  const deadLetters = new MemoryDeadLetterStore();
  const table = s.store === 'table' ? tableName() : undefined;
  const store: GroupStore = table
    ? await new TableGroupStore(tableClient(table)).init()
    : new MemoryGroupStore();
  const world: World = {
    stream,
    fake,
    settings,
    deadLetters,
    store,
    table,
    stats: new StatsTotal(),
    rand: mulberry32(1234),
    delivered: 0,
    notes: {},
    instance: (name, over = {}) =>
      makeInstance(name, settings, {
        store: over.store ?? store,
        sink: sinkFor(fake, cert.cert, over.sink),
        deadLetters,
      }),
  };
  try {
    await s.run(world);
    // The fault is over: the service answers, the timers run (flush, then redrive, then flush).
    fake.setBehavior(undefined);
    const healthy = await world.instance('timers');
    await flushAll(healthy.deps);
    const afterFault = reconcile(stream.ids, fake.accepted, await deadLetters.list());
    const redrive = await redriveAll(healthy);
    await flushAll(healthy.deps);
    const afterRedrive = reconcile(stream.ids, fake.accepted, await deadLetters.list());
    return {
      scenario: s.name,
      handling: s.handling,
      ...(s.knownLimit ? { knownLimit: s.knownLimit.what } : {}),
      afterFault,
      afterRedrive,
      redrive,
      stats: world.stats.total,
      notes: world.notes,
      seconds: (performance.now() - began) / 1000,
    };
  } finally {
    await fake.close();
  }
}

/** One line per scenario. */
export function outcomeLine(o: Outcome): string {
  const r = o.afterRedrive;
  const f = o.afterFault;
  const notes = Object.entries(o.notes)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  return (
    `${o.scenario}: in ${r.alertsIn}, written once ${r.writtenOnce}, dead-lettered ${r.deadLettered}, ` +
    `lost ${r.lost}, double-counted ${r.doubleCounted}, in tied revisions ${r.inTiedRevisions} (${r.revisionTies} groups) ` +
    `| when the fault ended: dead-lettered ${f.deadLettered} ` +
    `(${Object.entries(f.letters)
      .map(([k, v]) => `${k} ${v}`)
      .join(
        ', ',
      )}), lost ${f.lost}, double-counted ${f.doubleCounted}, in tied revisions ${f.inTiedRevisions}; ` +
    `redriven ${o.redrive.redriven} in ${o.redrive.runs} runs${notes ? `; ${notes}` : ''} (${o.seconds.toFixed(1)} s)`
  );
}

const HEADER = [
  'scenario',
  'alerts in',
  'written once',
  'dead-lettered',
  'lost',
  'double-counted',
  'in tied revisions',
];

/** The summary table (after the redrive), Markdown-compatible; known limits marked and named below it. */
export function summaryTable(outcomes: readonly Outcome[]): string {
  const limits = [...new Set(outcomes.flatMap((o) => (o.knownLimit ? [o.knownLimit] : [])))];
  const mark = (o: Outcome) => (o.knownLimit ? ` (${'*'.repeat(limits.indexOf(o.knownLimit) + 1)})` : '');
  const rows = outcomes.map((o) => [
    `${o.scenario}${mark(o)}`,
    o.afterRedrive.alertsIn,
    o.afterRedrive.writtenOnce,
    o.afterRedrive.deadLettered,
    o.afterRedrive.lost,
    o.afterRedrive.doubleCounted,
    o.afterRedrive.inTiedRevisions,
  ]);
  const widths = HEADER.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const fmt = (cells: readonly unknown[]) =>
    `| ${cells.map((c, i) => (i ? String(c).padStart(widths[i]!) : String(c).padEnd(widths[i]!))).join(' | ')} |`;
  return [
    fmt(HEADER),
    `|${widths.map((w, i) => (i ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`,
    ...rows.map(fmt),
    ...limits.map((l, i) => `(${'*'.repeat(i + 1)}) known limit: ${l}`),
  ].join('\n');
}

/** Where the figures go: one directory per test run under the OS temp dir (runs on one machine may overlap). */
export const FIGURES_DIR = join(tmpdir(), 'ot-soc-reliability');
/** The suite's files, in the order their scenarios are listed in the combined table. */
const PARTS = ['sink', 'store', 'delivery', 'relay'] as const;

/**
 * Prints this file's table and writes its figures; the last file of the run to finish also writes the combined
 * `figures.json` and prints the table of every scenario.
 */
export async function report(part: (typeof PARTS)[number], outcomes: readonly Outcome[]): Promise<void> {
  if (!outcomes.length) return;
  console.log(`\n${summaryTable(outcomes)}`);
  // The files of one run share the vitest process (their parent) and its Azurite.
  const port = new URL(azuriteUrl('azuriteTableUrl')).port;
  const dir = join(FIGURES_DIR, `run-${process.ppid}-${port}`);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, `${part}.json`), JSON.stringify({ part, outcomes }, null, 2));
  const all: Outcome[] = [];
  for (const p of PARTS) {
    try {
      all.push(...JSON.parse(await readFile(join(dir, `${p}.json`), 'utf8')).outcomes);
    } catch {
      return; // that file has not finished (or is not part of this run): it will combine
    }
  }
  const file = join(dir, 'figures.json');
  await writeFile(file, JSON.stringify({ at: new Date().toISOString(), outcomes: all }, null, 2));
  console.log(`\nAll fault scenarios:\n${summaryTable(all)}\nfigures: ${file}`);
}

/**
 * The test block of one suite file: one test per scenario, lost, double-counted and revision ties asserted 0
 * both when the fault ends and after the redrive; afterwards the file's table and figures.
 */
export function defineSuite(part: (typeof PARTS)[number], scenarios: readonly Scenario[]): void {
  let cert: SelfSignedCert;
  const outcomes: Outcome[] = [];
  beforeAll(async () => {
    cert = await generateSelfSignedCert();
  });
  afterAll(async () => {
    await report(part, outcomes);
    await cert?.cleanup();
  });
  // Table scenarios write an id entry per alert (identity, docs/state.md) into Azurite, which writes entities one by
  // one (about 3 ms each under load): 20,000 alerts take minutes there, not seconds.
  const timeout = scenarios.some((s) => s.store === 'table') ? 300_000 : 60_000;
  it.each(scenarios.map((s) => [s.name, s] as const))('%s', { timeout }, async (_name, s) => {
    const o = await runScenario(s, cert);
    outcomes.push(o);
    console.log(outcomeLine(o));
    for (const r of [o.afterFault, o.afterRedrive]) {
      expect(r.lost, `lost: ${r.examples.lost.join(', ')}`).toBe(0);
      expect(r.writtenOnce + r.deadLettered + r.lost + r.inSeveralGroups + r.inTiedRevisions).toBe(
        r.alertsIn,
      );
      expect(r.revisionTies, `ties: ${r.examples.ties.join(', ')}`).toBe(0);
      expect(r.inTiedRevisions).toBe(0);
      expect(r.doubleCounted, `double-counted: ${r.examples.double.join(', ')}`).toBe(0);
    }
    // After the redrive, only the records that can never be parsed are still dead letters.
    expect(o.afterRedrive.letters).toEqual({ parse: o.afterRedrive.deadLettered });
  });
}
