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
  /**
   * The attack-chain steps the cards have shown (storyTitle.ts attackChain): a later step is announced. Absent in
   * state written before 2026-12-07 (fourteenth session) and for incidents that are no attack chain.
   */
  steps?: string[];
  /** The channel was told the incident is closed (teams.notifyOnClose); a reopen card clears it. */
  closed?: boolean;
  /** What is known of the last card: the workflow accepted it (2xx), or no clear answer (not re-sent). */
  outcome?: 'accepted' | 'unknown';
  /**
   * A card being sent (intent recorded before acting): `claimed` is written first, `sending` right before the
   * request. A run that finds a stale `claimed` knows nothing was sent and sends it; a stale `sending` may have
   * reached Teams, so it is recorded as unknown and not sent twice.
   */
  pending?: {
    stage: 'claimed' | 'sending';
    since: string;
    reason: string;
    summary: string;
    next: Omit<NotifyState, 'pending'>;
  };
}

/** Rows of the `PlaybookState` table, one interface for Table Storage and memory. */
export type NotifyStateStore = IncidentStore<NotifyState>;

export const memoryNotifyState = (): NotifyStateStore => new MemoryIncidentStore<NotifyState>();
export const tableNotifyState = (table: TableClient): NotifyStateStore =>
  new TableIncidentStore<NotifyState>(table, 'notify-teams');
