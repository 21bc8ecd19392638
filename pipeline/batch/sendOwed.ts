import type { DeadLetter } from '../deadletter/deadLetterStore.js';
import { newLetter } from '../deadletter/letters.js';
import type { GroupState, OwedRow } from '../dedup/groupState.js';
import { owedRow, type SettledRows } from '../dedup/outbox.js';
import type { RecordOrigin } from '../model/alert.js';
import type { AlertSink } from '../sink/alertSink.js';
import type { OtAlertsRow } from '../sink/schema.js';

/** A committed row on its way to the sink. */
export interface Outgoing {
  owed: OwedRow;
  row: OtAlertsRow;
}

/** The rows a committed group owes, with their text. */
export function owedOf(head: GroupState): Outgoing[] {
  return (head.outbox ?? []).map((owed) => ({ owed, row: owedRow(head, owed) }));
}

/**
 * Sends committed rows. Accepted ones are settled (the group's next commit, or the flush timer, drops them from
 * its outbox). A retryable refusal (5xx, timeout, deadline) leaves the row owed: the group's next batch or the
 * flush timer sends it again, identical; its records are not dead-lettered, their state is committed. A row
 * refused for good (4xx once isolated) would be refused every time: it is dead-lettered on its own (stage `row`,
 * the row as sent, for a person) and settled, so its group moves on and nothing loops.
 */
export async function sendOwed(
  sink: AlertSink,
  outgoing: Outgoing[],
  settled: SettledRows,
  now: Date,
): Promise<{ accepted: number; rejected: number; retries: number; letters: DeadLetter[] }> {
  const out = { accepted: 0, rejected: 0, retries: 0, letters: [] as DeadLetter[] };
  // A group a batch committed in two chunks lists a row it still owes twice: one (AlertId, Revision) is one row.
  const seen = new Set<string>();
  outgoing = outgoing.filter((o) => {
    const k = `${o.owed.alertId}#${o.owed.revision}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  if (!outgoing.length) return out;
  const result = await sink.write(outgoing.map((o) => o.row));
  out.retries = result.retries;
  out.accepted = result.accepted.length;
  out.rejected = result.rejected.length;
  for (const i of result.accepted) settled.add(outgoing[i]!.owed.alertId, outgoing[i]!.owed.revision);
  for (const r of result.rejected) {
    if (r.retryable) continue;
    const { owed, row } = outgoing[r.index]!;
    const origin: RecordOrigin = {
      partition: `row:${owed.alertId}`,
      sequence: owed.revision,
      index: 0,
      locator: `OTAlerts_CL row ${owed.alertId} revision ${owed.revision}`,
    };
    out.letters.push(
      newLetter('row', `the sink refused the row: ${r.reason}`, JSON.stringify(row), origin, now),
    );
    settled.add(owed.alertId, owed.revision);
  }
  return out;
}
