import type { JiraConfig } from '../config.js';
import { DownstreamError } from '../errors.js';
import { excerpt, type FetchLike, fetchWithRetry, jsonOf, type RetryOptions, type Sleep } from '../http.js';
import { adfFromDraft } from './adf.js';
import { basicAuth, secretSetting } from './credentials.js';
import {
  labelOf,
  neutraliseFormula,
  oneLine,
  type TicketDraft,
  type TicketRef,
  type TicketSystem,
} from './fields.js';

export interface JiraOptions {
  config: JiraConfig;
  env: Record<string, string | undefined>;
  fetch?: FetchLike;
  sleep?: Sleep;
  retry?: Omit<RetryOptions, 'sleep'>;
}

/** The REST v3 create-issue body: ADF description, priority from severity, labels (incl. sentinel-<id>). */
export function jiraIssue(config: JiraConfig, draft: TicketDraft, withPriority = true) {
  return {
    fields: {
      project: { key: config.projectKey },
      issuetype: { name: config.issueType },
      summary: neutraliseFormula(oneLine(draft.summary, 255)),
      description: adfFromDraft(draft),
      ...(withPriority ? { priority: { name: config.priorities[draft.severity] } } : {}),
      labels: [...new Set([...config.labels.map(labelOf), ...draft.labels])],
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

  function failure(status: number, body: unknown, action: string): DownstreamError {
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
        `Jira denied ${action} (403): the account needs "Create issues" in project ${config.projectKey}. ${msg}`,
        status,
      );
    return new DownstreamError('jira', 'rejected', `Jira rejected ${action} (${status}): ${msg}`, status);
  }

  async function post(path: string, body: unknown, idempotent = true) {
    const res = await fetchWithRetry(
      'jira',
      fetch,
      `${api}${path}`,
      {
        method: 'POST',
        headers: {
          authorization: authorization(),
          accept: 'application/json',
          'content-type': 'application/json',
        },
        body: JSON.stringify(body),
      },
      { ...retry, idempotent },
    );
    return { res, body: await jsonOf(res) };
  }

  return {
    kind: 'jira',
    async findByCorrelationId(correlationId) {
      if (!/^[A-Za-z0-9-]{1,100}$/.test(correlationId)) return undefined;
      const label = labelOf(`sentinel-${correlationId}`);
      const { res, body } = await post('/rest/api/3/search/jql', {
        jql: `project = "${config.projectKey}" AND labels = "${label}" ORDER BY created ASC`,
        fields: ['summary', 'labels'],
        maxResults: 1,
      });
      if (res.status !== 200) throw failure(res.status, body, 'the label search');
      const issue = (body as { issues?: { id: string; key: string; fields?: { labels?: string[] } }[] })
        .issues?.[0];
      if (!issue || (issue.fields?.labels && !issue.fields.labels.includes(label))) return undefined;
      return { key: issue.key, id: issue.id, url: `${base}/browse/${issue.key}` };
    },
    async create(draft): Promise<TicketRef> {
      // Creates are never repeated blindly (a 5xx can follow a created issue): createTicket looks it up.
      let { res, body } = await post('/rest/api/3/issue', jiraIssue(config, draft), false);
      // Projects whose create screen lacks Priority reject it: try once more without it.
      if (res.status === 400 && (body as JiraErrorBody | undefined)?.errors?.priority)
        ({ res, body } = await post('/rest/api/3/issue', jiraIssue(config, draft, false), false));
      if (res.status !== 201) throw failure(res.status, body, `the issue creation in ${config.projectKey}`);
      const issue = body as { id?: string; key?: string };
      if (!issue.key || !issue.id)
        throw new DownstreamError('jira', 'rejected', `Jira answered 201 without key/id: ${excerpt(body)}`);
      return { key: issue.key, id: issue.id, url: `${base}/browse/${issue.key}` };
    },
  };
}
