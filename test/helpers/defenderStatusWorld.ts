/**
 * The defender-status timer's world for tests: the playbook harness (real ARM clients over the Sentinel fake),
 * SecurityIncident/SecurityAlert/OTAlerts_CL as Log Analytics would show them (incidents from the fake's current
 * state), the query API fake running the real query with the local KQL engine, and a runtime for the handler.
 */
import funcs from '@azure/functions';
import { makeDefenderStatusHandler } from '../../functions/defenderStatus.js';
import { createLogAnalyticsQuery } from '../../playbooks/logAnalytics.js';
import type { PlaybookRuntime } from '../../playbooks/runtime.js';
import { memoryDefenderStatus } from '../../playbooks/state/defenderStatus.js';
import type { KqlValue } from '../../sentinel/kql/types.js';
import { SECURITY_ALERT_COLUMNS, SECURITY_INCIDENT_COLUMNS } from '../../sentinel/tables.js';
import { OTALERTS_KQL_COLUMNS } from '../../sentinel/workspace.js';
import { fakeFetch } from './fakeFetch.js';
import { FakeLogAnalytics } from './fakeLogAnalytics.js';
import { FakeSentinel } from './fakeSentinel.js';
import { harness, incidentOf } from './playbookFixtures.js';

export const WORKSPACE_ID = '11111111-1111-1111-1111-111111111111';
export const WORKSPACE =
  '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/ot-soc-demo/providers/Microsoft.OperationalInsights/workspaces/ot-soc-demo';
const NOW = new Date('2026-11-18T09:00:00Z');

type Trigger = ReturnType<typeof incidentOf> & {
  object: { id: string; name: string; properties: Record<string, unknown> };
};

/** Sentinel and the pipeline's table as Log Analytics would show them, from the fake's current incidents. */
export function defenderStatusWorld() {
  const h = harness();
  const incidents: { trigger: Trigger; rows: Record<string, unknown>[] }[] = [];
  const revisions: Record<string, KqlValue>[] = [];
  const tables = () => ({
    SecurityIncident: {
      columns: SECURITY_INCIDENT_COLUMNS,
      rows: incidents.map(({ trigger, rows }) => {
        // A deleted incident keeps its last row in the table.
        const p =
          h.sentinel.incidents.get(trigger.object.id.toLowerCase())?.properties ?? trigger.object.properties;
        return {
          TimeGenerated: new Date(NOW.getTime() - 60_000),
          IncidentName: trigger.object.name,
          IncidentNumber: Number(p.incidentNumber),
          Status: String(p.status),
          AlertIds: rows.map((r) => `sa-${String(r.AlertId)}`),
        };
      }),
    },
    SecurityAlert: {
      columns: SECURITY_ALERT_COLUMNS,
      rows: incidents.flatMap(({ rows }) =>
        rows.map((r) => ({
          TimeGenerated: new Date(NOW.getTime() - 3_600_000),
          SystemAlertId: `sa-${String(r.AlertId)}`,
          ExtendedProperties: JSON.stringify({ 'Custom Details': JSON.stringify({ AlertId: [r.AlertId] }) }),
        })),
      ),
    },
    OTAlerts_CL: { columns: OTALERTS_KQL_COLUMNS, rows: revisions },
  });
  const la = new FakeLogAnalytics(WORKSPACE_ID, tables, () => NOW);
  const laFetch = fakeFetch(la);
  h.deps.defenderStatus = memoryDefenderStatus();
  const runtime: PlaybookRuntime = {
    deps: h.deps,
    query: createLogAnalyticsQuery({ credential: h.credential, fetch: laFetch }),
    followed: { resourceId: WORKSPACE, workspaceId: WORKSPACE_ID },
    stateKind: 'memory',
  };
  const add = (n: number, rows: Record<string, unknown>[]) => {
    const trigger = incidentOf(rows, n) as Trigger;
    h.sentinel.seed(trigger as never);
    incidents.push({ trigger, rows });
    for (const r of rows) revision(String(r.AlertId), 'New');
    return trigger;
  };
  const revision = (alertId: string, status: string) => {
    const n = revisions.filter((r) => r.AlertId === alertId).length + 1;
    revisions.push({
      TimeGenerated: new Date(NOW.getTime() - 120_000),
      AlertId: alertId,
      Revision: n,
      Status: status,
    });
  };
  const logs: string[] = [];
  const context = new funcs.InvocationContext({
    invocationId: 'inv-1',
    functionName: 'defender-status',
    logHandler: (level, ...args) => logs.push(`[${level}] ${args.join(' ')}`),
  });
  const tick = (rt: PlaybookRuntime = runtime) => makeDefenderStatusHandler(async () => rt)({}, context);
  const writes = () => FakeSentinel.writes(h.fetch.requests);
  return { h, la, add, revision, tick, logs, writes, runtime };
}
