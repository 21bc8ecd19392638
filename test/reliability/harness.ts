/**
 * The fault-injection harness: real ingest handler (functions/ingest.ts) over the real core (processBatch,
 * grouper, Memory/Table group stores, LogsIngestionSink with the real LogsIngestionClient over HTTPS to the
 * loopback fake, dead-letter store, redrive handler), and the reconciliation of what was sent against what
 * reached the workspace or the dead-letter store.
 */
import { createHttpHeaders, type PipelinePolicy } from '@azure/core-rest-pipeline';
import type { TableClient } from '@azure/data-tables';
import funcs from '@azure/functions';
import { azuriteTableClient } from '../../cli/state/azuriteTable.js';
import type { FunctionRuntime } from '../../functions/deps.js';
import { makeIngestHandler, makeRedriveHandler } from '../../functions/ingest.js';
import { readSettings, type Settings } from '../../functions/settings.js';
import { keySpecOf } from '../../pipeline/config/config.js';
import type { DeadLetterStore, StoredDeadLetter } from '../../pipeline/deadletter/deadLetterStore.js';
import type {
  CommitResult,
  GroupState,
  GroupStore,
  PartitionRead,
  PutResult,
  StoreWrite,
  Versioned,
} from '../../pipeline/dedup/groupState.js';
import { createEnricher, loadEnrichment } from '../../pipeline/enrich/enricher.js';
import { WallClockSensors } from '../../pipeline/enrich/wallClockSensors.js';
import { type BatchStats, emptyStats, flushGroups, type PipelineDeps } from '../../pipeline/pipeline.js';
import { localCredential } from '../../pipeline/sink/localCredential.js';
import { createLogsIngestionSink, type LogsIngestionSink } from '../../pipeline/sink/logsIngestionSink.js';
import { azuriteUrl } from '../helpers/azuriteUrl.js';
import type { FakeLogsIngestion } from '../helpers/fakeLogsIngestion.js';
import type { Batch } from './stream.js';

export const DCR = 'dcr-0123456789abcdef0123456789abcdef';

/**
 * The grouping the suite runs with: the Defender for IoT defaults, except that a group holds at most as many
 * alerts as its row lists vendor ids (200), so every row names every alert it counts and the reconciliation
 * is by id, not only by Count. Storms overflow into linked groups (PreviousAlertId).
 */
export const GROUPING = { maxGroupSize: 200, maxVendorIds: 200 };

/** App settings as the Function reads them (functions/settings.ts), pointed at the fake. */
export function settingsFor(fake: FakeLogsIngestion, placement: Record<string, unknown>): Settings {
  return readSettings({
    OTSOC_LOGS_ENDPOINT: fake.url,
    OTSOC_DCR_ID: DCR,
    OTSOC_REDRIVE_LIMIT: '500',
    OTSOC_FLUSH_GRACE_MS: '0',
    OTSOC_CONFIG: JSON.stringify({ grouping: GROUPING, enrichment: { sensors: placement } }),
  });
}

export interface SinkTuning {
  /** The sink's bound on one write (production: OTSOC_SINK_DEADLINE_MS, default 60 s). */
  deadlineMs: number;
  /** First retry delay (production: OTSOC_SINK_RETRY_DELAY_MS, default 1 s). */
  retryDelayInMs: number;
}

/** Short retry delays; a deadline no loaded test machine reaches by accident (the timeout scenario sets 1 s). */
export const FAST_SINK: SinkTuning = { deadlineMs: 15_000, retryDelayInMs: 10 };

/** The sink deps.ts builds for OTSOC_LOGS_ENDPOINT, with a CA for the loopback cert and a static token. */
export function sinkFor(
  fake: FakeLogsIngestion,
  ca: string,
  tuning: SinkTuning = FAST_SINK,
): LogsIngestionSink {
  return createLogsIngestionSink({
    endpoint: fake.url,
    dcrId: DCR,
    credential: localCredential(),
    tlsCa: ca,
    deadlineMs: tuning.deadlineMs,
    retryDelayInMs: tuning.retryDelayInMs,
  });
}

/** One Function instance: its deps, and the registered handlers driven as the host drives them. */
export interface Instance {
  name: string;
  deps: PipelineDeps;
  sink: LogsIngestionSink;
  /** Delivers one batch to the ingest handler; resolves with the stats it logged. */
  ingest(batch: Batch): Promise<BatchStats>;
  /** One run of the redrive timer; resolves with what it logged. */
  redrive(): Promise<{
    read: number;
    redriven: number;
    stillFailing: number;
    parked: number;
    deferred: number;
  }>;
}

let invocations = 0;

export async function makeInstance(
  name: string,
  settings: Settings,
  parts: { store: GroupStore; sink: LogsIngestionSink; deadLetters: DeadLetterStore },
): Promise<Instance> {
  const deps: PipelineDeps = {
    enrich: createEnricher(await loadEnrichment(settings.config.enrichment, process.cwd())),
    spec: keySpecOf(settings.config),
    store: parts.store,
    sink: parts.sink,
    deadLetters: parts.deadLetters,
  };
  const wallClock = new WallClockSensors();
  const runtime = async (): Promise<FunctionRuntime> => ({ settings, deps, wallClock });
  const ingest = makeIngestHandler(runtime);
  const redrive = makeRedriveHandler(runtime);
  const context = (functionName: string, triggerMetadata: Record<string, unknown>, logs: string[]) =>
    new funcs.InvocationContext({
      invocationId: `${name}-${++invocations}`,
      functionName,
      triggerMetadata,
      logHandler: (_level, ...args) => logs.push(args.map(String).join(' ')),
    });
  const logged = (logs: string[], prefix: RegExp) => {
    const line = logs.find((l) => prefix.test(l));
    if (!line) throw new Error(`no log line ${prefix} in ${JSON.stringify(logs)}`);
    return JSON.parse(line.replace(prefix, ''));
  };
  return {
    name,
    deps,
    sink: parts.sink,
    async ingest(batch) {
      const logs: string[] = [];
      await ingest(
        batch.events.map((e) => e.body),
        context(
          'ingest',
          {
            partitionContext: { partitionId: batch.partition },
            sequenceNumberArray: batch.events.map((e) => e.sequence),
            enqueuedTimeUtcArray: batch.events.map((e) => e.enqueued),
          },
          logs,
        ),
      );
      return logged(logs, /^ingest partition=\S+ /) as BatchStats;
    },
    async redrive() {
      const logs: string[] = [];
      await redrive({}, context('redrive', {}, logs));
      return logged(logs, /^redrive /);
    },
  };
}

/** Sums the stats of the batches an instance logged. */
export class StatsTotal {
  readonly total = emptyStats();
  invocations = 0;
  add(s: BatchStats): BatchStats {
    this.invocations++;
    for (const k of Object.keys(this.total) as (keyof BatchStats)[]) this.total[k] += s[k] ?? 0;
    return s;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Group stores with faults

let tables = 0;

/** A fresh table name on the Azurite of this test run. */
export function tableName(): string {
  return `rel${process.pid}x${Date.now().toString(36)}x${tables++}`.replace(/[^A-Za-z0-9]/g, '');
}

/** What the injected Table Storage fault policy does to each request. */
export interface TableFaults {
  /** 503 ServerBusy instead of sending the request (the service never saw it). */
  before: (method: string) => boolean;
  /** Send the request, then answer 503 anyway (the service applied it; the answer was lost). */
  after: (method: string) => boolean;
  injected: number;
}

const busy = (request: Parameters<PipelinePolicy['sendRequest']>[0]) => ({
  status: 503,
  request,
  headers: createHttpHeaders({
    'content-type': 'application/json;odata=minimalmetadata',
    'x-ms-error-code': 'ServerBusy',
  }),
  bodyAsText: JSON.stringify({
    'odata.error': { code: 'ServerBusy', message: { lang: 'en-US', value: 'The server is busy.' } },
  }),
});

/**
 * A TableClient on the run's Azurite, as deps.ts builds one (connection to a table by name), with an HTTP
 * policy after the SDK's retry policy that injects 503s per attempt: the SDK's own retries see them.
 * Retry delays are shortened from the SDK's defaults (0.8 s, up to 60 s) to 2-10 ms so a run stays within seconds.
 */
export function tableClient(name: string, faults?: TableFaults): TableClient {
  const policy: PipelinePolicy = {
    name: 'otSocInject503',
    async sendRequest(request, next) {
      if (faults?.before(request.method)) {
        faults.injected++;
        return busy(request);
      }
      const response = await next(request);
      if (faults?.after(request.method) && response.status < 300) {
        faults.injected++;
        return busy(request);
      }
      return response;
    },
  };
  return azuriteTableClient(azuriteUrl('azuriteTableUrl'), name, {
    retryOptions: { maxRetries: 3, retryDelayInMs: 2, maxRetryDelayInMs: 10 },
    additionalPolicies: faults ? [{ policy, position: 'perRetry' }] : [],
  });
}

const never = <T>(): Promise<T> => new Promise<T>(() => {});

/**
 * One instance's view of a group store that can die: once `crashAfterPuts(n)` has let n more puts through,
 * the instance is dead (the process was killed between the sink and the commit): that put and every later
 * call never return, and `died` resolves. The store underneath keeps what was committed before.
 */
export class MortalStore implements GroupStore {
  readonly kind = 'mortal';
  #left: number | undefined;
  #dead = false;
  #die!: () => void;
  readonly died = new Promise<void>((resolve) => {
    this.#die = resolve;
  });
  constructor(private readonly inner: GroupStore) {}

  get operations(): number {
    return this.inner.operations;
  }

  crashAfterPuts(n: number): void {
    this.#left = n;
  }

  read(
    partition: string,
    want: { keys?: readonly string[]; alertIds?: readonly string[]; ids?: readonly string[] },
  ): Promise<PartitionRead> {
    return this.#dead ? never() : this.inner.read(partition, want);
  }

  /** Counts as the puts `crashAfterPuts` allows: a batch's commit is one per scope. */
  commit(partition: string, writes: readonly StoreWrite[]): Promise<CommitResult> {
    if (this.#dead || this.#dies()) return never();
    return this.inner.commit(partition, writes);
  }

  put(state: GroupState, etag: string | undefined): Promise<PutResult> {
    if (this.#dead || this.#dies()) return never();
    return this.inner.put(state, etag);
  }

  #dies(): boolean {
    if (this.#left === undefined || this.#left-- > 0) return false;
    this.#dead = true;
    this.#die();
    return true;
  }

  expire(before: number, limit: number): Promise<number> {
    return this.#dead ? never() : (this.inner.expire?.(before, limit) ?? Promise.resolve(0));
  }

  findByAlertId(alertId: string): Promise<Versioned<GroupState> | undefined> {
    return this.#dead ? never() : this.inner.findByAlertId(alertId);
  }

  listDirty(): Promise<Versioned<GroupState>[]> {
    return this.#dead ? never() : this.inner.listDirty();
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

// ---------------------------------------------------------------------------------------------------------
// End of a scenario: the fault is over, timers run, then the reconciliation

/** The flush timer until no group has unwritten changes (what the timer does once every window has ended). */
export async function flushAll(deps: PipelineDeps): Promise<number> {
  let rows = 0;
  for (let round = 0; round < 10; round++) {
    const r = await flushGroups(deps, { all: true });
    rows += r.rowsWritten;
    if ((await deps.store.listDirty()).length === 0) return rows;
  }
  throw new Error('groups still dirty after 10 flushes');
}

/** The redrive timer until it finds nothing it can carry. */
export async function redriveAll(instance: Instance): Promise<{ runs: number; redriven: number }> {
  let redriven = 0;
  let runs = 0;
  for (; runs < 200; runs++) {
    const r = await instance.redrive();
    redriven += r.redriven;
    if (r.read === 0 || r.redriven === 0) return { runs: runs + 1, redriven };
  }
  throw new Error('redrive did not settle after 200 runs');
}

// ---------------------------------------------------------------------------------------------------------
// Reconciliation

export interface Reconciliation {
  /** Vendor alert ids sent. */
  alertsIn: number;
  /** Listed by the latest row of exactly one group, and counted once. */
  writtenOnce: number;
  /** In no group's latest row; in the dead-letter store with a reason. */
  deadLettered: number;
  /** In neither. */
  lost: number;
  /** Countings beyond one: an alert in the latest rows of two groups, or a Count above the ids its row lists. */
  doubleCounted: number;
  /** Alerts listed by the latest rows of more than one group. */
  inSeveralGroups: number;
  /**
   * Alerts listed by a group whose latest Revision was written twice with different content: the SOC's
   * `arg_max(Revision, *) by AlertId` shows either copy, so the alert may be missing from its view or counted
   * twice. Kept apart from the other buckets (which are exclusive and add up to `alertsIn`).
   */
  inTiedRevisions: number;
  /** AlertIds whose latest Revision exists as two or more different rows. */
  revisionTies: number;
  /** Written once and also still pending in the dead-letter store (the redrive will meet it again). */
  writtenAndPending: number;
  /** Groups (AlertIds) and rows written. */
  groups: number;
  rows: number;
  /** Dead letters stored, by stage. */
  letters: Record<string, number>;
  /** Examples, for failure messages and the figures file. */
  examples: { lost: string[]; double: string[]; ties: string[]; reasons: Record<string, string> };
}

const ID_RE = /rel-\d{6}/g;

interface RowLike {
  AlertId?: unknown;
  Revision?: unknown;
  Count?: unknown;
  VendorAlertIds?: unknown;
}

/**
 * Input against output, as a SOC reads it: per AlertId the row with the highest Revision
 * (`arg_max(Revision, *) by AlertId`). Every sent alert must be listed by exactly one group's latest row, or be
 * in the dead-letter store with a reason. A group whose latest Revision was written twice with different
 * content is a tie `arg_max` resolves arbitrarily: the alerts its copies list are counted in `inTiedRevisions`.
 */
export function reconcile(
  sent: readonly string[],
  rows: readonly RowLike[],
  letters: readonly StoredDeadLetter[],
): Reconciliation {
  const latest = new Map<string, RowLike[]>();
  for (const r of rows) {
    const id = String(r.AlertId);
    const cur = latest.get(id);
    const rev = Number(r.Revision);
    if (!cur || rev > Number(cur[0]!.Revision)) latest.set(id, [r]);
    else if (rev === Number(cur[0]!.Revision)) cur.push(r);
  }
  const inGroups = new Map<string, number>();
  const tied = new Set<string>();
  let excess = 0;
  const ties: string[] = [];
  for (const [alertId, copies] of latest) {
    const lists = copies.map((c) => (Array.isArray(c.VendorAlertIds) ? c.VendorAlertIds.map(String) : []));
    const signatures = new Set(copies.map((c, i) => `${c.Count}|${[...lists[i]!].sort().join(',')}`));
    const union = new Set(lists.flat());
    if (signatures.size > 1) {
      ties.push(alertId);
      for (const id of union) tied.add(id);
    }
    for (const id of union) inGroups.set(id, (inGroups.get(id) ?? 0) + 1);
    // Counted more often than it lists distinct ids: an alert counted twice inside one group.
    excess += Math.max(...copies.map((c, i) => Number(c.Count) - new Set(lists[i]).size));
  }
  const lettered = new Map<string, StoredDeadLetter>();
  const stages: Record<string, number> = {};
  const reasons: Record<string, string> = {};
  for (const l of letters) {
    if (!l.reason) throw new Error(`dead letter ${l.id} has no reason`);
    stages[l.stage] = (stages[l.stage] ?? 0) + 1;
    reasons[l.stage] ??= l.reason.slice(0, 300);
    for (const id of l.raw.match(ID_RE) ?? []) lettered.set(id, l);
  }
  const out: Reconciliation = {
    alertsIn: sent.length,
    writtenOnce: 0,
    deadLettered: 0,
    lost: 0,
    doubleCounted: excess,
    inSeveralGroups: 0,
    inTiedRevisions: 0,
    revisionTies: ties.length,
    writtenAndPending: 0,
    groups: latest.size,
    rows: rows.length,
    letters: stages,
    examples: { lost: [], double: [], ties: ties.slice(0, 5), reasons },
  };
  const sentSet = new Set(sent);
  for (const id of inGroups.keys())
    if (!sentSet.has(id)) throw new Error(`a row lists ${id}, which was never sent`);
  for (const id of sent) {
    const n = inGroups.get(id) ?? 0;
    if (tied.has(id)) out.inTiedRevisions++;
    else if (n > 1) {
      out.doubleCounted += n - 1;
      out.inSeveralGroups++;
      if (out.examples.double.length < 5) out.examples.double.push(id);
    } else if (n === 1) {
      out.writtenOnce++;
      if (lettered.get(id)?.state === 'pending') out.writtenAndPending++;
    } else if (lettered.has(id)) out.deadLettered++;
    else {
      out.lost++;
      if (out.examples.lost.length < 5) out.examples.lost.push(id);
    }
  }
  return out;
}
