/**
 * Alerts and incidents as the rule settings document them: alert details override, custom details, entities;
 * incidentConfiguration (create, grouping by AnyAlert / AllEntities / Selected, lookback, 150-alert incidents,
 * reopening closed incidents).
 */
import { describe, expect, it } from 'vitest';
import { alertsOfRun } from '../../sentinel/alerts.js';
import { IncidentStore } from '../../sentinel/incidents.js';
import type { TwinRule } from '../../sentinel/rules.js';
import { TWIN_WORKSPACE } from '../../sentinel/twin.js';
import { typedRow } from '../../sentinel/workspace.js';
import { min, row, rule, T0 } from './helpers.js';

const grouping = (over: Record<string, unknown>) => ({
  incidentConfiguration: {
    createIncident: true,
    groupingConfiguration: {
      enabled: true,
      reopenClosedIncident: false,
      lookbackDuration: '1h',
      matchingMethod: 'AnyAlert',
      ...over,
    },
  },
});

const IP_ENTITIES = {
  entityMappings: [
    { entityType: 'IP', fieldMappings: [{ identifier: 'Address', columnName: 'SourceIP' }] },
    { entityType: 'Host', fieldMappings: [{ identifier: 'HostName', columnName: 'DestinationName' }] },
  ],
};

/** One run of `r` at `t` over `rows` into `store`. */
function run(store: IncidentStore, r: TwinRule, t: number, ...rows: Record<string, unknown>[]) {
  const alerts = alertsOfRun(
    r,
    rows.map((x) => typedRow(x)),
    { executedAt: t, start: t - min(10), end: t - min(5) },
  );
  return store.addAlerts(r, alerts, t);
}

describe('alert details', () => {
  it('formats name and description from {{columns}}, takes severity and tactics from columns, maps entities and custom details', () => {
    const r = rule({
      ...IP_ENTITIES,
      customDetails: { Site: 'Site', AlertCount: 'Count', FirstSeen: 'FirstSeen' },
      alertDetailsOverride: {
        alertDisplayNameFormat: 'OT: {{AlertTitle}} in {{Site}}/{{Zone}}',
        alertDescriptionFormat: '{{Description}} ({{Count}} alerts)',
        alertSeverityColumnName: 'Severity',
        alertTacticsColumnName: 'AlertTactics',
        alertDynamicProperties: [{ alertProperty: 'Techniques', value: 'AlertTechniques' }],
      },
    });
    const [a] = alertsOfRun(
      r,
      [
        {
          ...typedRow(row({ Severity: 'low', Count: 7, DestinationName: 'RTM-PLC-01' })),
          AlertTactics: 'Discovery,ImpairProcessControl,NotATactic',
          AlertTechniques: '["T0846","T0888"]',
        },
      ],
      { executedAt: T0, start: T0 - min(5), end: T0 },
    );
    expect(a!.displayName).toBe('OT: PLC Scan Detected in Rotterdam/Packaging');
    expect(a!.description).toBe('A PLC scan was detected. (7 alerts)');
    expect(a!.severity).toBe('Low');
    expect(a!.tactics).toEqual(['Discovery', 'ImpairProcessControl']);
    expect(a!.techniques).toEqual(['T0846', 'T0888']);
    expect(a!.customDetails).toEqual({
      Site: ['Rotterdam'],
      AlertCount: ['7'],
      FirstSeen: ['2026-11-18T00:00:00.000Z'],
    });
    expect(a!.entities.map((e) => [e.kind, e.properties.address ?? e.properties.hostName])).toEqual([
      ['Ip', '10.10.1.66'],
      ['Host', 'RTM-PLC-01'],
    ]);
  });

  it('falls back to the rule name, description, severity and tactics without an override', () => {
    const [a] = alertsOfRun(rule({ severity: 'High' }), [typedRow(row({ Severity: 'Low' }))], {
      executedAt: T0,
      start: T0,
      end: T0,
    });
    expect([a!.displayName, a!.severity, a!.tactics]).toEqual(['Test rule', 'High', ['Discovery']]);
  });
});

describe('incidents', () => {
  it('without incidentConfiguration: one incident per alert', () => {
    const store = new IncidentStore(TWIN_WORKSPACE);
    const ev = run(store, rule(), T0, row(), row());
    expect(ev.map((e) => e.kind)).toEqual(['Created', 'Created']);
    expect(store.incidents.map((i) => i.alerts.length)).toEqual([1, 1]);
  });

  it('createIncident false: alerts, no incident', () => {
    const store = new IncidentStore(TWIN_WORKSPACE);
    const r = rule({
      incidentConfiguration: { ...grouping({}).incidentConfiguration, createIncident: false },
    });
    expect(run(store, r, T0, row())).toEqual([]);
    expect(store.alerts).toHaveLength(1);
  });

  it('AnyAlert groups every alert of the rule within the lookback, then starts a new incident', () => {
    const store = new IncidentStore(TWIN_WORKSPACE);
    const r = rule(grouping({}));
    expect(run(store, r, T0, row(), row()).map((e) => e.kind)).toEqual(['Created']);
    expect(run(store, r, T0 + min(30), row()).map((e) => [e.kind, e.added.Alerts])).toEqual([['Updated', 1]]);
    expect(run(store, r, T0 + min(61), row()).map((e) => e.kind)).toEqual(['Created']);
    expect(store.incidents.map((i) => i.alerts.length)).toEqual([3, 1]);
  });

  it('AllEntities groups alerts whose mapped entities are all identical', () => {
    const store = new IncidentStore(TWIN_WORKSPACE);
    const r = rule({ ...IP_ENTITIES, ...grouping({ matchingMethod: 'AllEntities' }) });
    run(
      store,
      r,
      T0,
      row({ DestinationName: 'PLC-1' }),
      row({ DestinationName: 'PLC-1' }),
      row({ DestinationName: 'PLC-2' }),
    );
    expect(store.incidents.map((i) => i.alerts.length)).toEqual([2, 1]);
  });

  it('Selected groups on the chosen custom details (and entities, details) only', () => {
    const store = new IncidentStore(TWIN_WORKSPACE);
    const r = rule({
      ...IP_ENTITIES,
      customDetails: { Site: 'Site', Controller: 'DestinationName' },
      ...grouping({ matchingMethod: 'Selected', groupByCustomDetails: ['Site', 'Controller'] }),
    });
    run(
      store,
      r,
      T0,
      row({ DestinationName: 'PLC-1', SourceIP: '10.0.0.1' }),
      row({ DestinationName: 'PLC-1', SourceIP: '10.0.0.2' }),
      row({ DestinationName: 'PLC-2' }),
      row({ DestinationName: 'PLC-1', Site: 'Lyon' }),
    );
    expect(store.incidents.map((i) => i.alerts.length)).toEqual([2, 1, 1]);
  });

  it('caps an incident at 150 alerts and continues in a new one with the same details', () => {
    const store = new IncidentStore(TWIN_WORKSPACE);
    const r = rule(grouping({}));
    for (let i = 0; i < 4; i++) run(store, r, T0 + i, ...Array.from({ length: 40 }, () => row()));
    expect(store.incidents.map((i) => i.alerts.length)).toEqual([150, 10]);
    expect(store.incidents[1]!.title).toBe(store.incidents[0]!.title);
  });

  it('a closed matching incident gets a new incident unless reopenClosedIncident', () => {
    for (const reopen of [false, true]) {
      const store = new IncidentStore(TWIN_WORKSPACE);
      const r = rule(grouping({ reopenClosedIncident: reopen }));
      run(store, r, T0, row());
      const first = store.incidents[0]!;
      store.update(
        first,
        { status: 'Closed', classification: 'BenignPositive', classificationReason: 'SuspiciousButExpected' },
        'User',
        T0 + 1,
      );
      const ev = run(store, r, T0 + min(10), row());
      if (reopen) {
        expect(ev.map((e) => [e.kind, e.before?.status, e.incident.status])).toEqual([
          ['Updated', 'Closed', 'Active'],
        ]);
        expect(first.classification).toBeUndefined();
        expect(store.incidents).toHaveLength(1);
      } else {
        expect(ev.map((e) => e.kind)).toEqual(['Created']);
        expect(store.incidents.map((i) => i.status)).toEqual(['Closed', 'New']);
      }
    }
  });

  it('an incident takes its title from the first alert and the highest severity of its alerts', () => {
    const store = new IncidentStore(TWIN_WORKSPACE);
    const r = rule({
      ...grouping({}),
      alertDetailsOverride: { alertDisplayNameFormat: '{{AlertTitle}}', alertSeverityColumnName: 'Severity' },
    });
    run(
      store,
      r,
      T0,
      row({ AlertTitle: 'First', Severity: 'Low' }),
      row({ AlertTitle: 'Second', Severity: 'High' }),
    );
    expect([store.incidents[0]!.title, store.incidents[0]!.severity]).toEqual(['First', 'High']);
  });

  it('a joining alert raises the severity to its own, never lowers one a playbook or an analyst set', () => {
    const store = new IncidentStore(TWIN_WORKSPACE);
    const r = rule({ ...grouping({}), alertDetailsOverride: { alertSeverityColumnName: 'Severity' } });
    run(store, r, T0, row({ Severity: 'Medium' }));
    const incident = store.incidents[0]!;
    // reassign-ot raises it for a critical asset; a Medium alert joins: it stays High.
    store.update(incident, { severity: 'High' }, 'Playbook', T0 + min(1));
    const joined = run(store, r, T0 + min(5), row({ Severity: 'Medium' }));
    expect(joined.map((e) => e.kind)).toEqual(['Updated']);
    expect([incident.alerts.length, incident.severity]).toEqual([2, 'High']);
    // An analyst lowers it; a Medium alert joins: Medium, the alert's, as at creation.
    store.update(incident, { severity: 'Low' }, 'User', T0 + min(6));
    run(store, r, T0 + min(10), row({ Severity: 'Medium' }));
    expect([incident.alerts.length, incident.severity]).toEqual([3, 'Medium']);
  });
});
