/**
 * An attack on a controller that goes on after the OT team was told, through the real path: its steps arrive an
 * hour apart, replayed through the pipeline, then the local Sentinel runs the shipped rules, automation rules and
 * playbooks. The first step opens the incident, its ServiceNow ticket and a Teams card under that step's name; when
 * the second arrives, reassign-ot names the incident after both steps, create-ticket (run after it on alerts added)
 * renames the ticket to match, and notify-teams posts an update card saying the attack went on (the severity was
 * High from the start, so no other rule of its throttle would).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTwinOnOutput, type TwinRunResult } from '../../sentinel/run.js';
import { chainCef, replayHalfHourApart, samples } from './helpers.js';

/** A step of the attack: from 10.10.3.99 to RTM-UTL-PLC-01 (10.10.3.21), reported by the Utilities sensor. */
const cef = (t: string, title: string, cat: string, n: number) =>
  chainCef(t, 'rtm-utl-sensor-01', title, cat, '10.10.3.99', '10.10.3.21', n);

let dir: string;
let twin: TwinRunResult;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ot-soc-ticket-follows-'));
  const lines = [
    cef('2026-12-12T22:21:00Z', 'Modbus Firmware Version Changed', 'Firmware change', 1),
    cef('2026-12-12T23:30:00Z', 'Controller Stop', 'Restart/Stop Commands', 2),
  ];
  // one record per batch, 30 minutes apart: the rules see the second step in a later run
  await replayHalfHourApart(lines, dir, '2026-12-12T22:22:00Z');
  twin = await runTwinOnOutput({ out: dir, playbooks: samples('playbooks.config.json') });
}, 120_000);
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('an attack whose steps arrive an hour apart', () => {
  it('is one incident, named after its first step, then retitled by reassign-ot when the second is added', () => {
    expect(twin.result.incidents.map((i) => [i.title, i.severity])).toEqual([
      ['OT attack on RTM-UTL-PLC-01 in Rotterdam/Utilities: change → stop or restart (2 alerts)', 'High'],
    ]);
    const runs = twin.result.playbookRuns.map(
      (r) => `${r.playbook}: ${(r.outcome?.actions ?? []).join('; ')}`,
    );
    const retitled = runs.findIndex((r) => r.startsWith('reassign-ot: retitled'));
    expect(retitled).toBeGreaterThan(runs.findIndex((r) => r.startsWith('create-ticket: created')));
    expect(runs[retitled + 1]).toBe(
      'create-ticket: updated ServiceNow ticket INC9000001: "[OT Rotterdam] High: OT attack on RTM-UTL-PLC-01 in Rotterdam/Utilities: change → stop or restart (2 alerts)"',
    );
  });

  it('its ServiceNow ticket, opened under the first step, is renamed in one PATCH with its priority inputs', () => {
    const requests = twin.result.playbookRuns
      .filter((r) => r.playbook === 'create-ticket')
      .flatMap((r) => r.requests)
      .filter((q) => q.service === 'serviceNow');
    const body = (q: { body: unknown }) => q.body as Record<string, string>;
    expect(requests.map((q) => [q.method, q.target, body(q).short_description])).toEqual([
      [
        'POST',
        'servicenow INC9000001',
        '[OT Rotterdam] High: OT attack on RTM-UTL-PLC-01 in Rotterdam/Utilities: Modbus Firmware Version Changed',
      ],
      [
        'PATCH',
        'servicenow INC9000001',
        '[OT Rotterdam] High: OT attack on RTM-UTL-PLC-01 in Rotterdam/Utilities: change → stop or restart (2 alerts)',
      ],
    ]);
    expect(body(requests[1]!)).toEqual({
      short_description: body(requests[1]!).short_description,
      urgency: '1',
      impact: '1',
    });
  });

  it('the OT channel hears that the attack went on: a second card, under the new title, naming the new step', () => {
    const runs = twin.result.playbookRuns.filter((r) => r.playbook === 'notify-teams');
    expect(runs.map((r) => (r.outcome?.actions ?? [])[0])).toEqual([
      'Teams workflow accepted card #1 (first)',
      'Teams workflow accepted card #2 (attack-step)',
    ]);
    const card = JSON.stringify(runs[1]!.requests.find((q) => q.service === 'teams')!.body);
    expect(card).toContain('Update: The attack went on: stop or restart');
    expect(card).toContain(
      'OT attack on RTM-UTL-PLC-01 in Rotterdam/Utilities: change → stop or restart (2 alerts)',
    );
  });
});
