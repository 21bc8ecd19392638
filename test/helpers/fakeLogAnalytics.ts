/**
 * The Log Analytics query API (`POST https://api.loganalytics.io/v1/workspaces/{customerId}/query`), answering
 * with the local KQL engine over the tables a test gives: bearer token required, the workspace id a GUID the fake
 * knows (else 404 WorkspaceNotFoundError), `{query, timespan?}` as JSON, a query the engine (the official parser
 * and binder) rejects is 400 BadArgumentError, rows come back as `tables[0].columns/rows` arrays with datetimes
 * as ISO strings. So a wrong query or a wrong request fails the test instead of returning canned rows.
 */
import { runQuery } from '../../sentinel/kql/index.js';
import type { KqlTable, KqlValue } from '../../sentinel/kql/types.js';
import { jsonOfKql } from '../../sentinel/tables.js';
import { type FakeRequest, type FakeService, json } from './fakeFetch.js';

export class FakeLogAnalytics implements FakeService {
  readonly queries: string[] = [];
  constructor(
    readonly workspaceId: string,
    /** The workspace's tables at query time. */
    readonly tables: () => Record<string, KqlTable>,
    readonly now: () => Date = () => new Date(),
  ) {}

  handles(url: URL): boolean {
    return url.hostname === 'api.loganalytics.io';
  }

  handle(req: FakeRequest): Response {
    if (!/^Bearer \S+$/.test(req.headers.get('authorization') ?? ''))
      return json(401, {
        error: { code: 'AuthorizationRequiredError', message: 'Valid authentication was not provided' },
      });
    const m = /^\/v1\/workspaces\/([^/]+)\/query$/.exec(req.url.pathname);
    if (req.method !== 'POST' || !m)
      return json(404, { error: { code: 'PathNotFoundError', message: req.url.pathname } });
    if (m[1] !== this.workspaceId)
      return json(404, { error: { code: 'WorkspaceNotFoundError', message: `workspace ${m[1]} not found` } });
    let body: { query?: unknown; timespan?: unknown };
    try {
      body = req.json();
    } catch {
      return json(400, { error: { code: 'BadArgumentError', message: 'body is not JSON' } });
    }
    if (typeof body.query !== 'string' || !body.query.trim())
      return json(400, { error: { code: 'BadArgumentError', message: 'query is required' } });
    if (body.timespan !== undefined && (typeof body.timespan !== 'string' || !/^P/.test(body.timespan)))
      return json(400, { error: { code: 'BadArgumentError', message: `timespan ${String(body.timespan)}` } });
    this.queries.push(body.query);
    // The timespan bounds TimeGenerated as the API does (days are all the playbooks send).
    const days = typeof body.timespan === 'string' ? /^P(\d+)D$/.exec(body.timespan)?.[1] : undefined;
    const now = this.now();
    const from = days ? now.getTime() - Number(days) * 86_400_000 : Number.NEGATIVE_INFINITY;
    const tables = Object.fromEntries(
      Object.entries(this.tables()).map(([name, t]) => [
        name,
        {
          columns: t.columns,
          rows: t.rows.filter((r) => {
            const tg = r.TimeGenerated;
            const ms =
              tg instanceof Date ? tg.getTime() : typeof tg === 'string' ? Date.parse(tg) : Number.NaN;
            return Number.isNaN(ms) || (ms >= from && ms <= now.getTime());
          }),
        },
      ]),
    );
    let result: KqlTable;
    try {
      result = runQuery(body.query, { tables, now });
    } catch (e) {
      return json(400, { error: { code: 'BadArgumentError', message: (e as Error).message } });
    }
    return json(200, {
      tables: [
        {
          name: 'PrimaryResult',
          columns: result.columns.map((c) => ({ name: c.name, type: c.type })),
          rows: result.rows.map((r) =>
            result.columns.map((c) => jsonOfKql(r[c.name] as KqlValue | undefined)),
          ),
        },
      ],
    });
  }
}
