/**
 * Tickets follow the incident's close (tickets.resolveWithIncident): create-ticket opens one, the incident is
 * closed (an analyst, auto-close, the defender-status timer), and sync-status resolves the ticket, through the
 * playbook handler with the real ServiceNow and Jira clients against fakes that enforce the services' rules
 * (ServiceNow's data policy and close ACL, Jira's workflow transitions and screens).
 */
import { describe, expect, it } from 'vitest';
import { PlaybookConfigError } from '../../playbooks/errors.js';
import { SNOW_PASSWORD, SNOW_URL, SNOW_USER } from '../helpers/fakeServiceNow.js';
import {
  groupState,
  harness,
  incidentOf,
  lyonRow,
  rotterdamRow,
  TEST_CONFIG,
} from '../helpers/playbookFixtures.js';

type Harness = ReturnType<typeof harness>;
const body = (r: { jsonBody: unknown }) =>
  r.jsonBody as { result: string; actions: string[]; notes: string[]; message?: string; reason?: string };

/** An incident with its ticket; `close` closes it as an analyst would, with a classification. */
async function ticketed(h: Harness, rows: Record<string, unknown>[]) {
  const payload = incidentOf(rows);
  const id = h.sentinel.seed(payload as never);
  const created = await h.run('create-ticket', payload);
  expect(created.status).toBe(200);
  const close = (status = 'Closed') =>
    Object.assign(h.sentinel.incident(id).properties, {
      status,
      classification: 'FalsePositive',
      classificationReason: 'IncorrectAlertLogic',
      classificationComment: 'laptop of the OEM service visit, change CHG0042 = approved',
    });
  return { payload, id, close };
}

const NOTES =
  'Microsoft Sentinel incident #42 was closed as FalsePositive / IncorrectAlertLogic: laptop of the OEM service ' +
  'visit, change CHG0042 = approved. ot-soc resolved this ticket with it (tickets.resolveWithIncident).';

describe('ServiceNow: the ticket is resolved when its incident is closed', () => {
  it('sets Resolved with the resolution code and notes, once; the notes say who closed what and why', async () => {
    const h = harness();
    const { payload, close } = await ticketed(h, [lyonRow()]);
    close();
    const res = await h.run('sync-status', payload);
    expect(res.status).toBe(200);
    expect(body(res).actions).toContain('resolved ServiceNow ticket INC0010001');
    expect(h.snow.records[0]).toMatchObject({
      state: '6',
      close_code: 'Resolved by caller',
      close_notes: NOTES,
    });
    const patches = () => h.fetch.requests.filter((r) => r.method === 'PATCH' && r.url.startsWith(SNOW_URL));
    expect(patches()).toHaveLength(1);
    // A re-run (the Logic App's retry, a second status event) reads it resolved and writes nothing.
    const again = await h.run('sync-status', payload);
    expect(body(again).actions).not.toContain('resolved ServiceNow ticket INC0010001');
    expect(patches()).toHaveLength(1);
  });

  it('leaves a ticket the OT team already closed, and notes a ticket deleted meanwhile without failing', async () => {
    const h = harness();
    const { payload, close } = await ticketed(h, [lyonRow()]);
    h.snow.records[0]!.state = '7';
    close();
    expect((await h.run('sync-status', payload)).status).toBe(200);
    expect(h.snow.records[0]!.state).toBe('7');
    expect(h.fetch.requests.filter((r) => r.method === 'PATCH' && r.url.startsWith(SNOW_URL))).toEqual([]);

    h.snow.records.length = 0;
    const gone = await h.run('sync-status', payload);
    expect(gone.status).toBe(200);
    expect(body(gone).notes).toContainEqual(
      expect.stringMatching(/^ticket INC0010001: ServiceNow has no incident INC0010001 any more \(404\)/),
    );
  });

  it('a reopened incident does not touch its ticket; nor does anything with tickets.resolveWithIncident false', async () => {
    const h = harness();
    const { payload, close } = await ticketed(h, [lyonRow()]);
    close('Active');
    expect((await h.run('sync-status', payload)).status).toBe(200);
    expect(h.snow.records[0]!.state).toBe('1');
    const off = harness({ ...TEST_CONFIG, tickets: { resolveWithIncident: false } });
    const t = await ticketed(off, [lyonRow()]);
    t.close();
    expect((await off.run('sync-status', t.payload)).status).toBe(200);
    expect(off.snow.records[0]!.state).toBe('1');
  });

  it('a ticket system renamed in the configuration since: the groups still follow the close, then a 500 names it', async () => {
    const h = harness();
    const { payload, close } = await ticketed(h, [lyonRow()]);
    void h.groups.put(groupState('grp-lyon-plc-prog-0001'), undefined);
    close();
    // As the Function's runtime answers for a name its configuration no longer has (playbooks/runtime.ts).
    h.deps.ticketSystem = (name) => {
      throw new PlaybookConfigError([`no ticketSystems entry named "${name}"`]);
    };
    const res = await h.run('sync-status', payload);
    expect(res.status).toBe(500);
    expect(JSON.stringify(res.jsonBody)).toContain('no ticketSystems entry named');
    expect((await h.groups.findByAlertId('grp-lyon-plc-prog-0001'))!.value.status).toBe('Closed');
  });

  it("a confirmed attack (TruePositive) keeps its ticket open for the plant's remediation, unless configured", async () => {
    for (const keepOpenWhen of [undefined, []]) {
      const h = harness({ ...TEST_CONFIG, tickets: keepOpenWhen ? { keepOpenWhen } : {} });
      const { payload, close } = await ticketed(h, [lyonRow()]);
      close();
      Object.assign([...h.sentinel.incidents.values()][0]!.properties, {
        classification: 'TruePositive',
        classificationReason: 'SuspiciousActivity',
      });
      const res = await h.run('sync-status', payload);
      expect(res.status).toBe(200);
      if (keepOpenWhen) {
        expect(h.snow.records[0]!.state).toBe('6');
        continue;
      }
      expect(h.snow.records[0]!.state).toBe('1');
      expect(body(res).notes).toContainEqual(
        "ticket INC0010001 kept open: the incident was closed as TruePositive (tickets.keepOpenWhen), the plant's remediation is the OT team's to close",
      );
    }
  });

  it('closed while create-ticket was making the ticket: that run resolves it (sync-status found none)', async () => {
    const h = harness();
    const payload = incidentOf([lyonRow()]);
    const id = h.sentinel.seed(payload as never);
    // The analyst closes the incident right after create-ticket read it New.
    const get = h.deps.incidents.get.bind(h.deps.incidents);
    let reads = 0;
    h.deps.incidents.get = async (ref) => {
      const r = await get(ref);
      if (++reads === 1)
        Object.assign(h.sentinel.incident(id).properties, {
          status: 'Closed',
          classification: 'BenignPositive',
          classificationReason: 'SuspiciousButExpected',
        });
      return r;
    };
    const res = await h.run('create-ticket', payload);
    expect(res.status, JSON.stringify(res.jsonBody)).toBe(200);
    expect(body(res).actions).toEqual(
      expect.arrayContaining([
        'created ServiceNow ticket INC0010001',
        'resolved ServiceNow ticket INC0010001',
      ]),
    );
    expect(h.snow.records[0]!.state).toBe('6');
  });

  it('a resolveCode the instance does not offer is a 424 that names the setting; the ticket stays open', async () => {
    const snow = { ...(TEST_CONFIG.ticketSystems!.snow as object), resolveCode: 'Solved (Permanently)' };
    const h = harness({
      ...TEST_CONFIG,
      ticketSystems: { ...TEST_CONFIG.ticketSystems, snow: snow as never },
    });
    const { payload, close } = await ticketed(h, [lyonRow()]);
    close();
    const res = await h.run('sync-status', payload);
    expect(res.status).toBe(424);
    expect(body(res).message).toMatch(
      /ServiceNow refused resolving INC0010001 with close_code "Solved \(Permanently\)" .*check ticketSystems.<name>.resolveCode\) \(403, a data policy\): Operation Failed Data Policy Exception: \n The following fields are mandatory: Resolution code/,
    );
    expect(h.snow.records[0]!.state).toBe('1');
  });

  it('the fake enforces what a resolve must carry: the data policy (a known code and notes) and the close ACL', async () => {
    const h = harness();
    await ticketed(h, [lyonRow()]);
    const sysId = h.snow.records[0]!.sys_id!;
    const patch = (b: unknown) =>
      h.fetch(`${SNOW_URL}/api/now/table/incident/${sysId}`, {
        method: 'PATCH',
        headers: {
          authorization: `Basic ${Buffer.from(`${SNOW_USER}:${SNOW_PASSWORD}`).toString('base64')}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify(b),
      });
    const noNotes = await patch({ state: '6', close_code: 'Resolved by caller' });
    expect(noNotes.status).toBe(403);
    expect(JSON.stringify(await noNotes.json())).toMatch(/Data Policy Exception/);
    // A code the instance does not offer is dropped: the data policy then refuses the resolve.
    const oldCode = await patch({ state: '6', close_code: 'Solved (Permanently)', close_notes: 'y' });
    expect(oldCode.status).toBe(403);
    expect(JSON.stringify(await oldCode.json())).toMatch(/Resolution code/);
    expect((await patch({ state: '7', close_code: 'Resolved by caller', close_notes: 'y' })).status).toBe(
      403,
    );
    expect(h.snow.records[0]!.state).toBe('1');
  });
});

describe('Jira: the issue takes its workflow transition into Done when its incident is closed', () => {
  it('comments why (marked), then transitions; a re-run adds no second comment', async () => {
    const h = harness();
    const { payload, close } = await ticketed(h, [rotterdamRow()]);
    close();
    const res = await h.run('sync-status', payload);
    expect(res.status).toBe(200);
    expect(body(res).actions).toContain('resolved Jira ticket OT-1 (Done → Done)');
    const issue = h.jira.issues[0]!;
    expect(issue.status).toBe('Done');
    expect(issue.comments).toHaveLength(1);
    expect(JSON.stringify(issue.comments[0]!.body)).toContain(NOTES.replace(/"/g, '\\"'));
    expect(issue.comments[0]!.properties[0]!.key).toBe('ot-soc-sentinel-close');
    await h.run('sync-status', payload);
    expect(issue.comments).toHaveLength(1);
  });

  it('no transition into Done from the issue status is a 424 naming the setting; the fix needs no second comment', async () => {
    const h = harness();
    const { payload, close } = await ticketed(h, [rotterdamRow()]);
    const workflow = h.jira.transitions;
    h.jira.transitions = workflow.filter((t) => t.to !== 'Done');
    close();
    const res = await h.run('sync-status', payload);
    expect(res.status).toBe(424);
    expect(body(res).message).toMatch(
      /Jira offers no transition of OT-1 from "To Do" into a Done status \(available: "Start Progress" → In Progress\): set ticketSystems.<name>.doneTransition/,
    );
    expect(h.jira.issues[0]!.comments).toHaveLength(1);
    h.jira.transitions = workflow;
    expect((await h.run('sync-status', payload)).status).toBe(200);
    expect(h.jira.issues[0]!.status).toBe('Done');
    expect(h.jira.issues[0]!.comments).toHaveLength(1);
  });

  it('takes the configured transition, and gives the resolution its screen requires', async () => {
    const jira = {
      ...(TEST_CONFIG.ticketSystems!.jira as object),
      doneTransition: 'Resolve',
      resolution: 'Fixed',
    };
    const h = harness({
      ...TEST_CONFIG,
      ticketSystems: { ...TEST_CONFIG.ticketSystems, jira: jira as never },
    });
    h.jira.transitions = [
      { id: '51', name: "Won't Do", to: 'Done', from: ['To Do'] },
      { id: '61', name: 'Resolve', to: 'Done', from: ['To Do'], resolutionScreen: true },
    ];
    const { payload, close } = await ticketed(h, [rotterdamRow()]);
    close();
    expect((await h.run('sync-status', payload)).status).toBe(200);
    const posted = h.fetch.requests.filter((r) => r.url.endsWith('/transitions') && r.method === 'POST');
    expect(posted.map((r) => JSON.parse(r.body!))).toEqual([
      { transition: { id: '61' }, fields: { resolution: { name: 'Fixed' } } },
    ]);
    expect(h.jira.issues[0]!.fields.resolution).toEqual({ name: 'Fixed' });
  });
});
