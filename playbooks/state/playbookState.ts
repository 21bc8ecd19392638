import type { TableClient } from '@azure/data-tables';
import type { IncidentSeverity } from '../sentinel/incident.js';
import { type IncidentStore, MemoryIncidentStore, TableIncidentStore } from './jsonStore.js';

/** What notify-teams remembers per incident, to send one card and then only meaningful updates. */
export interface NotifyState {
  cards: number;
  severity: IncidentSeverity;
  /** Highest count threshold already announced (0: none). */
  countLevel: number;
  lastCount?: number;
  lastSentAt: string;
}

/** Rows of the `PlaybookState` table, one interface for Table Storage and memory. */
export type NotifyStateStore = IncidentStore<NotifyState>;

export const memoryNotifyState = (): NotifyStateStore => new MemoryIncidentStore<NotifyState>();
export const tableNotifyState = (table: TableClient): NotifyStateStore =>
  new TableIncidentStore<NotifyState>(table, 'notify-teams');
