/**
 * The defender-status timer Function through its registered handler, with the real ARM incident client against
 * the Sentinel fake (etag, full-replacement PUT, classification rules, comments by id) and the real Log Analytics
 * client against a query API fake that runs the query with the local KQL engine over SecurityIncident,
 * SecurityAlert and OTAlerts_CL as a test writes them.
 */
import funcs, { type TimerFunctionOptions } from '@azure/functions';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { playbookSettingsProblems } from '../../playbooks/runtime.js';
import { defenderStatusWorld, WORKSPACE, WORKSPACE_ID } from '../helpers/defenderStatusWorld.js';
import { D4IOT_ALERT_PATH, lyonRow, rotterdamRow } from '../helpers/playbookFixtures.js';

const timers = vi.hoisted(() => new Map<string, TimerFunctionOptions>());
vi.mock('@azure/functions', async (importOriginal) => {
  const real = await importOriginal<typeof import('@azure/functions')>();
  const app = {
    ...real.app,
    http: () => {},
    timer: (n: string, o: TimerFunctionOptions) => timers.set(n, o),
  };
  return { ...real, app, default: { ...real, app } };
});

let mod: typeof import('../../functions/defenderStatus.js');
beforeAll(async () => {
  mod = await import('../../functions/defenderStatus.js');
});

const setup = defenderStatusWorld;

describe('the defender-status timer Function', () => {
  it('is registered every five minutes', () => {
    expect(timers.get('defender-status')?.schedule).toBe('20 */5 * * * *');
  });

  it('closes an incident once all its groups are Closed in Defender for IoT: Undetermined, with a comment, once', async () => {
    const s = setup();
    const t = s.add(42, [lyonRow()]);
    await s.tick();
    expect(s.writes()).toEqual([]); // nothing moved yet
    s.revision('grp-lyon-plc-prog-0001', 'Closed');
    await s.tick();
    const inc = s.h.sentinel.incident(t.object.id);
    expect(inc.properties).toMatchObject({
      status: 'Closed',
      classification: 'Undetermined',
      classificationComment: expect.stringMatching(
        /^ot-soc defender-status: closed in Defender for IoT \(the alert/,
      ),
    });
    expect(inc.properties.classificationReason).toBeUndefined();
    expect([...inc.comments.values()].map((c) => c.message)).toEqual([
      expect.stringMatching(
        /^ot-soc defender-status: Defender for IoT closed the alert of this incident \(ot-soc group grp-lyon-plc-prog-0001\)\. ot-soc closes the incident as Undetermined/,
      ),
    ]);
    expect(s.logs).toContainEqual(
      '[information] defender-status incident=42 done target=Closed Defender for IoT closed the alert of this incident (ot-soc group grp-lyon-plc-prog-0001)',
    );
    expect(s.logs.at(-1)).toBe(
      '[information] defender-status: incidents=1 done=1 noop=0 skipped=0 failed=0 state=memory',
    );
    const before = s.writes().length;
    await s.tick();
    expect(s.writes().length).toBe(before);
  });

  it('sync-status does not send the close back (echo), but an analyst reopen leads again and is not closed again', async () => {
    const s = setup();
    const t = s.add(42, [lyonRow()]);
    s.h.sentinel.seedD4IoTAlert(D4IOT_ALERT_PATH, 'Closed');
    s.revision('grp-lyon-plc-prog-0001', 'Closed');
    await s.tick();
    const echo = await s.h.run('sync-status', t);
    expect(echo.status).toBe(200);
    expect(echo.jsonBody).toMatchObject({
      result: 'skipped',
      reason: expect.stringMatching(/follows Defender for IoT/),
    });
    expect(s.h.fetch.requests.filter((r) => r.method === 'PATCH')).toEqual([]);
    // The analyst reopens it (Sentinel bumps the etag): sync-status now syncs, the timer leaves it open.
    const inc = s.h.sentinel.incident(t.object.id);
    inc.properties = { ...inc.properties, status: 'Active' };
    delete inc.properties.classification;
    inc.etag = '"reopened"';
    const reopen = await s.h.run('sync-status', t);
    expect(reopen.jsonBody).toMatchObject({ result: 'done' });
    expect(s.h.sentinel.d4iotAlerts.get(D4IOT_ALERT_PATH.toLowerCase())!.properties.status).toBe(
      'InProgress',
    );
    const before = s.writes().length;
    await s.tick();
    await s.tick();
    expect(s.writes().length).toBe(before);
    expect(inc.properties.status).toBe('Active');
  });

  it('sets a New incident Active when one of its groups is In progress, and closes it when all are Closed', async () => {
    const s = setup();
    const t = s.add(7, [lyonRow(), rotterdamRow()]);
    s.revision('grp-rtm-modbus-0001', 'Active');
    await s.tick();
    const inc = s.h.sentinel.incident(t.object.id);
    expect(inc.properties.status).toBe('Active');
    expect([...inc.comments.values()][0]!.message).toMatch(
      /set 1 of 2 alerts of this incident to In progress \(grp-rtm-modbus-0001\)/,
    );
    s.revision('grp-rtm-modbus-0001', 'Closed');
    await s.tick();
    expect(inc.properties.status).toBe('Active'); // one group still New
    s.revision('grp-lyon-plc-prog-0001', 'Closed');
    await s.tick();
    expect(inc.properties).toMatchObject({ status: 'Closed', classification: 'Undetermined' });
    expect(inc.comments.size).toBe(2);
  });

  it('keeps a concurrent analyst edit (stale etag → re-read, re-apply)', async () => {
    const s = setup();
    const t = s.add(42, [lyonRow()]);
    s.revision('grp-lyon-plc-prog-0001', 'Closed');
    s.h.sentinel.concurrentEdit((p) => {
      p.labels = [{ labelName: 'analyst-was-here', labelType: 'User' }];
    });
    await s.tick();
    const p = s.h.sentinel.incident(t.object.id).properties;
    expect(p.status).toBe('Closed');
    expect(p.labels).toEqual([{ labelName: 'analyst-was-here', labelType: 'User' }]);
  });

  it('reports a failing incident and goes on with the others', async () => {
    const s = setup();
    const a = s.add(1, [lyonRow()]);
    const b = s.add(2, [rotterdamRow()]);
    s.revision('grp-lyon-plc-prog-0001', 'Closed');
    s.revision('grp-rtm-modbus-0001', 'Closed');
    s.h.sentinel.incidents.delete(a.object.id.toLowerCase()); // deleted in Sentinel meanwhile
    await s.tick();
    expect(s.h.sentinel.incident(b.object.id).properties.status).toBe('Closed');
    expect(s.logs).toContainEqual(
      expect.stringMatching(
        /^\[warning\] defender-status incident=1 failed target=Closed Sentinel has no incident/,
      ),
    );
    expect(s.logs.at(-1)).toMatch(/^\[error\] defender-status: incidents=2 done=1 noop=0 skipped=0 failed=1/);
  });

  it('does nothing without the workspace settings, and refuses half of them at start', async () => {
    const s = setup();
    const { followed: _f, ...without } = s.runtime;
    const logs: string[] = [];
    const context = new funcs.InvocationContext({
      logHandler: (level, ...args) => logs.push(`[${level}] ${args.join(' ')}`),
    });
    await mod.makeDefenderStatusHandler(async () => without)({}, context);
    expect(logs).toEqual([expect.stringMatching(/no workspace to follow/)]);
    expect(s.la.queries).toEqual([]);
    expect(playbookSettingsProblems({ OTSOC_SENTINEL_WORKSPACE_ID: WORKSPACE_ID })).toEqual([
      expect.stringMatching(
        /OTSOC_SENTINEL_WORKSPACE_RESOURCE_ID and OTSOC_SENTINEL_WORKSPACE_ID go together/,
      ),
    ]);
    expect(
      playbookSettingsProblems({
        OTSOC_SENTINEL_WORKSPACE_RESOURCE_ID: WORKSPACE,
        OTSOC_SENTINEL_WORKSPACE_ID: 'ws',
      }),
    ).toEqual([expect.stringMatching(/OTSOC_SENTINEL_WORKSPACE_ID: must be the workspace's customer id/)]);
    expect(
      playbookSettingsProblems({
        OTSOC_SENTINEL_WORKSPACE_RESOURCE_ID: WORKSPACE,
        OTSOC_SENTINEL_WORKSPACE_ID: WORKSPACE_ID,
        OTSOC_PLAYBOOK_CONFIG: JSON.stringify({ workspaces: [WORKSPACE.replace('ot-soc-demo', 'other')] }),
      }),
    ).toEqual([expect.stringMatching(/not one of OTSOC_PLAYBOOK_CONFIG workspaces/)]);
  });
});
