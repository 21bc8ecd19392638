/**
 * Crash at every step for the status playbooks (sync-status, reassign-ot) and the defender-status timer, like
 * crash.test.ts for the others: each dependency call fails once, before it happens or after it happened with its
 * answer lost, then the Logic App's retries (or the next timer run) run it again. Whatever the step: one
 * reassignment, one status PATCH per alert, one incident close and one comment.
 */
import { describe, expect, it, vi } from 'vitest';
import type { JiraConfig } from '../../playbooks/config.js';
import { handlePlaybook } from '../../playbooks/handler.js';
import type { PlaybookRuntime } from '../../playbooks/runtime.js';
import { memoryDefenderStatus } from '../../playbooks/state/defenderStatus.js';
import { createJira } from '../../playbooks/tickets/jira.js';
import type { PlaybookDeps, PlaybookName } from '../../playbooks/types.js';
import { CRASH_MODES, type CrashMode, crashAt } from '../helpers/crashing.js';
import { defenderStatusWorld } from '../helpers/defenderStatusWorld.js';
import {
  D4IOT_ALERT_PATH,
  groupState,
  harness,
  incidentOf,
  lyonRow,
  ROTTERDAM_GROUP,
  rotterdamRow,
  TEST_ENV,
} from '../helpers/playbookFixtures.js';

vi.mock('@azure/functions', async (importOriginal) => {
  const real = await importOriginal<typeof import('@azure/functions')>();
  const app = { ...real.app, http: () => {}, timer: () => {} };
  return { ...real, app, default: { ...real, app } };
});

describe('crash at every step: the defender-status timer', () => {
  /** The world, its incident closed in Defender for IoT, and a runtime whose calls crash at `k`. */
  const world = (k: number, mode: 'before' | 'after') => {
    const w = defenderStatusWorld();
    const t = w.add(42, [lyonRow()]);
    w.revision('grp-lyon-plc-prog-0001', 'Closed');
    const c = crashAt(k, mode);
    const q = { query: w.runtime.query! };
    const crashing: PlaybookRuntime = {
      ...w.runtime,
      deps: {
        ...w.runtime.deps,
        incidents: c.wrap(w.runtime.deps.incidents, 'incidents'),
        defenderStatus: c.wrap(w.runtime.deps.defenderStatus!, 'state'),
      },
      query: (...a) => c.wrap(q, 'logAnalytics').query(...a),
    };
    return { w, t, c, crashing };
  };

  it('exactly one close and one comment, whatever step fails', async () => {
    const clean = world(0, 'before');
    await clean.w.tick(clean.crashing);
    const steps = clean.c.calls.length;
    expect(clean.c.calls.map((x) => x.name)).toEqual([
      'logAnalytics.query',
      'state.get',
      'incidents.get',
      'state.put',
      'incidents.addComment',
      'incidents.update',
      'state.get',
      'state.put',
    ]);
    for (let k = 1; k <= steps; k++)
      for (const mode of CRASH_MODES) {
        const { w, t, c, crashing } = world(k, mode);
        await w.tick(crashing).catch(() => {}); // a crash in the query fails the whole run
        for (let i = 0; i < 3; i++) await w.tick();
        const where = `${mode} ${c.crashed()?.name} (step ${k})`;
        const inc = w.h.sentinel.incident(t.object.id);
        expect(inc.properties.status, where).toBe('Closed');
        const closes = w.h.fetch.requests.filter(
          (r) => r.method === 'PUT' && !r.url.includes('/comments/') && r.body.includes('"status":"Closed"'),
        );
        expect(closes, where).toHaveLength(1);
        expect(inc.comments.size, where).toBe(1);
        // A run that dies once the close PUT is made never sees the incident open again: its record stays
        // `intent` (harmless: the next test shows a resumed run does not close a reopened incident again).
        const closeMade = k > 6 || (k === 6 && mode === 'after'); // step 6: incidents.update
        const doneRecorded = k === 8 && mode === 'after'; // step 8: the `done` put, in the crashed run
        expect((await w.runtime.deps.defenderStatus!.get(t.object.id))?.value.phase, where).toBe(
          closeMade && !doneRecorded ? 'intent' : 'done',
        );
      }
  });

  it('a run resumed after the close, once an analyst reopened the incident, does not close it again', async () => {
    const { w, t } = world(0, 'before');
    const c = crashAt(6, 'after');
    const rt: PlaybookRuntime = {
      ...w.runtime,
      deps: {
        ...w.runtime.deps,
        incidents: c.wrap(w.runtime.deps.incidents, 'incidents'),
        defenderStatus: c.wrap(w.runtime.deps.defenderStatus!, 'state'),
      },
      query: (...a) => c.wrap({ query: w.runtime.query! }, 'logAnalytics').query(...a),
    };
    await w.tick(rt);
    expect(c.crashed()?.name).toBe('incidents.update');
    const inc = w.h.sentinel.incident(t.object.id);
    expect(inc.properties.status).toBe('Closed');
    // The analyst reopens it before the next run (sync-status is not deployed here: nothing marks the record).
    inc.properties = { ...inc.properties, status: 'Active', lastModifiedTimeUtc: '2026-11-18T09:30:00.000Z' };
    delete inc.properties.classification;
    await w.tick();
    await w.tick();
    expect(inc.properties.status).toBe('Active');
    expect([...inc.comments.values()].map((x) => x.message)).toEqual([
      expect.stringMatching(/ot-soc closes the incident as Undetermined/),
      expect.stringMatching(/ot-soc leaves the incident as it is: it was changed by someone else/),
    ]);
  });
});

type Harness = ReturnType<typeof harness>;

/** The playbook's dependencies with every async method wrapped: call `k` crashes in `mode`. */
function crashingDeps(h: Harness, k: number, mode: CrashMode) {
  const c = crashAt(k, mode);
  const deps: PlaybookDeps = {
    ...h.deps,
    incidents: c.wrap(h.deps.incidents, 'incidents'),
    directory: c.wrap(h.deps.directory!, 'directory'),
    d4iot: c.wrap(h.deps.d4iot!, 'd4iot'),
    groups: c.wrap(h.deps.groups!, 'groups'),
    defenderStatus: c.wrap(h.deps.defenderStatus!, 'defenderStatus'),
    ticketMap: c.wrap(h.deps.ticketMap!, 'ticketMap'),
    // Each request of the ticket client is a step: a crash between the comment and the transition too.
    ticketSystem: (name) => {
      const jira = c.wrap({ fetch: h.fetch }, 'jira');
      return createJira({
        config: h.config.ticketSystems[name] as JiraConfig,
        env: TEST_ENV,
        fetch: (...a) => jira.fetch(...a),
      });
    },
  };
  return { c, deps };
}

/** One playbook crashed at call k, then retried by the Logic App (10 minutes apart) until 200, then once more. */
async function crashThenRetry(
  name: PlaybookName,
  payload: unknown,
  setup: (h: Harness) => void,
  k: number,
  mode: CrashMode,
) {
  const h = harness();
  h.deps.defenderStatus = memoryDefenderStatus();
  setup(h);
  let now = Date.parse('2026-11-18T09:00:00Z');
  h.deps.now = () => new Date(now);
  const { c, deps } = crashingDeps(h, k, mode);
  const statuses = [(await handlePlaybook(name, { body: JSON.stringify(payload) }, deps)).status];
  for (let attempt = 0; attempt < 4 && statuses.at(-1) !== 200; attempt++) {
    now += 10 * 60_000;
    statuses.push((await h.run(name, payload)).status);
  }
  now += 10 * 60_000;
  const again = await h.run(name, payload);
  return { h, c, statuses, again, steps: c.calls.length };
}

type Retried = Awaited<ReturnType<typeof crashThenRetry>>;

/**
 * The playbook crashed at each of its steps (at least `minSteps`), before and after, then retried: every run ends
 * 200 and a run after it finds nothing to do; `check` looks at what the services hold (`clean`: the run that
 * never crashed).
 */
async function atEveryCrash(
  name: PlaybookName,
  payload: unknown,
  setup: (h: Harness) => void,
  minSteps: number,
  check: (run: Retried, where: string, clean: Retried) => void | Promise<void>,
) {
  const clean = await crashThenRetry(name, payload, setup, 0, 'before');
  expect(clean.steps).toBeGreaterThanOrEqual(minSteps);
  for (let k = 1; k <= clean.steps; k++)
    for (const mode of CRASH_MODES) {
      const run = await crashThenRetry(name, payload, setup, k, mode);
      const where = `${mode} ${run.c.crashed()?.name} (step ${k}), statuses ${run.statuses}`;
      expect(run.statuses.at(-1), where).toBe(200);
      expect(run.again.jsonBody, where).toMatchObject({ result: 'noop' });
      await check(run, where, clean);
    }
}

describe('crash at every step: reassign-ot and sync-status', () => {
  it('reassign-ot: exactly one reassignment to the OT team, one label, one comment', async () => {
    const payload = incidentOf([rotterdamRow()]);
    const seed = (h: Harness) => void h.sentinel.seed(payload as never);
    const incidentPuts = (h: Harness) =>
      h.fetch.requests.filter((q) => q.method === 'PUT' && !q.url.includes('/comments/')).length;
    await atEveryCrash('reassign-ot', payload, seed, 4, ({ h }, where, clean) => {
      // No write is repeated: as many incident PUTs as a run that never crashed.
      expect(incidentPuts(h), where).toBe(incidentPuts(clean.h));
      // Each incident PUT is a full replacement: count the ones that moved the owner to the OT team.
      let owner: unknown;
      let reassignments = 0;
      for (const r of h.fetch.requests.filter((q) => q.method === 'PUT' && !q.url.includes('/comments/'))) {
        const next = (JSON.parse(r.body) as { properties: { owner?: { objectId?: string } } }).properties
          .owner?.objectId;
        if (next === ROTTERDAM_GROUP && owner !== ROTTERDAM_GROUP) reassignments++;
        owner = next;
      }
      expect(reassignments, where).toBe(1);
      const inc = [...h.sentinel.incidents.values()][0]!;
      expect(inc.properties.owner, where).toMatchObject({ objectId: ROTTERDAM_GROUP, ownerType: 'Group' });
      expect(
        (inc.properties.labels as { labelName: string }[]).map((l) => l.labelName),
        where,
      ).toEqual(['OT']);
      expect(inc.comments.size, where).toBe(1);
    });
  });

  it('sync-status: exactly one status PATCH per Defender for IoT alert, and every group set, whatever step fails', async () => {
    const second = D4IOT_ALERT_PATH.replace(/0001$/, '0002');
    const payload = incidentOf([
      lyonRow(),
      lyonRow({ AlertId: 'grp-lyon-plc-prog-0002', AlertManagementUri: second }),
    ]);
    const seed = (h: Harness) => {
      const id = h.sentinel.seed(payload as never);
      // An analyst closed the incident: the status change runs sync-status.
      Object.assign(h.sentinel.incident(id).properties, {
        status: 'Closed',
        classification: 'TruePositive',
        classificationReason: 'SuspiciousActivity',
      });
      h.sentinel.seedD4IoTAlert(D4IOT_ALERT_PATH);
      h.sentinel.seedD4IoTAlert(second);
      void h.groups.put(groupState('grp-lyon-plc-prog-0001'), undefined);
      void h.groups.put(groupState('grp-lyon-plc-prog-0002'), undefined);
    };
    await atEveryCrash('sync-status', payload, seed, 6, async ({ h }, where) => {
      const patches = h.fetch.requests
        .filter((r) => r.method === 'PATCH')
        .map((r) => new URL(r.url).pathname);
      expect(patches.sort(), where).toEqual([D4IOT_ALERT_PATH, second].sort());
      for (const path of [D4IOT_ALERT_PATH, second])
        expect(h.sentinel.d4iotAlerts.get(path.toLowerCase())!.properties.status, where).toBe('Closed');
      for (const id of ['grp-lyon-plc-prog-0001', 'grp-lyon-plc-prog-0002'])
        expect((await h.groups.findByAlertId(id))!.value.status, where).toBe('Closed');
    });
  });

  it('sync-status resolving a Jira ticket: one closing comment, one transition, whatever step fails', async () => {
    const payload = incidentOf([rotterdamRow()]);
    const seed = (h: Harness) => {
      const id = h.sentinel.seed(payload as never);
      Object.assign(h.sentinel.incident(id).properties, {
        status: 'Closed',
        classification: 'BenignPositive',
        classificationReason: 'SuspiciousButExpected',
      });
      h.jira.issues.push({ id: '10001', key: 'OT-1', fields: { labels: [] }, status: 'To Do', comments: [] });
      void h.deps.ticketMap!.put(
        id,
        {
          incidentArmId: id,
          state: 'created',
          since: '2026-11-18T08:00:00.000Z',
          system: 'jira',
          kind: 'jira',
          key: 'OT-1',
          id: '10001',
          url: 'https://contoso.atlassian.net/browse/OT-1',
        },
        undefined,
      );
    };
    await atEveryCrash('sync-status', payload, seed, 7, ({ h }, where) => {
      const issue = h.jira.issues[0]!;
      expect(issue.status, where).toBe('Done');
      expect(issue.comments, where).toHaveLength(1);
      const transitions = h.fetch.requests.filter(
        (r) => r.method === 'POST' && r.url.endsWith('/transitions'),
      );
      expect(transitions, where).toHaveLength(1);
    });
  });
});
