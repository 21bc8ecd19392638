/**
 * Defender for Cloud's continuous export says "Active" for an alert nobody has handled yet (the status every
 * alert starts in; "InProgress" is one being handled), where Defender for IoT's portal says "Active" for one being
 * worked on. Read in Defender for IoT's vocabulary, every exported alert's group was Active from its first record,
 * and the defender-status timer set its incident Active ("someone is working on it"). Through the real path:
 * replay → OTAlerts_CL → the local Sentinel (rules, incidents, the timer, playbooks).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runFile } from '../../cli/commands/runFile.js';
import { runSentinelTwin } from '../../cli/sentinelTwin.js';
import { tempDirSync } from '../helpers/tempDirs.js';

const ID = '2517538088322968242_4f1c2d3e-1111-4aaa-8bbb-000000000001';
/** A Defender for IoT alert as the continuous export writes it (ARM shape), in a given status. */
const exported = (status: string, generated: string) =>
  JSON.stringify({
    id: `/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-ot/providers/Microsoft.Security/locations/westeurope/alerts/${ID}`,
    name: ID,
    type: 'Microsoft.Security/Locations/alerts',
    properties: {
      status,
      timeGeneratedUtc: generated,
      alertDisplayName: 'Unauthorized PLC Programming',
      alertType: 'IoT_UnauthorizedPLCProgramming',
      description: 'Unauthorized PLC programming was detected: 192.168.40.15 programmed 192.168.40.20',
      severity: 'High',
      startTimeUtc: '2026-11-23T03:12:00.000Z',
      endTimeUtc: '2026-11-23T03:12:01.000Z',
      productName: 'Azure Security Center for IoT',
      productComponentName: 'POLICY_VIOLATION',
      systemAlertId: ID,
      extendedProperties: {
        SensorId: 'ham-press-sensor-01',
        SourceDeviceAddress: '192.168.40.15',
        DestinationDeviceAddress: '192.168.40.20',
        Protocol: 'S7',
      },
    },
  });

const ndjson = async (file: string) =>
  (await readFile(file, 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

async function replayWithSentinel(lines: string[]) {
  const dir = tempDirSync('ot-soc-dfc-status-');
  const input = join(dir, 'export.ndjson');
  await writeFile(input, `${lines.join('\n')}\n`);
  const out = join(dir, 'out');
  await runFile({ input, out, partitions: 1, batchSize: 100, progress: false });
  await runSentinelTwin(out, join(process.cwd(), 'samples', 'playbooks.config.json'));
  return {
    rows: await ndjson(join(out, 'OTAlerts_CL.ndjson')),
    incidents: await ndjson(join(out, 'sentinel', 'incidents.ndjson')),
    actions: await ndjson(join(out, 'sentinel', 'actions.ndjson')),
  };
}

describe("Defender for Cloud's continuous export statuses, through replay and the local Sentinel", () => {
  it('a new exported alert ("Active") is a New group, and its incident stays New', async () => {
    const { rows, incidents, actions } = await replayWithSentinel([
      exported('Active', '2026-11-23T03:12:40.000Z'),
    ]);
    expect(rows.map((r) => r.Status)).toEqual(['New']);
    expect(incidents.map((i) => i.Status)).toEqual(['New']);
    expect(actions.filter((a) => a.Playbook === 'defender-status')).toEqual([]);
  }, 60_000);

  it('"Resolved" later closes the group, and the timer closes the incident', async () => {
    const { rows, incidents } = await replayWithSentinel([
      exported('Active', '2026-11-23T03:12:40.000Z'),
      exported('Resolved', '2026-11-23T05:00:00.000Z'),
    ]);
    expect(new Set(rows.map((r) => r.AlertId)).size).toBe(1);
    expect(rows.at(-1)!.Status).toBe('Closed');
    expect(incidents.map((i) => [i.Status, i.Classification])).toEqual([['Closed', 'Undetermined']]);
  }, 60_000);
});
