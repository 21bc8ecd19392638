import type { TableClient } from '@azure/data-tables';
import { type IncidentStore, MemoryIncidentStore, TableIncidentStore } from './jsonStore.js';

/**
 * What the `defender-status` timer did to one incident (Defender for IoT → Sentinel), one row per incident:
 * - the timer acts at most once per Defender for IoT state (`fingerprint`: each ot-soc group and its status),
 *   so an incident an analyst reopened after Defender for IoT closed its alerts is not closed again on every run;
 * - sync-status (Sentinel → Defender for IoT) reads it to tell the echo of this change (nothing to send back)
 *   from a change someone made since (`superseded`: then it syncs as usual).
 */
export interface DefenderStatusRecord {
  /** The incident status the timer set (or is setting). */
  status: 'Active' | 'Closed';
  fingerprint: string;
  /** `intent` is written before the incident is changed, `done` once the change and its comment are made. */
  phase: 'intent' | 'done';
  /** The incident's lastModifiedTimeUtc when the timer decided (a resumed run changes it only if unchanged). */
  seen: string;
  since: string;
  /** The incident's status was changed by someone else after the timer set it. */
  superseded?: boolean;
}

/** The marker of the classification comment and the audit comment of an incident the timer changed. */
export const DEFENDER_STATUS_MARKER = 'ot-soc defender-status';

export type DefenderStatusStore = IncidentStore<DefenderStatusRecord>;

export const memoryDefenderStatus = (): DefenderStatusStore =>
  new MemoryIncidentStore<DefenderStatusRecord>();
export const tableDefenderStatus = (table: TableClient): DefenderStatusStore =>
  new TableIncidentStore<DefenderStatusRecord>(table, 'defender-status');
