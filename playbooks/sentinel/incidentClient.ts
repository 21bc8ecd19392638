import type { TokenCredential } from '@azure/core-auth';
import { DownstreamError } from '../errors.js';
import {
  excerpt,
  type FetchLike,
  fetchWithRetry,
  jsonOf,
  type RetryOptions,
  realSleep,
  type Sleep,
} from '../http.js';
import { ARM_SCOPE, bearerTokens } from '../token.js';
import { type IncidentRef, incidentUrl } from './armId.js';
import {
  type Closing,
  combine,
  type Incident,
  type IncidentOwner,
  type IncidentProperties,
  type IncidentSeverity,
  withClosed,
  withLabels,
  withOwner,
  withSeverityAtLeast,
  writableProperties,
} from './incident.js';

/**
 * Pinned: the SDK's default is a 2022 preview; we never float
 * (docs/contracts.md#sentinel-incidents-automation-rules-and-playbooks).
 */
export const SENTINEL_API_VERSION = '2025-09-01';

/** The role the Function's identity needs for everything the playbooks do to incidents. */
export const RESPONDER_ROLE = 'Microsoft Sentinel Responder';

export interface UpdateResult {
  incident: Incident;
  changed: boolean;
  /** PUT attempts made (0 when nothing changed); > 1 means ETag conflicts were retried. */
  attempts: number;
}

export type IncidentChange = (current: IncidentProperties) => IncidentProperties | undefined;

/** What the playbooks need from Sentinel. One ARM implementation; the offline outbox has a memory one. */
export interface IncidentClient {
  get(ref: IncidentRef): Promise<Incident>;
  /**
   * GET → change → PUT with the GET's etag; on 409/412 (someone else wrote first) re-read and re-apply, so a
   * concurrent edit by an analyst or another playbook is never overwritten. No PUT when nothing changes.
   */
  update(ref: IncidentRef, change: IncidentChange): Promise<UpdateResult>;
  /** Writes a comment under a client-chosen id; `created: false` when it already exists (a retried run). */
  addComment(ref: IncidentRef, commentId: string, message: string): Promise<{ created: boolean }>;
}

/** Sentinel rejects longer comments; ours are short, this only guards against huge alert text. */
export const MAX_COMMENT_CHARS = 30_000;

/** Sentinel renders comments as HTML: alert-derived text must never carry a tag. */
export const commentMessage = (message: string): string =>
  message.replace(/[<>]/g, (c) => (c === '<' ? '‹' : '›')).slice(0, MAX_COMMENT_CHARS);

export const addLabels = (c: IncidentClient, ref: IncidentRef, names: readonly string[]) =>
  c.update(ref, (p) => withLabels(p, names));
export const assignOwner = (c: IncidentClient, ref: IncidentRef, owner: IncidentOwner) =>
  c.update(ref, (p) => withOwner(p, owner));
export const raiseSeverity = (c: IncidentClient, ref: IncidentRef, floor: IncidentSeverity) =>
  c.update(ref, (p) => withSeverityAtLeast(p, floor));
export const closeIncident = (c: IncidentClient, ref: IncidentRef, closing: Closing) =>
  c.update(ref, (p) => withClosed(p, closing));
export { combine };

export interface ArmIncidentClientOptions {
  credential: TokenCredential;
  fetch?: FetchLike;
  sleep?: Sleep;
  retry?: Omit<RetryOptions, 'sleep'>;
  /** Re-read-and-retry rounds on ETag conflicts (default 5). */
  maxConflictRetries?: number;
}

function describeArmError(body: unknown): { code: string; message: string } {
  const err = (body as { error?: { code?: string; message?: string } } | undefined)?.error;
  return { code: err?.code ?? 'unknown', message: err?.message ?? excerpt(body ?? '') };
}

/** Maps an ARM error response to a DownstreamError an operator can act on. */
export function armFailure(status: number, body: unknown, ref: IncidentRef, action: string): DownstreamError {
  const { code, message } = describeArmError(body);
  const where = `incident ${ref.incidentId} in workspace ${ref.workspace} (resource group ${ref.resourceGroup})`;
  switch (status) {
    case 401:
      return new DownstreamError(
        'sentinel',
        'unauthorized',
        `Sentinel did not accept the token to ${action} ${where} (401 ${code}): ${message}`,
        status,
      );
    case 403:
      return new DownstreamError(
        'sentinel',
        'missing-permission',
        `Sentinel denied ${action} on ${where} (403 ${code}): the Function's managed identity needs the "${RESPONDER_ROLE}" role on the workspace. ${message}`,
        status,
      );
    case 404:
      return new DownstreamError(
        'sentinel',
        'not-found',
        `Sentinel has no ${where}: it was deleted or the id names another workspace (404 ${code})`,
        status,
      );
    case 409:
    case 412:
      return new DownstreamError(
        'sentinel',
        'conflict',
        `${where} kept changing while we tried to ${action} (${status} ${code}): ${message}`,
        status,
        1000,
      );
    default:
      return new DownstreamError(
        'sentinel',
        'rejected',
        `Sentinel rejected ${action} on ${where} (${status} ${code}): ${message}`,
        status,
      );
  }
}

/** The Sentinel incidents REST API over ARM (`fetch` + a TokenCredential), api-version pinned. */
export function createArmIncidentClient(options: ArmIncidentClientOptions): IncidentClient {
  const fetch = options.fetch ?? (globalThis.fetch as FetchLike);
  const sleep = options.sleep ?? realSleep;
  const token = bearerTokens(options.credential, ARM_SCOPE, 'sentinel');
  const maxConflicts = options.maxConflictRetries ?? 5;
  const url = (ref: IncidentRef, sub = '') => `${incidentUrl(ref, sub)}?api-version=${SENTINEL_API_VERSION}`;

  async function call(method: string, target: string, body?: unknown): Promise<Response> {
    const headers: Record<string, string> = {
      authorization: `Bearer ${await token()}`,
      accept: 'application/json',
    };
    if (body !== undefined) headers['content-type'] = 'application/json';
    return fetchWithRetry(
      'sentinel',
      fetch,
      target,
      { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) },
      { ...options.retry, sleep },
    );
  }

  async function get(ref: IncidentRef): Promise<Incident> {
    const res = await call('GET', url(ref));
    const body = await jsonOf(res);
    if (res.status !== 200) throw armFailure(res.status, body, ref, 'read');
    return body as Incident;
  }

  async function update(ref: IncidentRef, change: IncidentChange): Promise<UpdateResult> {
    for (let attempt = 1; ; attempt++) {
      const current = await get(ref);
      const next = change(current.properties);
      if (!next) return { incident: current, changed: false, attempts: attempt - 1 };
      const res = await call('PUT', url(ref), { etag: current.etag, properties: writableProperties(next) });
      const body = await jsonOf(res);
      if (res.status === 200 || res.status === 201)
        return { incident: body as Incident, changed: true, attempts: attempt };
      if ((res.status === 409 || res.status === 412) && attempt < maxConflicts) {
        // Someone else wrote between our GET and PUT: back off a little (jittered) and re-apply on fresh data.
        await sleep(50 * attempt + Math.floor(Math.random() * 50));
        continue;
      }
      throw armFailure(res.status, body, ref, 'update');
    }
  }

  async function addComment(
    ref: IncidentRef,
    commentId: string,
    message: string,
  ): Promise<{ created: boolean }> {
    const target = url(ref, `/comments/${encodeURIComponent(commentId)}`);
    const existing = await call('GET', target);
    const existingBody = await jsonOf(existing);
    if (existing.status === 200) return { created: false };
    if (existing.status !== 404) throw armFailure(existing.status, existingBody, ref, 'read comments of');
    const res = await call('PUT', target, { properties: { message: commentMessage(message) } });
    const body = await jsonOf(res);
    if (res.status === 200 || res.status === 201) return { created: true };
    throw armFailure(res.status, body, ref, 'comment on');
  }

  return { get, update, addComment };
}
