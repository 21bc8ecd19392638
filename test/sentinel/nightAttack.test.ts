/**
 * A Saturday-night attack on a controller and a historian reaching the internet, as CEF records, through the real
 * path: replayed through the pipeline, then the local Sentinel runs the shipped rules, automation rules and
 * playbooks (which change every OT incident at once: owner, label, comments). What the OT team reads on the Teams
 * card, and the SOC efficiency workbook's "time to pick-up" once an analyst acts (its queries over the twin's
 * SecurityIncident records, one per change as Sentinel writes them).
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../analytics/content.js';
import { WORKBOOKS } from '../../analytics/workbooks/index.js';
import { sentinelTables } from '../../cli/report/twinTables.js';
import { queriesOf } from '../../cli/report/workbooks/model.js';
import { runWorkbook } from '../../cli/report/workbooks/run.js';
import { workspaceContext } from '../../cli/report/workspace.js';
import type { TwinIncident } from '../../sentinel/incidents.js';
import { runQuery } from '../../sentinel/kql/index.js';
import type { TwinRunResult } from '../../sentinel/run.js';
import { chainCef, replayThenTwin } from './helpers.js';

let dir: string;
let rows: Record<string, unknown>[];
let twin: TwinRunResult;
let attack: TwinIncident;
let internet: TwinIncident;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ot-soc-pick-up-'));
  const utl = 'rtm-utl-sensor-01';
  const lines = [
    chainCef(
      '2026-12-12T22:21:00Z',
      utl,
      'Modbus Firmware Version Changed',
      'Firmware change',
      '10.10.3.99',
      '10.10.3.21',
      1,
    ),
    chainCef(
      '2026-12-12T22:25:30Z',
      utl,
      'Controller Stop',
      'Restart/Stop Commands',
      '10.10.3.99',
      '10.10.3.21',
      2,
    ),
    chainCef(
      '2026-12-12T22:30:00Z',
      'rtm-pkg-sensor-01',
      'Internet Access Detected',
      'Internet Access',
      '10.10.0.5',
      '52.1.2.3',
      3,
    ),
  ];
  await writeFile(join(dir, 'input.txt'), `${lines.join('\n')}\n`);
  ({ rows, twin } = await replayThenTwin(join(dir, 'input.txt'), dir));
  attack = twin.result.incidents.find((i) => i.severity === 'High')!;
  internet = twin.result.incidents.find((i) => i.title.includes('Internet'))!;
}, 120_000);
afterAll(() => rm(dir, { recursive: true, force: true }));

/** The headline's tiles as metric → value. */
const tiles = (rows: Record<string, unknown>[]) => Object.fromEntries(rows.map((r) => [r.Metric, r.Value]));

function efficiency(): Map<string, Record<string, unknown>[]> {
  const wb = WORKBOOKS.find((w) => w.file === 'ot-soc-soc-efficiency.json')!;
  const tables = sentinelTables(twin.result);
  const ctx = workspaceContext(rows, new Date(Date.now() + 86_400_000), {}, tables.tables);
  const content = JSON.parse(readFileSync(join(packageRoot(), 'workbooks', wb.file), 'utf8')) as unknown;
  const rendered = runWorkbook(wb.file, wb.displayName, content, ctx, runQuery);
  return new Map(
    queriesOf(rendered.items).map((q) => {
      if (!q.result.ok) throw new Error(`${q.name}: ${JSON.stringify(q.result.failure)}`);
      return [q.name, q.result.table.rows];
    }),
  );
}

/** The texts of the first Teams card posted for an incident, FactSet facts as "title: value". */
function cardTexts(inc: TwinIncident): string[] {
  const post = twin.result.playbookRuns
    .filter((r) => r.incidentNumber === inc.number)
    .flatMap((r) => r.requests)
    .find((q) => q.service === 'teams')!;
  type Element = { type: string; text?: string; facts?: { title: string; value: string }[] };
  const card = (post.body as { attachments: { content: { body: Element[] } }[] }).attachments[0]!.content;
  return card.body.flatMap((e) => (e.facts ? e.facts.map((f) => `${f.title}: ${f.value}`) : [e.text ?? '']));
}

describe('the incident of the attack', () => {
  it('is retitled by reassign-ot with the steps its alerts saw, in order (Sentinel named it after the first)', () => {
    expect(attack.title).toBe(
      'OT attack on RTM-UTL-PLC-01 in Rotterdam/Utilities: change → stop or restart (2 alerts)',
    );
    const actions = twin.result.playbookRuns
      .filter((r) => r.incidentNumber === attack.number && r.playbook === 'reassign-ot')
      .flatMap((r) => r.outcome?.actions ?? []);
    expect(actions).toContain(`retitled "${attack.title}"`);
    // An incident of one alert keeps its alert's name.
    expect(internet.title).not.toMatch(/\(\d+ alerts\)$/);
  });
});

describe('the Teams card of the attack', () => {
  it("names the team the incident was assigned to (the inventory's zone team), not the site's", () => {
    // Rotterdam's configured team is OT-Rotterdam-Packaging; the PLC is Utilities' (inventory OTTeam).
    expect(attack.owner.assignedTo).toBe('OT-Rotterdam-Utilities');
    expect(cardTexts(attack)).toContain('OT team: OT-Rotterdam-Utilities');
  });

  it('says why it was escalated once per reason, in words', () => {
    const texts = cardTexts(attack);
    const why = texts.slice(texts.indexOf('Why it was escalated') + 1).filter((t) => t.startsWith('• '));
    expect(why).toEqual([
      expect.stringMatching(
        /^• Firmware change at 23:21 Europe\/Amsterdam \(Sat 2026-12-12\), outside working hours/,
      ),
      expect.stringMatching(/^• Firmware change from 10\.10\.3\.99, a device of unknown type/),
      expect.stringMatching(/^• Stop\/restart command at 23:25 Europe\/Amsterdam/),
      expect.stringMatching(/^• Stop\/restart command from 10\.10\.3\.99/),
    ]);
    expect(texts.join('\n')).not.toMatch(/OutsideWorkingHours|NotEngineeringStation/);
  });

  it('lists each device once, the critical controller first, an unnamed one by its address alone', () => {
    const texts = cardTexts(attack);
    const assets = texts.slice(texts.indexOf('Assets') + 1, texts.indexOf('ATT&CK for ICS'));
    expect(assets).toEqual([
      '• RTM-UTL-PLC-01 (destination) — PLC, Purdue L1, criticality High, 10.10.3.21',
      '• 10.10.3.99 (source)',
    ]);
  });
});

describe('the ServiceNow ticket of the attack', () => {
  it('says why it was escalated once per reason, in words, and lists each device once', () => {
    const post = twin.result.playbookRuns
      .filter((r) => r.incidentNumber === attack.number)
      .flatMap((r) => r.requests)
      .find((q) => q.service === 'serviceNow' && q.method === 'POST')!;
    const description = (post.body as { description: string }).description;
    const section = (heading: string) =>
      description
        .split('\n\n')
        .find((s) => s.startsWith(`${heading}:`))!
        .split('\n')
        .slice(1);
    expect(section('Why it was escalated')).toHaveLength(4);
    expect(section('Why it was escalated')[0]).toMatch(/^• Firmware change at 23:21 Europe\/Amsterdam/);
    expect(description).not.toMatch(/OutsideWorkingHours|NotEngineeringStation/);
    expect(section('Assets')).toEqual([
      '• RTM-UTL-PLC-01 (destination): PLC, Purdue L1, criticality High, 10.10.3.21, owner Bakker, S. (Utilities)',
      '• 10.10.3.99 (source)',
    ]);
  });
});

describe('the reassign-ot comment of the attack', () => {
  it('lists each device with what is known of it, and nothing after an unnamed one', () => {
    const comment = twin.result.playbookRuns
      .filter((r) => r.incidentNumber === attack.number && r.playbook === 'reassign-ot')
      .flatMap((r) => r.requests)
      .map((q) => (q.body as { properties?: { message?: string } }).properties?.message)
      .find((m) => m?.startsWith('ot-soc reassign-ot'))!;
    expect(comment.split('\n').slice(comment.split('\n').indexOf('Assets:') + 1)).toEqual([
      '- RTM-UTL-PLC-01 (destination): PLC, Purdue L1, criticality High, 10.10.3.21, owner Bakker, S. (Utilities)',
      '- 10.10.3.99 (source)',
    ]);
  });
});

describe('time to pick-up in the SOC efficiency workbook', () => {
  it('the playbooks changed both incidents at once; nobody has picked them up, so there is no time yet', () => {
    expect(attack).toBeDefined();
    expect(internet).toBeDefined();
    expect(attack.number).not.toBe(internet.number);
    for (const inc of [attack, internet]) {
      // One SecurityIncident record per change: creation, then the playbooks' owner, label and comments.
      const records = twin.result.store.records.filter((r) => r.incident.number === inc.number);
      expect(records.length).toBeGreaterThan(2);
      expect(records.at(-1)!.incident.owner.assignedTo).toMatch(/^OT-Rotterdam-/);
      expect(records.some((r) => r.at === records[0]!.at && r !== records[0])).toBe(true);
    }
    const headline = tiles(efficiency().get('headline')!);
    expect(headline).toMatchObject({ Incidents: 2, Open: 2, Closed: 0 });
    // Before: "Median minutes to first change" 0, the playbooks' changes.
    expect(Object.keys(headline)).toContain('Median minutes to pick-up');
    expect(headline['Median minutes to pick-up']).toBeNull();
  });

  it('counts from creation to the analyst: setting the status, or taking the incident as a person', async () => {
    const created = (i: TwinIncident) => Date.parse(i.createdTimeUtc);
    await twin.result.analyst(attack.number, { status: 'Active' }, created(attack) + 42 * 60_000);
    const me = { objectId: 'a1b2c3d4-0000-4000-8000-000000000001', userPrincipalName: 'analyst@contoso.com' };
    await twin.result.analyst(
      internet.number,
      { owner: { ...me, assignedTo: 'SOC analyst', email: me.userPrincipalName } },
      created(internet) + 10 * 60_000,
    );
    await twin.result.analyst(
      internet.number,
      {
        status: 'Closed',
        classification: 'BenignPositive',
        classificationReason: 'SuspiciousButExpected',
        classificationComment: 'Historian licence check, approved.',
      },
      created(internet) + 130 * 60_000,
    );
    const wb = efficiency();
    const headline = tiles(wb.get('headline')!);
    expect(headline).toMatchObject({ Incidents: 2, Open: 1, Closed: 1, 'Closed by automation': 0 });
    // 42 and 10 minutes; KQL's percentile is nearest-rank: the 50th of two values is the lower.
    expect(headline['Median minutes to pick-up']).toBe(10);
    expect(headline['Median hours to close']).toBeCloseTo(130 / 60, 5);
    const bySeverity = new Map(wb.get('by severity')!.map((r) => [r.Severity, r]));
    expect(bySeverity.get('High')).toMatchObject({ P50MinutesToPickUp: 42, P90MinutesToPickUp: 42 });
    expect(bySeverity.get(internet.severity)).toMatchObject({ P50MinutesToPickUp: 10 });
    expect(wb.get('classification')).toEqual([
      { Classification: 'BenignPositive - SuspiciousButExpected', Incidents: 1 },
    ]);
  });

  it("the analyst's close reaches the OT channel that had the card: one closing card, with the verdict and comment", () => {
    const posts = (inc: TwinIncident) =>
      twin.result.playbookRuns
        .filter((r) => r.incidentNumber === inc.number)
        .flatMap((r) => r.requests)
        .filter((q) => q.service === 'teams')
        .map((q) => JSON.stringify(q.body));
    const internetPosts = posts(internet);
    expect(internetPosts).toHaveLength(2);
    expect(internetPosts[1]).toContain(
      `Closed · ${internet.severity} severity · OT incident #${internet.number}`,
    );
    expect(internetPosts[1]).toContain('Closed as benign positive (suspicious but expected)');
    expect(internetPosts[1]).toContain('Historian licence check, approved.');
    // Taking the attack (Active) tells the channel nothing: it is still open.
    expect(posts(attack)).toHaveLength(1);
  });
});
