import type { OtAlertsRow } from '../sink/schema.js';
import { groupRow } from './groupRow.js';
import type { GroupState, GroupStore, OwedRow } from './groupState.js';

/**
 * How long a row may stay owed before the flush timer sends it again (or, known sent, clears it): above the
 * sink's 60 s write deadline, so the timer rarely repeats a row a live batch is still sending, and long enough
 * that a busy group's next batch usually clears it for free.
 */
export const OWED_GRACE_MS = 120_000;

/** The row an outbox entry stands for (see OwedRow: a compact entry is the head's own row, rebuilt from it). */
export function owedRow(head: GroupState, o: OwedRow): OtAlertsRow {
  return o.row ?? groupRow(head, o.reason, new Date(o.at), o.revision);
}

/** Every entry with its row: what an outbox must become before its head changes without a row of its own. */
export function fullOutbox(head: GroupState): OwedRow[] | undefined {
  return head.outbox?.map((o) => (o.row ? o : { ...o, row: owedRow(head, o) }));
}

/**
 * Bound on the AlertIds a process remembers as settled (a Map entry each, ~40 B: the AlertId string is the
 * group's own). Above the groups one process holds open (the memory store is sized for 100k): a forgotten one
 * only costs its row being sent once more.
 */
const SETTLED_CAP = 250_000;

/**
 * The owed rows this process knows are settled: accepted by the sink, or dead-lettered as refused for good. A
 * group's next commit drops them from its outbox (the lazy clear: no put of its own). Keyed by AlertId → newest
 * settled Revision: a committed (AlertId, Revision) has one content only (a row is committed before it is sent,
 * and an ETag lets one commit of a revision through), so whoever committed it, the row is the one that was sent.
 * Per store: what this process forgot (a restart, the bound) is merely sent again, identical.
 */
export class SettledRows {
  #byAlert = new Map<string, number>();

  has(o: Pick<OwedRow, 'alertId' | 'revision'>): boolean {
    const r = this.#byAlert.get(o.alertId);
    return r !== undefined && r >= o.revision;
  }

  add(alertId: string, revision: number): void {
    const r = this.#byAlert.get(alertId);
    if (r !== undefined && r >= revision) return;
    // A group's AlertId keeps its place (insertion order): the bound drops the AlertIds first settled longest ago.
    this.#byAlert.set(alertId, revision);
    if (this.#byAlert.size > SETTLED_CAP) this.#byAlert.delete(this.#byAlert.keys().next().value!);
  }
}

const settledByStore = new WeakMap<GroupStore, SettledRows>();

export function settledRows(store: GroupStore): SettledRows {
  let s = settledByStore.get(store);
  if (!s) {
    s = new SettledRows();
    settledByStore.set(store, s);
  }
  return s;
}
