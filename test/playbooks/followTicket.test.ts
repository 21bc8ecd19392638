/**
 * A ticket follows its incident's title and severity: reassign-ot names an attack chain's incident after its steps
 * as they arrive and rules or analysts raise the severity, and the OT engineers work from the ticket. create-ticket
 * (run again on alerts added and severity changes) brings an open ticket's summary and priority in line, through
 * the playbook handler with the real ServiceNow and Jira clients against fakes that enforce the services' edit
 * contracts (ServiceNow Table API PATCH, Jira edit issue PUT with its edit screen).
 */
import { describe, expect, it } from 'vitest';
import { JIRA_URL } from '../helpers/fakeJira.js';
import { SNOW_URL } from '../helpers/fakeServiceNow.js';
import { harness, incidentOf, lyonRow, rotterdamRow } from '../helpers/playbookFixtures.js';

type Harness = ReturnType<typeof harness>;
const body = (r: { jsonBody: unknown }) =>
  r.jsonBody as { result: string; actions: string[]; notes: string[]; message?: string };

const CHAIN =
  'OT attack on LYN-FIL-PLC-01 in Lyon/Filling: reconnaissance → change → stop or restart (4 alerts)';

/** An incident with its ticket; `change` renames it or changes its severity as reassign-ot or an analyst would. */
async function ticketed(h: Harness, rows: Record<string, unknown>[]) {
  const payload = incidentOf(rows);
  const id = h.sentinel.seed(payload as never);
  const created = await h.run('create-ticket', payload);
  expect(created.status, JSON.stringify(created.jsonBody)).toBe(200);
  const change = (props: Record<string, unknown>) => Object.assign(h.sentinel.incident(id).properties, props);
  return { payload, id, change };
}

/** The requests a ticket system received since `from` (its index in the recorded requests). */
const sentTo = (h: Harness, origin: string, from = 0) =>
  h.fetch.requests.slice(from).filter((r) => r.url.startsWith(origin));

describe('ServiceNow: an open ticket follows its incident', () => {
  it('a renamed incident renames its ticket, a severity change moves urgency and impact; once each', async () => {
    const h = harness();
    const { payload, change } = await ticketed(h, [lyonRow({ Severity: 'Medium' })]);
    const record = h.snow.records[0]!;
    expect(record.short_description).toBe('[OT Lyon] Medium: Unauthorized PLC Programming');
    // Impact from the asset's criticality (Critical), urgency from the severity.
    expect([record.urgency, record.impact]).toEqual(['2', '1']);

    change({ title: CHAIN });
    const renamed = await h.run('create-ticket', payload);
    expect(renamed.status).toBe(200);
    expect(body(renamed).actions).toContain(
      `updated ServiceNow ticket INC0010001: "[OT Lyon] Medium: ${CHAIN}"`,
    );
    expect(record.short_description).toBe(`[OT Lyon] Medium: ${CHAIN}`);

    change({ severity: 'High' });
    await h.run('create-ticket', payload);
    expect(record.short_description).toBe(`[OT Lyon] High: ${CHAIN}`);
    // High: urgency 1 (the instance computes priority 1 from urgency and impact).
    expect([record.urgency, record.impact]).toEqual(['1', '1']);

    // Nothing changed since: no request to ServiceNow at all.
    const before = h.fetch.requests.length;
    const again = await h.run('create-ticket', payload);
    expect(body(again).actions).toEqual([]);
    expect(sentTo(h, SNOW_URL, before)).toEqual([]);
  });

  it('a short description a person edited stays, as does a resolved ticket; each is read once, then left', async () => {
    const h = harness();
    const { payload, change } = await ticketed(h, [lyonRow()]);
    const record = h.snow.records[0]!;
    record.short_description = 'PLC programming Lyon filling: CHG0042 being checked';
    change({ title: CHAIN });
    const edited = await h.run('create-ticket', payload);
    expect(edited.status).toBe(200);
    expect(body(edited).notes).toContain(
      "INC0010001's short description was edited in ServiceNow: left as it is",
    );
    expect(record.short_description).toBe('PLC programming Lyon filling: CHG0042 being checked');
    const before = h.fetch.requests.length;
    await h.run('create-ticket', payload);
    expect(sentTo(h, SNOW_URL, before)).toEqual([]);

    const other = harness();
    const t = await ticketed(other, [lyonRow()]);
    other.snow.records[0]!.state = '6';
    t.change({ severity: 'Medium' });
    const resolved = await other.run('create-ticket', t.payload);
    expect(body(resolved).notes).toContain('INC0010001 is in state 6');
    expect(other.snow.records[0]!.short_description).toBe('[OT Lyon] High: Unauthorized PLC Programming');
    expect(sentTo(other, SNOW_URL).filter((r) => r.method === 'PATCH')).toEqual([]);
  });

  it('a closed incident, a ticket deleted meanwhile and a record made before this version change nothing', async () => {
    const h = harness();
    const { payload, change } = await ticketed(h, [lyonRow()]);
    change({ title: CHAIN, status: 'Closed', classification: 'TruePositive' });
    const closed = await h.run('create-ticket', payload);
    expect(closed.status).toBe(200);
    expect(h.snow.records[0]!.short_description).toBe('[OT Lyon] High: Unauthorized PLC Programming');

    change({ status: 'Active' });
    h.snow.records.length = 0;
    const gone = await h.run('create-ticket', payload);
    expect(gone.status).toBe(200);
    expect(body(gone).notes).toContain(
      'ticket INC0010001: ServiceNow has no incident INC0010001 any more (404)',
    );

    // A ticket recorded by an earlier version (no summary): its summary is not known, so it is not touched.
    const old = harness();
    const t = await ticketed(old, [lyonRow()]);
    const entry = (await old.deps.ticketMap!.get(t.id))!;
    expect(entry.value).toMatchObject({
      summary: '[OT Lyon] High: Unauthorized PLC Programming',
      site: 'Lyon',
    });
    const { summary: _s, site: _t, criticality: _c, ...before } = entry.value;
    await old.deps.ticketMap!.put(t.id, before, entry.etag);
    t.change({ title: CHAIN });
    const from = old.fetch.requests.length;
    expect((await old.run('create-ticket', t.payload)).status).toBe(200);
    expect(sentTo(old, SNOW_URL, from)).toEqual([]);
  });
});

describe('Jira: an open issue follows its incident', () => {
  it('summary and priority through the edit endpoint (204); a project without Priority on its edit screen gets the summary', async () => {
    const h = harness();
    const { payload, change } = await ticketed(h, [rotterdamRow()]);
    const issue = h.jira.issues[0]!;
    expect(issue.fields.summary).toBe('[OT Rotterdam] Medium: Illegal Modbus Address Range');
    change({
      title: 'OT attack on RTM-PKG-PLC-01 in Rotterdam/Packaging: reconnaissance → change',
      severity: 'High',
    });
    const res = await h.run('create-ticket', payload);
    expect(res.status, JSON.stringify(res.jsonBody)).toBe(200);
    expect(body(res).actions).toContain(
      'updated Jira ticket OT-1: "[OT Rotterdam] High: OT attack on RTM-PKG-PLC-01 in Rotterdam/Packaging: reconnaissance → change"',
    );
    const puts = sentTo(h, JIRA_URL).filter((r) => r.method === 'PUT');
    expect(puts.map((r) => [r.url, JSON.parse(r.body!)])).toEqual([
      [
        `${JIRA_URL}/rest/api/3/issue/OT-1`,
        {
          fields: {
            summary:
              '[OT Rotterdam] High: OT attack on RTM-PKG-PLC-01 in Rotterdam/Packaging: reconnaissance → change',
            priority: { name: 'High' },
          },
        },
      ],
    ]);
    expect(issue.fields.priority).toEqual({ name: 'High' });

    h.jira.noPriority.add('OT');
    change({ severity: 'Low' });
    const noPriority = await h.run('create-ticket', payload);
    expect(noPriority.status, JSON.stringify(noPriority.jsonBody)).toBe(200);
    expect(issue.fields.summary).toBe(
      '[OT Rotterdam] Low: OT attack on RTM-PKG-PLC-01 in Rotterdam/Packaging: reconnaissance → change',
    );
    expect(issue.fields.priority).toEqual({ name: 'High' });
    expect(issue.edits).toBe(2);
  });

  it('an issue in Done or with a summary a person edited is left; the fake refuses a field off the edit screen', async () => {
    const h = harness();
    const { payload, change } = await ticketed(h, [rotterdamRow()]);
    const issue = h.jira.issues[0]!;
    issue.status = 'Done';
    change({ severity: 'High' });
    expect(body(await h.run('create-ticket', payload)).notes).toContain('OT-1 is Done');
    issue.status = 'To Do';
    issue.fields.summary = 'Modbus range violations on the packaging PLC (checked with the OEM)';
    change({ severity: 'Low' });
    expect(body(await h.run('create-ticket', payload)).notes).toContain(
      "OT-1's summary was edited in Jira: left as it is",
    );
    expect(issue.edits).toBeUndefined();

    const put = await h.fetch(`${JIRA_URL}/rest/api/3/issue/OT-1`, {
      method: 'PUT',
      headers: {
        authorization: sentTo(h, JIRA_URL)[0]!.authorization!,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ fields: { summary: 'x', status: { name: 'Done' } } }),
    });
    expect(put.status).toBe(400);
    expect(await put.json()).toEqual({
      errorMessages: [],
      errors: { status: "Field 'status' cannot be set. It is not on the appropriate screen, or unknown." },
    });
  });
});

describe('an attack chain whose incident reassign-ot has not renamed yet', () => {
  const PREFIX = 'OT attack on LYN-FIL-PLC-01 in Lyon/Filling';
  /**
   * The trigger of a chain incident with these steps' alerts (Sentinel named it after the first); `same`: a trigger
   * of the same incident before alerts were added.
   */
  const chain = (steps: [title: string, step: string, start: string][], same?: unknown) => {
    const payload = incidentOf(
      steps.map(([title, , start]) => lyonRow({ AlertTitle: `${PREFIX}: ${title}`, FirstSeen: start })),
    );
    const props = (
      payload as { object: { properties: { Alerts: { properties: Record<string, unknown> }[] } } }
    ).object.properties;
    props.Alerts.forEach((a, i) => {
      const data = a.properties.additionalData as Record<string, string>;
      const details = JSON.parse(data['Custom Details']!) as Record<string, string[]>;
      const withStep = { ...details, Step: [steps[i]![1]], Controller: ['LYN-FIL-PLC-01'] };
      a.properties.additionalData = { ...data, 'Custom Details': JSON.stringify(withStep) };
    });
    const object = (x: unknown) => (x as { object: { id: string; name: string } }).object;
    if (same) Object.assign(object(payload), { id: object(same).id, name: object(same).name });
    return payload;
  };
  const scan: [string, string, string] = ['PLC Scan Detected', 'reconnaissance', '2026-11-18T02:05:00.000Z'];
  const program: [string, string, string] = [
    'Unauthorized PLC Programming',
    'change',
    '2026-11-18T02:10:00.000Z',
  ];

  it("create-ticket names the ticket after the steps the trigger's alerts carry, as reassign-ot will name the incident", async () => {
    const h = harness();
    const first = chain([scan]);
    const id = h.sentinel.seed(first as never);
    const made = await h.run('create-ticket', first);
    expect(made.status, JSON.stringify(made.jsonBody)).toBe(200);
    expect(h.snow.records[0]!.short_description).toBe(`[OT Lyon] High: ${PREFIX}: PLC Scan Detected`);
    // The programming alert is added; create-ticket reads the incident before reassign-ot's rename has landed.
    const added = chain([scan, program], first);
    expect(h.sentinel.incident(id).properties.title).toBe(`${PREFIX}: PLC Scan Detected`);
    const res = await h.run('create-ticket', added);
    expect(res.status, JSON.stringify(res.jsonBody)).toBe(200);
    expect(h.snow.records[0]!.short_description).toBe(
      `[OT Lyon] High: ${PREFIX}: reconnaissance → change (2 alerts)`,
    );
    // reassign-ot then renames the incident to the same story: nothing left to follow.
    h.sentinel.incident(id).properties.title = `${PREFIX}: reconnaissance → change (2 alerts)`;
    const before = h.fetch.requests.length;
    await h.run('create-ticket', added);
    expect(sentTo(h, SNOW_URL, before)).toEqual([]);
  });

  it('notify-teams titles its update card the same way, and names the new step', async () => {
    const h = harness();
    const first = chain([scan]);
    h.sentinel.seed(first as never);
    expect((await h.run('notify-teams', first)).status).toBe(200);
    const added = chain([scan, program], first);
    const res = await h.run('notify-teams', added);
    expect(body(res).actions).toContain('Teams workflow accepted card #2 (attack-step)');
    const card = JSON.stringify(h.teams.posts[1]!.body);
    expect(card).toContain(`${PREFIX}: reconnaissance → change (2 alerts)`);
    expect(card).toContain('Update: The attack went on: change');
  });
});
