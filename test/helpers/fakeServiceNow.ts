/**
 * A ServiceNow instance's Table API for incidents (docs/contracts.md#servicenow): Basic or bearer auth
 * (401 `{error:{message,detail},status:'failure'}` otherwise), POST → 201 `{result:{sys_id, number, …}}` with
 * Location, GET with `sysparm_query=correlation_id=…` → `{result:[…]}` — including the documented quirk that an
 * unknown field in the query is ignored and everything matches — and 429 with Retry-After when throttled.
 * GET/PATCH of one record by sys_id (404 `No Record found`); the base incident rules a resolve meets: a
 * `close_code` that is not one of the choices is dropped, the data policy that makes the resolution code and
 * notes mandatory for Resolved (6) and Closed (7) answers 403, and only itil_admin may close (7): the
 * integration user (itil) gets 403 for it.
 */
import { randomBytes } from 'node:crypto';
import { type FakeRequest, type FakeService, json, Throttle } from './fakeFetch.js';

export const SNOW_URL = 'https://contoso.service-now.com';
export const SNOW_USER = 'svc-otsoc';
export const SNOW_PASSWORD = 'pa55-not-real';

const FIELDS = new Set([
  'short_description',
  'description',
  'urgency',
  'impact',
  'category',
  'subcategory',
  'assignment_group',
  'caller_id',
  'correlation_id',
  'correlation_display',
  'number',
  'sys_id',
  'state',
  'close_code',
  'close_notes',
]);

const STATES = new Set(['1', '2', '3', '6', '7', '8']);
/** The base instance's incident close codes (sys_choice incident.close_code, since Utah). */
export const CLOSE_CODES = new Set([
  'Duplicate',
  'Known error',
  'No resolution provided',
  'Resolved by caller',
  'Resolved by change',
  'Resolved by problem',
  'Resolved by request',
  'Solution provided',
  'Workaround provided',
  'User error',
]);
const failure = (status: number, message: string, detail: string) =>
  json(status, { error: { message, detail }, status: 'failure' });

/** sys_id of the "OT Security" group in sys_user_group. */
export const SNOW_OT_GROUP_ID = '5b1c0ffee0ddba11ad5eb01dfacade42';

export class FakeServiceNow implements FakeService {
  readonly records: Record<string, string>[] = [];
  /** sys_user_group: name → sys_id. */
  readonly groups = new Map([['OT Security', SNOW_OT_GROUP_ID]]);
  readonly throttle = new Throttle();
  /** The next N creates commit the record, then the answer is lost: 504 from the gateway (ambiguous failure). */
  failAfterWrite = 0;
  #number = 10_000;

  handles(url: URL): boolean {
    return url.origin === SNOW_URL;
  }

  handle(req: FakeRequest): Response {
    const expected = `Basic ${Buffer.from(`${SNOW_USER}:${SNOW_PASSWORD}`).toString('base64')}`;
    if (req.headers.get('authorization') !== expected)
      return json(401, {
        error: { message: 'User Not Authenticated', detail: 'Required to provide Auth information' },
        status: 'failure',
      });
    const throttled = this.throttle.take({
      error: { message: 'Too Many Requests', detail: 'rate limit' },
      status: 'failure',
    });
    if (throttled) return throttled;
    if (req.url.pathname === '/api/now/table/sys_user_group' && req.method === 'GET') {
      const [field, value] = (req.url.searchParams.get('sysparm_query') ?? '').split('=', 2);
      const rows = [...this.groups].map(([name, sys_id]) => ({ name, sys_id }));
      return json(200, { result: field === 'name' ? rows.filter((r) => r.name === value) : rows });
    }
    const one = /^\/api\/now\/table\/incident\/([0-9a-f]{32})$/.exec(req.url.pathname);
    if (one) return this.#record(req, one[1]!);
    if (req.url.pathname !== '/api/now/table/incident')
      return json(400, { error: { message: 'Invalid table' }, status: 'failure' });
    if (req.method === 'GET') {
      const q = req.url.searchParams.get('sysparm_query') ?? '';
      const limit = Number(req.url.searchParams.get('sysparm_limit') ?? '10000');
      const [field, value] = q.split('=', 2) as [string, string | undefined];
      // Documented: an invalid part of the query is ignored, so an unknown field matches every record.
      const rows =
        FIELDS.has(field) && value !== undefined
          ? this.records.filter((r) => r[field] === value)
          : this.records;
      return json(200, { result: rows.slice(0, limit) });
    }
    if (req.method === 'POST') {
      const body = req.json<Record<string, unknown>>();
      if (typeof body.short_description !== 'string' || !body.short_description)
        return json(400, { error: { message: 'short_description is mandatory' }, status: 'failure' });
      for (const k of ['urgency', 'impact'])
        if (body[k] !== undefined && !['1', '2', '3'].includes(String(body[k])))
          return json(400, { error: { message: `${k} must be 1, 2 or 3` }, status: 'failure' });
      // assignment_group is a reference field: a value that is not a group's sys_id is silently not set.
      if (
        body.assignment_group !== undefined &&
        ![...this.groups.values()].includes(String(body.assignment_group))
      )
        body.assignment_group = '';
      const sys_id = randomBytes(16).toString('hex');
      const record = {
        ...Object.fromEntries(Object.entries(body).map(([k, v]) => [k, String(v)])),
        sys_id,
        number: `INC00${++this.#number}`,
        state: '1',
      };
      this.records.push(record);
      if (this.failAfterWrite > 0) {
        this.failAfterWrite--;
        return new Response('<html><body>504 Gateway Time-out</body></html>', { status: 504 });
      }
      return json(201, { result: record }, { location: `${SNOW_URL}/api/now/table/incident/${sys_id}` });
    }
    return json(405, { error: { message: 'Method not allowed' }, status: 'failure' });
  }

  /** One record: GET (sysparm_fields honoured) and PATCH (unknown fields ignored, as the Table API does). */
  #record(req: FakeRequest, sysId: string): Response {
    const record = this.records.find((r) => r.sys_id === sysId);
    if (!record)
      return failure(404, 'No Record found', "Record doesn't exist or ACL restricts the record retrieval");
    if (req.method === 'GET') {
      const fields = req.url.searchParams.get('sysparm_fields')?.split(',');
      return json(200, {
        result: fields ? Object.fromEntries(fields.map((f) => [f, record[f] ?? ''])) : record,
      });
    }
    if (req.method !== 'PATCH') return failure(405, 'Method not allowed', req.method);
    const body = req.json<Record<string, unknown>>();
    const next = { ...record };
    for (const [k, v] of Object.entries(body)) if (FIELDS.has(k)) next[k] = String(v);
    if (next.close_code && !CLOSE_CODES.has(next.close_code)) next.close_code = '';
    if (!STATES.has(next.state!)) return failure(400, 'Invalid state', `no choice ${next.state} for state`);
    if (next.state === '7' && record.state !== '7')
      return failure(403, 'Operation Failed', 'ACL Exception Update Failed due to security constraints');
    const missing = [
      ...(next.close_code ? [] : ['Resolution code']),
      ...(next.close_notes ? [] : ['Resolution notes']),
    ];
    if ((next.state === '6' || next.state === '7') && missing.length)
      return failure(
        403,
        'Operation Failed',
        `Data Policy Exception: \n The following fields are mandatory: ${missing.join(', ')}`,
      );
    Object.assign(record, next);
    return json(200, { result: record });
  }
}
