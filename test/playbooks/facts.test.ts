import { afterEach, describe, expect, it, vi } from 'vitest';
import { assetSummary } from '../../playbooks/assetFacts.js';
import { parsePlaybookConfig } from '../../playbooks/config.js';
import { graphDirectory } from '../../playbooks/directory.js';
import { PlaybookConfigError } from '../../playbooks/errors.js';
import { incidentFacts } from '../../playbooks/facts.js';
import { criticalityRank, isInternetAddress } from '../../playbooks/factValues.js';
import {
  createLogAnalyticsQuery,
  latestRowsQuery,
  logAnalyticsAlertFacts,
} from '../../playbooks/logAnalytics.js';
import { parseIncidentTrigger } from '../../playbooks/payload.js';
import { fakeCredential, fakeFetch, json } from '../helpers/fakeFetch.js';
import { fakeFactsSource, incidentOf, lyonRow, nativeD4IoTIncident } from '../helpers/playbookFixtures.js';

const trigger = (payload: unknown) => {
  const p = parseIncidentTrigger(payload);
  if (!p.ok) throw new Error(JSON.stringify(p.issues));
  return p.trigger;
};

describe('incident facts', () => {
  it('reads ot-soc custom details (a JSON string of arrays, dynamic values as JSON strings)', async () => {
    const f = await incidentFacts(trigger(incidentOf([lyonRow({ PurdueLevel: 'Level 1' })])));
    expect(f).toMatchObject({
      site: 'Lyon',
      zone: 'Filling',
      count: 3,
      firstSeen: '2026-11-18T02:10:00.000Z',
      purdueLevel: 1,
      criticality: 'Critical',
      otTeam: 'OT-Lyon-Filling',
      riskScore: 92,
      escalations: ['NotEngineeringStation'],
      alertIds: ['grp-lyon-plc-prog-0001'],
      sensors: ['lyn-fil-sensor-01'],
    });
    expect(f.techniques.map((t) => [t.id, t.name])).toEqual([
      ['T0821', 'Modify Controller Tasking'],
      ['T0843', 'Program Download'],
    ]);
    expect(f.assets.find((a) => a.role === 'destination')).toMatchObject({
      name: 'LYN-FIL-PLC-01',
      type: 'PLC',
      purdueLevel: 1,
      owner: 'Girard, L. (Filling)',
    });
  });

  it('reads native Defender for IoT alerts and IoTDevice entities', async () => {
    const f = await incidentFacts(trigger(nativeD4IoTIncident()));
    expect(f).toMatchObject({
      site: 'Rotterdam',
      zone: 'Packaging',
      purdueLevel: 1,
      criticality: 'High',
      hasIoTDevices: true,
      sensors: ['rtm-pkg-sensor-01'],
      tactics: ['InhibitResponseFunction'],
      productNames: ['Azure Security Center for IoT', 'Azure Sentinel'],
    });
    expect(f.alertManagementUris).toHaveLength(1);
    // The entity carries no IP (only an ipAddressEntityId), so the destination IP stays its own asset; the device
    // the entity describes (criticality High) comes first.
    expect(f.assets.map((a) => a.name ?? a.ip)).toEqual(['RTM-PKG-PLC-01', '10.10.1.66', '10.10.2.21']);
  });

  it('fills what the rule did not surface from OTAlerts_CL, newer counts win; a failing query only adds a note', async () => {
    const payload = incidentOf([
      {
        AlertId: 'grp-lyon-plc-prog-0001',
        AlertTitle: 'Unauthorized PLC Programming',
        Severity: 'High',
        Count: 3,
      },
    ]);
    const source = fakeFactsSource([lyonRow({ Count: 17, LastSeen: '2026-11-18T05:00:00.000Z' })]);
    const f = await incidentFacts(trigger(payload), source);
    expect(source.calls).toEqual([['grp-lyon-plc-prog-0001']]);
    expect(f).toMatchObject({
      count: 17,
      lastSeen: '2026-11-18T05:00:00.000Z',
      site: 'Lyon',
      purdueLevel: 1,
      otTeam: 'OT-Lyon-Filling',
    });
    const notes: string[] = [];
    const g = await incidentFacts(
      trigger(payload),
      { latest: async () => Promise.reject(new Error('boom')) },
      (e) => notes.push(String(e)),
    );
    expect(g.count).toBe(3);
    expect(notes).toEqual(['Error: boom']);
  });

  it('counts one group once even when Sentinel split it into several alerts', async () => {
    const f = await incidentFacts(
      trigger(
        incidentOf([lyonRow({ Count: 5 }), lyonRow({ Count: 7 }), lyonRow({ AlertId: 'other', Count: 2 })]),
      ),
    );
    expect(f.count).toBe(9);
  });

  it("lists a worm's hosts once each, one both infected and infecting as both, the critical controller first", async () => {
    const hop = (id: string, src: string, dst: string, over: Record<string, unknown> = {}) =>
      lyonRow({
        AlertId: id,
        SourceIP: src,
        SourceName: undefined,
        DestinationIP: dst,
        DestinationAssetName: undefined,
        DestinationAssetType: undefined,
        AssetCriticality: undefined,
        AssetOwner: undefined,
        PurdueLevel: undefined,
        ...over,
      });
    const f = await incidentFacts(
      trigger(
        incidentOf([
          hop('a', '10.20.3.10', '10.20.3.11'),
          hop('b', '10.20.3.11', '10.20.3.12'),
          hop('c', '10.20.3.12', '10.20.3.21', {
            DestinationAssetName: 'LYN-FIL-PLC-01',
            DestinationAssetType: 'PLC',
            AssetCriticality: 'Critical',
            PurdueLevel: 1,
          }),
          // the infected host calling out
          hop('d', '10.20.3.12', '185.220.101.4'),
        ]),
      ),
    );
    expect(f.assets.map((a) => assetSummary(a, { owner: false, separator: ' — ' }))).toEqual([
      'LYN-FIL-PLC-01 (destination) — PLC, Purdue L1, criticality Critical, 10.20.3.21',
      '185.220.101.4 (destination, internet)',
      '10.20.3.10 (source)',
      '10.20.3.11 (source and destination)',
      '10.20.3.12 (source and destination)',
    ]);
  });

  it.each([
    ['185.220.101.4', true],
    ['8.8.8.8', true],
    ['2001:4860:4860::8888', true],
    ['10.20.3.10', false],
    ['172.31.255.1', false],
    ['172.32.0.1', true],
    ['192.168.1.1', false],
    ['100.64.0.1', false],
    ['127.0.0.1', false],
    ['169.254.10.1', false],
    ['239.255.255.250', false],
    ['255.255.255.255', false],
    ['fd00::1', false],
    ['fe80::1', false],
    ['::1', false],
    ['not an ip', false],
    [undefined, false],
  ] as const)('%s is an internet address: %s', (ip, expected) => {
    expect(isInternetAddress(ip)).toBe(expected);
  });

  it('ranks a criticality named like a built-in property as unknown, not as a function', async () => {
    expect([criticalityRank('constructor'), criticalityRank('__proto__'), criticalityRank('High')]).toEqual([
      0, 0, 3,
    ]);
    const f = await incidentFacts(trigger(incidentOf([lyonRow({ AssetCriticality: 'constructor' })])));
    expect(f.criticality).toBe('constructor');
  });
});

describe('Log Analytics query client', () => {
  it('posts the KQL with the Log Analytics scope and maps rows to objects', async () => {
    const fetch = fakeFetch({
      handles: (u) => u.hostname === 'api.loganalytics.io',
      handle: (req) => {
        expect(req.url.pathname).toBe('/v1/workspaces/11111111-1111-1111-1111-111111111111/query');
        expect(req.json<{ query: string }>().query).toBe(latestRowsQuery(['a"b']));
        return json(200, {
          tables: [
            {
              name: 'PrimaryResult',
              columns: [
                { name: 'AlertId', type: 'string' },
                { name: 'Count', type: 'long' },
              ],
              rows: [['a"b', 4]],
            },
          ],
        });
      },
    });
    const credential = fakeCredential();
    const facts = logAnalyticsAlertFacts(createLogAnalyticsQuery({ credential, fetch }));
    expect(await facts.latest('11111111-1111-1111-1111-111111111111', ['a"b'])).toEqual([
      { AlertId: 'a"b', Count: 4 },
    ]);
    expect(credential.scopes).toEqual(['https://api.loganalytics.io/.default']);
    expect(latestRowsQuery(['a"b'])).toContain('where AlertId in ("a\\"b")');
  });

  it('names the role on 403 and refuses a workspace id that is not a GUID', async () => {
    const fetch = fakeFetch({
      handles: () => true,
      handle: () => json(403, { error: { code: 'InsufficientAccessError' } }),
    });
    const query = createLogAnalyticsQuery({ credential: fakeCredential(), fetch });
    await expect(query('11111111-1111-1111-1111-111111111111', 'x')).rejects.toThrow(/Log Analytics Reader/);
    await expect(query('../../etc', 'x')).rejects.toThrow(/not a GUID/);
  });
});

describe('Graph group directory', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('looks a group up by display name with an escaped $filter, once per name', async () => {
    const urls: string[] = [];
    vi.stubGlobal('fetch', async (input: string | URL | Request) => {
      const url = typeof input === 'string' ? input : input instanceof URL ? input.toString() : input.url;
      urls.push(decodeURIComponent(url));
      return new Response(JSON.stringify({ value: [{ id: 'g-1', displayName: "O'Brien OT" }] }), {
        status: 200,
        headers: { 'content-type': 'application/json' },
      });
    });
    const dir = graphDirectory(fakeCredential());
    expect(await dir.groupIdByName("O'Brien OT")).toBe('g-1');
    expect(await dir.groupIdByName("o'brien ot")).toBe('g-1');
    expect(urls).toHaveLength(1);
    expect(urls[0]).toMatch(
      /^https:\/\/graph\.microsoft\.com\/v1\.0\/groups\?\$filter=displayName eq 'O''Brien OT'&\$select=id,displayName$/,
    );
  });

  it('refuses an ambiguous name', async () => {
    vi.stubGlobal(
      'fetch',
      async () =>
        new Response(
          JSON.stringify({
            value: [
              { id: 'a', displayName: 'OT' },
              { id: 'b', displayName: 'OT' },
            ],
          }),
          { status: 200, headers: { 'content-type': 'application/json' } },
        ),
    );
    await expect(graphDirectory(fakeCredential()).groupIdByName('OT')).rejects.toThrow(
      /2 Entra groups are named "OT"/,
    );
  });
});

describe('playbook configuration', () => {
  it('has usable defaults', () => {
    const c = parsePlaybookConfig({});
    expect(c.teams).toMatchObject({
      webhookUrlSetting: 'OTSOC_TEAMS_WEBHOOK_URL',
      countThresholds: [10, 100, 1000],
    });
    expect(c.reassign).toMatchObject({
      maxPurdueLevel: 3,
      label: 'OT',
      severityFloor: { Critical: 'High', High: 'Medium' },
    });
    expect(c.autoClose.neverClose.escalations).toEqual(['NotEngineeringStation', 'OutsideWorkingHours']);
  });

  it('rejects secrets where only setting names belong, naming the path', () => {
    const bad = () =>
      parsePlaybookConfig({
        ticketSystems: {
          snow: {
            kind: 'serviceNow',
            instanceUrl: 'https://x.service-now.com',
            auth: { type: 'basic', usernameSetting: 'U', passwordSetting: 'hunter2!' },
          },
        },
      });
    expect(bad).toThrow(PlaybookConfigError);
    expect(bad).toThrow(/ticketSystems\.snow\.auth\.passwordSetting: must be the NAME of an app setting/);
    expect(() =>
      parsePlaybookConfig({
        ticketSystems: {
          j: {
            kind: 'jira',
            baseUrl: 'http://x',
            projectKey: 'OT',
            auth: { type: 'bearer', tokenSetting: 'T' },
          },
        },
      }),
    ).toThrow(/baseUrl: must be an https:\/\/ URL/);
    expect(() =>
      parsePlaybookConfig({
        autoClose: {
          maintenance: [
            {
              name: 'm',
              site: 'L',
              sources: ['x'],
              start: '2026-11-18T12:00:00Z',
              end: '2026-11-18T10:00:00Z',
            },
          ],
        },
      }),
    ).toThrow(/autoClose\.maintenance\.0\.end: end must be after start/);
  });
});
