import type { EnrichedAlert } from '../enrich/enriched.js';
import type { AlertStatus, RecordOrigin, Severity } from '../model/alert.js';
import { memoize } from '../util/memoize.js';
import { groupAlertId } from './groupKey.js';
import type { GroupLatest, GroupState } from './groupState.js';
import { countMember, laterStatus, memberCounts, statusFromMembers } from './identity.js';
import type { KeySpec } from './keySpec.js';

const SEVERITY_RANK: Record<Severity, number> = { Informational: 0, Low: 1, Medium: 2, High: 3 };
const MINUTE = 60_000;

export type RowReason = 'Created' | 'Updated' | 'Final';

/** One alert on its way into a group. */
export interface Member {
  alert: EnrichedAlert;
  origin: RecordOrigin;
  key: string;
  /** The store partition of the key and of the alert's id entry (identity.ts partitionOf; '' when unset). */
  partition?: string;
  /** The alert's identity: its vendor id with the scope its uniqueness needs, else its content (identity.ts identityOf). */
  scopedId?: string;
  /** Where idempotency is judged and marked when not at `origin` (redrive: one marks key per original record). */
  mark?: MarkAt;
}

export type MarkAt = Pick<RecordOrigin, 'partition' | 'sequence' | 'index'>;

/** Per-record redrive marks a group keeps (newest); at least one redrive run's worth (redrive.ts limit 500). */
export const MAX_REDRIVE_MARKS = 1024;
const REDRIVE_MARK = 'redrive:';

/** `update`: a record of a vendor alert id the group already counts (routed by id): never a new count. */
export type ApplyOutcome = 'new-group' | 'merged' | 'update' | 'duplicate';

/** A group revision that must be written as a row before the state may be committed. */
export interface Emission {
  state: GroupState;
  reason: RowReason;
}

export function alreadyApplied(state: GroupState, o: MarkAt): boolean {
  const mark = state.marks[o.partition];
  if (!mark) return false;
  return o.sequence < mark[0] || (o.sequence === mark[0] && o.index <= mark[1]);
}

export function markApplied(state: GroupState, o: MarkAt): void {
  const mark = state.marks[o.partition];
  if (!mark || o.sequence > mark[0] || (o.sequence === mark[0] && o.index > mark[1])) {
    state.marks[o.partition] = [o.sequence, o.index];
  }
  if (!mark && o.partition.startsWith(REDRIVE_MARK)) {
    const redriven = Object.keys(state.marks).filter((k) => k.startsWith(REDRIVE_MARK));
    for (const k of redriven.slice(0, Math.max(0, redriven.length - MAX_REDRIVE_MARKS)))
      delete state.marks[k];
  }
}

function addCapped<T>(list: T[], value: T, cap: number): void {
  if (list.includes(value)) return;
  appendCapped(list, value, cap);
}

/** Appends a value known to be absent, dropping the oldest beyond `cap` (shift: V8 trims the front in place). */
function appendCapped<T>(list: T[], value: T, cap: number): void {
  list.push(value);
  while (list.length > cap) list.shift();
}

function newGroup(m: Member, version: string, seq: number, previous: GroupState | undefined): GroupState {
  const first = Date.parse(m.alert.firstSeen);
  const state: GroupState = {
    key: m.key,
    partition: m.partition ?? '',
    keyVersion: version,
    alertId: groupAlertId(m.key, seq),
    seq,
    revision: 0,
    windowStart: first,
    firstSeen: first,
    lastSeen: Math.max(first, Date.parse(m.alert.lastSeen)),
    count: 1,
    status: m.alert.status,
    closedMembers: m.alert.status === 'Closed' ? 1 : 0,
    activeMembers: m.alert.status === 'Active' ? 1 : 0,
    sensors: m.alert.sensor ? [intern(m.alert.sensor)] : [],
    formats: [m.alert.sourceFormat],
    vendorIds: m.alert.id ? [m.alert.id] : [],
    vendorIdTotal: m.alert.id ? 1 : 0,
    marks: {},
    dirty: true,
    urgent: true,
    emittedAt: first,
    finalized: false,
    latest: latestOf(m.alert),
  };
  if (previous) state.previousAlertId = previous.alertId;
  markApplied(state, m.mark ?? m.origin);
  return state;
}

/** End of the window in event time. */
export function windowEnd(state: GroupState, spec: KeySpec): number {
  const base = spec.windowMode === 'fixed' ? state.windowStart : state.lastSeen;
  return base + spec.windowMinutes * MINUTE;
}

/**
 * Whether an alert joins the group: by event time only. A group whose final row is written still takes a member
 * of its window that arrives late (an Event Hubs backlog, a forwarder's spool after an outage, a consumer behind in a
 * storm): the flush timer ends windows by the wall clock, and a late member opening a group of its own would be a
 * second AlertId, a second alert and incident, for one Defender for IoT alert (docs/grouping.md "Late members").
 */
function fits(state: GroupState, a: EnrichedAlert, spec: KeySpec): boolean {
  if (state.count >= spec.maxGroupSize) return false;
  // A group closed by an update takes no new alerts (closed-on-arrival alerts have keys of their own).
  if (state.status === 'Closed' && a.status !== 'Closed' && spec.closePolicy === 'newGroup') return false;
  const t = Date.parse(a.firstSeen);
  // Late arrivals up to one window before the start still belong (Event Hubs partitions interleave).
  return t < windowEnd(state, spec) && t >= state.windowStart - spec.windowMinutes * MINUTE;
}

function mergeInto(state: GroupState, m: Member, spec: KeySpec): void {
  const a = m.alert;
  const first = Date.parse(a.firstSeen);
  countMember(state, undefined, a.status); // before the count moves: a legacy state's counters follow its count
  state.count += 1;
  state.firstSeen = Math.min(state.firstSeen, first);
  state.lastSeen = Math.max(state.lastSeen, Date.parse(a.lastSeen), first);
  if (a.status !== state.status) {
    // The group's status follows its members (closePolicy 'reopen': a New member reopens a Closed group).
    const status = statusFromMembers(state);
    if (status !== state.status) {
      state.status = status;
      state.urgent = true;
    }
  }
  if (a.sensor) addCapped(state.sensors, intern(a.sensor), 64);
  addCapped(state.formats, a.sourceFormat, 8);
  if (a.id) {
    // Not among them: applyMember treats an id it already holds as a repeat and never merges it.
    appendCapped(state.vendorIds, a.id, spec.maxVendorIds);
    state.vendorIdTotal += 1;
  }
  if (SEVERITY_RANK[a.severity] > SEVERITY_RANK[state.latest.severity]) state.urgent = true;
  state.latest = keepWorst(state.latest, a);
  state.dirty = true;
}

/**
 * One shared copy of short texts that recur across groups (titles, sensor names, protocols, categories): each
 * record brings its own copy of them, and an open group would keep that copy alive. Bounded; pure.
 */
const internShort = memoize((s) => s);

function intern<T extends string | undefined>(s: T): T {
  return (s === undefined || s.length > 256 ? s : internShort(s)) as T;
}

/** The fields of a member that rows are built from (one literal: V8 builds it far faster than a spread). */
function latestOf(a: EnrichedAlert): GroupLatest {
  return {
    title: intern(a.title),
    message: a.message,
    engine: a.engine,
    category: intern(a.category),
    severity: a.severity,
    originalSeverity: a.originalSeverity,
    protocol: intern(a.protocol),
    source: a.source,
    destination: a.destination,
    site: a.site,
    zone: a.zone,
    tactics: a.tactics,
    techniques: a.techniques,
    techniqueNames: a.techniqueNames,
    attackMapping: a.attackMapping,
    alertManagementUri: a.alertManagementUri,
    remediation: a.remediation,
    context: a.context,
  };
}

/** The row shows the latest member, but never lowers the group's severity or drops its escalations. */
function keepWorst(prev: GroupLatest, next: EnrichedAlert): GroupLatest {
  const latest = latestOf(next);
  if (SEVERITY_RANK[prev.severity] <= SEVERITY_RANK[next.severity]) return latest;
  latest.severity = prev.severity;
  latest.context = { ...next.context, ...pickEscalation(prev) };
  return latest;
}

/** What makes the worst member the worst: its escalations and its risk. */
function pickEscalation(a: GroupLatest): Record<string, unknown> {
  const kept: Record<string, unknown> = {};
  if (a.context.Escalations) kept.Escalations = a.context.Escalations;
  if (a.context.RiskScore !== undefined) kept.RiskScore = a.context.RiskScore;
  return kept;
}

/**
 * A later record of a vendor alert the group already counts (Defender for IoT writes one per update): its
 * member's status moves forward only (New → Active → Closed), the group's last seen and severity only rise, a
 * sensor or format not yet listed is added. Never a new count. Changes nothing (and returns false) when the
 * record brings nothing new: a re-published copy, a re-run. Returns the member's status after it.
 */
export function applyUpdate(
  state: GroupState,
  m: Member,
  memberStatus: AlertStatus,
): { changed: boolean; status: AlertStatus } {
  const a = m.alert;
  let changed = false;
  const status = laterStatus(memberStatus, a.status);
  if (status !== memberStatus) {
    countMember(state, memberStatus, status);
    changed = true;
    const group = statusFromMembers(state);
    if (group !== state.status) {
      state.status = group;
      state.urgent = true;
    }
  }
  const last = Date.parse(a.lastSeen);
  if (last > state.lastSeen) {
    state.lastSeen = last;
    changed = true;
  }
  if (SEVERITY_RANK[a.severity] > SEVERITY_RANK[state.latest.severity]) {
    state.latest = keepWorst(state.latest, a);
    state.urgent = true;
    changed = true;
  }
  if (a.sensor && !state.sensors.includes(intern(a.sensor)) && state.sensors.length < 64) {
    state.sensors.push(intern(a.sensor));
    changed = true;
  }
  if (!state.formats.includes(a.sourceFormat) && state.formats.length < 8) {
    state.formats.push(a.sourceFormat);
    changed = true;
  }
  if (changed) state.dirty = true;
  return { changed, status };
}

/** A member's status as a group from before identity knows it (no id entry): the group's, if it has one. */
export function legacyMemberStatus(state: GroupState): AlertStatus {
  const c = memberCounts(state);
  return c.closed >= state.count ? 'Closed' : c.active >= state.count ? 'Active' : 'New';
}

/**
 * Applies one member to the head of its key. Returns the new head, and the previous head when it is
 * superseded while it still has unwritten changes (its final row must be written in this batch).
 */
export function applyMember(
  head: GroupState | undefined,
  m: Member,
  spec: KeySpec,
  version: string,
): { head: GroupState; outcome: ApplyOutcome; superseded?: GroupState } {
  if (!head) return { head: newGroup(m, version, 1, undefined), outcome: 'new-group' };
  const at = m.mark ?? m.origin;
  if (alreadyApplied(head, at)) return { head, outcome: 'duplicate' };
  // A group from before identity (no member counters) lists its latest vendor ids but has no id entries.
  if (m.alert.id && head.closedMembers === undefined && head.vendorIds.includes(m.alert.id)) {
    if (applyUpdate(head, m, legacyMemberStatus(head)).changed) markApplied(head, at);
    return { head, outcome: 'update' };
  }
  if (fits(head, m.alert, spec)) {
    mergeInto(head, m, spec);
    markApplied(head, at);
    return { head, outcome: 'merged' };
  }
  const next = newGroup(m, version, head.seq + 1, head);
  // The marks travel with the key: a redelivery of an event already applied to the old group stays a duplicate.
  next.marks = { ...head.marks };
  markApplied(next, at);
  return { head: next, outcome: 'new-group', ...(head.dirty ? { superseded: head } : {}) };
}

/**
 * Noise control: a new group is written at once; later changes at most once per update interval of
 * event time, at once when urgent (status change, higher severity), and finally when the window ends. After its
 * final row, a group's late members wait for the flush timer (`by: 'flush'`, every minute): a backlog draining
 * into it writes a row a minute, not one per batch.
 */
export function emissionFor(
  state: GroupState,
  spec: KeySpec,
  watermark: number,
  by: 'batch' | 'flush' = 'batch',
): RowReason | undefined {
  if (!state.dirty) return undefined;
  if (state.revision === 0) return 'Created';
  // An update of a group that a newer group superseded goes out at once: no batch will touch it again.
  if (state.archived) return 'Updated';
  if (state.finalized) return state.urgent || by === 'flush' ? 'Updated' : undefined;
  if (watermark >= windowEnd(state, spec)) return 'Final';
  if (state.urgent) return 'Updated';
  if (state.lastSeen - state.emittedAt >= spec.updateIntervalMinutes * MINUTE) return 'Updated';
  return undefined;
}

/** The state once its next row is owed: the caller commits it with that row in its outbox, then sends it. Pure. */
export function markEmitted(state: GroupState, reason: RowReason): GroupState {
  return {
    ...state,
    revision: state.revision + 1,
    dirty: false,
    urgent: false,
    emittedAt: state.lastSeen,
    finalized: state.finalized || reason === 'Final',
  };
}

/** T with every key present (values may still be undefined): a new GroupState field must be copied here. */
type Complete<T> = { [K in keyof Required<T>]: T[K] };

/**
 * A deep-enough copy (the arrays and marks a merge mutates). One literal naming every field, not a spread: V8
 * then keeps all fields in the object itself, where a spread copy also allocates a property array (~160 B per
 * group in the memory store) and is slower to build. An absent `previousAlertId` becomes a key holding
 * undefined, which JSON (Table Storage, snapshots) and rows drop alike.
 */
export function cloneState(s: GroupState): GroupState {
  const c: Complete<GroupState> = {
    key: s.key,
    partition: s.partition,
    keyVersion: s.keyVersion,
    alertId: s.alertId,
    seq: s.seq,
    previousAlertId: s.previousAlertId,
    revision: s.revision,
    windowStart: s.windowStart,
    firstSeen: s.firstSeen,
    lastSeen: s.lastSeen,
    count: s.count,
    status: s.status,
    closedMembers: s.closedMembers,
    activeMembers: s.activeMembers,
    changedAt: s.changedAt,
    archived: s.archived,
    sensors: s.sensors.slice(),
    formats: s.formats.slice(),
    vendorIds: s.vendorIds.slice(),
    vendorIdTotal: s.vendorIdTotal,
    marks: { ...s.marks },
    dirty: s.dirty,
    urgent: s.urgent,
    emittedAt: s.emittedAt,
    finalized: s.finalized,
    latest: s.latest,
    outbox: s.outbox?.slice(),
  };
  return c;
}
