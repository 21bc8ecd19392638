import { describe, expect, it } from 'vitest';
import { parsePlaybookConfig } from '../../playbooks/config.js';
import { aggregateFacts, alertFactsFromRecord } from '../../playbooks/facts.js';
import { parseIncidentTrigger } from '../../playbooks/payload.js';
import { otReasons } from '../../playbooks/reassignOt.js';
import {
  FILLING_GROUP,
  harness,
  incidentOf,
  LYON_GROUP,
  lyonRow,
  nativeD4IoTIncident,
  ROTTERDAM_GROUP,
  rotterdamRow,
  TEST_CONFIG,
} from '../helpers/playbookFixtures.js';

const body = (r: { jsonBody: unknown }) =>
  r.jsonBody as { result: string; actions: string[]; reason?: string; message?: string; notes: string[] };

describe('reassign-ot', () => {
  it('assigns the site OT team group, labels OT, raises severity by criticality and comments the asset context', async () => {
    const h = harness();
    const payload = incidentOf([rotterdamRow()]); // Medium, asset criticality High → at least Medium
    const id = h.sentinel.seed(payload as never);
    h.sentinel.incident(id).properties.labels = [{ labelName: 'Storm', labelType: 'User' }];
    const res = await h.run('reassign-ot', payload);
    expect(res.status).toBe(200);
    const p = h.sentinel.incident(id).properties;
    expect(p.owner).toEqual({ objectId: ROTTERDAM_GROUP, ownerType: 'Group', assignedTo: 'OT-Rotterdam' });
    expect((p.labels as { labelName: string }[]).map((l) => l.labelName)).toEqual(['Storm', 'OT']);
    expect(p.severity).toBe('Medium');
    expect(body(res).actions).toEqual([
      'added label OT',
      'assigned to OT team OT-Rotterdam',
      'added asset context comment',
    ]);
    const comment = [...h.sentinel.incident(id).comments.values()][0]!.message;
    expect(comment).toContain(
      'OT incident (asset at Purdue level 1 (≤ 3); ICS tactic ImpairProcessControl; OT sensors rtm-pkg-sensor-01, rtm-pkg-sensor-02)',
    );
    expect(comment).toContain('RTM-PKG-PLC-01 (destination): PLC, Purdue L1, criticality High, 10.10.2.21');
    expect(comment).toContain('Owner: OT team OT-Rotterdam (site Rotterdam)');
  });

  it('prefers the zone team from the asset inventory when its group is known, and raises Critical to High', async () => {
    const h = harness({ ...TEST_CONFIG, groupIds: { 'OT-Lyon-Filling': FILLING_GROUP } });
    const payload = incidentOf([lyonRow({ Severity: 'Medium' })]);
    const id = h.sentinel.seed(payload as never);
    const res = await h.run('reassign-ot', payload);
    const p = h.sentinel.incident(id).properties;
    expect(p.owner).toMatchObject({
      objectId: FILLING_GROUP,
      ownerType: 'Group',
      assignedTo: 'OT-Lyon-Filling',
    });
    expect(p.severity).toBe('High');
    expect(body(res).actions).toContain('raised severity Medium → High');
    expect([...h.sentinel.incident(id).comments.values()][0]!.message).toContain(
      'Severity raised from Medium to High for asset criticality Critical.',
    );
  });

  it('resolves a group by display name through the directory (Graph) and falls back to the site team', async () => {
    const h = harness();
    const payload = incidentOf([lyonRow()]);
    const id = h.sentinel.seed(payload as never);
    const res = await h.run('reassign-ot', payload);
    // OT-Lyon-Filling is unknown to the directory → the site's configured group id.
    expect((h.deps.directory as unknown as { lookups: string[] }).lookups).toEqual(['OT-Lyon-Filling']);
    expect(h.sentinel.incident(id).properties.owner).toMatchObject({ objectId: LYON_GROUP });
    expect(body(res).notes).toContain('no Entra group named "OT-Lyon-Filling" (asset inventory)');
  });

  it('recognises native Defender for IoT incidents (ICS tactic, product, IoTDevice entity)', async () => {
    const h = harness();
    const payload = nativeD4IoTIncident();
    const id = h.sentinel.seed(payload as never);
    const res = await h.run('reassign-ot', payload);
    expect(body(res).reason).toContain('ICS tactic InhibitResponseFunction');
    expect(body(res).reason).toContain('raised by Azure Security Center for IoT');
    expect(body(res).reason).toContain('Defender for IoT device entities');
    expect(h.sentinel.incident(id).properties.owner).toMatchObject({ objectId: ROTTERDAM_GROUP });
    // The AutoAssigned label Sentinel put there survives our PUT.
    expect(
      (h.sentinel.incident(id).properties.labels as { labelName: string }[]).map((l) => l.labelName),
    ).toEqual(['IoT', 'OT']);
  });

  it('keeps an analyst who already owns the incident (unless configured otherwise)', async () => {
    const h = harness();
    const payload = incidentOf([rotterdamRow()]);
    const id = h.sentinel.seed(payload as never);
    const analyst = {
      objectId: '0c9d8e7f-6a5b-4c3d-2e1f-0a9b8c7d6e5f',
      ownerType: 'User',
      assignedTo: 'Anna Analyst',
    };
    h.sentinel.incident(id).properties.owner = analyst;
    const res = await h.run('reassign-ot', payload);
    expect(h.sentinel.incident(id).properties.owner).toEqual(analyst);
    expect(body(res).notes).toContainEqual(expect.stringMatching(/^kept owner Anna Analyst/));
  });

  it('is idempotent: a re-run changes nothing', async () => {
    const h = harness();
    const payload = incidentOf([rotterdamRow()]);
    h.sentinel.seed(payload as never);
    await h.run('reassign-ot', payload);
    const before = h.writes().length;
    const again = await h.run('reassign-ot', payload);
    expect(body(again)).toMatchObject({ result: 'noop', actions: [] });
    expect(h.writes()).toHaveLength(before);
  });

  it('skips incidents that are not OT', async () => {
    const h = harness();
    const it = incidentOf(
      [{ AlertId: undefined, AlertTitle: 'Impossible travel', Severity: 'Medium' }],
      90,
    ) as {
      object: {
        properties: {
          Alerts: { properties: { productName: string } }[];
          additionalData: { alertProductNames: string[] };
        };
      };
    };
    it.object.properties.Alerts[0]!.properties.productName = 'Microsoft Entra ID Protection';
    h.sentinel.seed(it as never);
    expect(body(await h.run('reassign-ot', it))).toMatchObject({
      result: 'skipped',
      reason: 'not an OT incident',
    });
  });

  it('retries on a 409 conflict and succeeds, keeping the other writer’s change', async () => {
    const h = harness();
    const payload = incidentOf([rotterdamRow()]);
    const id = h.sentinel.seed(payload as never);
    h.sentinel.concurrentEdit((p) => {
      p.description = 'edited by an analyst';
    });
    const res = await h.run('reassign-ot', payload);
    expect(res.status).toBe(200);
    expect(h.sentinel.incident(id).properties).toMatchObject({
      description: 'edited by an analyst',
      owner: { objectId: ROTTERDAM_GROUP },
    });
  });

  it('honours 429 Retry-After from ARM', async () => {
    const h = harness();
    const payload = incidentOf([rotterdamRow()]);
    h.sentinel.seed(payload as never);
    h.sentinel.throttle.next(3, 2);
    const res = await h.run('reassign-ot', payload);
    expect(res.status).toBe(200);
    expect(h.sleep.waits.slice(0, 3)).toEqual([2000, 2000, 2000]);
  });

  it('a bad payload is a 400 naming the field; nothing changes', async () => {
    const h = harness();
    const payload = incidentOf([rotterdamRow()]) as { object: { properties: Record<string, unknown> } };
    h.sentinel.seed(payload as never);
    payload.object.properties.incidentNumber = 'forty-two';
    const res = await h.run('reassign-ot', payload);
    expect(res.status).toBe(400);
    expect(body(res).message).toContain('object.properties.incidentNumber');
    expect(h.fetch.requests).toHaveLength(0);
  });

  it('missing permission is a clear 424; Graph 403 names the permission', async () => {
    const h = harness();
    const payload = incidentOf([rotterdamRow()]);
    h.sentinel.seed(payload as never);
    h.sentinel.role = 'reader';
    const res = await h.run('reassign-ot', payload);
    expect(res.status).toBe(424);
    expect(body(res).message).toContain('Microsoft Sentinel Responder');

    h.sentinel.role = 'responder';
    const { DownstreamError } = await import('../../playbooks/errors.js');
    h.deps.directory = {
      groupIdByName: async () => {
        throw new DownstreamError(
          'graph',
          'missing-permission',
          'Graph denied reading groups (403): grant the managed identity GroupMember.Read.All, or configure otTeam.groupId',
          403,
        );
      },
    };
    const graph = await h.run('reassign-ot', payload);
    expect(graph.status).toBe(424);
    expect(body(graph).message).toContain('GroupMember.Read.All');
  });
});

describe('OT detection', () => {
  const cfg = parsePlaybookConfig({}).reassign;
  const parsed = parseIncidentTrigger(incidentOf([]));
  if (!parsed.ok) throw new Error('fixture');
  const facts = (rec: Record<string, unknown>) => aggregateFacts(parsed.trigger, [alertFactsFromRecord(rec)]);

  it.each([
    [{ PurdueLevel: 'Level 2', DestinationAssetName: 'HMI' }, 'asset at Purdue level 2 (≤ 3)'],
    [{ PurdueLevel: 4, SourceName: 'erp' }, undefined],
    [{ Tactics: ['InhibitResponseFunction'] }, 'ICS tactic InhibitResponseFunction'],
    [{ Sensors: ['rtm-pkg-sensor-01'] }, 'OT sensors rtm-pkg-sensor-01'],
    [{ AlertId: 'g1' }, 'ot-soc OT alert groups'],
    [{ AlertTitle: 'x' }, undefined],
  ])('%j → %s', (rec, reason) => {
    const reasons = otReasons(facts(rec), {}, cfg);
    if (reason) expect(reasons).toContain(reason);
    else expect(reasons).toEqual([]);
  });
});
