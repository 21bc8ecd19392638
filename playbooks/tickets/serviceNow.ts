import type { ServiceNowConfig } from '../config.js';
import { DownstreamError } from '../errors.js';
import { excerpt, type FetchLike, fetchWithRetry, jsonOf, type RetryOptions, type Sleep } from '../http.js';
import { basicAuth, secretSetting } from './credentials.js';
import {
  neutraliseFormula,
  oneLine,
  plainText,
  serviceNowPriority,
  type TicketChange,
  type TicketDraft,
  type TicketRef,
  type TicketResolution,
  type TicketSystem,
} from './fields.js';

/** Incident states that need no resolving: 6 Resolved, 7 Closed, 8 Canceled (the base state model). */
const DONE_STATES = new Set(['6', '7', '8']);
const RESOLVED = '6';

export interface ServiceNowOptions {
  config: ServiceNowConfig;
  env: Record<string, string | undefined>;
  fetch?: FetchLike;
  sleep?: Sleep;
  retry?: Omit<RetryOptions, 'sleep'>;
}

/** The short_description a summary is written as. */
const shortDescription = (summary: string) => neutraliseFormula(oneLine(summary, 160));

/** The PATCH body that makes an open incident follow its Sentinel incident: the summary and the priority's inputs. */
export function serviceNowFollow(change: TicketChange): Record<string, string> {
  return {
    short_description: shortDescription(change.summary),
    ...serviceNowPriority(change.severity, change.criticality),
  };
}

/** The Table API body for an incident (docs/contracts.md#servicenow), every free-text field formula-neutral. */
export function serviceNowFields(config: ServiceNowConfig, draft: TicketDraft): Record<string, string> {
  const { urgency, impact } = serviceNowPriority(draft.severity, draft.criticality);
  const fields: Record<string, string> = {
    short_description: shortDescription(draft.summary),
    description: plainText(draft),
    urgency,
    impact,
    category: neutraliseFormula(config.category),
    correlation_id: draft.correlationId,
    correlation_display: 'Microsoft Sentinel',
  };
  if (config.subcategory) fields.subcategory = neutraliseFormula(config.subcategory);
  // A reference field: the Table API takes the group's sys_id (createServiceNow resolves a name first).
  if (config.assignmentGroup) fields.assignment_group = config.assignmentGroup;
  if (config.callerId) fields.caller_id = config.callerId;
  return fields;
}

/** The PATCH body that resolves an incident: the state with the code and notes the base data policy requires. */
export function serviceNowResolution(config: ServiceNowConfig, resolution: TicketResolution) {
  return { state: RESOLVED, close_code: neutraliseFormula(config.resolveCode), close_notes: resolution.text };
}

/** ServiceNow Table API: search by correlation_id, create with POST; Basic or OAuth bearer from app settings. */
export function createServiceNow(options: ServiceNowOptions): TicketSystem {
  const { config, env } = options;
  const fetch = options.fetch ?? (globalThis.fetch as FetchLike);
  const base = config.instanceUrl.replace(/\/+$/, '');
  const tableUrl = `${base}/api/now/table/${config.table}`;
  const retry = { ...options.retry, ...(options.sleep ? { sleep: options.sleep } : {}) };

  const authorization = () =>
    config.auth.type === 'basic'
      ? basicAuth(
          secretSetting(env, config.auth.usernameSetting, 'ServiceNow user'),
          secretSetting(env, config.auth.passwordSetting, 'ServiceNow password'),
        )
      : `Bearer ${secretSetting(env, config.auth.tokenSetting, 'ServiceNow OAuth token')}`;
  const settingsNamed =
    config.auth.type === 'basic'
      ? `${config.auth.usernameSetting}/${config.auth.passwordSetting}`
      : config.auth.tokenSetting;

  const link = (sysId: string) =>
    `${base}/nav_to.do?uri=${encodeURIComponent(`${config.table}.do?sys_id=${sysId}`)}`;

  function failure(status: number, body: unknown, action: string): DownstreamError {
    const detail = (body as { error?: { message?: string; detail?: string } })?.error;
    const msg = detail ? `${detail.message ?? ''} ${detail.detail ?? ''}`.trim() : excerpt(body);
    if (status === 401)
      return new DownstreamError(
        'servicenow',
        'unauthorized',
        `ServiceNow rejected the credentials in app settings ${settingsNamed} (401): ${msg}`,
        status,
      );
    // A data policy (mandatory fields, e.g. the resolution code and notes) also answers 403.
    if (status === 403 && /data policy/i.test(msg))
      return new DownstreamError(
        'servicenow',
        'rejected',
        `ServiceNow refused ${action} (403, a data policy): ${msg}`,
        status,
      );
    if (status === 403)
      return new DownstreamError(
        'servicenow',
        'missing-permission',
        `ServiceNow denied ${action} (403): the integration user needs the itil role on ${config.table}. ${msg}`,
        status,
      );
    return new DownstreamError(
      'servicenow',
      'rejected',
      `ServiceNow rejected ${action} (${status}): ${msg}`,
      status,
    );
  }

  async function call(method: string, url: string, body?: unknown) {
    const res = await fetchWithRetry(
      'servicenow',
      fetch,
      url,
      {
        method,
        headers: {
          authorization: authorization(),
          accept: 'application/json',
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
        ...(body ? { body: JSON.stringify(body) } : {}),
      },
      // A create is never repeated blindly (a 504 can follow a committed insert): createTicket looks it up.
      { ...retry, idempotent: method !== 'POST' },
    );
    return { res, body: await jsonOf(res) };
  }

  /**
   * `assignment_group` is a reference field: a display name would be dropped (or need
   * sysparm_input_display_value, which turns every field into display values). A configured name is resolved
   * once to its sys_id from sys_user_group; a 32-hex value is taken as the sys_id.
   */
  let groupId: Promise<string> | undefined;
  const assignmentGroupId = (name: string): Promise<string> => {
    if (/^[0-9a-f]{32}$/.test(name)) return Promise.resolve(name);
    groupId ??= (async () => {
      const q = new URLSearchParams({
        sysparm_query: `name=${name}`,
        sysparm_fields: 'sys_id,name',
        sysparm_limit: '2',
      });
      const { res, body } = await call('GET', `${base}/api/now/table/sys_user_group?${q}`);
      if (res.status !== 200) throw failure(res.status, body, 'the assignment group lookup (sys_user_group)');
      const rows = ((body as { result?: { sys_id?: string; name?: string }[] }).result ?? []).filter(
        (r) => r.name === name && r.sys_id,
      );
      if (rows.length !== 1)
        throw new DownstreamError(
          'servicenow',
          'rejected',
          `ServiceNow has ${rows.length ? 'several groups' : 'no group'} named "${name}" in sys_user_group: set ticketSystems.<name>.assignmentGroup to the group's exact name or its sys_id`,
        );
      return rows[0]!.sys_id!;
    })().catch((e: unknown) => {
      groupId = undefined;
      throw e;
    });
    return groupId;
  };

  /** One incident's fields (as strings), by sys_id; a record deleted meanwhile is `not-found`. */
  async function read<F extends string>(ticket: TicketRef, ...fields: F[]): Promise<Record<F, string>> {
    const url = `${tableUrl}/${encodeURIComponent(ticket.id)}?sysparm_fields=sys_id,number,${fields.join(',')}`;
    const { res, body } = await call('GET', url);
    if (res.status === 404)
      throw new DownstreamError(
        'servicenow',
        'not-found',
        `ServiceNow has no ${config.table} ${ticket.key} any more (404)`,
        404,
      );
    if (res.status !== 200) throw failure(res.status, body, `reading ${ticket.key}`);
    const result = (body as { result?: Record<string, unknown> }).result ?? {};
    return Object.fromEntries(fields.map((f) => [f, String(result[f] ?? '')])) as Record<F, string>;
  }

  return {
    kind: 'serviceNow',
    async findByCorrelationId(correlationId) {
      if (!/^[A-Za-z0-9-]{1,100}$/.test(correlationId)) return undefined;
      const q = new URLSearchParams({
        sysparm_query: `correlation_id=${correlationId}`,
        sysparm_limit: '1',
        sysparm_fields: 'sys_id,number,correlation_id',
      });
      const { res, body } = await call('GET', `${tableUrl}?${q}`);
      if (res.status !== 200) throw failure(res.status, body, 'the correlation_id search');
      const row = (body as { result?: { sys_id?: string; number?: string; correlation_id?: string }[] })
        .result?.[0];
      // An invalid query part is silently ignored by ServiceNow and matches everything: check the key.
      if (!row?.sys_id || row.correlation_id !== correlationId) return undefined;
      return { key: row.number ?? row.sys_id, id: row.sys_id, url: link(row.sys_id) };
    },
    async create(draft): Promise<TicketRef> {
      const fields = serviceNowFields(config, draft);
      if (config.assignmentGroup) fields.assignment_group = await assignmentGroupId(config.assignmentGroup);
      const { res, body } = await call('POST', tableUrl, fields);
      if (res.status !== 201 && res.status !== 200) throw failure(res.status, body, 'the incident creation');
      const r = (body as { result?: { sys_id?: string; number?: string } }).result;
      if (!r?.sys_id)
        throw new DownstreamError(
          'servicenow',
          'rejected',
          `ServiceNow answered ${res.status} without result.sys_id: ${excerpt(body)}`,
        );
      return { key: r.number ?? r.sys_id, id: r.sys_id, url: link(r.sys_id) };
    },
    /**
     * Resolved (6), not Closed (7): resolving needs the itil role the integration already has, closing needs
     * itil_admin, and the instance closes resolved incidents itself after its auto-close period. One PATCH
     * carries the state with the resolution code and notes the base data policy requires (403 without them).
     */
    async resolve(ticket: TicketRef, resolution: TicketResolution) {
      const url = `${tableUrl}/${encodeURIComponent(ticket.id)}`;
      const { state } = await read(ticket, 'state');
      if (DONE_STATES.has(state))
        return { changed: false, detail: `${ticket.key} is already in state ${state}` };
      const { res, body } = await call('PATCH', url, serviceNowResolution(config, resolution));
      if (res.status !== 200)
        throw failure(
          res.status,
          body,
          `resolving ${ticket.key} with close_code "${config.resolveCode}" (an instance drops a code that is not one of its sys_choice incident.close_code values: check ticketSystems.<name>.resolveCode)`,
        );
      return { changed: true, detail: `resolved ServiceNow ticket ${ticket.key}` };
    },
    async follow(ticket: TicketRef, change: TicketChange) {
      const url = `${tableUrl}/${encodeURIComponent(ticket.id)}`;
      const now = await read(ticket, 'state', 'short_description');
      if (DONE_STATES.has(now.state))
        return { changed: false, detail: `${ticket.key} is in state ${now.state}` };
      if (now.short_description !== shortDescription(change.previous))
        return {
          changed: false,
          detail: `${ticket.key}'s short description was edited in ServiceNow: left as it is`,
        };
      const fields = serviceNowFollow(change);
      const { res, body } = await call('PATCH', url, fields);
      if (res.status !== 200) throw failure(res.status, body, `updating ${ticket.key}`);
      return {
        changed: true,
        detail: `updated ServiceNow ticket ${ticket.key}: "${fields.short_description}"`,
      };
    },
  };
}
