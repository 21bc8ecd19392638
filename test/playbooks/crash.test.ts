/**
 * Crash at every step: each dependency call a playbook makes (Sentinel reads and writes, state stores, the
 * ticket system, the Teams workflow, Defender for IoT) is made to fail once — before it happens, or after it
 * happened with its answer lost (a crash, a 5xx after the write) — and the Logic App's retries then run the
 * playbook again (after the lease, as Retry-After says) until it succeeds. Whatever the step, the incident
 * gets exactly one card, one ticket, one close. The one window where a card cannot be guaranteed is a run that
 * dies between recording `sending` and making the request: the next run cannot tell it from a run that died
 * while the card was on its way, so it does not send again and the comment says the outcome is unknown.
 * The fakes also model the services' own ambiguous answers: a ServiceNow or Jira create that commits and then
 * answers 5xx, a Teams post that reaches the channel and then answers 502, a workflow that accepts (202) a
 * card its flow then fails to post.
 */
import { describe, expect, it } from 'vitest';
import type { PlaybookDeps, PlaybookName } from '../../playbooks/types.js';
import { CRASH_MODES, crashAt, type CrashMode as Mode } from '../helpers/crashing.js';
import {
  D4IOT_ALERT_PATH,
  groupState,
  harness,
  incidentOf,
  lyonRow,
  rotterdamRow,
  TEST_CONFIG,
} from '../helpers/playbookFixtures.js';

/** Wraps every async method of the playbooks' dependencies; call number `k` fails in `mode`. */
function crashing(deps: PlaybookDeps, k: number, mode: Mode) {
  const { wrap, calls, crashed } = crashAt(k, mode);
  const wrapped: PlaybookDeps = {
    ...deps,
    incidents: wrap(deps.incidents, 'incidents'),
    teams: wrap(deps.teams!, 'teams'),
    notifyState: wrap(deps.notifyState!, 'notifyState'),
    ticketMap: wrap(deps.ticketMap!, 'ticketMap'),
    ticketSystem: (name) => wrap(deps.ticketSystem!(name), 'ticketSystem'),
    d4iot: wrap(deps.d4iot!, 'd4iot'),
    groups: wrap(deps.groups!, 'groups'),
  };
  return { deps: wrapped, calls, crashed };
}

const T0 = Date.parse('2026-11-18T09:00:00Z');

type Harness = ReturnType<typeof harness>;
type Seed = (h: Harness) => void | Promise<void>;

/** One playbook, crashed at call k, then retried (10 minutes apart) until it answers 200, then once more. */
async function crashThenRetry(
  name: PlaybookName,
  payload: unknown,
  setup: Seed,
  k: number,
  mode: Mode,
  config = TEST_CONFIG,
) {
  const h = harness(config);
  await setup(h);
  let now = T0;
  h.deps.now = () => new Date(now);
  const c = crashing(h.deps, k, mode);
  const first = await (await import('../../playbooks/handler.js')).handlePlaybook(
    name,
    { body: JSON.stringify(payload) },
    c.deps,
  );
  const statuses = [first.status];
  for (let attempt = 0; attempt < 4 && statuses.at(-1) !== 200; attempt++) {
    now += 10 * 60_000;
    statuses.push((await h.run(name, payload)).status);
  }
  now += 10 * 60_000;
  const again = await h.run(name, payload);
  return { h, c, statuses, again };
}

/** How many dependency calls a clean run makes (the steps to crash at). */
async function stepsOf(name: PlaybookName, payload: unknown, setup: Seed, config = TEST_CONFIG) {
  const h = harness(config);
  await setup(h);
  const c = crashing(h.deps, 0, 'before');
  const res = await (await import('../../playbooks/handler.js')).handlePlaybook(
    name,
    { body: JSON.stringify(payload) },
    c.deps,
  );
  expect(res.status).toBe(200);
  return { steps: c.calls.length, names: c.calls.map((x) => x.name) };
}

interface CrashRun {
  h: Harness;
  c: ReturnType<typeof crashing>;
  statuses: number[];
  again: { status: number };
  mode: Mode;
  k: number;
  /** The crash, for messages: mode, call and step, and the statuses of the runs. */
  where: string;
  /** The calls of a clean run, in order. */
  names: string[];
}

/**
 * Every step of a clean run crashed in every mode, each followed by the retries: the retried runs end in 200
 * (and so does one more), and `check` sees the outcome.
 */
async function forEachCrash(
  name: PlaybookName,
  payload: unknown,
  seed: Seed,
  check: (run: CrashRun) => void | Promise<void>,
  config = TEST_CONFIG,
): Promise<void> {
  const { steps, names } = await stepsOf(name, payload, seed, config);
  for (let k = 1; k <= steps; k++)
    for (const mode of CRASH_MODES) {
      const run = await crashThenRetry(name, payload, seed, k, mode, config);
      const where = `${mode} ${run.c.crashed()?.name} (step ${k}), statuses ${run.statuses}`;
      expect(run.statuses.at(-1), where).toBe(200);
      expect(run.again.status, where).toBe(200);
      await check({ ...run, mode, k, where, names });
    }
}

/** The one window no run can see into: `sending` recorded, the request not (known to be) made. */
function inSendingWindow(c: ReturnType<typeof crashing>, mode: Mode): boolean {
  const stage = (c.crashed()?.args[1] as { pending?: { stage?: string } } | undefined)?.pending?.stage;
  return (
    (mode === 'after' && c.crashed()?.name === 'notifyState.put' && stage === 'sending') ||
    (mode === 'before' && c.crashed()?.name === 'teams.post')
  );
}

/** The comments of the one incident a run seeded, oldest first. */
const commentsOf = (h: Harness) =>
  [...[...h.sentinel.incidents.values()][0]!.comments.values()].map((x) => x.message);

describe('crash at every step: one card, one ticket, one close per incident', () => {
  it('notify-teams: exactly one card (or, if the run died between recording "sending" and the request, none and an honest comment)', async () => {
    const payload = incidentOf([lyonRow()]);
    const seed = (h: Harness) => void h.sentinel.seed(payload as never);
    expect((await stepsOf('notify-teams', payload, seed)).steps).toBeGreaterThanOrEqual(6);
    await forEachCrash('notify-teams', payload, seed, ({ h, c, mode, k, where, names }) => {
      const comments = commentsOf(h);
      expect(comments, where).toHaveLength(1);
      if (inSendingWindow(c, mode)) {
        expect(h.teams.posts, where).toHaveLength(0);
        expect(comments[0], where).toMatch(/no clear answer .*not sent again.*Check the channel/);
      } else {
        expect(h.teams.posts, where).toHaveLength(1);
        // Before the request the outcome is known to the run that sends; once it is out, a run that dies
        // before recording the answer leaves the next run knowing only that it may have gone.
        expect(comments[0], where).toMatch(
          k < names.indexOf('teams.post') + 1 ? /Teams card #1 accepted by/ : /accepted by|no clear answer/,
        );
      }
      expect(comments[0]).not.toMatch(/posted/);
    });
  });

  it('notify-teams on close: exactly one closing card (or none and an honest comment), whatever step fails', async () => {
    const payload = incidentOf([lyonRow()]);
    // The first card sent by a clean run, then the incident closed: the run under test announces the close.
    const seed = async (h: Harness) => {
      const id = h.sentinel.seed(payload as never);
      await h.run('notify-teams', payload);
      Object.assign(h.sentinel.incident(id).properties, {
        status: 'Closed',
        classification: 'FalsePositive',
      });
    };
    await forEachCrash('notify-teams', payload, seed, ({ h, c, mode, where }) => {
      const comments = commentsOf(h);
      expect(comments, where).toHaveLength(2);
      const window = inSendingWindow(c, mode);
      expect(h.teams.posts, where).toHaveLength(window ? 1 : 2);
      if (!window)
        expect(JSON.stringify(h.teams.posts[1]!.body), where).toContain('Closed as false positive');
      expect(comments[1], where).toMatch(
        window ? /no clear answer/ : /Teams card #2 (accepted by|.*no clear answer)/,
      );
    });
  });

  it('create-ticket: exactly one ServiceNow ticket and one label, whatever step fails', async () => {
    const payload = incidentOf([lyonRow()]);
    const seed = (h: Harness) => void h.sentinel.seed(payload as never);
    await forEachCrash('create-ticket', payload, seed, ({ h, where }) => {
      expect(h.snow.records, where).toHaveLength(1);
      const incident = [...h.sentinel.incidents.values()][0]!;
      const labels = incident.properties.labels as { labelName: string }[];
      expect(
        labels.filter((l) => l.labelName.startsWith('ticket:')),
        where,
      ).toHaveLength(1);
      expect(incident.comments.size, where).toBe(1);
    });
  });

  it('create-ticket: exactly one Jira issue whatever step fails', async () => {
    const payload = incidentOf([rotterdamRow()]);
    const seed = (h: Harness) => void h.sentinel.seed(payload as never);
    await forEachCrash('create-ticket', payload, seed, ({ h, where }) => {
      expect(h.jira.issues, where).toHaveLength(1);
    });
  });

  it('auto-close: exactly one close, one comment, and the group and the Defender for IoT alert closed', async () => {
    const config = {
      ...TEST_CONFIG,
      autoClose: {
        trustPipelineMaintenanceTag: false,
        maintenance: [
          {
            name: 'Brewhouse PLC firmware upgrade',
            site: 'Lyon',
            zones: ['Brewhouse'],
            sources: ['10.20.1.10'],
            start: '2026-11-18T10:00:00+00:00',
            end: '2026-11-18T12:00:00+00:00',
          },
        ],
      },
    };
    const payload = incidentOf([
      lyonRow({
        AlertId: 'grp-lyon-fw-0001',
        AlertTitle: 'Firmware Version Changed',
        Severity: 'Medium',
        Zone: 'Brewhouse',
        FirstSeen: '2026-11-18T10:20:00.000Z',
        SourceIP: '10.20.1.10',
        Escalations: [],
      }),
    ]);
    const seed = (h: Harness) => {
      h.sentinel.seed(payload as never);
      void h.groups.put(groupState('grp-lyon-fw-0001'), undefined);
      h.sentinel.seedD4IoTAlert(D4IOT_ALERT_PATH);
    };
    await forEachCrash(
      'auto-close',
      payload,
      seed,
      async ({ h, where }) => {
        const closes = h.fetch.requests.filter(
          (r) => r.method === 'PUT' && !r.url.includes('/comments/') && r.body?.includes('"status":"Closed"'),
        );
        expect(closes, where).toHaveLength(1);
        expect([...h.sentinel.incidents.values()][0]!.comments.size, where).toBe(1);
        expect((await h.groups.findByAlertId('grp-lyon-fw-0001'))!.value.status, where).toBe('Closed');
        expect(h.sentinel.d4iotAlerts.get(D4IOT_ALERT_PATH.toLowerCase())!.properties.status, where).toBe(
          'Closed',
        );
      },
      config,
    );
  });
});

describe('ambiguous answers of the services themselves', () => {
  it('ServiceNow commits the create and answers 504: no second POST; the retry finds it by correlation_id', async () => {
    const h = harness();
    const payload = incidentOf([lyonRow()]);
    h.sentinel.seed(payload as never);
    let now = T0;
    h.deps.now = () => new Date(now);
    h.snow.failAfterWrite = 1;
    const first = await h.run('create-ticket', payload);
    expect(first.status).toBe(503);
    expect(first.headers?.['retry-after']).toBe('120');
    expect(h.fetch.requests.filter((r) => r.method === 'POST' && r.url.includes('service-now'))).toHaveLength(
      1,
    );
    expect((await h.run('create-ticket', payload)).status).toBe(503); // within the lease: not again
    now += 121_000;
    const second = await h.run('create-ticket', payload);
    expect(second.status).toBe(200);
    expect((second.jsonBody as { actions: string[] }).actions[0]).toMatch(
      /^found ServiceNow ticket INC\d+ by correlation id/,
    );
    expect(h.snow.records).toHaveLength(1);
  });

  it('Jira stores the issue and answers 502: one issue', async () => {
    const h = harness();
    const payload = incidentOf([rotterdamRow()]);
    h.sentinel.seed(payload as never);
    let now = T0;
    h.deps.now = () => new Date(now);
    h.jira.failAfterWrite = 1;
    expect((await h.run('create-ticket', payload)).status).toBe(503);
    now += 121_000;
    expect((await h.run('create-ticket', payload)).status).toBe(200);
    expect(h.jira.issues).toHaveLength(1);
  });

  it('Teams posts the card and answers 502: not sent twice, and the comment says the outcome is unknown', async () => {
    const h = harness();
    const payload = incidentOf([lyonRow()]);
    const id = h.sentinel.seed(payload as never);
    h.teams.failAfterPost = 1;
    const res = await h.run('notify-teams', payload);
    expect(res.status).toBe(200);
    expect((res.jsonBody as { notes: string[] }).notes.join()).toMatch(/HTTP 502.*not re-sent/);
    expect((await h.run('notify-teams', payload)).status).toBe(200);
    expect(h.teams.accepted).toHaveLength(1);
    expect(h.teams.posts).toHaveLength(1);
    const [comment] = [...h.sentinel.incident(id).comments.values()];
    expect(comment!.message).toMatch(/no clear answer came back \(.*HTTP 502.*\).*Check the channel/);
  });

  it('the workflow accepts (202) but its flow fails to post: the comment says "accepted by", never "posted"', async () => {
    const h = harness();
    const payload = incidentOf([lyonRow()]);
    const id = h.sentinel.seed(payload as never);
    h.teams.flowFailsAfterAccept = 1;
    expect((await h.run('notify-teams', payload)).status).toBe(200);
    expect(h.teams.accepted).toHaveLength(1);
    expect(h.teams.posts).toHaveLength(0);
    const [comment] = [...h.sentinel.incident(id).comments.values()];
    expect(comment!.message).toMatch(
      /^ot-soc notify-teams: Teams card #1 accepted by the Lyon OT channel's Teams workflow/,
    );
  });
});
