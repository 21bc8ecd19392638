/**
 * Microsoft Sentinel incidents over ARM, as the 2025-09-01 REST contract and observed service behaviour say
 * (docs/contracts.md#sentinel-incidents-automation-rules-and-playbooks): bearer token required; api-version
 * pinned; GET returns an etag; PUT is a full replacement of the writable properties (title, severity and status
 * required: a PUT missing one is a 400, and whatever a PUT omits is gone); a stale etag is 409 "Newer version
 * of resource … exists"; closing needs a classification and (except Undetermined) a valid reason; comments live
 * under client-chosen ids. A role flag turns the identity into a Reader (writes 403) or nobody (everything
 * 403). Defender for IoT alerts (2021-07-01-preview GET/PATCH) are served by the same host.
 */
import { randomUUID } from 'node:crypto';
import type { IncidentTrigger } from '../../playbooks/payload.js';
import { type FakeRequest, type FakeService, json, Throttle } from './fakeFetch.js';

const INCIDENT =
  /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.OperationalInsights\/workspaces\/([^/]+)\/providers\/Microsoft\.SecurityInsights\/incidents\/([^/]+)(?:\/comments\/([^/]+))?$/i;
const D4IOT_ALERT =
  /\/providers\/Microsoft\.IoTSecurity\/locations\/[^/]+\/deviceGroups\/[^/]+\/alerts\/[^/]+$/i;

const WRITABLE = [
  'title',
  'description',
  'severity',
  'status',
  'classification',
  'classificationReason',
  'classificationComment',
  'owner',
  'labels',
  'firstActivityTimeUtc',
  'lastActivityTimeUtc',
];
const READ_ONLY = [
  'incidentNumber',
  'incidentUrl',
  'createdTimeUtc',
  'lastModifiedTimeUtc',
  'additionalData',
  'relatedAnalyticRuleIds',
  'providerName',
  'providerIncidentId',
];
const REASONS: Record<string, (string | undefined)[]> = {
  TruePositive: ['SuspiciousActivity'],
  BenignPositive: ['SuspiciousButExpected'],
  FalsePositive: ['IncorrectAlertLogic', 'InaccurateData'],
  Undetermined: [undefined],
};

type Props = Record<string, unknown>;
interface Stored {
  id: string;
  name: string;
  etag: string;
  properties: Props;
  comments: Map<string, { message: string; createdTimeUtc: string }>;
}

const err = (status: number, code: string, message: string) => json(status, { error: { code, message } });

export class FakeSentinel implements FakeService {
  readonly incidents = new Map<string, Stored>();
  readonly d4iotAlerts = new Map<string, { properties: { status: string; severity: string } }>();
  /** 'responder' may do everything the playbooks need; 'reader' only reads; 'none' nothing. */
  role: 'responder' | 'reader' | 'none' = 'responder';
  d4iotRole: 'admin' | 'none' = 'admin';
  readonly throttle = new Throttle();
  /** Before the next N PUTs, someone else edits the incident (the PUT then carries a stale etag). */
  #concurrentEdits: ((p: Props) => void)[] = [];
  #etag = 0;

  handles(url: URL): boolean {
    return url.hostname === 'management.azure.com';
  }

  /** Registers the incident as Sentinel has it (the trigger's `object`, without the expanded alerts/entities). */
  seed(trigger: IncidentTrigger | Record<string, unknown>): string {
    const object = (trigger as IncidentTrigger).object;
    const { Alerts: _a, relatedEntities: _e, ...properties } = object.properties;
    this.incidents.set(object.id.toLowerCase(), {
      id: object.id,
      name: object.name ?? object.id.split('/').pop()!,
      etag: this.#nextEtag(),
      properties: JSON.parse(JSON.stringify(properties)) as Props,
      comments: new Map(),
    });
    return object.id;
  }

  seedD4IoTAlert(path: string, status = 'New'): void {
    this.d4iotAlerts.set(path.toLowerCase(), { properties: { status, severity: 'High' } });
  }

  incident(armId: string): Stored {
    const s = this.incidents.get(armId.toLowerCase());
    if (!s) throw new Error(`no incident ${armId}`);
    return s;
  }

  /** The next `n` PUTs find the incident changed by someone else (e.g. an analyst adding a label). */
  concurrentEdit(edit: (p: Props) => void, n = 1): void {
    for (let i = 0; i < n; i++) this.#concurrentEdits.push(edit);
  }

  #nextEtag(): string {
    return `"${(++this.#etag).toString(16).padStart(8, '0')}-0000-0000-0000-000000000000"`;
  }

  #resource(s: Stored) {
    return {
      id: s.id,
      name: s.name,
      etag: s.etag,
      type: 'Microsoft.SecurityInsights/Incidents',
      properties: s.properties,
    };
  }

  handle(req: FakeRequest): Response {
    if (!/^Bearer \S+$/.test(req.headers.get('authorization') ?? ''))
      return err(401, 'AuthenticationFailed', 'Authentication failed. The Authorization header is missing.');
    const throttled = this.throttle.take();
    if (throttled) return throttled;
    const path = decodeURIComponent(req.url.pathname);
    if (D4IOT_ALERT.test(path)) return this.#d4iot(req, path);
    const m = INCIDENT.exec(path);
    if (!m) return err(404, 'NotFound', `no route ${path}`);
    if (req.url.searchParams.get('api-version') !== '2025-09-01')
      return err(
        400,
        'InvalidApiVersionParameter',
        `api-version '${req.url.searchParams.get('api-version')}' is not pinned to 2025-09-01 in this fake`,
      );
    const write = req.method !== 'GET';
    if (this.role === 'none' || (write && this.role === 'reader'))
      return err(
        403,
        'AuthorizationFailed',
        `The client 'fake-mi' does not have authorization to perform action 'Microsoft.SecurityInsights/incidents/${write ? 'write' : 'read'}' over scope '${path}'`,
      );
    const incidentPath = path.replace(/\/comments\/[^/]+$/, '').toLowerCase();
    const stored = this.incidents.get(incidentPath);
    if (!stored) return err(404, 'NotFound', `Incident ${m[4]} was not found`);
    const commentId = m[5];
    if (commentId) return this.#comment(req, stored, commentId);
    if (req.method === 'GET') return json(200, this.#resource(stored));
    if (req.method === 'PUT') return this.#put(req, stored);
    return err(405, 'MethodNotAllowed', `${req.method} is not supported on incidents (there is no PATCH)`);
  }

  #put(req: FakeRequest, stored: Stored): Response {
    const edit = this.#concurrentEdits.shift();
    if (edit) {
      edit(stored.properties);
      stored.etag = this.#nextEtag();
    }
    let body: { etag?: string; properties?: Props };
    try {
      body = req.json();
    } catch {
      return err(400, 'BadRequest', 'body is not JSON');
    }
    const p = body.properties;
    if (!p) return err(400, 'BadRequest', "'properties' is required");
    for (const k of ['title', 'severity', 'status'])
      if (p[k] === undefined || p[k] === null || p[k] === '')
        return err(400, 'BadRequest', `The ${k} field is required.`);
    if (!['High', 'Medium', 'Low', 'Informational'].includes(String(p.severity)))
      return err(400, 'BadRequest', `severity '${p.severity}' is not valid`);
    if (!['New', 'Active', 'Closed'].includes(String(p.status)))
      return err(400, 'BadRequest', `status '${p.status}' is not valid`);
    if (p.status === 'Closed') {
      if (!p.classification) return err(400, 'BadRequest', 'Closing an incident requires a classification');
      const allowed = REASONS[String(p.classification)];
      if (!allowed) return err(400, 'BadRequest', `classification '${p.classification}' is not valid`);
      if (!allowed.includes(p.classificationReason as string | undefined))
        return err(400, 'BadRequest', `classification '${p.classification}' must have classificationReason.`);
    }
    const owner = p.owner as { ownerType?: string; objectId?: string } | undefined;
    if (owner?.ownerType && !['Unknown', 'User', 'Group'].includes(owner.ownerType))
      return err(400, 'BadRequest', 'ownerType is not valid');
    if (owner?.objectId && !/^[0-9a-f-]{36}$/i.test(owner.objectId))
      return err(400, 'BadRequest', 'owner.objectId must be a uuid');
    if (body.etag !== undefined && body.etag !== stored.etag)
      return err(409, 'Conflict', `Newer version of resource '${stored.name}' exists. Data was not saved`);
    // Full replacement: only what the PUT carries survives, plus the service's read-only fields.
    const next: Props = {};
    for (const k of READ_ONLY) if (stored.properties[k] !== undefined) next[k] = stored.properties[k];
    for (const k of WRITABLE) if (p[k] !== undefined) next[k] = p[k];
    // labelType is read-only: a label keeps the type it has, a new one is a User label.
    const typeOf = new Map(
      ((stored.properties.labels as { labelName: string; labelType?: string }[] | undefined) ?? []).map(
        (l) => [l.labelName.toLowerCase(), l.labelType],
      ),
    );
    if (Array.isArray(next.labels))
      next.labels = (next.labels as { labelName: string }[]).map((l) => ({
        labelName: l.labelName,
        labelType: typeOf.get(l.labelName.toLowerCase()) ?? 'User',
      }));
    next.lastModifiedTimeUtc = new Date().toISOString();
    stored.properties = next;
    stored.etag = this.#nextEtag();
    return json(200, this.#resource(stored));
  }

  #comment(req: FakeRequest, stored: Stored, id: string): Response {
    const existing = stored.comments.get(id);
    if (req.method === 'GET')
      return existing
        ? json(200, { id: `${stored.id}/comments/${id}`, name: id, properties: existing })
        : err(404, 'NotFound', `Comment ${id} was not found`);
    if (req.method !== 'PUT') return err(405, 'MethodNotAllowed', req.method);
    const message = (req.json() as { properties?: { message?: string } }).properties?.message;
    if (!message) return err(400, 'BadRequest', "The 'message' field is required.");
    if (message.length > 30_000) return err(400, 'BadRequest', 'message is too long');
    const value = { message, createdTimeUtc: existing?.createdTimeUtc ?? new Date().toISOString() };
    stored.comments.set(id, value);
    return json(existing ? 200 : 201, {
      id: `${stored.id}/comments/${id}`,
      name: id,
      etag: `"${randomUUID()}"`,
      properties: value,
    });
  }

  #d4iot(req: FakeRequest, path: string): Response {
    if (req.url.searchParams.get('api-version') !== '2021-07-01-preview')
      return err(400, 'InvalidApiVersionParameter', 'bad api-version');
    if (this.d4iotRole === 'none')
      return err(
        403,
        'AuthorizationFailed',
        "does not have authorization to perform action 'Microsoft.IoTSecurity/locations/deviceGroups/alerts/write'",
      );
    const alert = this.d4iotAlerts.get(path.toLowerCase());
    if (!alert) return err(404, 'NotFound', 'alert not found');
    if (req.method === 'GET') return json(200, { id: path, properties: alert.properties });
    if (req.method !== 'PATCH') return err(405, 'MethodNotAllowed', req.method);
    const status = (req.json() as { properties?: { status?: string } }).properties?.status;
    if (!status || !['New', 'InProgress', 'Closed'].includes(status))
      return err(400, 'BadRequest', `status '${status}' is not valid`);
    alert.properties.status = status;
    return json(200, { id: path, properties: alert.properties });
  }

  /** Requests that wrote (PUT/PATCH), for "nothing new" assertions. */
  static writes(requests: { method: string; url: string }[]): { method: string; url: string }[] {
    return requests.filter((r) => r.method !== 'GET' && new URL(r.url).hostname === 'management.azure.com');
  }
}
