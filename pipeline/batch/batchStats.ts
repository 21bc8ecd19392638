import type { ApplyOutcome } from '../dedup/grouper.js';

/** What one batch (or a whole replay, summed) did. */
export interface BatchStats {
  events: number;
  records: number;
  parsed: number;
  deadLettered: number;
  newGroups: number;
  merged: number;
  /** Records of a vendor alert id already applied: updates of its group (routed by id), never a new count. */
  repeats: number;
  duplicates: number;
  rowsWritten: number;
  rowsRejected: number;
  conflicts: number;
  sinkRetries: number;
  /**
   * Alerts whose detection time had no offset (a syslog format: the forwarding rule's zone) from a sensor without
   * `enrichment.sensors.<name>.timeZone`: read as UTC, which is right only if that rule's zone is UTC.
   */
  wallClockUtc: number;
  /**
   * Alerts no zone was found for (the record names none, `enrichment.sensors` does not place its sensor, no
   * inventory asset does): grouped per sensor, so apart from the same zone's records that name it.
   */
  unplaced: number;
}

export const emptyStats = (): BatchStats => ({
  events: 0,
  records: 0,
  parsed: 0,
  deadLettered: 0,
  newGroups: 0,
  merged: 0,
  repeats: 0,
  duplicates: 0,
  rowsWritten: 0,
  rowsRejected: 0,
  conflicts: 0,
  sinkRetries: 0,
  wallClockUtc: 0,
  unplaced: 0,
});

export function addStats(into: BatchStats, add: BatchStats): BatchStats {
  for (const k of Object.keys(into) as (keyof BatchStats)[]) into[k] += add[k];
  return into;
}

/** Counts what applying one record to its group did. */
export function countOutcome(stats: BatchStats, o: ApplyOutcome): void {
  if (o === 'new-group') stats.newGroups++;
  else if (o === 'merged') stats.merged++;
  else if (o === 'update') stats.repeats++;
  else stats.duplicates++;
}
