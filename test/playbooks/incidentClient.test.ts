import { describe, expect, it } from 'vitest';
import { DownstreamError } from '../../playbooks/errors.js';
import { parseIncidentArmId } from '../../playbooks/sentinel/armId.js';
import {
  addLabels,
  assignOwner,
  closeIncident,
  createArmIncidentClient,
  SENTINEL_API_VERSION,
} from '../../playbooks/sentinel/incidentClient.js';
import { fakeCredential, fakeFetch, recordingSleep } from '../helpers/fakeFetch.js';
import { FakeSentinel } from '../helpers/fakeSentinel.js';
import { incidentOf, LYON_GROUP, lyonRow } from '../helpers/playbookFixtures.js';

function setup() {
  const sentinel = new FakeSentinel();
  const fetch = fakeFetch(sentinel);
  const sleep = recordingSleep();
  const credential = fakeCredential();
  const client = createArmIncidentClient({ credential, fetch, sleep });
  const trigger = incidentOf([lyonRow()]) as { object: { id: string } };
  sentinel.seed(trigger as never);
  const ref = parseIncidentArmId(trigger.object.id)!;
  return { sentinel, fetch, sleep, credential, client, ref, id: trigger.object.id };
}

describe('Sentinel incident client (ARM, api-version pinned)', () => {
  it('reads with the ARM scope and the pinned api-version', async () => {
    const { client, ref, fetch, credential } = setup();
    const incident = await client.get(ref);
    expect(incident.properties.title).toBe('Unauthorized PLC Programming');
    expect(incident.etag).toBeTruthy();
    expect(credential.scopes).toEqual(['https://management.azure.com/.default']);
    const url = new URL(fetch.requests[0]!.url);
    expect(url.searchParams.get('api-version')).toBe(SENTINEL_API_VERSION);
    expect(SENTINEL_API_VERSION).toBe('2025-09-01');
    expect(url.pathname).toMatch(/\/providers\/Microsoft\.SecurityInsights\/incidents\/[0-9a-f-]{36}$/);
  });

  it('adds labels without dropping existing ones (PUT replaces the array)', async () => {
    const { client, ref, sentinel, id, fetch } = setup();
    sentinel.incident(id).properties.labels = [
      { labelName: 'Existing', labelType: 'User' },
      { labelName: 'Auto', labelType: 'AutoAssigned' },
    ];
    const r = await addLabels(client, ref, ['OT', 'existing']);
    expect(r.changed).toBe(true);
    expect(sentinel.incident(id).properties.labels).toEqual([
      { labelName: 'Existing', labelType: 'User' },
      { labelName: 'Auto', labelType: 'AutoAssigned' },
      { labelName: 'OT', labelType: 'User' },
    ]);
    const put = fetch.requests.find((q) => q.method === 'PUT')!;
    const body = JSON.parse(put.body) as { etag: string; properties: Record<string, unknown> };
    expect(body.etag).toBeTruthy();
    // labelType is read-only: never sent, the service keeps each label's type.
    expect(body.properties.labels).toEqual([
      { labelName: 'Existing' },
      { labelName: 'Auto' },
      { labelName: 'OT' },
    ]);
    // Only the writable set goes out: read-only fields are the service's.
    expect(Object.keys(body.properties)).not.toContain('incidentNumber');
    expect(Object.keys(body.properties)).not.toContain('additionalData');
    expect(body.properties).toMatchObject({
      title: 'Unauthorized PLC Programming',
      severity: 'High',
      status: 'New',
    });
    // Nothing to change → no PUT.
    const again = await addLabels(client, ref, ['OT']);
    expect(again).toMatchObject({ changed: false, attempts: 0 });
    expect(fetch.requests.filter((q) => q.method === 'PUT')).toHaveLength(1);
  });

  it('assigns an Entra group as owner', async () => {
    const { client, ref, sentinel, id } = setup();
    await assignOwner(client, ref, { objectId: LYON_GROUP, ownerType: 'Group', assignedTo: 'OT-Lyon' });
    expect(sentinel.incident(id).properties.owner).toEqual({
      objectId: LYON_GROUP,
      ownerType: 'Group',
      assignedTo: 'OT-Lyon',
    });
  });

  it('closes with classification, reason and comment; refuses pairs the service rejects', async () => {
    const { client, ref, sentinel, id } = setup();
    await expect(
      closeIncident(client, ref, { classification: 'BenignPositive', classificationComment: 'x' }),
    ).rejects.toThrow(/BenignPositive cannot have reason \(none\)/);
    await closeIncident(client, ref, {
      classification: 'FalsePositive',
      classificationReason: 'InaccurateData',
      classificationComment: 'sensor misread',
    });
    expect(sentinel.incident(id).properties).toMatchObject({
      status: 'Closed',
      classification: 'FalsePositive',
      classificationReason: 'InaccurateData',
      classificationComment: 'sensor misread',
    });
  });

  it('retries a 409 (stale etag) by re-reading and re-applying, keeping the concurrent edit', async () => {
    const { client, ref, sentinel, id, fetch } = setup();
    // An analyst adds a label between our GET and PUT, twice.
    sentinel.concurrentEdit((p) => {
      p.labels = [...((p.labels as object[]) ?? []), { labelName: 'analyst', labelType: 'User' }];
    }, 2);
    const r = await addLabels(client, ref, ['OT']);
    expect(r).toMatchObject({ changed: true, attempts: 3 });
    expect(fetch.requests.filter((q) => q.method === 'PUT')).toHaveLength(3);
    const names = (sentinel.incident(id).properties.labels as { labelName: string }[]).map(
      (l) => l.labelName,
    );
    expect(names).toEqual(['analyst', 'analyst', 'OT']);
  });

  it('gives up on endless conflicts with a transient conflict error', async () => {
    const { sentinel, ref } = setup();
    const fetch = fakeFetch(sentinel);
    const client = createArmIncidentClient({
      credential: fakeCredential(),
      fetch,
      sleep: recordingSleep(),
      maxConflictRetries: 3,
    });
    sentinel.concurrentEdit((p) => {
      p.description = 'edited';
    }, 10);
    const e = await addLabels(client, ref, ['OT']).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(DownstreamError);
    expect(e).toMatchObject({ code: 'conflict', status: 409, transient: true });
  });

  it('honours 429 Retry-After exactly', async () => {
    const { client, ref, sentinel, sleep } = setup();
    sentinel.throttle.next(2, 7);
    const incident = await client.get(ref);
    expect(incident.properties.incidentNumber).toBe(42);
    expect(sleep.waits).toEqual([7000, 7000]);
  });

  it('ends a throttle longer than the in-process budget with a throttled error carrying the wait', async () => {
    const { client, ref, sentinel } = setup();
    sentinel.throttle.next(1, 120);
    await expect(client.get(ref)).rejects.toMatchObject({
      code: 'throttled',
      retryAfterMs: 120_000,
      transient: true,
    });
  });

  it('names the missing role on 403 and the workspace on 404', async () => {
    const { client, ref, sentinel } = setup();
    sentinel.role = 'reader';
    await client.get(ref); // reading is allowed to a Reader
    const e = (await addLabels(client, ref, ['OT']).catch((x: unknown) => x)) as DownstreamError;
    expect(e.code).toBe('missing-permission');
    expect(e.message).toContain('Microsoft Sentinel Responder');
    expect(e.message).toContain(ref.workspace);
    const missing = parseIncidentArmId(
      ref.armId.replace(/[0-9a-f-]{36}$/, '00000000-0000-0000-0000-00000000dead'),
    )!;
    sentinel.role = 'responder';
    await expect(client.get(missing)).rejects.toMatchObject({
      code: 'not-found',
      message: expect.stringContaining('deleted'),
    });
  });

  it('writes comments under the given id once (a retry does not duplicate)', async () => {
    const { client, ref, sentinel, id } = setup();
    expect(await client.addComment(ref, 'c-1', 'hello <b>world</b>')).toEqual({ created: true });
    expect(await client.addComment(ref, 'c-1', 'hello again')).toEqual({ created: false });
    const comments = sentinel.incident(id).comments;
    expect(comments.size).toBe(1);
    // Sentinel renders HTML in comments: no tags get through.
    expect(comments.get('c-1')!.message).toBe('hello ‹b›world‹/b›');
  });

  it('the fake enforces full-PUT semantics: a PUT without title/severity/status is a 400', async () => {
    const { sentinel, id, fetch } = setup();
    const res = await fetch(`https://management.azure.com${id}?api-version=2025-09-01`, {
      method: 'PUT',
      headers: { authorization: 'Bearer x' },
      body: JSON.stringify({ properties: { labels: [{ labelName: 'x' }] } }),
    });
    expect(res.status).toBe(400);
    expect(sentinel.incident(id).properties.labels).toEqual([]);
  });
});
