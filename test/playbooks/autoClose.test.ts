import { describe, expect, it } from 'vitest';
import { decideAutoClose } from '../../playbooks/autoCloseRules.js';
import { parsePlaybookConfig } from '../../playbooks/config.js';
import { aggregateFacts, alertFactsFromRecord } from '../../playbooks/facts.js';
import { classificationQuery, kqlString } from '../../playbooks/logAnalytics.js';
import { parseIncidentTrigger } from '../../playbooks/payload.js';
import {
  D4IOT_ALERT_PATH,
  fakeHistory,
  groupState,
  harness,
  incidentOf,
  lyonRow,
  rotterdamRow,
  TEST_CONFIG,
} from '../helpers/playbookFixtures.js';

const body = (r: { jsonBody: unknown }) =>
  r.jsonBody as {
    result: string;
    actions: string[];
    reason?: string;
    message?: string;
    error?: string;
    notes: string[];
  };

/** Lyon brewhouse firmware work from the engineering station inside the declared window. */
const maintenanceRow = (over: Record<string, unknown> = {}) =>
  lyonRow({
    AlertId: 'grp-lyon-fw-0001',
    AlertTitle: 'Firmware Version Changed',
    Severity: 'Medium',
    Zone: 'Brewhouse',
    FirstSeen: '2026-11-18T10:20:00.000Z',
    LastSeen: '2026-11-18T10:40:00.000Z',
    SourceIP: '10.20.1.10',
    SourceName: 'LYN-EWS-01',
    DestinationAssetName: 'LYN-BRW-PLC-01',
    AssetCriticality: 'High',
    Escalations: [],
    ...over,
  });

const CONFIG = {
  ...TEST_CONFIG,
  autoClose: {
    trustPipelineMaintenanceTag: false,
    maintenance: [
      {
        name: 'Brewhouse PLC firmware upgrade (CHG0042317)',
        site: 'Lyon',
        zones: ['Brewhouse'],
        sources: ['LYN-EWS-01', '10.20.1.10'],
        start: '2026-11-18T10:00:00+00:00',
        end: '2026-11-18T12:00:00+00:00',
      },
    ],
    knownBenign: [
      {
        site: 'Rotterdam',
        alertTitles: ['Illegal Modbus Address Range'],
        sources: ['RTM-PKG-HMI-02'],
        comment: 'HMI polls a reserved range by design (vendor case 4711)',
      },
    ],
  },
};

function seeded(h: ReturnType<typeof harness>, payload: unknown, alertId?: string) {
  const id = h.sentinel.seed(payload as never);
  if (alertId) void h.groups.put(groupState(alertId), undefined);
  h.sentinel.seedD4IoTAlert(D4IOT_ALERT_PATH);
  return id;
}

describe('auto-close', () => {
  it('closes known maintenance as BenignPositive/SuspiciousButExpected, comments, closes the dedup group and the Defender for IoT alert', async () => {
    const h = harness(CONFIG);
    const payload = incidentOf([maintenanceRow()]);
    const id = seeded(h, payload, 'grp-lyon-fw-0001');
    const res = await h.run('auto-close', payload);
    expect(res.status).toBe(200);
    expect(body(res).actions).toEqual([
      'added audit comment',
      'closed as BenignPositive/SuspiciousButExpected',
      'set dedup group grp-lyon-fw-0001 to Closed',
      'set Defender for IoT alert 5f1e9c1a-0000-4000-8000-000000000001 to Closed',
    ]);
    const p = h.sentinel.incident(id).properties;
    expect(p).toMatchObject({
      status: 'Closed',
      classification: 'BenignPositive',
      classificationReason: 'SuspiciousButExpected',
    });
    expect(p.classificationComment).toMatch(
      /^ot-soc auto-close \(maintenance\): known maintenance: Brewhouse PLC firmware upgrade \(CHG0042317\)/,
    );
    expect((await h.groups.findByAlertId('grp-lyon-fw-0001'))!.value).toMatchObject({
      status: 'Closed',
      urgent: true,
      dirty: true,
    });
    expect(h.sentinel.d4iotAlerts.get(D4IOT_ALERT_PATH.toLowerCase())!.properties.status).toBe('Closed');
    const patch = h.fetch.requests.find((r) => r.method === 'PATCH')!;
    expect(new URL(patch.url).searchParams.get('api-version')).toBe('2021-07-01-preview');
    expect(JSON.parse(patch.body)).toEqual({ properties: { status: 'Closed' } });
  });

  it('a re-run writes nothing new', async () => {
    const h = harness(CONFIG);
    const payload = incidentOf([maintenanceRow()]);
    seeded(h, payload, 'grp-lyon-fw-0001');
    await h.run('auto-close', payload);
    const before = h.writes().length;
    const again = await h.run('auto-close', payload);
    expect(body(again)).toMatchObject({ result: 'noop', actions: [], reason: 'already closed by ot-soc' });
    expect(h.writes()).toHaveLength(before);
  });

  it('after a crash between close and sync, the re-run finishes the group and Defender for IoT', async () => {
    const h = harness(CONFIG);
    const payload = incidentOf([maintenanceRow()]);
    seeded(h, payload, 'grp-lyon-fw-0001');
    h.sentinel.d4iotRole = 'none';
    const first = await h.run('auto-close', payload);
    expect(first.status).toBe(424);
    expect(body(first).message).toContain('Security Admin');
    h.sentinel.d4iotRole = 'admin';
    const retry = await h.run('auto-close', payload);
    expect(body(retry).actions).toEqual([
      'set Defender for IoT alert 5f1e9c1a-0000-4000-8000-000000000001 to Closed',
    ]);
  });

  it('does not close when the source is not allowed, the window is over, or one alert is unexplained', async () => {
    const h = harness(CONFIG);
    for (const [n, rows] of [
      [1, [maintenanceRow({ SourceIP: '10.20.3.99', SourceName: 'DESKTOP-7Q2' })]],
      [2, [maintenanceRow({ FirstSeen: '2026-11-18T12:30:00.000Z' })]],
      [3, [maintenanceRow(), lyonRow({ AlertId: 'x', Escalations: [] })]],
    ] as const) {
      const payload = incidentOf([...rows], n);
      const id = seeded(h, payload);
      const res = await h.run('auto-close', payload);
      expect(body(res).result).toBe('skipped');
      expect(h.sentinel.incident(id).properties.status).toBe('New');
    }
  });

  it('never closes a configured criticality', async () => {
    const h = harness({
      ...CONFIG,
      autoClose: { ...CONFIG.autoClose, neverClose: { criticalities: ['Critical'] } },
    });
    const payload = incidentOf([maintenanceRow({ AssetCriticality: 'Critical' })]);
    seeded(h, payload);
    expect(body(await h.run('auto-close', payload))).toMatchObject({
      result: 'skipped',
      reason: 'asset criticality Critical is never auto-closed',
    });
  });

  it('never closes what the pipeline escalated as NotEngineeringStation, whatever the rules say', async () => {
    const h = harness({
      ...CONFIG,
      autoClose: {
        ...CONFIG.autoClose,
        knownBenign: [{ site: '*', alertTitles: ['Unauthorized PLC Programming'] }],
      },
    });
    const payload = incidentOf([lyonRow()]);
    seeded(h, payload);
    expect(body(await h.run('auto-close', payload))).toMatchObject({
      result: 'skipped',
      reason: 'escalation NotEngineeringStation is never auto-closed',
    });
  });

  it('closes a known-benign alert type of a site from its known source', async () => {
    const h = harness(CONFIG);
    const payload = incidentOf([rotterdamRow()]);
    const id = seeded(h, payload);
    await h.run('auto-close', payload);
    expect(h.sentinel.incident(id).properties).toMatchObject({
      status: 'Closed',
      classification: 'BenignPositive',
    });
    expect(h.sentinel.incident(id).properties.classificationComment).toContain('vendor case 4711');
  });

  it('trusts the pipeline ExpectedMaintenance tag when configured', async () => {
    const h = harness({ ...TEST_CONFIG });
    const payload = incidentOf([
      maintenanceRow({ Escalations: [{ rule: 'ExpectedMaintenance', reason: 'inside window' }] }),
    ]);
    const id = seeded(h, payload);
    const res = await h.run('auto-close', payload);
    expect(body(res).actions).toContain('closed as BenignPositive/SuspiciousButExpected');
    expect(h.sentinel.incident(id).properties.classificationComment).toContain('pipeline-maintenance');
  });

  it('learns from history of the same AlertTitle and rule: FP and BP both count, the ratio is in the comment', async () => {
    const cfg = {
      ...TEST_CONFIG,
      autoClose: { learnedFalsePositives: { enabled: true, minClosed: 20, minRatio: 0.9 } },
    };
    const h = harness(cfg);
    const history = fakeHistory({ closed: 25, falsePositive: 20, benignPositive: 4, truePositive: 1 });
    h.deps.history = history;
    const payload = incidentOf([rotterdamRow({ AlertTitle: 'Unknown Object Access' })]);
    const rule = 'c34b236f-df30-46a6-ae06-a9a5a5ff84b9';
    (
      payload as { object: { properties: { relatedAnalyticRuleIds: string[] } } }
    ).object.properties.relatedAnalyticRuleIds = [
      `/subscriptions/s/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/ws/providers/Microsoft.SecurityInsights/alertRules/${rule.toUpperCase()}`,
    ];
    const id = seeded(h, payload);
    await h.run('auto-close', payload);
    // The raw title from the AlertTitle custom detail (not the formatted alert name), and the rule's GUID.
    expect(history.calls).toEqual([`Unknown Object Access [${rule}]`]);
    expect(h.sentinel.incident(id).properties).toMatchObject({
      status: 'Closed',
      classification: 'FalsePositive',
      classificationReason: 'IncorrectAlertLogic',
    });
    expect(h.sentinel.incident(id).properties.classificationComment).toContain(
      '24 of 25 closed incidents of "Unknown Object Access" from the same analytics rule in 90 days were not malicious (20 false positive, 4 benign positive): 96% ≥ 90%',
    );

    const h2 = harness(cfg);
    h2.deps.history = fakeHistory({ closed: 25, falsePositive: 12, benignPositive: 8, truePositive: 5 });
    const p2 = incidentOf([rotterdamRow({ AlertTitle: 'Unknown Object Access' })]);
    seeded(h2, p2);
    expect(body(await h2.run('auto-close', p2)).reason).toMatch(
      /20 of 25 closed .* not malicious \(12 false positive, 8 benign positive\): 80% \(needs 20 closed and 90%\)/,
    );
    // Mostly benign positives: closed as BenignPositive/SuspiciousButExpected.
    const h3 = harness(cfg);
    h3.deps.history = fakeHistory({ closed: 20, falsePositive: 2, benignPositive: 18 });
    const p3 = incidentOf([rotterdamRow({ AlertTitle: 'Unknown Object Access' })]);
    const id3 = seeded(h3, p3);
    await h3.run('auto-close', p3);
    expect(h3.sentinel.incident(id3).properties).toMatchObject({
      classification: 'BenignPositive',
      classificationReason: 'SuspiciousButExpected',
    });
  });

  it('retries the close on a 409 conflict and succeeds', async () => {
    const h = harness(CONFIG);
    const payload = incidentOf([maintenanceRow()]);
    const id = seeded(h, payload);
    h.sentinel.concurrentEdit((p) => {
      p.labels = [{ labelName: 'analyst-was-here', labelType: 'User' }];
    });
    const res = await h.run('auto-close', payload);
    expect(res.status).toBe(200);
    expect(h.sentinel.incident(id).properties).toMatchObject({
      status: 'Closed',
      labels: [{ labelName: 'analyst-was-here' }],
    });
  });

  it('honours Sentinel 429 Retry-After', async () => {
    const h = harness(CONFIG);
    const payload = incidentOf([maintenanceRow()]);
    const id = seeded(h, payload);
    h.sentinel.throttle.next(1, 5);
    await h.run('auto-close', payload);
    expect(h.sleep.waits[0]).toBe(5000);
    expect(h.sentinel.incident(id).properties.status).toBe('Closed');
  });

  it('a bad payload is a 400 and closes nothing', async () => {
    const h = harness(CONFIG);
    const payload = incidentOf([maintenanceRow()]) as { object: { properties: Record<string, unknown> } };
    seeded(h, payload);
    payload.object.properties.Alerts = 'not a list';
    const res = await h.run('auto-close', payload);
    expect(res.status).toBe(400);
    expect(body(res).message).toContain('object.properties.Alerts');
    expect(h.fetch.requests).toHaveLength(0);
  });

  it('missing Sentinel Responder: clear 424, nothing closed anywhere', async () => {
    const h = harness(CONFIG);
    const payload = incidentOf([maintenanceRow()]);
    const id = seeded(h, payload, 'grp-lyon-fw-0001');
    h.sentinel.role = 'reader';
    const res = await h.run('auto-close', payload);
    expect(res.status).toBe(424);
    expect(body(res).message).toContain('Microsoft Sentinel Responder');
    expect(h.sentinel.incident(id).properties.status).toBe('New');
    expect((await h.groups.findByAlertId('grp-lyon-fw-0001'))!.value.status).toBe('New');
    expect(h.sentinel.d4iotAlerts.get(D4IOT_ALERT_PATH.toLowerCase())!.properties.status).toBe('New');
  });

  it('leaves incidents closed by people alone', async () => {
    const h = harness(CONFIG);
    const payload = incidentOf([maintenanceRow()]);
    const id = seeded(h, payload);
    Object.assign(h.sentinel.incident(id).properties, {
      status: 'Closed',
      classification: 'TruePositive',
      classificationReason: 'SuspiciousActivity',
    });
    expect(body(await h.run('auto-close', payload))).toMatchObject({
      result: 'skipped',
      reason: 'incident was closed by someone else',
    });
  });

  it('never sends the managed identity token to a host named by alert data', async () => {
    const h = harness(CONFIG);
    const payload = incidentOf([
      maintenanceRow({
        AlertManagementUri:
          'https://evil.example/subscriptions/x/providers/Microsoft.IoTSecurity/locations/w/deviceGroups/g/alerts/a',
      }),
    ]);
    seeded(h, payload);
    const res = await h.run('auto-close', payload);
    expect(body(res).notes).toContainEqual(expect.stringMatching(/^ignored AlertManagementUri/));
    expect(h.fetch.requests.every((r) => new URL(r.url).hostname !== 'evil.example')).toBe(true);
  });
});

describe('auto-close rules and queries', () => {
  it('the classification query matches the AlertTitle custom detail and the rule ids, escapes them, excludes our own closes', () => {
    const q = classificationQuery(
      { title: 'PLC "Stop" \\ x\n| take 1', ruleIds: ['c34b236f-df30', 'x" | take 1'] },
      90,
    );
    expect(q).toContain('AlertTitle =~ "PLC \\"Stop\\" \\\\ x | take 1"');
    expect(q).toContain('tostring(Details.AlertTitle[0])');
    expect(q).not.toContain('AlertName');
    expect(q).toContain('| where tostring(RelatedAnalyticRuleIds) has "c34b236f-df30"\n');
    expect(q).toContain('where not(ClassificationComment startswith "ot-soc auto-close")');
    expect(kqlString('a"b')).toBe('"a\\"b"');
  });

  it('an incident without alerts is never closed', async () => {
    const parsed = parseIncidentTrigger(incidentOf([]));
    if (!parsed.ok) throw new Error('fixture');
    const cfg = parsePlaybookConfig(CONFIG).autoClose;
    const d = await decideAutoClose(aggregateFacts(parsed.trigger, []), { severity: 'Low' }, cfg, {});
    expect(d).toEqual({ close: false, reason: 'the incident has no alerts to judge' });
    const one = aggregateFacts(parsed.trigger, [alertFactsFromRecord(maintenanceRow())]);
    expect((await decideAutoClose(one, { severity: 'Medium' }, cfg, {})).close).toBe(true);
  });
});

describe('auto-close: maintenance windows and known-benign types from Sentinel watchlists', () => {
  const rows: Record<string, Record<string, unknown>[]> = {
    OTSocMaintenance: [
      {
        SearchKey: 'Brewhouse PLC firmware upgrade (CHG0042317)',
        Name: 'Brewhouse PLC firmware upgrade (CHG0042317)',
        Site: 'Lyon',
        Zones: 'Brewhouse',
        Sources: 'LYN-EWS-01; 10.20.1.10',
        Start: '2026-11-18T10:00:00+00:00',
        End: '2026-11-18T12:00:00+00:00',
        AlertTitles: '',
      },
      { SearchKey: 'broken', Name: 'broken', Site: 'Lyon', Sources: 'x', Start: 'tomorrow', End: '' },
    ],
    OTSocKnownBenign: [],
  };
  const watchlists = (fail = false) => ({
    calls: [] as string[],
    async rows(ws: string, alias: string) {
      this.calls.push(`${ws} ${alias}`);
      if (fail) throw new Error('query failed (403)');
      return rows[alias] ?? [];
    },
  });

  it('closes from a watchlist window (no app setting rule), names a bad row, reads the incident workspace', async () => {
    const h = harness({ ...TEST_CONFIG, autoClose: { trustPipelineMaintenanceTag: false } });
    const w = watchlists();
    h.deps.watchlists = w;
    const payload = incidentOf([maintenanceRow()]);
    const id = seeded(h, payload, 'grp-lyon-fw-0001');
    const res = await h.run('auto-close', payload);
    expect(res.status).toBe(200);
    expect(h.sentinel.incident(id).properties.classificationComment).toMatch(
      /\(maintenance\): known maintenance: Brewhouse PLC firmware upgrade \(CHG0042317\)/,
    );
    expect(w.calls).toEqual([
      '11111111-1111-1111-1111-111111111111 OTSocMaintenance',
      '11111111-1111-1111-1111-111111111111 OTSocKnownBenign',
    ]);
    expect(body(res).notes).toContainEqual(
      expect.stringMatching(/^watchlist OTSocMaintenance row 2 \(broken\) skipped: start:/),
    );
  });

  it('a watchlist that cannot be read leaves the app setting rules in force (noted)', async () => {
    const h = harness(CONFIG);
    h.deps.watchlists = watchlists(true);
    const payload = incidentOf([maintenanceRow()]);
    const id = seeded(h, payload, 'grp-lyon-fw-0001');
    const res = await h.run('auto-close', payload);
    expect(h.sentinel.incident(id).properties.status).toBe('Closed');
    expect(body(res).notes).toContainEqual(
      expect.stringMatching(/^watchlist OTSocMaintenance not read \(query failed/),
    );
  });
});
