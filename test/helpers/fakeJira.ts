/**
 * Jira Cloud REST v3 (docs/contracts.md#jira-cloud): Basic `email:token`; POST /rest/api/3/issue validates the
 * project, issue type, summary, an Atlassian Document Format description (a string is the documented 400
 * "Operation value must be an Atlassian Document"), priority names and labels, answering 201 `{id,key,self}` or
 * 400 `{errorMessages, errors}`; POST /rest/api/3/search/jql finds by label (optionally lagging like the real,
 * eventually consistent index); the removed /rest/api/3/search is 410; 429 with Retry-After when throttled.
 * Resolving: GET an issue's status, its comments (properties with `expand=properties`), POST a comment (ADF
 * body, optional properties), GET the transitions available from its status (`expand=transitions.fields` lists
 * a screen's fields) and POST one (204): an id not available from the current status is a 400, and so is a
 * field the transition has no screen for, or a required resolution left out. Following an incident: GET an
 * issue's `fields` (status, summary), PUT `{fields}` to edit it (204; a field not on the edit screen is a 400).
 */
import { type FakeRequest, type FakeService, json, Throttle } from './fakeFetch.js';

export const JIRA_URL = 'https://contoso.atlassian.net';
export const JIRA_EMAIL = 'otsoc@contoso.example';
export const JIRA_TOKEN = 'jira-token-not-real';
/** The site's cloud id and an OAuth 2.0 (3LO) access token, accepted only through api.atlassian.com. */
export const JIRA_CLOUD_ID = '3f0c6a2e-1b7d-4c55-9e0a-5d2b8c1f7e64';
export const JIRA_BEARER = 'jira-oauth-access-token-not-real';
const GATEWAY = `https://api.atlassian.com/ex/jira/${JIRA_CLOUD_ID}`;

const PRIORITIES = new Set(['Highest', 'High', 'Medium', 'Low', 'Lowest']);
const BLOCKS = new Set([
  'paragraph',
  'heading',
  'bulletList',
  'orderedList',
  'listItem',
  'codeBlock',
  'blockquote',
  'rule',
]);

/** Structural ADF validation: the rules Jira enforces that a client can get wrong. */
export function adfProblem(doc: unknown): string | undefined {
  const d = doc as { type?: unknown; version?: unknown; content?: unknown };
  if (typeof doc === 'string' || d?.type !== 'doc' || d.version !== 1 || !Array.isArray(d.content))
    return 'Operation value must be an Atlassian Document (see the Atlassian Document Format)';
  const node = (n: Record<string, unknown>, at: string): string | undefined => {
    if (n.type === 'text') {
      if (typeof n.text !== 'string' || !n.text) return `${at}: text nodes must have non-empty text`;
      for (const m of (n.marks as { type?: string; attrs?: { href?: string } }[] | undefined) ?? [])
        if (m.type === 'link' && !/^https?:\/\//.test(m.attrs?.href ?? ''))
          return `${at}: link mark needs attrs.href`;
      return undefined;
    }
    if (n.type === 'hardBreak') return undefined;
    if (!BLOCKS.has(String(n.type))) return `${at}: unknown node type ${String(n.type)}`;
    const level = (n.attrs as { level?: number } | undefined)?.level ?? 0;
    if (n.type === 'heading' && !(level >= 1 && level <= 6)) return `${at}: heading level 1–6`;
    const content = (n.content as Record<string, unknown>[] | undefined) ?? [];
    if (
      (n.type === 'bulletList' || n.type === 'orderedList') &&
      (!content.length || content.some((c) => c.type !== 'listItem'))
    )
      return `${at}: lists hold listItems`;
    if (n.type === 'listItem' && (!content.length || content.some((c) => c.type === 'text')))
      return `${at}: listItem holds blocks`;
    for (const [i, c] of content.entries()) {
      const p = node(c, `${at}.content[${i}]`);
      if (p) return p;
    }
    return undefined;
  };
  for (const [i, n] of (d.content as Record<string, unknown>[]).entries()) {
    const p = node(n, `content[${i}]`);
    if (p) return p;
  }
  return undefined;
}

export interface JiraIssue {
  id: string;
  key: string;
  fields: Record<string, unknown> & { labels: string[] };
  status: string;
  comments: { id: string; body: unknown; properties: { key: string; value: unknown }[] }[];
  /** Edits through PUT /rest/api/3/issue/{key}. */
  edits?: number;
}

/** The statuses of the fake workflow and their categories. */
const CATEGORY: Record<string, string> = { 'To Do': 'new', 'In Progress': 'indeterminate', Done: 'done' };

export interface FakeTransition {
  id: string;
  name: string;
  to: string;
  from: string[];
  /** A screen asking for the resolution (required). */
  resolutionScreen?: boolean;
}

const notFound = () =>
  json(404, { errorMessages: ['Issue does not exist or you do not have permission to see it.'], errors: {} });

export class FakeJira implements FakeService {
  readonly issues: JiraIssue[] = [];
  readonly throttle = new Throttle();
  readonly projects = new Set(['OT']);
  /** Projects whose create screen has no Priority field. */
  readonly noPriority = new Set<string>();
  /** Newly created issues stay invisible to search (the eventually consistent /search/jql). */
  searchLag = false;
  /** The next N creates store the issue, then the answer is lost: 502 (ambiguous failure). */
  failAfterWrite = 0;
  /** The project's workflow (Jira's simplified workflow; tests change it). */
  transitions: FakeTransition[] = [
    { id: '11', name: 'To Do', to: 'To Do', from: ['In Progress', 'Done'] },
    { id: '21', name: 'Start Progress', to: 'In Progress', from: ['To Do'] },
    { id: '31', name: 'Done', to: 'Done', from: ['To Do', 'In Progress'] },
  ];
  #id = 10_000;
  #commentId = 20_000;

  handles(url: URL): boolean {
    return url.origin === JIRA_URL || url.href.startsWith(`${GATEWAY}/`);
  }

  handle(raw: FakeRequest): Response {
    // The site takes Basic (email + API token); OAuth 2.0 (3LO) bearer tokens only via the API gateway.
    const viaGateway = raw.url.origin === 'https://api.atlassian.com';
    const req = viaGateway
      ? { ...raw, url: new URL(raw.url.href.replace(GATEWAY, JIRA_URL)), json: raw.json }
      : raw;
    const expected = viaGateway
      ? `Bearer ${JIRA_BEARER}`
      : `Basic ${Buffer.from(`${JIRA_EMAIL}:${JIRA_TOKEN}`).toString('base64')}`;
    if (req.headers.get('authorization') !== expected)
      return json(401, {
        errorMessages: ['You are not authenticated. Authentication required to perform this operation.'],
        errors: {},
      });
    const throttled = this.throttle.take({ errorMessages: ['Rate limit exceeded.'], errors: {} });
    if (throttled) return throttled;
    if (req.url.pathname === '/rest/api/3/search')
      return json(410, {
        errorMessages: [
          'The requested API has been removed. Please migrate to the /rest/api/3/search/jql API.',
        ],
        errors: {},
      });
    if (req.url.pathname === '/rest/api/3/search/jql' && req.method === 'POST') return this.#search(req);
    if (req.url.pathname === '/rest/api/3/issue' && req.method === 'POST') return this.#create(req);
    const m = /^\/rest\/api\/3\/issue\/([^/]+)(?:\/(comment|transitions))?$/.exec(req.url.pathname);
    if (m) {
      const ref = decodeURIComponent(m[1]!);
      const issue = this.issues.find((i) => i.key === ref || i.id === ref);
      if (!issue) return notFound();
      if (!m[2] && req.method === 'GET') return this.#read(req, issue);
      if (!m[2] && req.method === 'PUT') return this.#edit(req, issue);
      if (m[2] === 'comment') return this.#comment(req, issue);
      if (m[2] === 'transitions') return this.#transition(req, issue);
    }
    return json(404, { errorMessages: ['Not found'], errors: {} });
  }

  /** GET an issue: the fields asked for (`fields=status,summary`; all the fake keeps when not asked). */
  #read(req: FakeRequest, issue: JiraIssue): Response {
    const status = { name: issue.status, statusCategory: { key: CATEGORY[issue.status]! } };
    const all: Record<string, unknown> = { ...issue.fields, status };
    const asked = req.url.searchParams.get('fields')?.split(',');
    const fields = asked ? Object.fromEntries(asked.filter((f) => f in all).map((f) => [f, all[f]])) : all;
    return json(200, { id: issue.id, key: issue.key, fields });
  }

  /**
   * Edit issue (PUT /rest/api/3/issue/{key}): `fields` sets the fields named, the others stay; 204 without a body.
   * A field the edit screen does not have is a 400 naming it, as are an invalid summary or priority.
   */
  #edit(req: FakeRequest, issue: JiraIssue): Response {
    const fields = req.json<{ fields?: Record<string, unknown> }>().fields;
    if (!fields || typeof fields !== 'object' || !Object.keys(fields).length)
      return json(400, { errorMessages: ['No fields or updates to set.'], errors: {} });
    const errors: Record<string, string> = {};
    const project = issue.key.split('-')[0]!;
    for (const [name, value] of Object.entries(fields)) {
      if (name === 'summary') {
        if (typeof value !== 'string' || !value) errors.summary = 'You must specify a summary of the issue.';
        else if (value.length > 255) errors.summary = 'Summary must be less than 255 characters.';
        else if (/[\r\n]/.test(value))
          errors.summary = 'The summary is invalid because it contains newline characters.';
      } else if (name === 'priority' && !this.noPriority.has(project)) {
        const priority = (value as { name?: string } | undefined)?.name;
        if (!priority || !PRIORITIES.has(priority)) errors.priority = 'The priority selected is invalid.';
      } else errors[name] = `Field '${name}' cannot be set. It is not on the appropriate screen, or unknown.`;
    }
    if (Object.keys(errors).length) return json(400, { errorMessages: [], errors });
    Object.assign(issue.fields, fields);
    issue.edits = (issue.edits ?? 0) + 1;
    return new Response(null, { status: 204 });
  }

  #comment(req: FakeRequest, issue: JiraIssue): Response {
    if (req.method === 'GET') {
      const props = (req.url.searchParams.get('expand') ?? '').split(',').includes('properties');
      return json(200, {
        startAt: 0,
        maxResults: 100,
        total: issue.comments.length,
        comments: issue.comments.map((c) => ({
          id: c.id,
          body: c.body,
          ...(props ? { properties: c.properties } : {}),
        })),
      });
    }
    if (req.method !== 'POST') return json(405, { errorMessages: ['Method not allowed'], errors: {} });
    const body = req.json<{ body?: unknown; properties?: unknown }>();
    const adf = adfProblem(body.body);
    if (adf) return json(400, { errorMessages: [], errors: { comment: adf } });
    const properties = (body.properties ?? []) as { key?: unknown; value?: unknown }[];
    if (
      !Array.isArray(properties) ||
      properties.some((p) => typeof p.key !== 'string' || !p.key || p.key.length > 255)
    )
      return json(400, {
        errorMessages: ['Property key must be a non-empty string of at most 255 characters.'],
        errors: {},
      });
    const comment = {
      id: String(++this.#commentId),
      body: body.body,
      properties: properties.map((p) => ({ key: p.key as string, value: p.value })),
    };
    issue.comments.push(comment);
    return json(201, { id: comment.id, body: comment.body });
  }

  #transition(req: FakeRequest, issue: JiraIssue): Response {
    const available = this.transitions.filter((t) => t.from.includes(issue.status));
    if (req.method === 'GET') {
      const fields = (req.url.searchParams.get('expand') ?? '').split(',').includes('transitions.fields');
      return json(200, {
        transitions: available.map((t) => ({
          id: t.id,
          name: t.name,
          hasScreen: !!t.resolutionScreen,
          to: { name: t.to, statusCategory: { key: CATEGORY[t.to] } },
          ...(fields
            ? { fields: t.resolutionScreen ? { resolution: { required: true, name: 'Resolution' } } : {} }
            : {}),
        })),
      });
    }
    if (req.method !== 'POST') return json(405, { errorMessages: ['Method not allowed'], errors: {} });
    const body = req.json<{ transition?: { id?: unknown }; fields?: Record<string, unknown> }>();
    const t = available.find((x) => x.id === String(body.transition?.id));
    if (!t)
      return json(400, {
        errorMessages: [`Transition id '${String(body.transition?.id)}' is not valid for this issue.`],
        errors: {},
      });
    const errors: Record<string, string> = {};
    for (const f of Object.keys(body.fields ?? {}))
      if (!(f === 'resolution' && t.resolutionScreen))
        errors[f] = `Field '${f}' cannot be set. It is not on the appropriate screen, or unknown.`;
    const resolution = (body.fields?.resolution as { name?: string } | undefined)?.name;
    if (t.resolutionScreen && !resolution) errors.resolution = 'Resolution is required.';
    if (Object.keys(errors).length) return json(400, { errorMessages: [], errors });
    issue.status = t.to;
    if (resolution) issue.fields.resolution = { name: resolution };
    return new Response(null, { status: 204 });
  }

  #search(req: FakeRequest): Response {
    const { jql } = req.json<{ jql?: string }>();
    const label = /labels\s*=\s*"([^"]+)"/.exec(jql ?? '')?.[1];
    if (!label) return json(400, { errorMessages: ['unsupported JQL in this fake'], errors: {} });
    const visible = this.searchLag ? [] : this.issues;
    return json(200, {
      issues: visible
        .filter((i) => i.fields.labels.includes(label))
        .map((i) => ({ id: i.id, key: i.key, fields: { labels: i.fields.labels } })),
      isLast: true,
    });
  }

  #create(req: FakeRequest): Response {
    const fields = req.json<{ fields?: Record<string, unknown> }>().fields ?? {};
    const errors: Record<string, string> = {};
    const project = (fields.project as { key?: string } | undefined)?.key;
    if (!project || !this.projects.has(project)) errors.project = 'valid project is required';
    if (!(fields.issuetype as { name?: string } | undefined)?.name)
      errors.issuetype = 'valid issue type is required';
    const summary = fields.summary;
    if (typeof summary !== 'string' || !summary) errors.summary = 'You must specify a summary of the issue.';
    else if (summary.length > 255) errors.summary = 'Summary must be less than 255 characters.';
    else if (/[\r\n]/.test(summary))
      errors.summary = 'The summary is invalid because it contains newline characters.';
    const adf = adfProblem(fields.description);
    if (fields.description !== undefined && adf) errors.description = adf;
    const priority = (fields.priority as { name?: string } | undefined)?.name;
    if (fields.priority !== undefined) {
      if (project && this.noPriority.has(project))
        errors.priority = "Field 'priority' cannot be set. It is not on the appropriate screen, or unknown.";
      else if (!priority || !PRIORITIES.has(priority)) errors.priority = `The priority selected is invalid.`;
    }
    const labels = (fields.labels as unknown[] | undefined) ?? [];
    if (labels.some((l) => typeof l !== 'string' || /\s/.test(l)))
      errors.labels = 'The label must not contain spaces.';
    if (Object.keys(errors).length) return json(400, { errorMessages: [], errors });
    const id = String(++this.#id);
    const key = `${project}-${this.issues.length + 1}`;
    this.issues.push({
      id,
      key,
      fields: { ...fields, labels: labels as string[] },
      status: 'To Do',
      comments: [],
    });
    if (this.failAfterWrite > 0) {
      this.failAfterWrite--;
      return json(502, { errorMessages: ['Bad gateway'], errors: {} });
    }
    return json(201, { id, key, self: `${JIRA_URL}/rest/api/3/issue/${id}` });
  }
}
