import { describe, expect, it } from 'vitest';
import { incidentsHtml } from '../../../cli/report/incidents.js';
import { alertTimes, compressionHtml, deadLettersHtml, storyGrain } from '../../../cli/report/story.js';
import type { RunSummary } from '../../../cli/summary.js';
import { securityAlert } from '../../helpers/records.js';

const row = (id: string, revision: number, extra: Record<string, unknown> = {}) => ({
  AlertId: id,
  Revision: revision,
  AlertTitle: 'Modbus Address Range Violation',
  Site: 'Rotterdam',
  Zone: 'Packaging',
  Count: 600,
  FirstSeen: '2026-11-18T08:00:00Z',
  LastSeen: '2026-11-18T08:10:00Z',
  ...extra,
});

describe('the story of the run', () => {
  it('tells each incident from the twin with the escalation reasons of its groups and the playbook actions', () => {
    const rows = [
      row('g1', 1),
      row('g1', 2, {
        Escalations: [{ rule: 'OutsideWorkingHours', reason: 'PLC programming at 03:24 <b>' }],
      }),
      row('g2', 1),
    ];
    const html = incidentsHtml(
      {
        ran: true,
        alerts: [
          { RuleId: 'r1', RuleName: 'OT attack chain', AlertIds: ['g1'] },
          { RuleId: 'r1', RuleName: 'OT attack chain', AlertIds: ['g2'] },
        ],
        incidents: [
          {
            IncidentNumber: 7,
            Title: 'OT attack chain at PLC-01',
            Severity: 'High',
            Status: 'New',
            RuleIds: ['r1'],
            AlertIds: ['g1', 'g2'],
            AlertCount: 2,
          },
        ],
        actions: [
          { IncidentNumber: 7, Playbook: 'notify-teams', Action: 'posted card', Target: 'OT Rotterdam' },
        ],
      },
      undefined,
      rows,
      2,
    );
    expect(html).toContain('<tr data-incident="7"><td><b>7</b> OT attack chain at PLC-01');
    expect(html).toContain('OutsideWorkingHours: PLC programming at 03:24 &#60;b&#62;');
    expect(html).toContain('<li>notify-teams: posted card</li>');
    expect(html).toMatch(/aria-label="1 rules fired → 2 alerts → 1 incidents → 1 playbook actions"/);
  });

  it('counts an incident of one alert in the singular, and its sensor alerts when a group holds several', () => {
    const html = incidentsHtml(
      {
        ran: true,
        alerts: [{ RuleId: 'r1', RuleName: 'OT firmware change', AlertIds: ['g1'] }],
        incidents: [
          {
            IncidentNumber: 8,
            Title: 'OT: Firmware Change',
            Severity: 'High',
            Status: 'New',
            RuleIds: ['r1'],
            AlertIds: ['g1'],
            AlertCount: 1,
          },
          {
            IncidentNumber: 9,
            Title: 'OT: Firmware Change',
            Severity: 'Low',
            Status: 'New',
            RuleIds: ['r1'],
            AlertIds: ['g2'],
            AlertCount: 1,
          },
        ],
        actions: [],
      },
      undefined,
      [row('g1', 1), row('g2', 1, { Count: 1 })],
      2,
    );
    // A storm's one group is one alert and one incident: its sensor alerts are said beside them.
    expect(html).toContain('High · New · 1 alert, 1 alert group, 600 sensor alerts · OT firmware change');
    expect(html).toContain('Low · New · 1 alert, 1 alert group · OT firmware change');
  });

  it('says when the twin did not run instead of inventing incidents', () => {
    const html = incidentsHtml({ ran: false, alerts: [], incidents: [], actions: [] }, undefined, [], 0);
    expect(html).toContain('Neither the local Sentinel twin nor the playbooks ran');
  });

  it('bins sensor alerts from the input and rows by LastSeen, on one time axis', () => {
    const input = [0, 1, 2, 3]
      .map((m) => JSON.stringify(securityAlert({ t: `2026-11-18T08:0${m}:00.000Z` })))
      .join('\n');
    const times = alertTimes(`${input}\nnot an alert\n`, 'in.ndjson');
    expect(times).toHaveLength(4);
    const html = compressionHtml(
      {
        records: 6,
        alertsParsed: 5,
        vendorUpdates: 1,
        duplicatesIgnored: 0,
        groups: 1,
        rowsWritten: 1,
        dedupRatio: 4,
        deadLettered: 1,
      } as RunSummary,
      [row('g1', 1, { Count: 4, LastSeen: '2026-11-18T08:03:00Z' })],
      times,
    );
    expect(html).toMatch(
      /aria-label="Time chart: Sensor alerts received vs rows written[^"]*2 series \(Sensor alerts received, Rows written to OTAlerts_CL\)/,
    );
    // four minutes of alerts are drawn per minute (one each), not as one hourly point of 4
    expect(html).toContain('per 1m of alert time');
    expect(html).toContain('8 points; highest 1 (Sensor alerts received) at 2026-11-18 08:00');
    // The tiles count as the chart does: 4 alerts, the fifth record an update of one of them.
    expect(html).toContain('<span class="tile-title">Sensor alerts</span><b class="tile-value">4</b>');
    expect(html).toContain(
      '<span class="tile-title">Updates and re-sent copies</span><b class="tile-value">1</b>',
    );
  });

  it('counts each sensor alert once, at its last occurrence: a re-sent copy and a status update are the same alert', () => {
    const id = '00000000-0000-4000-8000-00000000abcd';
    const lines = [
      securityAlert({ id, t: '2026-11-18T08:00:00.000Z' }),
      securityAlert({ id, t: '2026-11-18T08:00:00.000Z' }),
      securityAlert({ id, t: '2026-11-18T08:30:00.000Z', status: 'Closed' }),
      securityAlert({ t: '2026-11-18T08:10:00.000Z' }),
    ].map((r) => JSON.stringify(r));
    expect(alertTimes(`${lines.join('\n')}\n`, 'in.ndjson').sort()).toEqual([
      Date.parse('2026-11-18T08:10:00Z'),
      Date.parse('2026-11-18T08:30:00Z'),
    ]);
    // without a vendor id, a LEEF record re-sent is recognised by its content
    const leef =
      '<9>Dec  2 09:15:00 gdn-sensor-01 LEEF:1.0|Microsoft Defender for IoT|Sensor|24.1.3|Microsoft Defender for IoT Alert|' +
      'title=PLC Stop\tmsg=stopped\tprotocol=S7\tseverity=Major\ttype=Operational\t' +
      'start=Dec 02 2026 09:15:00\tsrc_ip=10.60.2.5\tdst_ip=10.60.1.10\tcat=Restart/Stop Commands';
    expect(alertTimes(`${leef}\n${leef}\n`, 'in.log')).toHaveLength(1);
  });

  it("bins the storm chart to the run's span: minutes for a burst, hours for a day, days for a month", () => {
    const h = 3_600_000;
    expect(
      [0, 0.5 * h, 2 * h, 16 * h, 7 * 24 * h, 30 * 24 * h, 400 * 24 * h].map((s) => storyGrain(s) / 60_000),
    ).toEqual([1, 1, 5, 15, 360, 1440, 1440]);
  });

  it("reads a syslog record's zone-less time in its sensor's time zone, as the pipeline does for the rows", () => {
    // LEEF `start` is in the forwarding rule's zone, without an offset: 10:15 in Warsaw is 09:15 UTC in December.
    const leef =
      '<9>Dec  2 09:15:00 gdn-sensor-01 LEEF:1.0|Microsoft Defender for IoT|Sensor|24.1.3|Microsoft Defender for IoT Alert|' +
      'title=Firmware Version Changed\tmsg=changed\tprotocol=S7\tseverity=Minor\ttype=Policy Violation\t' +
      'start=Dec 02 2026 10:15:00\tsrc_ip=10.60.2.5\tdst_ip=10.60.1.10\tcat=Firmware change';
    const utc = Date.parse('2026-12-02T09:15:00Z');
    const sensors = { 'GDN-Sensor-01': { site: 'Gdansk', zone: 'Bottling', timeZone: 'Europe/Warsaw' } };
    expect(alertTimes(`${leef}\n`, 'in.log', sensors)).toEqual([utc]);
    // Without the sensor's zone the pipeline reads it as UTC, and so does the chart.
    expect(alertTimes(`${leef}\n`, 'in.log')).toEqual([utc + 3_600_000]);
  });

  it('lists dead letters by reason, escaped', () => {
    const html = deadLettersHtml([
      { reason: 'invalid JSON', stage: 'parse', origin: { locator: 'in:3' }, raw: '{"<x>' },
      { reason: 'invalid JSON', stage: 'parse', origin: { locator: 'in:4' }, raw: '{' },
    ]);
    expect(html).toContain('2 records');
    expect(html).toContain('{&#34;&#60;x&#62;');
    expect(html).toMatch(
      /Bar chart: Dead-lettered records by reason\. 1 series \(Records\), 1 points; highest 2/,
    );
  });
});
