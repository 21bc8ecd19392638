import type { TableClient } from '@azure/data-tables';
import { type IncidentStore, MemoryIncidentStore, TableIncidentStore } from './jsonStore.js';

/**
 * Our own incident → ticket map: the source of truth for "does this incident have a ticket". A run first
 * reserves the incident (`pending`, conditional insert), then creates the ticket and records it, so a retry or
 * a concurrent run never opens a second ticket (ITSM searches are only a fallback: Jira's is eventually
 * consistent, docs/contracts.md#jira-cloud).
 */
export interface TicketRecord {
  incidentArmId: string;
  state: 'pending' | 'created';
  /** When the reservation or the ticket was made (ISO). */
  since: string;
  /** Name of the ticketSystems entry used. */
  system?: string;
  kind?: 'serviceNow' | 'jira';
  /** Human key: INC0012345 or OT-42. */
  key?: string;
  /** System id: sys_id or the Jira issue id. */
  id?: string;
  url?: string;
  /**
   * The summary ot-soc gave the ticket last, and what it is made from besides the incident's severity and title:
   * create-ticket brings the ticket in line when these change, if the ticket still has this summary. Absent in
   * records made before 2026-12-07 (fourteenth session): those tickets keep their summary.
   */
  summary?: string;
  site?: string;
  criticality?: string;
  /** Why the last create got no clear answer (a 5xx or timeout): the ticket may exist; look it up first. */
  uncertain?: string;
}

export type TicketMap = IncidentStore<TicketRecord>;

export const memoryTicketMap = (): TicketMap => new MemoryIncidentStore<TicketRecord>();
export const tableTicketMap = (table: TableClient): TicketMap =>
  new TableIncidentStore<TicketRecord>(table, 'ticket');
