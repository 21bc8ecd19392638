import type { TokenValidator } from './auth.js';
import { runAutoClose } from './autoClose.js';
import { runCreateTicket } from './createTicket.js';
import { DownstreamError, InProgressError, PlaybookConfigError } from './errors.js';
import { runNotifyTeams } from './notifyTeams.js';
import { type IncidentTrigger, parseIncidentTrigger } from './payload.js';
import { runReassignOt } from './reassignOt.js';
import { redactSecrets } from './redact.js';
import { type IncidentRef, workspaceArmId } from './sentinel/armId.js';
import { runSyncStatus } from './syncStatus.js';
import type { PlaybookDeps, PlaybookName, PlaybookOutcome } from './types.js';

/** The plain `HttpResponseInit` shape the Functions host takes (no @azure/functions classes: ESM). */
export interface HttpResult {
  status: number;
  jsonBody: unknown;
  headers?: Record<string, string>;
}

export type PlaybookCore = (
  trigger: IncidentTrigger,
  ref: IncidentRef,
  deps: PlaybookDeps,
) => Promise<PlaybookOutcome>;

export const PLAYBOOKS: Record<PlaybookName, PlaybookCore> = {
  'notify-teams': runNotifyTeams,
  'create-ticket': runCreateTicket,
  'auto-close': runAutoClose,
  'reassign-ot': runReassignOt,
  'sync-status': runSyncStatus,
};

const retryAfter = (ms: number | undefined) => ({
  'retry-after': String(Math.max(1, Math.ceil((ms ?? 5000) / 1000))),
});

/**
 * Maps what went wrong to what the Logic App shim should do: 400/401/403 are the caller's problem, "in
 * progress" and transient failures are 503 with Retry-After (the shim's retry policy waits and tries again), 424 is a downstream refusal that a
 * retry will not fix (missing role, deleted incident, rejected ticket) with the message that says why.
 */
export function errorResult(name: PlaybookName, e: unknown): HttpResult {
  // The answer lands in the Logic App's run history: never a URL's query (sig=, code=) or a credential.
  const message = redactSecrets((e as Error)?.message ?? String(e));
  // 503, not 409: Logic Apps retries 408, 429 and 5xx only, and waits what Retry-After says.
  if (e instanceof InProgressError)
    return {
      status: 503,
      jsonBody: { error: 'in-progress', playbook: name, message },
      headers: retryAfter(e.retryAfterMs),
    };
  if (e instanceof PlaybookConfigError)
    return {
      status: 500,
      jsonBody: {
        error: 'configuration',
        playbook: name,
        message,
        problems: e.problems.map(redactSecrets),
      },
    };
  if (e instanceof DownstreamError) {
    const body = {
      error: e.code,
      service: e.service,
      playbook: name,
      message,
      ...(e.status ? { status: e.status } : {}),
    };
    return e.transient
      ? { status: 503, jsonBody: body, headers: retryAfter(e.retryAfterMs) }
      : { status: 424, jsonBody: body };
  }
  return { status: 500, jsonBody: { error: 'internal', playbook: name, message } };
}

export interface PlaybookRequest {
  body: string;
  authorization?: string | null;
}

/**
 * Largest playbook request body (bytes). A Sentinel incident trigger with its expanded alerts and entities is
 * tens to hundreds of KB; anything bigger is refused with 413 before it is parsed (app setting
 * `OTSOC_PLAYBOOK_MAX_BODY_BYTES` raises it).
 */
export const MAX_PLAYBOOK_BODY_BYTES = 1024 * 1024;

/** The 413 answer of an oversized playbook request (also used by the Functions adapter on Content-Length). */
export function tooLargeResult(maxBytes: number): HttpResult {
  return {
    status: 413,
    jsonBody: { error: 'payload-too-large', message: `the request body is over ${maxBytes} bytes` },
  };
}

/** The 401 answer when a token validator is configured and the request's token fails it; else undefined. */
export async function unauthorized(
  authorization: string | null | undefined,
  validateToken: TokenValidator | undefined,
): Promise<HttpResult | undefined> {
  if (!validateToken) return undefined;
  const check = await validateToken(authorization);
  return check.ok
    ? undefined
    : {
        status: 401,
        jsonBody: { error: 'unauthorized', message: check.reason },
        headers: { 'www-authenticate': 'Bearer' },
      };
}

/**
 * The whole HTTP contract of one playbook, host-free: optional Entra token, the size limit (413), JSON, the
 * trigger schema (a bad field is a 400 naming its path, and nothing is changed), the workspace allow-list, then
 * the playbook core.
 */
export async function handlePlaybook(
  name: PlaybookName,
  request: PlaybookRequest,
  deps: PlaybookDeps,
  validateToken?: TokenValidator,
  maxBodyBytes: number = MAX_PLAYBOOK_BODY_BYTES,
): Promise<HttpResult> {
  const denied = await unauthorized(request.authorization, validateToken);
  if (denied) return denied;
  // Cheap bound first (a UTF-16 unit is at least one UTF-8 byte), the exact byte count only near the limit.
  if (
    request.body.length > maxBodyBytes ||
    (request.body.length * 3 > maxBodyBytes && Buffer.byteLength(request.body, 'utf8') > maxBodyBytes)
  )
    return tooLargeResult(maxBodyBytes);
  let body: unknown;
  try {
    body = JSON.parse(request.body);
  } catch (e) {
    return {
      status: 400,
      jsonBody: { error: 'invalid-json', message: `body is not JSON: ${(e as Error).message}` },
    };
  }
  const parsed = parseIncidentTrigger(body);
  if (!parsed.ok)
    return {
      status: 400,
      jsonBody: {
        error: 'invalid-payload',
        message: `not a Sentinel incident trigger: ${parsed.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
        issues: parsed.issues,
      },
    };
  const allowed = deps.config.workspaces.map((w) => w.toLowerCase());
  if (allowed.length && !allowed.includes(workspaceArmId(parsed.ref)))
    return {
      status: 403,
      jsonBody: {
        error: 'workspace-not-allowed',
        message: `workspace ${parsed.ref.workspace} is not in the playbook configuration's workspaces`,
      },
    };
  try {
    const result = await PLAYBOOKS[name](parsed.trigger, parsed.ref, deps);
    return { status: 200, jsonBody: result };
  } catch (e) {
    return errorResult(name, e);
  }
}
