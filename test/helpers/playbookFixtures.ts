/**
 * Incident-trigger payloads and a harness that wires the playbooks' real Azure/ITSM clients to the fakes.
 */
import type { GroupState } from '../../pipeline/dedup/groupState.js';
import { MemoryGroupStore } from '../../pipeline/dedup/memoryGroupStore.js';
import { type PlaybookConfigInput, parsePlaybookConfig } from '../../playbooks/config.js';
import type { GroupDirectory } from '../../playbooks/directory.js';
import type { AlertFactsSource } from '../../playbooks/facts.js';
import { handlePlaybook } from '../../playbooks/handler.js';
import type { ClassificationCounts, ClassificationHistory } from '../../playbooks/logAnalytics.js';
import { syntheticIncident } from '../../playbooks/offline/synthetic.js';
import { createArmD4IoTAlertClient } from '../../playbooks/sentinel/d4iotAlert.js';
import { createArmIncidentClient } from '../../playbooks/sentinel/incidentClient.js';
import { memoryNotifyState } from '../../playbooks/state/playbookState.js';
import { memoryTicketMap } from '../../playbooks/state/ticketMap.js';
import { createWorkflowPoster } from '../../playbooks/teams/webhook.js';
import type { TicketSystem } from '../../playbooks/tickets/fields.js';
import { createJira } from '../../playbooks/tickets/jira.js';
import { createServiceNow } from '../../playbooks/tickets/serviceNow.js';
import type { PlaybookDeps, PlaybookName } from '../../playbooks/types.js';
import { enriched } from './alerts.js';
import { fakeCredential, fakeFetch, recordingSleep } from './fakeFetch.js';
import { FakeJira, JIRA_EMAIL, JIRA_TOKEN, JIRA_URL } from './fakeJira.js';
import { FakeSentinel } from './fakeSentinel.js';
import { FakeServiceNow, SNOW_PASSWORD, SNOW_URL, SNOW_USER } from './fakeServiceNow.js';
import { FakeTeamsWebhook, TEAMS_WEBHOOK_URL } from './fakeTeams.js';

export const LYON_GROUP = '4f9a1c2e-7b3d-4e5f-8a6b-1c2d3e4f5a6b';
export const FILLING_GROUP = '5a0b2d3f-8c4e-4f60-9b7c-2d3e4f5a6b7c';
export const ROTTERDAM_GROUP = '6b1c3e4a-9d5f-4a71-8c8d-3e4f5a6b7c8d';
export const D4IOT_ALERT_PATH =
  '/subscriptions/00000000-0000-0000-0000-000000000000/providers/Microsoft.IoTSecurity/locations/westeurope/deviceGroups/Lyon/alerts/5f1e9c1a-0000-4000-8000-000000000001';

/** Latest OTAlerts_CL row of a group: unauthorised programming of the Lyon filling PLC from a laptop. */
export function lyonRow(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    AlertId: 'grp-lyon-plc-prog-0001',
    AlertTitle: 'Unauthorized PLC Programming',
    Severity: 'High',
    Site: 'Lyon',
    Zone: 'Filling',
    Count: 3,
    FirstSeen: '2026-11-18T02:10:00.000Z',
    LastSeen: '2026-11-18T02:14:00.000Z',
    Techniques: ['T0843', 'T0821'],
    TechniqueNames: ['Program Download', 'Modify Controller Tasking'],
    Tactics: ['LateralMovement', 'Execution'],
    SourceIP: '10.20.3.99',
    SourceName: 'DESKTOP-7Q2',
    DestinationIP: '10.20.3.21',
    DestinationAssetName: 'LYN-FIL-PLC-01',
    DestinationAssetType: 'PLC',
    PurdueLevel: 1,
    AssetCriticality: 'Critical',
    AssetOwner: 'Girard, L. (Filling)',
    OTTeam: 'OT-Lyon-Filling',
    RiskScore: 92,
    Escalations: [
      {
        rule: 'NotEngineeringStation',
        reason: 'PLC programming from DESKTOP-7Q2, not an engineering station',
      },
    ],
    AlertManagementUri: D4IOT_ALERT_PATH,
    Sensors: ['lyn-fil-sensor-01'],
    ...over,
  };
}

/** A Rotterdam Modbus storm group: medium, no maintenance, not escalated. */
export function rotterdamRow(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    AlertId: 'grp-rtm-modbus-0001',
    AlertTitle: 'Illegal Modbus Address Range',
    Severity: 'Medium',
    Site: 'Rotterdam',
    Zone: 'Packaging',
    Count: 12,
    FirstSeen: '2026-11-18T08:00:00.000Z',
    LastSeen: '2026-11-18T08:29:00.000Z',
    Techniques: ['T0836'],
    Tactics: ['ImpairProcessControl'],
    SourceIP: '10.10.2.50',
    SourceAssetName: 'RTM-PKG-HMI-02',
    SourceAssetType: 'HMI',
    DestinationIP: '10.10.2.21',
    DestinationAssetName: 'RTM-PKG-PLC-01',
    DestinationAssetType: 'PLC',
    PurdueLevel: 1,
    AssetCriticality: 'High',
    OTTeam: 'OT-Rotterdam-Packaging',
    RiskScore: 55,
    Sensors: ['rtm-pkg-sensor-01', 'rtm-pkg-sensor-02'],
    ...over,
  };
}

export const incidentOf = (rows: Record<string, unknown>[], incidentNumber = 42) =>
  syntheticIncident(rows, { incidentNumber, workspaceId: '11111111-1111-1111-1111-111111111111' });

/** A native Defender for IoT incident (no ot-soc rule): SecurityAlert additionalData and an IoTDevice entity. */
export function nativeD4IoTIncident(incidentNumber = 77): Record<string, unknown> {
  const id = `/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/soc/providers/Microsoft.OperationalInsights/workspaces/soc-ws/providers/Microsoft.SecurityInsights/Incidents/9d2b0c4e-1111-4222-8333-444455556666`;
  return {
    workspaceInfo: {
      SubscriptionId: '00000000-0000-0000-0000-000000000000',
      ResourceGroupName: 'soc',
      WorkspaceName: 'soc-ws',
    },
    workspaceId: '22222222-2222-2222-2222-222222222222',
    object: {
      id,
      name: '9d2b0c4e-1111-4222-8333-444455556666',
      etag: '"1"',
      type: 'Microsoft.SecurityInsights/Incidents',
      properties: {
        incidentNumber,
        title: 'PLC Stop Command Sent',
        severity: 'High',
        status: 'New',
        owner: { objectId: null, email: null, assignedTo: null, userPrincipalName: null },
        labels: [{ labelName: 'IoT', labelType: 'AutoAssigned' }],
        incidentUrl: `https://portal.azure.com/#asset/Microsoft_Azure_Security_Insights/Incident${id}`,
        providerName: 'Azure Sentinel',
        firstActivityTimeUtc: '2026-11-18T03:24:00Z',
        lastActivityTimeUtc: '2026-11-18T03:24:00Z',
        additionalData: {
          alertsCount: 1,
          tactics: ['InhibitResponseFunction'],
          alertProductNames: ['Azure Security Center for IoT'],
        },
        relatedAnalyticRuleIds: [],
        Alerts: [
          {
            properties: {
              alertDisplayName: 'PLC Stop Command Sent',
              severity: 'High',
              productName: 'Azure Security Center for IoT',
              startTimeUtc: '2026-11-18T03:24:00Z',
              endTimeUtc: '2026-11-18T03:24:00Z',
              tactics: ['InhibitResponseFunction'],
              additionalData: {
                SensorId: 'rtm-pkg-sensor-01',
                SourceDeviceAddress: '10.10.1.66',
                DestinationDeviceAddress: '10.10.2.21',
                Protocol: 'S7',
                AlertManagementUri: D4IOT_ALERT_PATH,
              },
            },
          },
        ],
        relatedEntities: [
          {
            kind: 'IoTDevice',
            properties: {
              deviceName: 'RTM-PKG-PLC-01',
              deviceType: 'PLC',
              importance: 'High',
              purdueLayer: 'ProcessControl',
              site: 'Rotterdam',
              zone: 'Packaging',
              additionalData: {
                DevicePageLink:
                  'https://portal.azure.com/#view/Microsoft_Azure_IoT_Defender/DevicePage/id/123',
              },
            },
          },
        ],
      },
    },
  };
}

export const TEST_ENV = {
  OTSOC_TEAMS_WEBHOOK_URL: TEAMS_WEBHOOK_URL,
  SNOW_USER,
  SNOW_PASSWORD,
  JIRA_EMAIL,
  JIRA_TOKEN,
};

export const TEST_CONFIG: PlaybookConfigInput = {
  sites: {
    Lyon: { otTeam: { groupId: LYON_GROUP, groupName: 'OT-Lyon' }, ticketSystem: 'snow' },
    Rotterdam: { otTeam: { groupName: 'OT-Rotterdam' }, ticketSystem: 'jira' },
  },
  ticketSystems: {
    snow: {
      kind: 'serviceNow',
      instanceUrl: SNOW_URL,
      auth: { type: 'basic', usernameSetting: 'SNOW_USER', passwordSetting: 'SNOW_PASSWORD' },
      assignmentGroup: 'OT Security',
    },
    jira: {
      kind: 'jira',
      baseUrl: JIRA_URL,
      projectKey: 'OT',
      auth: { type: 'basic', emailSetting: 'JIRA_EMAIL', tokenSetting: 'JIRA_TOKEN' },
    },
  },
};

/** A group in the dedup store under this AlertId (what auto-close must close). */
export function groupState(alertId: string, status: 'New' | 'Closed' = 'New'): GroupState {
  const t = Date.parse('2026-11-18T02:10:00Z');
  return {
    key: `key-${alertId}`,
    keyVersion: 'v1',
    alertId,
    seq: 1,
    revision: 1,
    windowStart: t,
    firstSeen: t,
    lastSeen: t,
    count: 3,
    status,
    sensors: ['lyn-fil-sensor-01'],
    formats: ['SecurityAlert'],
    vendorIds: [],
    vendorIdTotal: 0,
    marks: {},
    dirty: false,
    urgent: false,
    emittedAt: t,
    finalized: false,
    latest: enriched(),
  };
}

export function fakeHistory(
  counts: Partial<ClassificationCounts> = {},
): ClassificationHistory & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    async forAlertType(_ws, type) {
      calls.push(type.ruleIds.length ? `${type.title} [${type.ruleIds.join(',')}]` : type.title);
      return { closed: 0, truePositive: 0, benignPositive: 0, falsePositive: 0, undetermined: 0, ...counts };
    },
  };
}

export function fakeDirectory(groups: Record<string, string>): GroupDirectory & { lookups: string[] } {
  const lookups: string[] = [];
  return {
    lookups,
    async groupIdByName(name) {
      lookups.push(name);
      return groups[name];
    },
  };
}

export function fakeFactsSource(rows: Record<string, unknown>[]): AlertFactsSource & { calls: string[][] } {
  const calls: string[][] = [];
  return {
    calls,
    async latest(_ws, ids) {
      calls.push([...ids]);
      return rows.filter((r) => ids.includes(String(r.AlertId)));
    },
  };
}

/** The playbooks with real clients over the fakes; `deps` can be adjusted per test before `run`. */
export function harness(
  configInput: PlaybookConfigInput = TEST_CONFIG,
  env: Record<string, string> = TEST_ENV,
) {
  const sentinel = new FakeSentinel();
  const teams = new FakeTeamsWebhook();
  const snow = new FakeServiceNow();
  const jira = new FakeJira();
  const fetch = fakeFetch(sentinel, teams, snow, jira);
  const sleep = recordingSleep();
  const credential = fakeCredential();
  const config = parsePlaybookConfig(configInput);
  const groups = new MemoryGroupStore();
  const systems = new Map<string, TicketSystem>();
  const deps: PlaybookDeps = {
    config,
    incidents: createArmIncidentClient({ credential, fetch, sleep }),
    teams: createWorkflowPoster({ config, env, fetch, sleep }),
    notifyState: memoryNotifyState(),
    ticketMap: memoryTicketMap(),
    // One client per system, as the runtime keeps them (the ServiceNow group sys_id is cached per client).
    ticketSystem: (name) => {
      const c = config.ticketSystems[name]!;
      let system = systems.get(name);
      if (!system) {
        system =
          c.kind === 'serviceNow'
            ? createServiceNow({ config: c, env, fetch, sleep })
            : createJira({ config: c, env, fetch, sleep });
        systems.set(name, system);
      }
      return system;
    },
    directory: fakeDirectory({ 'OT-Rotterdam': ROTTERDAM_GROUP }),
    d4iot: createArmD4IoTAlertClient({ credential, fetch, sleep }),
    groups,
    now: () => new Date('2026-11-18T09:00:00Z'),
  };
  const run = (name: PlaybookName, payload: unknown) =>
    handlePlaybook(name, { body: JSON.stringify(payload) }, deps);
  /** Requests that changed something anywhere (not GETs, not searches). */
  const writes = () => fetch.requests.filter((r) => r.method !== 'GET' && !r.url.includes('/search/jql'));
  return { sentinel, teams, snow, jira, fetch, sleep, credential, config, groups, deps, run, writes };
}
