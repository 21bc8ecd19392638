/** The incident queue the twin prints: its order, the ticket from the labels, and how many it leaves out. */
import { describe, expect, it } from 'vitest';
import {
  formatTwinSummary,
  type IncidentLine,
  incidentQueue,
  QUEUE_SHOWN,
  type TwinSummary,
} from '../../sentinel/output.js';

const incident = (n: number, severity: string, status: string, labels: string[] = []): IncidentLine => ({
  IncidentNumber: n,
  Title: `incident ${n}`,
  Severity: severity,
  Status: status,
  Classification: null,
  Owner: n % 2 ? 'OT-Lyon-Filling' : null,
  Labels: labels,
  RuleIds: [],
  AlertIds: [],
  AlertCount: n,
});

const summary = (queue: TwinSummary['queue'], incidents: number): TwinSummary => ({
  rules: 1,
  rulesRun: 1,
  runs: 1,
  rulesAlerting: 1,
  alerts: incidents,
  incidents,
  byStatus: {},
  automationRuns: 0,
  playbookRuns: 0,
  playbookFailures: 0,
  actions: 0,
  actionsByPlaybook: {},
  from: '2026-11-18T00:00:00.000Z',
  to: '2026-11-18T01:00:00.000Z',
  queue,
});
const files = { dir: 'd', alerts: 'a', incidents: 'i', actions: 'x', requests: 'r' };

describe('the printed incident queue', () => {
  it('lists open incidents before closed ones, then by severity, then in the order they were raised', () => {
    const q = incidentQueue([
      incident(1, 'Low', 'New'),
      incident(2, 'High', 'Closed'),
      incident(3, 'Medium', 'Active'),
      incident(4, 'High', 'New'),
      incident(5, 'Informational', 'New'),
      incident(6, 'High', 'Active'),
    ]);
    expect(q.map((x) => x.number)).toEqual([4, 6, 3, 1, 5, 2]);
    expect(q.at(-1)!.status).toBe('Closed');
  });

  it('says how a closed incident was classified', () => {
    const [closed] = incidentQueue([{ ...incident(1, 'High', 'Closed'), Classification: 'BenignPositive' }]);
    expect(closed!.status).toBe('Closed (BenignPositive)');
  });

  it('takes the ticket from the ticket label, and no owner or ticket as empty', () => {
    const [a, b] = incidentQueue([
      incident(1, 'High', 'New', ['OT', 'ticket:INC0010001']),
      incident(2, 'High', 'New', ['OT']),
    ]);
    expect([a!.owner, a!.ticket]).toEqual(['OT-Lyon-Filling', 'INC0010001']);
    expect([b!.owner, b!.ticket]).toEqual(['', '']);
    const text = formatTwinSummary(summary([a!, b!], 2), files);
    expect(text).toContain('Incidents (open first, worst first):');
    const row = text.split('\n').find((l) => l.endsWith('incident 2'))!;
    expect(row.trim().split(/\s{2,}/)).toEqual(['2', 'High', 'New', '2', '-', '-', 'incident 2']);
  });

  it('says how many incidents it left out, and prints no table without incidents', () => {
    const all = Array.from({ length: QUEUE_SHOWN + 3 }, (_, k) => incident(k + 1, 'Medium', 'New'));
    const text = formatTwinSummary(summary(incidentQueue(all).slice(0, QUEUE_SHOWN), all.length), files);
    expect(text).toContain(`Incidents (open first, worst first; ${QUEUE_SHOWN} of ${all.length}):`);
    expect(formatTwinSummary(summary([], 0), files)).not.toContain('Incidents (');
  });
});
