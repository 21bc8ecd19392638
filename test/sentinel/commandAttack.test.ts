/**
 * An attack made of protocol commands, through the real path: Defender for Cloud continuous-export records (the ARM
 * shape) replayed through the pipeline with the bundled configuration and inventory, then the local Sentinel's
 * rules, automation rules and playbooks. An unknown host scans RTM-UTL-PLC-01 on a Saturday night, sends it Modbus
 * function codes its baseline never saw, an illegal one, then stops it; the historian's own unpermitted reads of the
 * same PLC that afternoon are the process's traffic.
 *
 * Before, the attack was three incidents and three tickets (the chain rule's scan and stop, the unauthorized
 * commands rule's, the protocol violations rule's), and the commands incident was named after one destination while
 * it grouped the whole zone's.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TwinRunResult } from '../../sentinel/run.js';
import { replayThenTwin } from './helpers.js';

const PLC = '10.10.3.21'; // RTM-UTL-PLC-01 in samples/inventory.csv
const INTRUDER = '10.10.3.99'; // in no inventory
const HISTORIAN = '10.10.0.5'; // RTM-HIST-01, a Historian

let n = 0;
/** One Defender for Cloud export record (ARM shape) of a new alert from Rotterdam/Utilities' sensor. */
function exported(title: string, engine: string, severity: string, at: string, src: string): string {
  const name = `2517${String(100000 + n++)}_rtm`;
  return JSON.stringify({
    id: `/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-ot/providers/Microsoft.Security/locations/westeurope/alerts/${name}`,
    name,
    type: 'Microsoft.Security/Locations/alerts',
    properties: {
      status: 'Active',
      timeGeneratedUtc: at,
      vendorName: 'Microsoft',
      alertDisplayName: title,
      alertType: `IoT_${title.replace(/\W/g, '')}`,
      description: `${title} from ${src} to ${PLC}.`,
      productName: 'Microsoft Defender for IoT',
      productComponentName: engine,
      severity,
      startTimeUtc: at,
      endTimeUtc: at,
      systemAlertId: name,
      extendedProperties: {
        SensorId: 'rtm-utl-sensor-01',
        SourceDeviceAddress: src,
        DestinationDeviceAddress: PLC,
        Protocol: 'Modbus',
      },
      entities: [
        {
          $id: '1',
          ipAddress: { $id: '2', address: src, type: 'ip' },
          site: 'Rotterdam',
          zone: 'Utilities',
          type: 'iotdevice',
        },
        {
          $id: '3',
          ipAddress: { $id: '4', address: PLC, type: 'ip' },
          site: 'Rotterdam',
          zone: 'Utilities',
          type: 'iotdevice',
        },
      ],
    },
  });
}

let dir: string;
let twin: TwinRunResult;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ot-soc-commands-'));
  const unpermitted = 'Unpermitted Usage of Modbus Function Code';
  const lines = [
    // Saturday 2026-11-21, 15:00 in Rotterdam: the historian reads with a function code the baseline lacks
    exported(unpermitted, 'POLICY_VIOLATION', 'Medium', '2026-11-21T14:00:00Z', HISTORIAN),
    // 23:10–23:40: the intruder
    exported('Address Scan Detected', 'ANOMALY', 'High', '2026-11-21T22:10:00Z', INTRUDER),
    ...[0, 1, 2].map((i) =>
      exported(unpermitted, 'POLICY_VIOLATION', 'Medium', `2026-11-21T22:2${i}:00Z`, INTRUDER),
    ),
    exported(
      'Illegal MODBUS Operation (Function Code Zero)',
      'PROTOCOL_VIOLATION',
      'Medium',
      '2026-11-21T22:31:00Z',
      INTRUDER,
    ),
    exported('Controller Stop', 'OPERATIONAL', 'Low', '2026-11-21T22:40:00Z', INTRUDER),
  ];
  await writeFile(join(dir, 'input.ndjson'), `${lines.join('\n')}\n`);
  ({ twin } = await replayThenTwin(join(dir, 'input.ndjson'), dir));
}, 120_000);
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('an attack on a controller by protocol commands', () => {
  it("is one incident whose steps include the intruder's commands; the historian's reads are the zone's own", () => {
    expect(twin.result.incidents.map((i) => [i.title, i.severity, i.alerts.length]).sort()).toEqual([
      [
        'OT attack on RTM-UTL-PLC-01 in Rotterdam/Utilities: reconnaissance → commands → stop or restart (4 alerts)',
        'High',
        4,
      ],
      // the historian at level 3 reading a level 1 controller directly: a correlation of its own
      ['OT: level 3 host to a level 1 controller in Rotterdam/Utilities', 'Medium', 1],
      // the zone's and protocol's incident is named for what it groups, not for its first alert's destination
      ['OT: unauthorized Modbus commands in Rotterdam/Utilities', 'Medium', 1],
    ]);
  });

  it('gives each alert its step, and opens one ticket for the attack', () => {
    const chain = twin.result.alerts.filter((a) => a.ruleName.startsWith('OT attack chain'));
    expect(chain.map((a) => [a.customDetails.AlertTitle, a.customDetails.Step])).toEqual(
      expect.arrayContaining([
        [['Unpermitted Usage of Modbus Function Code'], ['commands']],
        [['Illegal MODBUS Operation (Function Code Zero)'], ['commands']],
        [['Controller Stop'], ['stop or restart']],
      ]),
    );
    const tickets = twin.result.playbookRuns
      .filter((r) => r.playbook === 'create-ticket')
      .flatMap((r) => r.requests.filter((q) => q.service === 'serviceNow' && q.method === 'POST'))
      .map((q) => (q.body as { short_description: string }).short_description);
    expect(tickets.filter((t) => t.includes('OT attack on RTM-UTL-PLC-01'))).toHaveLength(1);
  });
});
