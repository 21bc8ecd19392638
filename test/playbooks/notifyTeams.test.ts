import { describe, expect, it } from 'vitest';
import type { TeamsMessage } from '../../playbooks/teams/card.js';
import {
  harness,
  incidentOf,
  lyonRow,
  nativeD4IoTIncident,
  rotterdamRow,
} from '../helpers/playbookFixtures.js';

type Card = TeamsMessage['attachments'][number]['content'];
const cardOf = (post: { body: unknown }): Card => (post.body as TeamsMessage).attachments[0]!.content;
const textOf = (card: Card) => JSON.stringify(card.body);

describe('notify-teams', () => {
  it('posts one Adaptive Card with severity, site/zone, assets with Purdue level, techniques, count, times and links', async () => {
    const h = harness();
    const payload = incidentOf([lyonRow()]);
    const id = h.sentinel.seed(payload as never);
    const res = await h.run('notify-teams', payload);
    expect(res.status).toBe(200);
    expect(res.jsonBody).toMatchObject({ playbook: 'notify-teams', result: 'done', incidentNumber: 42 });
    expect(h.teams.posts).toHaveLength(1);
    const body = h.teams.posts[0]!.body as TeamsMessage;
    expect(body.type).toBe('message');
    expect(body.attachments[0]!.contentType).toBe('application/vnd.microsoft.card.adaptive');
    const card = cardOf(h.teams.posts[0]!);
    const text = textOf(card);
    expect(text).toContain('High severity · OT incident #42');
    expect(text).toContain('Lyon / Filling');
    expect(text).toContain('LYN-FIL-PLC-01 (destination) — PLC, Purdue L1, criticality Critical, 10.20.3.21');
    expect(text).toContain('[T0843 Program Download](https://attack.mitre.org/techniques/T0843)');
    expect(text).toContain('2026-11-18 02:10 UTC');
    expect(card.body).toContainEqual({
      type: 'FactSet',
      facts: expect.arrayContaining([{ title: 'Alerts', value: '3' }]),
    });
    expect(card.actions?.[0]).toMatchObject({ type: 'Action.OpenUrl', title: 'Open incident' });
    expect(card.actions?.[0]?.url).toMatch(/^https:\/\/portal\.azure\.com\//);
    // Audit comment on the incident.
    const comments = [...h.sentinel.incident(id).comments.values()];
    expect(comments).toHaveLength(1);
    expect(comments[0]!.message).toMatch(
      /^ot-soc notify-teams: Teams card #1 accepted by the Lyon OT channel's Teams workflow/,
    );
  });

  it('uses IoTDevice entities of native Defender for IoT incidents (device page link, Purdue layer)', async () => {
    const h = harness();
    const payload = nativeD4IoTIncident();
    h.sentinel.seed(payload as never);
    const res = await h.run('notify-teams', payload);
    expect(res.status).toBe(200);
    const card = cardOf(h.teams.posts[0]!);
    expect(textOf(card)).toContain('RTM-PKG-PLC-01 — PLC, Purdue L1, criticality High');
    expect(card.actions?.map((a) => a.title)).toEqual(['Open incident', 'Open RTM-PKG-PLC-01']);
  });

  it('is idempotent: a re-run posts nothing and writes nothing', async () => {
    const h = harness();
    const payload = incidentOf([lyonRow()]);
    h.sentinel.seed(payload as never);
    await h.run('notify-teams', payload);
    const writesBefore = h.writes().length;
    const res = await h.run('notify-teams', payload);
    expect(res.jsonBody).toMatchObject({ result: 'noop', reason: 'unchanged', actions: [] });
    expect(h.teams.posts).toHaveLength(1);
    expect(h.writes()).toHaveLength(writesBefore);
  });

  it('throttles per incident: an update only when severity rises or the count crosses a threshold', async () => {
    const h = harness();
    const first = incidentOf([rotterdamRow({ Count: 12 })]);
    const id = h.sentinel.seed(first as never);
    await h.run('notify-teams', first); // level 10
    await h.run('notify-teams', incidentOf([rotterdamRow({ Count: 57 })])); // still level 10
    expect(h.teams.posts).toHaveLength(1);
    await h.run('notify-teams', incidentOf([rotterdamRow({ Count: 140 })])); // crosses 100
    expect(h.teams.posts).toHaveLength(2);
    expect(textOf(cardOf(h.teams.posts[1]!))).toContain('Update: Alert count reached 100 (now 140)');
    h.sentinel.incident(id).properties.severity = 'High'; // an analyst or rule raised it
    await h.run('notify-teams', incidentOf([rotterdamRow({ Count: 150 })]));
    expect(h.teams.posts).toHaveLength(3);
    expect(textOf(cardOf(h.teams.posts[2]!))).toContain('Severity raised from Medium to High');
    expect(h.sentinel.incident(id).comments.size).toBe(3);
  });

  it('tells a channel that had a card when the incident is closed (how and why), once, and when it is reopened', async () => {
    const h = harness();
    const payload = incidentOf([lyonRow()]);
    const id = h.sentinel.seed(payload as never);
    await h.run('notify-teams', payload);
    const inc = h.sentinel.incident(id).properties;
    Object.assign(inc, {
      status: 'Closed',
      classification: 'BenignPositive',
      classificationReason: 'SuspiciousButExpected',
      classificationComment: 'Planned firmware update by the Lyon OT team, change CHG-1182.',
    });
    const closing = await h.run('notify-teams', payload);
    expect(closing.jsonBody).toMatchObject({ result: 'done' });
    expect(h.teams.posts).toHaveLength(2);
    const card = cardOf(h.teams.posts[1]!);
    const text = textOf(card);
    expect(text).toContain('Closed · High severity · OT incident #42');
    expect(text).toContain('Closed as benign positive (suspicious but expected)');
    expect(text).toContain('Planned firmware update by the Lyon OT team, change CHG-1182.');
    expect(card.body).toContainEqual({
      type: 'FactSet',
      facts: expect.arrayContaining([{ title: 'Status', value: 'Closed' }]),
    });
    // Only that it closed: the assets, techniques and reasons were on the first card.
    expect(text).not.toContain('LYN-FIL-PLC-01');
    expect(text).not.toContain('attack.mitre.org');
    expect(card.actions?.map((a) => a.title)).toEqual(['Open incident']);
    const comments = [...h.sentinel.incident(id).comments.values()].map((c) => c.message);
    expect(comments[1]).toMatch(/^ot-soc notify-teams: Teams card #2 accepted .*\(Closed as benign positive/);
    // Once: another status or alert update of the closed incident sends nothing.
    expect((await h.run('notify-teams', payload)).jsonBody).toMatchObject({
      result: 'noop',
      reason: 'closed',
    });
    expect(h.teams.posts).toHaveLength(2);
    // Reopened: the channel hears it, and a later close is announced again.
    inc.status = 'Active';
    await h.run('notify-teams', payload);
    expect(h.teams.posts).toHaveLength(3);
    expect(textOf(cardOf(h.teams.posts[2]!))).toContain('Reopened: the incident is Active again');
    expect((await h.run('notify-teams', payload)).jsonBody).toMatchObject({
      result: 'noop',
      reason: 'unchanged',
    });
    inc.status = 'Closed';
    await h.run('notify-teams', payload);
    expect(h.teams.posts).toHaveLength(4);
    expect(textOf(cardOf(h.teams.posts[3]!))).toContain('Closed · High severity');
  });

  it('sends no closing card with teams.notifyOnClose off, nor for an incident that never had a card', async () => {
    const { TEST_CONFIG } = await import('../helpers/playbookFixtures.js');
    const h = harness({ ...TEST_CONFIG, teams: { notifyOnClose: false } });
    const payload = incidentOf([lyonRow()]);
    const id = h.sentinel.seed(payload as never);
    await h.run('notify-teams', payload);
    h.sentinel.incident(id).properties.status = 'Closed';
    expect((await h.run('notify-teams', payload)).jsonBody).toMatchObject({
      result: 'noop',
      reason: 'closed',
    });
    expect(h.teams.posts).toHaveLength(1);
  });

  it('two concurrent runs send one card (claimed with an ETag first; the other answers 503 in progress)', async () => {
    const h = harness();
    const payload = incidentOf([lyonRow()]);
    const id = h.sentinel.seed(payload as never);
    const [a, b] = await Promise.all([h.run('notify-teams', payload), h.run('notify-teams', payload)]);
    expect([a.status, b.status].sort()).toEqual([200, 503]);
    expect(h.teams.posts).toHaveLength(1);
    expect(h.sentinel.incident(id).comments.size).toBe(1);
  });

  it('honours the webhook 429 Retry-After and still posts once', async () => {
    const h = harness();
    const payload = incidentOf([lyonRow()]);
    h.sentinel.seed(payload as never);
    h.teams.throttle.next(2, 3);
    const res = await h.run('notify-teams', payload);
    expect(res.status).toBe(200);
    expect(h.sleep.waits).toEqual([3000, 3000]);
    expect(h.teams.posts).toHaveLength(1);
  });

  it('answers 503 + Retry-After when throttled beyond the budget, and the retry then posts', async () => {
    const h = harness();
    const payload = incidentOf([lyonRow()]);
    h.sentinel.seed(payload as never);
    h.teams.throttle.next(1, 90);
    const res = await h.run('notify-teams', payload);
    expect(res.status).toBe(503);
    expect(res.headers).toEqual({ 'retry-after': '90' });
    expect(res.jsonBody).toMatchObject({ error: 'throttled', service: 'teams' });
    expect(h.teams.posts).toHaveLength(0);
    const retry = await h.run('notify-teams', payload);
    expect(retry.status).toBe(200);
    expect(h.teams.posts).toHaveLength(1);
  });

  it('rejects a bad payload with 400 naming the field, and changes nothing', async () => {
    const h = harness();
    const payload = incidentOf([lyonRow()]) as { object: { properties: Record<string, unknown> } };
    h.sentinel.seed(payload as never);
    payload.object.properties.severity = 'Catastrophic';
    const res = await h.run('notify-teams', payload);
    expect(res.status).toBe(400);
    expect(res.jsonBody).toMatchObject({
      error: 'invalid-payload',
      issues: [{ path: 'object.properties.severity' }],
    });
    expect((res.jsonBody as { message: string }).message).toContain('object.properties.severity');
    expect(h.fetch.requests).toHaveLength(0);
    const notJson = await (await import('../../playbooks/handler.js')).handlePlaybook(
      'notify-teams',
      { body: '{oops' },
      h.deps,
    );
    expect(notJson).toMatchObject({ status: 400, jsonBody: { error: 'invalid-json' } });
    const wrongId = await h.run('notify-teams', {
      object: { id: '/subscriptions/x/resourceGroups/y', properties: {} },
    });
    expect((wrongId.jsonBody as { issues: { path: string }[] }).issues.map((i) => i.path)).toContain(
      'object.id',
    );
  });

  it('a missing Sentinel role is a clear 424 and no card is posted', async () => {
    const h = harness();
    const payload = incidentOf([lyonRow()]);
    h.sentinel.seed(payload as never);
    h.sentinel.role = 'none';
    const res = await h.run('notify-teams', payload);
    expect(res.status).toBe(424);
    expect(res.jsonBody).toMatchObject({ error: 'missing-permission', service: 'sentinel' });
    expect((res.jsonBody as { message: string }).message).toContain('Microsoft Sentinel Responder');
    expect(h.teams.posts).toHaveLength(0);
  });

  it('an unset webhook setting is a configuration error naming the setting', async () => {
    const h = harness(undefined, { SNOW_USER: 'x' });
    const payload = incidentOf([lyonRow()]);
    h.sentinel.seed(payload as never);
    const res = await h.run('notify-teams', payload);
    expect(res.status).toBe(500);
    expect((res.jsonBody as { message: string }).message).toContain('OTSOC_TEAMS_WEBHOOK_URL');
    // The claim was given back: configuring it and retrying posts the card.
    expect(h.teams.posts).toHaveLength(0);
  });

  it('a card the workflow rejects is a 424 with its reason; a disabled workflow says so', async () => {
    const h = harness();
    const payload = incidentOf([lyonRow()]);
    h.sentinel.seed(payload as never);
    h.teams.disabled = true;
    const res = await h.run('notify-teams', payload);
    expect(res.status).toBe(424);
    expect((res.jsonBody as { message: string }).message).toMatch(
      /webhook URL is wrong or expired, or the workflow is off/,
    );
  });

  it('skips closed incidents and incidents below the minimum severity', async () => {
    const h = harness({
      ...(await import('../helpers/playbookFixtures.js')).TEST_CONFIG,
      teams: { minSeverity: 'Medium' },
    });
    const low = incidentOf([rotterdamRow({ Severity: 'Low' })], 50);
    h.sentinel.seed(low as never);
    expect((await h.run('notify-teams', low)).jsonBody).toMatchObject({
      result: 'noop',
      reason: 'below-min-severity',
    });
    const closed = incidentOf([lyonRow()], 51);
    const id = h.sentinel.seed(closed as never);
    h.sentinel.incident(id).properties.status = 'Closed';
    expect((await h.run('notify-teams', closed)).jsonBody).toMatchObject({
      result: 'skipped',
      reason: 'incident is closed',
    });
    expect(h.teams.posts).toHaveLength(0);
  });
});
