/**
 * Announced maintenance on a controller and a night attack on the same controller, within the chain rule's one-day
 * incident lookback (the same day, or one upload of an air-gapped site's week), through the real path: CEF records
 * replayed through the pipeline with the bundled configuration (Lyon's window for LYN-EWS-01 on LYN-BRW-PLC-01,
 * 2026-11-18 10:00–12:00 Paris), then the local Sentinel's rules, automation rules and playbooks.
 *
 * Before, both were one incident, "OT attack on LYN-BRW-PLC-01 …: change → stop or restart → reconnaissance
 * (5 alerts)": the engineers' work told as the first steps of the attack, and an incident auto-close could not close.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TwinIncident } from '../../sentinel/incidents.js';
import { runTwinOnOutput, type TwinRunResult } from '../../sentinel/run.js';
import { chainCef, replayHalfHourApart, replayThenTwin, samples } from './helpers.js';

let dir: string;
let twin: TwinRunResult;
let onPlc: TwinIncident[];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ot-soc-maintenance-apart-'));
  const s = 'lyn-brw-sensor-01';
  const ews = '10.20.1.10';
  const plc = '10.20.2.21';
  const laptop = '10.20.9.99';
  const hmi = '10.20.2.30';
  const lines = [
    chainCef('2026-11-18T09:30:00Z', s, 'Firmware Version Changed', 'Firmware change', ews, plc, 1),
    // the engineering tool finding the controller it works on: part of the work (maintenanceCategories)
    chainCef('2026-11-18T09:35:00Z', s, 'PLC Scan Detected', 'Scan', ews, plc, 10),
    chainCef('2026-11-18T09:40:00Z', s, 'Controller Stop', 'Restart/Stop Commands', ews, plc, 2),
    chainCef('2026-11-18T22:10:00Z', s, 'PLC Scan Detected', 'Scan', laptop, plc, 3),
    chainCef('2026-11-18T22:15:00Z', s, 'Unauthorized PLC Programming', 'Programming', laptop, plc, 4),
    chainCef('2026-11-18T22:20:00Z', s, 'Controller Stop', 'Restart/Stop Commands', laptop, plc, 5),
    // the same on a device that is not a controller (LYN-BRW-HMI-01): the firmware family rule's incidents
    chainCef('2026-11-18T09:45:00Z', s, 'Firmware Version Changed', 'Firmware change', ews, hmi, 6),
    chainCef('2026-11-18T22:25:00Z', s, 'Firmware Version Changed', 'Firmware change', laptop, hmi, 7),
    // and the stop family rule's
    chainCef('2026-11-18T09:50:00Z', s, 'Controller Stop', 'Restart/Stop Commands', ews, hmi, 8),
    chainCef('2026-11-18T22:30:00Z', s, 'Controller Stop', 'Restart/Stop Commands', laptop, hmi, 9),
  ];
  await writeFile(join(dir, 'input.txt'), `${lines.join('\n')}\n`);
  ({ twin } = await replayThenTwin(join(dir, 'input.txt'), dir));
  onPlc = twin.result.incidents.filter((i) => i.title.includes('LYN-BRW-PLC-01'));
}, 120_000);
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('maintenance and an attack on one controller', () => {
  it('are two incidents of the chain rule, each with its own alerts', () => {
    expect(onPlc.map((i) => [i.title, i.alerts.length]).sort()).toEqual([
      // closed by auto-close as it was created, so reassign-ot never retitles it: its first alert's name
      ['Expected maintenance on LYN-BRW-PLC-01 in Lyon/Brewhouse: Firmware Version Changed', 3],
      [
        'OT attack on LYN-BRW-PLC-01 in Lyon/Brewhouse: reconnaissance → change → stop or restart (3 alerts)',
        3,
      ],
    ]);
  });

  it('the maintenance is closed as benign by auto-close, the attack stays open and High', () => {
    const work = onPlc.find((i) => i.title.startsWith('Expected maintenance'))!;
    const attack = onPlc.find((i) => i.title.startsWith('OT attack'))!;
    expect([work.status, work.classification]).toEqual(['Closed', 'BenignPositive']);
    expect(work.classificationComment ?? '').toMatch(/maintenance/i);
    expect([attack.status, attack.severity]).toEqual(['New', 'High']);
    expect(attack.alerts.every((a) => a.customDetails.Work?.includes('OT attack'))).toBe(true);
  });
});

describe('maintenance and an unplanned change of the same kind on another device', () => {
  it('are two incidents of the family rule: the maintenance closed, the change open', () => {
    const firmware = twin.result.incidents.filter((i) => !onPlc.includes(i));
    expect(firmware.map((i) => [i.title, i.status, i.classification ?? '', i.alerts.length]).sort()).toEqual([
      ['OT: Controller Stop in Lyon/Brewhouse', 'Closed', 'BenignPositive', 1],
      ['OT: Controller Stop in Lyon/Brewhouse', 'New', '', 1],
      ['OT: Firmware Version Changed in Lyon/Brewhouse', 'Closed', 'BenignPositive', 1],
      ['OT: Firmware Version Changed in Lyon/Brewhouse', 'New', '', 1],
    ]);
    for (const open of firmware.filter((i) => i.status === 'New'))
      expect(open.alerts[0]!.customDetails.Work).toEqual(['Unplanned']);
  });
});

describe('maintenance that auto-close leaves open (trustPipelineMaintenanceTag off)', () => {
  it("goes on as maintenance on the OT team's Teams card, not as an attack", async () => {
    const apart = await mkdtemp(join(tmpdir(), 'ot-soc-maintenance-open-'));
    try {
      const s = 'lyn-brw-sensor-01';
      const lines = [
        chainCef(
          '2026-11-18T09:20:00Z',
          s,
          'Firmware Version Changed',
          'Firmware change',
          '10.20.1.10',
          '10.20.2.21',
          1,
        ),
        chainCef(
          '2026-11-18T09:50:00Z',
          s,
          'Controller Stop',
          'Restart/Stop Commands',
          '10.20.1.10',
          '10.20.2.21',
          2,
        ),
      ];
      const playbooks = JSON.parse(await readFile(samples('playbooks.config.json'), 'utf8')) as {
        autoClose: Record<string, unknown>;
      };
      playbooks.autoClose.trustPipelineMaintenanceTag = false;
      await writeFile(join(apart, 'playbooks.json'), JSON.stringify(playbooks));
      // one record per batch, 30 minutes apart: the second step joins after the first card (attackGoesOn.test.ts)
      await replayHalfHourApart(lines, apart, '2026-11-18T09:21:00Z');
      const run = await runTwinOnOutput({ out: apart, playbooks: join(apart, 'playbooks.json') });
      const [work] = run.result.incidents;
      expect([run.result.incidents.length, work!.status]).toEqual([1, 'New']);
      expect(work!.title).toBe(
        'Expected maintenance on LYN-BRW-PLC-01 in Lyon/Brewhouse: change → stop or restart (2 alerts)',
      );
      const cards = run.result.playbookRuns
        .filter((r) => r.playbook === 'notify-teams')
        .flatMap((r) => r.requests.filter((q) => q.service === 'teams'));
      expect(cards).toHaveLength(2);
      const card = JSON.stringify(cards[1]!.body);
      expect(card).toContain('Update: The maintenance went on: stop or restart');
      // the only 'attack' on the card is ATT&CK's own address
      expect(card.replaceAll('attack.mitre.org', '')).not.toMatch(/attack/i);
    } finally {
      await rm(apart, { recursive: true, force: true });
    }
  }, 120_000);
});
