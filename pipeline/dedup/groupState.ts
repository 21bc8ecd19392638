import type { EnrichedAlert } from '../enrich/enriched.js';
import type { AlertStatus, SourceFormat } from '../model/alert.js';
import type { OtAlertsRow } from '../sink/schema.js';
import type { PutResult, Versioned } from '../util/tablePut.js';
import type { RowReason } from './grouper.js';

/**
 * The state of one alert group: the head of a key. One entity per key keeps every update to a group a
 * single conditional write (ETag), which is what makes racing instances safe.
 * Times are epoch milliseconds to keep the state small (the memory store holds 100k of these).
 */
export interface GroupState {
  key: string;
  /**
   * Where the group lives in the store: its scope (identity.ts partitionOf), shared by every group and vendor-id
   * entry of that scope so one batch's changes to a scope commit together (Table Storage: one PartitionKey, one
   * entity-group transaction). Absent in state written before identity (read as '').
   */
  partition?: string;
  keyVersion: string;
  /** Deterministic: a hash of the key and the group's ordinal for that key. */
  alertId: string;
  /** 1 for the first group of a key, +1 for each later group (recurrence, overflow). */
  seq: number;
  previousAlertId?: string;
  /** Last revision written to the sink (0: none yet). */
  revision: number;
  windowStart: number;
  firstSeen: number;
  lastSeen: number;
  count: number;
  status: AlertStatus;
  sensors: string[];
  formats: SourceFormat[];
  /** Most recent vendor alert ids (capped), for the row; `vendorIdTotal` counts all. Identity is the id index. */
  vendorIds: string[];
  vendorIdTotal: number;
  /**
   * Members whose latest status is Closed / Active (absent: every member has the group's status, as in state
   * written before identity). The group is Closed when all its members are (docs/identity.md).
   */
  closedMembers?: number;
  activeMembers?: number;
  /** Wall clock (epoch ms) of the last commit that changed the group: retention of archived groups counts from it. */
  changedAt?: number;
  /** A newer group of the same key took the head: this one is kept (by AlertId) so its alerts' updates still reach it. */
  archived?: boolean;
  /** Idempotency: per partition, the last (sequence, index) applied. Redelivered events are at or below it. */
  marks: Record<string, [number, number]>;
  /** Changes not yet written as a row. */
  dirty: boolean;
  /** A change that must reach Sentinel now (status change, higher severity), not at the next interval. */
  urgent: boolean;
  /** Event time (lastSeen) of the last row written, for the update interval. */
  emittedAt: number;
  /**
   * The window has ended and its final row was written. A late member of the window still joins (its row is
   * written by the flush timer); a member after the window opens a new group.
   */
  finalized: boolean;
  /** The latest member's enriched fields, from which rows are built. */
  latest: GroupLatest;
  /**
   * The outbox: rows committed with this state and not yet known to be in Sentinel: per AlertId the newest
   * revision, and its first row (Revision 1) while that is unsent, as the rules alert on it (see OwedRow). Absent when empty. A row is committed here before it is sent, so a
   * re-send after a crash, a timeout or a lost answer repeats the identical row.
   */
  outbox?: OwedRow[];
}

/**
 * A row a group owes Sentinel. The head's own row is kept compact (no `row`): it is rebuilt from the head
 * (groupRow with the revision before this one, the reason and `at`), which is exact as long as the head has not
 * changed since, and the pipeline gives it its full `row` before it changes the head. A superseded group's final
 * row, or a head row the head has moved on from, carries `row`. Keeping only the newest revision per AlertId is
 * safe: each revision is a group's whole cumulative state (count, vendor ids, status, worst severity), the SOC
 * reads only `arg_max(Revision, *)`, and the newer row has a higher Revision than any copy of the older one that
 * did reach the workspace; what can be missing is an intermediate revision, never an alert. The first row
 * (Revision 1) is the exception, kept until sent: the analytics rules raise the incident from it.
 */
export interface OwedRow {
  alertId: string;
  revision: number;
  reason: RowReason;
  /** When it was committed (epoch ms, wall clock): its TimeGenerated, and what the flush timer's grace is from. */
  at: number;
  row?: OtAlertsRow;
}

/**
 * What rows need of the latest member (the fields groupRow reads), not the whole EnrichedAlert: its parsed
 * entities, vendor tactics/techniques, ids and raw times would otherwise stay in memory (and in Table Storage)
 * for every open group.
 */
export type GroupLatest = Pick<
  EnrichedAlert,
  | 'title'
  | 'message'
  | 'engine'
  | 'category'
  | 'severity'
  | 'originalSeverity'
  | 'protocol'
  | 'source'
  | 'destination'
  | 'site'
  | 'zone'
  | 'tactics'
  | 'techniques'
  | 'techniqueNames'
  | 'attackMapping'
  | 'alertManagementUri'
  | 'remediation'
  | 'context'
>;

// Optimistic concurrency, shared with the playbooks' state (pipeline/util/tablePut.ts).
export type { PutResult, Versioned } from '../util/tablePut.js';

/**
 * A vendor alert id already applied (identity.ts scopedId): the group that counts it, and the member's latest
 * status (for the group's Closed-when-all-members-are rule). `at` (wall clock, epoch ms) is when it was last
 * written: the entry expires `identityRetentionDays` after it.
 */
export interface IdEntry {
  alertId: string;
  key: string;
  status: AlertStatus;
  at: number;
}

/** What one read of a partition found: heads by key, archived groups by AlertId, id entries by scoped id. */
export interface PartitionRead {
  heads: Map<string, Versioned<GroupState>>;
  groups: Map<string, Versioned<GroupState>>;
  ids: Map<string, Versioned<IdEntry>>;
}

/** One write of a commit: a group (its head entity, or its archive when `state.archived`) or an id entry. */
export type StoreWrite =
  | { kind: 'group'; state: GroupState; etag: string | undefined }
  | { kind: 'id'; id: string; entry: IdEntry; etag: string | undefined };

/**
 * Writes per commit: Table Storage's entity-group transaction holds 100 entities, and the Table store adds up to
 * two of its own (a due marker, a retention journal: docs/state.md), so 98 leave them room in the same request.
 */
export const MAX_COMMIT_WRITES = 98;

export type CommitResult =
  | { ok: true; etags: string[] }
  /**
   * A stale ETag (another writer), or `inserted` an entity that exists (409: a known id, a racing insert). `write`:
   * the index of the write that failed, when the store knows it (the rest were not applied, nor found wrong).
   */
  | { ok: false; reason: 'conflict'; inserted?: boolean; write?: number }
  /** Over the transaction's payload limit: the caller commits fewer writes at a time. */
  | { ok: false; reason: 'too-large' };

/** Where group state lives: memory for one process, Azure Table Storage for a fleet. */
export interface GroupStore {
  readonly kind: string;
  /** Point reads in one partition (no query): heads by key, archived groups by AlertId, id entries by id. */
  read(
    partition: string,
    want: { keys?: readonly string[]; alertIds?: readonly string[]; ids?: readonly string[] },
  ): Promise<PartitionRead>;
  /**
   * All or nothing, in one partition (at most MAX_COMMIT_WRITES): each write inserts when its `etag` is
   * undefined, else replaces only if the stored ETag still matches. Returns the new ETags in write order.
   */
  commit(partition: string, writes: readonly StoreWrite[]): Promise<CommitResult>;
  /**
   * Id entries this store holds without a request (an instance's cache: CachingGroupStore), as copies; the others
   * are left out, not reported absent. Lets a batch recognise a copy or an update of an alert this instance wrote
   * or read without planning its entry as new (a failed insert and a re-read). Stores without it have none.
   */
  peekIds?(partition: string, ids: readonly string[]): Map<string, Versioned<IdEntry>>;
  /** One group write (commit of one), in the state's own partition. */
  put(state: GroupState, etag: string | undefined): Promise<PutResult>;
  /** The group that has this AlertId (head or archived). */
  findByAlertId(alertId: string): Promise<Versioned<GroupState> | undefined>;
  /** Groups with changes not yet written as a row, or with rows in their outbox (for flushes). */
  listDirty(): Promise<Versioned<GroupState>[]>;
  /**
   * Retention: deletes up to `limit` id entries written before `before` and archived groups settled before it
   * (nothing owed). Returns how many were deleted. Stores without it only ignore expired entries on read.
   */
  expire?(before: number, limit: number): Promise<number>;
  /** Number of operations sent to the backing service (the cost driver in Azure). */
  readonly operations: number;
  /**
   * Entities a store backed by Table Storage has sent to be inserted, replaced or upserted by commits and puts, those
   * of a commit that failed included: what a partition's throughput target counts (about 2,000 entities/s per
   * PartitionKey, docs/deploy.md "Sizing").
   */
  readonly entitiesWritten?: number;
  close(): Promise<void>;
}
