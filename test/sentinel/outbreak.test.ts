/**
 * A malware outbreak in one zone through the real path: the sensor's extended webhook records (one JSON object per
 * line) replayed through the pipeline with the bundled configuration, then the local Sentinel's rules, automation
 * rules and playbooks. A worm spreading over Lyon/Brewhouse's hosts, its implants and the infected hosts' calls to
 * a known-malicious IP are one incident and one ticket; the same night's finding in Lyon/Filling is another.
 *
 * Before, the malware rule grouped incidents on the title as well: one outbreak was three incidents, three tickets
 * and three Teams cards, the worm's at Medium beside its implants' High.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TwinIncident } from '../../sentinel/incidents.js';
import { runTwinOnOutput, type TwinRunResult } from '../../sentinel/run.js';
import { replayHalfHourApart, replayThenTwin, samples } from './helpers.js';

const WORM = 'Suspicion of Malicious Activity (WannaCry)';
const IMPLANT = 'Invalid SMB Message (DoublePulsar Backdoor Implant)';
const BEACON = 'Connection Attempt to Known Malicious IP';

/** One extended-webhook record of alert `id` from Lyon's sensors, `minutes` after 01:00 UTC on 2026-11-19. */
function webhook(
  id: number,
  minutes: number,
  title: string,
  src: string,
  dst: string,
  zone = 'Brewhouse',
): string {
  return JSON.stringify({
    id,
    UUID: `lyon-${id}`,
    time: Date.parse('2026-11-19T01:00:00Z') + minutes * 60_000,
    title,
    message: `${title} from ${src}.`,
    severity: title === WORM ? 'Major' : 'Critical',
    engine: 'Malware',
    sourceDeviceAddress: src,
    destinationDeviceAddress: dst,
    remediationSteps: ['Isolate the host from the OT network.'],
    handled: false,
    sensorName: zone === 'Brewhouse' ? 'lyn-brw-sensor-01' : 'lyn-fil-sensor-01',
    zoneName: zone,
    siteName: 'Lyon',
  });
}

let dir: string;
let twin: TwinRunResult;
let malware: TwinIncident[];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ot-soc-outbreak-'));
  const lines = [
    // the worm hops host to host over SMB
    ...[0, 1, 2, 3].map((i) => webhook(i + 1, i * 4, WORM, `10.20.3.${10 + i}`, `10.20.3.${11 + i}`)),
    // its implant on two of them
    webhook(5, 6, IMPLANT, '10.20.3.10', '10.20.3.20'),
    webhook(6, 9, IMPLANT, '10.20.3.11', '10.20.3.21'),
    // the infected hosts calling out
    webhook(7, 20, BEACON, '10.20.3.10', '185.220.101.4'),
    webhook(8, 21, BEACON, '10.20.3.12', '185.220.101.4'),
    // another zone, the same night
    webhook(9, 30, 'Suspicion of Conficker Malware', '10.20.5.40', '10.20.5.41', 'Filling'),
  ];
  await writeFile(join(dir, 'input.ndjson'), `${lines.join('\n')}\n`);
  ({ twin } = await replayThenTwin(join(dir, 'input.ndjson'), dir));
  malware = twin.result.incidents.filter((i) => i.title.startsWith('OT malware'));
}, 120_000);
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('a malware outbreak in one zone', () => {
  it('is one incident, titled with its findings in the order they began; the other zone is another', () => {
    expect(twin.result.incidents).toHaveLength(malware.length);
    expect(malware.map((i) => [i.title, i.alerts.length]).sort()).toEqual([
      [
        'OT malware in Lyon/Brewhouse: WannaCry → DoublePulsar Backdoor Implant → Connection Attempt to Known Malicious IP (8 alerts)',
        8,
      ],
      ['OT malware in Lyon/Filling: Suspicion of Conficker Malware', 1],
    ]);
  });

  it("takes its worst finding's severity and opens one ticket (Lyon's are Jira issues)", () => {
    const brewhouse = malware.find((i) => i.title.includes('Brewhouse'))!;
    expect(brewhouse.severity).toBe('High');
    const tickets = twin.result.playbookRuns
      .filter((r) => r.playbook === 'create-ticket')
      .flatMap((r) => r.requests.filter((q) => q.service === 'jira' && q.method === 'POST'))
      .map((q) => (q.body as { fields: { summary: string } }).fields.summary);
    expect(tickets.sort()).toEqual([
      `[OT Lyon] High: ${brewhouse.title}`,
      '[OT Lyon] High: OT malware in Lyon/Filling: Suspicion of Conficker Malware',
    ]);
  });
});

describe('the analyst closing the outbreak', () => {
  it("tells the OT team's channel once, and leaves its one ticket to the OT team (a true positive)", async () => {
    const brewhouse = malware.find((i) => i.title.includes('Brewhouse'))!;
    const before = twin.result.playbookRuns.length;
    await twin.result.analyst(brewhouse.number, {
      status: 'Closed',
      classification: 'TruePositive',
      classificationReason: 'SuspiciousActivity',
      classificationComment: 'Hosts reimaged, SMBv1 disabled',
    });
    const runs = twin.result.playbookRuns.slice(before);
    const cards = runs.flatMap((r) => r.requests.filter((q) => q.service === 'teams'));
    expect(cards).toHaveLength(1);
    expect(JSON.stringify(cards[0]!.body)).toContain('Hosts reimaged, SMBv1 disabled');
    const sync = runs.find((r) => r.playbook === 'sync-status')!;
    expect(sync.outcome?.notes).toContainEqual(
      expect.stringMatching(/^ticket OTSEC-\d+ kept open: .*TruePositive/),
    );
    expect(runs.flatMap((r) => r.requests).filter((q) => q.service === 'jira')).toEqual([]);
  });
});

describe('an outbreak reaching Sentinel over time', () => {
  it("tells the OT team's channel each new finding on the incident's card", async () => {
    const apart = await mkdtemp(join(tmpdir(), 'ot-soc-outbreak-live-'));
    try {
      await replayHalfHourApart(
        [
          webhook(1, 0, WORM, '10.20.3.10', '10.20.3.11'),
          webhook(2, 40, IMPLANT, '10.20.3.10', '10.20.3.20'),
        ],
        apart,
        '2026-11-19T01:01:00Z',
      );
      const run = await runTwinOnOutput({ out: apart, playbooks: samples('playbooks.config.json') });
      expect(run.result.incidents.map((i) => i.title)).toEqual([
        'OT malware in Lyon/Brewhouse: WannaCry → DoublePulsar Backdoor Implant (2 alerts)',
      ]);
      const cards = run.result.playbookRuns
        .filter((r) => r.playbook === 'notify-teams')
        .flatMap((r) => r.requests.filter((q) => q.service === 'teams'));
      expect(cards).toHaveLength(2);
      expect(JSON.stringify(cards[1]!.body)).toContain('The attack went on: DoublePulsar Backdoor Implant');
    } finally {
      await rm(apart, { recursive: true, force: true });
    }
  }, 120_000);
});
