import type { JiraConfig } from '../config.js';
import { DownstreamError } from '../errors.js';
import { excerpt, type FetchLike, fetchWithRetry, jsonOf, type RetryOptions, type Sleep } from '../http.js';
import { adfFromDraft, adfParagraph } from './adf.js';
import { basicAuth, secretSetting } from './credentials.js';
import {
  labelOf,
  neutraliseFormula,
  oneLine,
  type TicketChange,
  type TicketDraft,
  type TicketRef,
  type TicketResolution,
  type TicketSystem,
} from './fields.js';

/** The comment property that marks ot-soc's closing comment, so a re-run finds it instead of adding another. */
const CLOSE_COMMENT_PROPERTY = 'ot-soc-sentinel-close';

const CREATE = 'Create issues';
const BROWSE = 'Browse projects';
const MOVE = 'Transition issues';
const EDIT = 'Edit issues';

interface JiraStatus {
  name?: string;
  statusCategory?: { key?: string };
}

interface JiraTransition {
  id: string;
  name?: string;
  to?: JiraStatus;
  fields?: Record<string, { required?: boolean }>;
}

export interface JiraOptions {
  config: JiraConfig;
  env: Record<string, string | undefined>;
  fetch?: FetchLike;
  sleep?: Sleep;
  retry?: Omit<RetryOptions, 'sleep'>;
}

/** The summary field a ticket summary is written as. */
const jiraSummary = (summary: string) => neutraliseFormula(oneLine(summary, 255));

/** The REST v3 create-issue body: ADF description, priority from severity, labels (incl. sentinel-<id>). */
export function jiraIssue(config: JiraConfig, draft: TicketDraft, withPriority = true) {
  return {
    fields: {
      project: { key: config.projectKey },
      issuetype: { name: config.issueType },
      summary: jiraSummary(draft.summary),
      description: adfFromDraft(draft),
      ...(withPriority ? { priority: { name: config.priorities[draft.severity] } } : {}),
      labels: [...new Set([...config.labels.map(labelOf), ...draft.labels])],
    },
  };
}

/** The edit-issue body that makes an open issue follow its Sentinel incident: summary and priority. */
export function jiraFollow(config: JiraConfig, change: TicketChange, withPriority = true) {
  return {
    fields: {
      summary: jiraSummary(change.summary),
      ...(withPriority ? { priority: { name: config.priorities[change.severity] } } : {}),
    },
  };
}

interface JiraErrorBody {
  errorMessages?: string[];
  errors?: Record<string, string>;
}

const jiraMessage = (body: unknown) => {
  const b = body as JiraErrorBody | undefined;
  const parts = [
    ...(b?.errorMessages ?? []),
    ...Object.entries(b?.errors ?? {}).map(([k, v]) => `${k}: ${v}`),
  ];
  return parts.length ? parts.join('; ') : excerpt(body);
};

/** ot-soc's closing comment, marked with a comment property naming the incident. */
export const jiraCloseComment = (resolution: TicketResolution) => ({
  body: adfParagraph(resolution.text),
  properties: [{ key: CLOSE_COMMENT_PROPERTY, value: { incident: resolution.incidentArmId } }],
});

/**
 * Jira Cloud REST v3: search by label through /search/jql (the old /search is gone), create with /issue.
 * Basic auth (email + API token) calls the site; bearer (OAuth 2.0 3LO) calls api.atlassian.com/ex/jira/{cloudId}.
 */
export function createJira(options: JiraOptions): TicketSystem {
  const { config, env } = options;
  const fetch = options.fetch ?? (globalThis.fetch as FetchLike);
  // Browse links are on the site; OAuth 2.0 (3LO) API calls go through api.atlassian.com with the cloud id.
  const base = config.baseUrl.replace(/\/+$/, '');
  const api =
    config.auth.type === 'bearer' ? `https://api.atlassian.com/ex/jira/${config.auth.cloudId}` : base;
  const retry = { ...options.retry, ...(options.sleep ? { sleep: options.sleep } : {}) };
  const authorization = () =>
    config.auth.type === 'basic'
      ? basicAuth(
          secretSetting(env, config.auth.emailSetting, 'Jira account email'),
          secretSetting(env, config.auth.tokenSetting, 'Jira API token'),
        )
      : `Bearer ${secretSetting(env, config.auth.tokenSetting, 'Jira OAuth token')}`;

  function failure(status: number, body: unknown, action: string, permission: string): DownstreamError {
    const msg = jiraMessage(body);
    if (status === 401)
      return new DownstreamError(
        'jira',
        'unauthorized',
        `Jira rejected the credentials (401) for ${action}: ${msg}`,
        status,
      );
    if (status === 403)
      return new DownstreamError(
        'jira',
        'missing-permission',
        `Jira denied ${action} (403): the account needs "${permission}" in project ${config.projectKey}. ${msg}`,
        status,
      );
    return new DownstreamError('jira', 'rejected', `Jira rejected ${action} (${status}): ${msg}`, status);
  }

  async function request(method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown, idempotent = true) {
    const res = await fetchWithRetry(
      'jira',
      fetch,
      `${api}${path}`,
      {
        method,
        headers: {
          authorization: authorization(),
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      },
      { ...retry, idempotent },
    );
    return { res, body: res.status === 204 ? undefined : await jsonOf(res) };
  }
  const post = (path: string, body: unknown, idempotent = true) => request('POST', path, body, idempotent);
  /** The answer's body when its status is `ok`, else the failure naming the action and the permission it needs. */
  function answer<T = unknown>(
    r: { res: Response; body: unknown },
    ok: number,
    action: string,
    permission: string,
  ): T {
    if (r.res.status !== ok) throw failure(r.res.status, r.body, action, permission);
    return r.body as T;
  }

  /** The transition the closed incident takes: the configured one, else the first into a Done status. */
  function doneTransition(transitions: JiraTransition[], key: string, from: string): JiraTransition {
    const wanted = config.doneTransition?.toLowerCase();
    const found = wanted
      ? transitions.find((t) => t.name?.toLowerCase() === wanted || t.to?.name?.toLowerCase() === wanted)
      : transitions.find((t) => t.to?.statusCategory?.key === 'done');
    if (found) return found;
    const names = transitions.map((t) => `"${t.name}" → ${t.to?.name}`).join(', ') || 'none';
    throw new DownstreamError(
      'jira',
      'rejected',
      `Jira offers no transition of ${key} from "${from}" ${
        wanted ? `named "${config.doneTransition}"` : 'into a Done status'
      } (available: ${names}): set ticketSystems.<name>.doneTransition`,
    );
  }

  return {
    kind: 'jira',
    async findByCorrelationId(correlationId) {
      if (!/^[A-Za-z0-9-]{1,100}$/.test(correlationId)) return undefined;
      const label = labelOf(`sentinel-${correlationId}`);
      const found = await post('/rest/api/3/search/jql', {
        jql: `project = "${config.projectKey}" AND labels = "${label}" ORDER BY created ASC`,
        fields: ['summary', 'labels'],
        maxResults: 1,
      });
      const issue = answer<{ issues?: { id: string; key: string; fields?: { labels?: string[] } }[] }>(
        found,
        200,
        'the label search',
        CREATE,
      ).issues?.[0];
      if (!issue || (issue.fields?.labels && !issue.fields.labels.includes(label))) return undefined;
      return { key: issue.key, id: issue.id, url: `${base}/browse/${issue.key}` };
    },
    async create(draft): Promise<TicketRef> {
      // Creates are never repeated blindly (a 5xx can follow a created issue): createTicket looks it up.
      let { res, body } = await post('/rest/api/3/issue', jiraIssue(config, draft), false);
      // Projects whose create screen lacks Priority reject it: try once more without it.
      if (res.status === 400 && (body as JiraErrorBody | undefined)?.errors?.priority)
        ({ res, body } = await post('/rest/api/3/issue', jiraIssue(config, draft, false), false));
      const issue = answer<{ id?: string; key?: string }>(
        { res, body },
        201,
        `the issue creation in ${config.projectKey}`,
        CREATE,
      );
      if (!issue.key || !issue.id)
        throw new DownstreamError('jira', 'rejected', `Jira answered 201 without key/id: ${excerpt(body)}`);
      return { key: issue.key, id: issue.id, url: `${base}/browse/${issue.key}` };
    },
    /**
     * A comment saying why (marked with a comment property: after a crash between the comment and the
     * transition the re-run finds it), then the transition into Done; an issue already in the Done category is
     * left as it is. Transition ids differ per workflow, so they are read each time.
     */
    async resolve(ticket: TicketRef, resolution: TicketResolution) {
      const path = `/rest/api/3/issue/${encodeURIComponent(ticket.key)}`;
      const read = await request('GET', `${path}?fields=status`);
      if (read.res.status === 404)
        throw new DownstreamError('jira', 'not-found', `Jira has no issue ${ticket.key} any more (404)`, 404);
      const status = answer<{ fields?: { status?: JiraStatus } }>(read, 200, `reading ${ticket.key}`, BROWSE)
        .fields?.status;
      if (status?.statusCategory?.key === 'done')
        return { changed: false, detail: `${ticket.key} is already ${status.name ?? 'done'}` };

      const listed = await request(
        'GET',
        `${path}/comment?expand=properties&orderBy=-created&maxResults=100`,
      );
      const comments =
        answer<{ comments?: { properties?: { key?: string; value?: { incident?: string } }[] }[] }>(
          listed,
          200,
          `reading the comments of ${ticket.key}`,
          BROWSE,
        ).comments ?? [];
      const commented = comments.some((c) =>
        c.properties?.some(
          (p) => p.key === CLOSE_COMMENT_PROPERTY && p.value?.incident === resolution.incidentArmId,
        ),
      );
      if (!commented)
        answer(
          await post(`${path}/comment`, jiraCloseComment(resolution), false),
          201,
          `the comment on ${ticket.key}`,
          'Add comments',
        );

      const offered = await request('GET', `${path}/transitions?expand=transitions.fields`);
      const transitions =
        answer<{ transitions?: JiraTransition[] }>(
          offered,
          200,
          `reading the transitions of ${ticket.key}`,
          MOVE,
        ).transitions ?? [];
      const t = doneTransition(transitions, ticket.key, status?.name ?? '?');
      const resolutionField = t.fields?.resolution?.required
        ? { fields: { resolution: { name: config.resolution } } }
        : {};
      answer(
        await post(`${path}/transitions`, { transition: { id: t.id }, ...resolutionField }, false),
        204,
        `the transition of ${ticket.key}`,
        MOVE,
      );
      return {
        changed: true,
        detail: `resolved Jira ticket ${ticket.key} (${t.name ?? t.id} → ${t.to?.name ?? '?'})`,
      };
    },
    async follow(ticket: TicketRef, change: TicketChange) {
      const path = `/rest/api/3/issue/${encodeURIComponent(ticket.key)}`;
      const read = await request('GET', `${path}?fields=status,summary`);
      if (read.res.status === 404)
        throw new DownstreamError('jira', 'not-found', `Jira has no issue ${ticket.key} any more (404)`, 404);
      const now = answer<{ fields?: { status?: JiraStatus; summary?: string } }>(
        read,
        200,
        `reading ${ticket.key}`,
        BROWSE,
      ).fields;
      if (now?.status?.statusCategory?.key === 'done')
        return { changed: false, detail: `${ticket.key} is ${now.status.name ?? 'done'}` };
      if (now?.summary !== jiraSummary(change.previous))
        return { changed: false, detail: `${ticket.key}'s summary was edited in Jira: left as it is` };
      let edited = await request('PUT', path, jiraFollow(config, change));
      // A project whose edit screen lacks Priority rejects it, as its create screen may: the summary alone then.
      if (edited.res.status === 400 && (edited.body as JiraErrorBody | undefined)?.errors?.priority)
        edited = await request('PUT', path, jiraFollow(config, change, false));
      answer(edited, 204, `the update of ${ticket.key}`, EDIT);
      return { changed: true, detail: `updated Jira ticket ${ticket.key}: "${jiraSummary(change.summary)}"` };
    },
  };
}
