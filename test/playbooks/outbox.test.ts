import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryGroupStore } from '../../pipeline/dedup/memoryGroupStore.js';
import { runPlaybooksOffline, syntheticIncident } from '../../playbooks/outbox.js';
import { adfProblem } from '../helpers/fakeJira.js';
import {
  groupState,
  lyonRow,
  nativeD4IoTIncident,
  rotterdamRow,
  TEST_CONFIG,
} from '../helpers/playbookFixtures.js';

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('runPlaybooksOffline (the demo outbox)', () => {
  it('runs the four playbooks on in-memory stand-ins and writes what they would send', async () => {
    dir = await mkdtemp(join(tmpdir(), 'ot-soc-outbox-'));
    const groups = new MemoryGroupStore();
    await groups.put(groupState('grp-lyon-fw-0001'), undefined);
    const config = {
      ...TEST_CONFIG,
      groupIds: { 'OT-Rotterdam': '6b1c3e4a-9d5f-4a71-8c8d-3e4f5a6b7c8d' },
      autoClose: {
        maintenance: [
          {
            name: 'Brewhouse firmware (CHG0042317)',
            site: 'Lyon',
            sources: ['LYN-EWS-01'],
            start: '2026-11-18T10:00:00Z',
            end: '2026-11-18T12:00:00Z',
          },
        ],
      },
    };
    const incidents = [
      syntheticIncident([lyonRow()], { incidentNumber: 1 }),
      syntheticIncident([rotterdamRow()], { incidentNumber: 2 }),
      syntheticIncident(
        [
          lyonRow({
            AlertId: 'grp-lyon-fw-0001',
            AlertTitle: 'Firmware Version Changed',
            Severity: 'Medium',
            SourceName: 'LYN-EWS-01',
            FirstSeen: '2026-11-18T10:20:00Z',
            Escalations: [],
          }),
        ],
        { incidentNumber: 3 },
      ),
      nativeD4IoTIncident(4),
      { object: { id: 'garbage' } },
    ];
    const summary = await runPlaybooksOffline(incidents, config, dir, { groups });
    expect(summary).toMatchObject({
      incidents: 5,
      invalid: 1,
      cards: 3,
      tickets: 3,
      closed: 1,
      reassigned: 3,
      defenderStatusChanges: 1,
    });
    const byNumber = new Map(summary.perIncident.map((i) => [i.incidentNumber, i.runs]));
    expect(byNumber.get(3)!.find((r) => r.playbook === 'auto-close')).toMatchObject({ result: 'done' });
    expect(byNumber.get(3)!.find((r) => r.playbook === 'notify-teams')).toMatchObject({
      result: 'skipped',
      reason: 'incident is closed',
    });
    expect(summary.perIncident.at(-1)!.runs).toEqual([expect.objectContaining({ status: 400 })]);
    expect((await groups.findByAlertId('grp-lyon-fw-0001'))!.value.status).toBe('Closed');

    const files = (await readdir(dir, { recursive: true })).map(String).sort();
    expect(files).toContain('summary.json');
    expect(files.filter((f) => f.startsWith('teams/'))).toEqual(
      [
        'teams',
        'teams/incident-1-card-1.json',
        'teams/incident-2-card-1.json',
        'teams/incident-4-card-1.json',
      ].slice(1),
    );
    const card = JSON.parse(await readFile(join(dir, 'teams/incident-1-card-1.json'), 'utf8'));
    expect(card.webhookBody.attachments[0].content.type).toBe('AdaptiveCard');
    const tickets = files.filter((f) => f.startsWith('tickets/') && f.endsWith('.json'));
    expect(tickets).toHaveLength(3);
    const jira = JSON.parse(await readFile(join(dir, tickets.find((t) => t.includes('OT-'))!), 'utf8'));
    expect(jira.url).toBe('https://contoso.atlassian.net/rest/api/3/issue');
    expect(adfProblem(jira.body.fields.description)).toBeUndefined();
    const snow = JSON.parse(await readFile(join(dir, tickets.find((t) => t.includes('INC'))!), 'utf8'));
    expect(snow.body).toMatchObject({ urgency: '1', correlation_display: 'Microsoft Sentinel' });
    expect(files.some((f) => /^incidents\/incident-3-\d+-update\.json$/.test(f))).toBe(true);
    expect(files.some((f) => f.startsWith('incidents/defender-iot-'))).toBe(true);
    // No secret is needed or written offline.
    expect(JSON.stringify(summary)).not.toMatch(/pa55|token-not-real|sig=/);
  });
});
