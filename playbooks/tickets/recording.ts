import type { TicketSystemConfig } from '../config.js';
import type { TicketChange, TicketDraft, TicketRef, TicketResolution, TicketSystem } from './fields.js';
import { jiraCloseComment, jiraFollow, jiraIssue } from './jira.js';
import { serviceNowFields, serviceNowFollow, serviceNowResolution } from './serviceNow.js';

/** A request a ticket system would have received. */
export interface TicketRequest {
  system: string;
  service: 'serviceNow' | 'jira';
  /** The ticket's key (INC9000001, OTSEC-1001). */
  key: string;
  method: 'POST' | 'PATCH' | 'PUT';
  url: string;
  body: unknown;
}

/**
 * A ticket system that records the requests it would have received instead of sending them (the local Sentinel,
 * the offline outbox): the same bodies the real clients send, made-up keys, each ticket resolved once.
 */
export function recordingTicketSystem(
  name: string,
  cfg: TicketSystemConfig,
  record: (r: TicketRequest) => void,
): TicketSystem {
  const made = new Map<string, TicketRef>();
  const resolved = new Set<string>();
  // Per ticket key, the summary it has now (what the real clients read before they follow an incident).
  const summaries = new Map<string, string>();
  const base = (cfg.kind === 'serviceNow' ? cfg.instanceUrl : cfg.baseUrl).replace(/\/+$/, '');
  const sent = (key: string, method: TicketRequest['method'], url: string, body: unknown) =>
    record({ system: name, service: cfg.kind, key, method, url, body });
  return {
    kind: cfg.kind,
    findByCorrelationId: async (correlationId) => made.get(correlationId),
    async create(draft: TicketDraft) {
      const n = made.size + 1;
      let ref: TicketRef;
      if (cfg.kind === 'serviceNow') {
        const id = `0ff1ce${String(n).padStart(26, '0')}`;
        const key = `INC${String(9_000_000 + n).padStart(7, '0')}`;
        sent(key, 'POST', `${base}/api/now/table/${cfg.table}`, serviceNowFields(cfg, draft));
        ref = { key, id, url: `${base}/nav_to.do?uri=${encodeURIComponent(`${cfg.table}.do?sys_id=${id}`)}` };
      } else {
        const key = `${cfg.projectKey}-${1000 + n}`;
        sent(key, 'POST', `${base}/rest/api/3/issue`, jiraIssue(cfg, draft));
        ref = { key, id: String(10_000 + n), url: `${base}/browse/${key}` };
      }
      made.set(draft.correlationId, ref);
      summaries.set(ref.key, draft.summary);
      return ref;
    },
    async resolve(ticket: TicketRef, resolution: TicketResolution) {
      if (resolved.has(ticket.key)) return { changed: false, detail: `${ticket.key} is already resolved` };
      resolved.add(ticket.key);
      if (cfg.kind === 'serviceNow') {
        const url = `${base}/api/now/table/${cfg.table}/${ticket.id}`;
        sent(ticket.key, 'PATCH', url, serviceNowResolution(cfg, resolution));
        return { changed: true, detail: `resolved ServiceNow ticket ${ticket.key}` };
      }
      const issue = `${base}/rest/api/3/issue/${ticket.key}`;
      sent(ticket.key, 'POST', `${issue}/comment`, jiraCloseComment(resolution));
      // Transition ids are per workflow: the real client reads them (GET …/transitions) first.
      const id = `the id of ${cfg.doneTransition ? `"${cfg.doneTransition}"` : 'the first transition into Done'}`;
      sent(ticket.key, 'POST', `${issue}/transitions`, { transition: { id } });
      return { changed: true, detail: `resolved Jira ticket ${ticket.key}` };
    },
    async follow(ticket: TicketRef, change: TicketChange) {
      if (resolved.has(ticket.key)) return { changed: false, detail: `${ticket.key} is resolved` };
      if (summaries.get(ticket.key) !== change.previous)
        return { changed: false, detail: `${ticket.key}'s summary was edited: left as it is` };
      summaries.set(ticket.key, change.summary);
      if (cfg.kind === 'serviceNow') {
        const body = serviceNowFollow(change);
        sent(ticket.key, 'PATCH', `${base}/api/now/table/${cfg.table}/${ticket.id}`, body);
        return {
          changed: true,
          detail: `updated ServiceNow ticket ${ticket.key}: "${body.short_description}"`,
        };
      }
      const body = jiraFollow(cfg, change);
      sent(ticket.key, 'PUT', `${base}/rest/api/3/issue/${ticket.key}`, body);
      return { changed: true, detail: `updated Jira ticket ${ticket.key}: "${body.fields.summary}"` };
    },
  };
}
