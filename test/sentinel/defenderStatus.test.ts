/**
 * Defender for IoT → Sentinel through the real path: the bundled scenario plus later records in which Defender for
 * IoT closes the Havex alert and sets one scan of the Rotterdam attack chain in progress, replayed through the
 * pipeline (the groups follow, new OTAlerts_CL revisions), then the local Sentinel with the shipped rules,
 * automation rules and playbooks, and the defender-status timer every five minutes over the twin's Log Analytics.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
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
import { replayThenTwin, samples } from './helpers.js';

let dir: string;
let twin: TwinRunResult;
let rows: Record<string, unknown>[];
const PORT_SCAN = 'bef3101b-bfb9-44ee-8bd4-d4e84000101b';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ot-soc-defender-status-'));
  const lines = (await readFile(samples('plant-scenario.ndjson'), 'utf8')).split('\n').filter(Boolean);
  const havex = lines.find((l) => l.includes('(Havex)'))!;
  const scan = lines.find((l) => l.includes(PORT_SCAN))!;
  // Defender for IoT's later records of the same alerts: the Havex alert handled (Closed), the scan in progress.
  const closed = JSON.stringify({ ...(JSON.parse(havex) as object), handled: true });
  const inProgress = JSON.stringify({ ...(JSON.parse(scan) as object), Status: 'InProgress' });
  await writeFile(join(dir, 'input.ndjson'), [...lines, closed, inProgress].join('\n'));
  ({ rows, twin } = await replayThenTwin(join(dir, 'input.ndjson'), dir));
}, 240_000);
afterAll(() => rm(dir, { recursive: true, force: true }));

const groupOf = (match: (r: Record<string, unknown>) => boolean) => String(rows.find(match)!.AlertId);
const incidentWith = (alertId: string): TwinIncident =>
  twin.result.incidents.find((i) => i.alerts.some((a) => a.alertIds.includes(alertId)))!;
const runsOf = (inc: TwinIncident) => twin.result.playbookRuns.filter((r) => r.incidentNumber === inc.number);
/** The Teams cards notify-teams sent about an incident, as posted. */
const cardsOf = (inc: TwinIncident) =>
  runsOf(inc)
    .flatMap((r) => r.requests)
    .filter((q) => q.service === 'teams')
    .map((q) => JSON.stringify(q.body));

describe('a Defender for IoT status change seen by the pipeline updates the incident', () => {
  it('the pipeline wrote the status revisions (the groups follow Defender for IoT)', () => {
    const havex = groupOf((r) => String(r.AlertTitle).includes('Havex'));
    // One batch holds both records, so the group's only revision is already Closed; the scan's group too.
    expect(rows.filter((r) => r.AlertId === havex).map((r) => r.Status)).toEqual(['Closed']);
    const scan = rows.filter((r) => (r.VendorAlertIds as string[] | undefined)?.includes(PORT_SCAN));
    expect(scan.at(-1)!.Status).toBe('Active');
  });

  it('closes the incident whose every group Defender for IoT closed, as Undetermined, with the reason', () => {
    const inc = incidentWith(groupOf((r) => String(r.AlertTitle).includes('Havex')));
    expect(inc.status).toBe('Closed');
    expect(inc.classification).toBe('Undetermined');
    expect(inc.classificationComment).toMatch(/^ot-soc defender-status: closed in Defender for IoT/);
    expect(inc.comments.map((c) => c.message)).toContainEqual(
      expect.stringMatching(/^ot-soc defender-status: Defender for IoT closed the alert of this incident/),
    );
    const timer = runsOf(inc).filter((r) => r.playbook === 'defender-status');
    expect(timer.map((r) => [r.trigger, r.status, r.outcome?.actions])).toEqual([
      ['Timer', 200, ['added audit comment', 'closed the incident as Undetermined']],
    ]);
  });

  it("the echo sends nothing back; the incident's ticket is resolved with it, once", () => {
    const inc = incidentWith(groupOf((r) => String(r.AlertTitle).includes('Havex')));
    const sync = runsOf(inc).filter((r) => r.playbook === 'sync-status');
    // (The twin may start it twice: the comment and the close are two update events it sees after the run.)
    expect(sync.length).toBeGreaterThan(0);
    for (const r of sync) {
      expect(r.status).toBe(200);
      expect(r.outcome!.reason).toMatch(/follows Defender for IoT/);
      expect(r.requests.filter((q) => q.service === 'defenderForIoT')).toEqual([]);
    }
    // create-ticket opened one when the incident was new (Lyon: Jira); the close resolves it: the closing
    // comment (marked, found again by a re-run), then the transition into Done. A second run finds it resolved.
    const created = runsOf(inc)
      .filter((r) => r.playbook === 'create-ticket')
      .flatMap((r) => r.requests)
      .filter((q) => q.service !== 'sentinel');
    expect(created.map((q) => [q.service, q.method])).toEqual([['jira', 'POST']]);
    const key = created[0]!.target.split(' ').pop()!;
    const resolved = sync.flatMap((r) => r.requests);
    expect(resolved.map((q) => [q.service, q.method, q.target])).toEqual([
      ['jira', 'POST', `jira ${key}`],
      ['jira', 'POST', `jira ${key}`],
    ]);
    const comment = resolved[0]!.body as { body: unknown; properties: unknown };
    expect(JSON.stringify(comment.body)).toContain(
      `Microsoft Sentinel incident #${inc.number} was closed as Undetermined: ot-soc defender-status: closed in Defender for IoT`,
    );
    expect(comment.properties).toEqual([{ key: 'ot-soc-sentinel-close', value: { incident: inc.armId } }]);
    expect(resolved[1]!.body).toEqual({ transition: { id: 'the id of the first transition into Done' } });
    expect(sync.map((r) => r.outcome?.result)).toEqual(['done', ...sync.slice(1).map(() => 'skipped')]);
    // The OT channel that had the card hears of the close, with Defender for IoT's reason.
    const cards = cardsOf(inc);
    expect(cards).toHaveLength(2);
    expect(cards[1]).toContain('Closed as undetermined');
    expect(cards[1]).toContain('ot-soc defender-status: closed in Defender for IoT');
  });

  it('sets the attack-chain incident Active when Defender for IoT puts one of its alerts in progress', () => {
    const scanGroup = groupOf(
      (r) => (r.VendorAlertIds as string[] | undefined)?.includes(PORT_SCAN) ?? false,
    );
    const inc = incidentWith(scanGroup);
    expect(inc.alerts.flatMap((a) => a.alertIds).length).toBeGreaterThan(1);
    expect(inc.status).toBe('Active');
    const sync = runsOf(inc).filter((r) => r.playbook === 'sync-status');
    // No alert of the chain is moved to In progress by the echo (Defender for IoT leads here).
    expect(sync.flatMap((r) => r.requests).filter((q) => q.service === 'defenderForIoT')).toEqual([]);
  });

  it('leaves every other incident as it was', () => {
    const moved = new Set(
      twin.result.playbookRuns.filter((r) => r.playbook === 'defender-status').map((r) => r.incidentNumber),
    );
    expect(moved.size).toBe(2);
    for (const i of twin.result.incidents.filter((x) => !moved.has(x.number)))
      expect([i.number, i.status]).not.toEqual([i.number, 'Active']);
  });

  it('the SOC efficiency workbook counts the closes by automation, the commented incidents and the automation rule runs (ModifiedBy, Comments, SentinelHealth)', () => {
    const wb = WORKBOOKS.find((w) => w.file === 'ot-soc-soc-efficiency.json')!;
    const tables = sentinelTables(twin.result);
    expect(tables.nullColumns.SecurityIncident).not.toContain('ModifiedBy');
    expect(tables.nullColumns.SecurityIncident).not.toContain('Comments');
    const ctx = workspaceContext(rows, new Date(twin.result.end + 60_000), {}, tables.tables);
    const content = JSON.parse(readFileSync(join(packageRoot(), 'workbooks', wb.file), 'utf8')) as unknown;
    const rendered = runWorkbook(wb.file, wb.displayName, content, ctx, runQuery);
    const outcomes = queriesOf(rendered.items).find((q) => q.name === 'playbook outcomes')!;
    if (!outcomes.result.ok) throw new Error(JSON.stringify(outcomes.result.failure));
    const count = (prefix: string) =>
      outcomes.result.ok
        ? outcomes.result.table.rows
            .filter((r) => String(r.Outcome).startsWith(prefix))
            .reduce((n, r) => n + Number(r.Incidents), 0)
        : 0;
    // Nobody but automation closed anything in this run: the maintenance work (auto-close) and the Havex alert.
    const closed = twin.result.incidents.filter((i) => i.status === 'Closed');
    expect(closed.length).toBeGreaterThanOrEqual(2);
    expect(count('Closed by automation: ')).toBe(closed.length);
    expect(count('Closed by automation: Undetermined')).toBe(1);
    expect(count('Has comments')).toBe(twin.result.incidents.filter((i) => i.comments.length).length);
    expect(twin.result.incidents.find((i) => i.status === 'Closed')!.modifiedBy).toBe('otsoc-func-demo');
    // SentinelHealth: one "Automation rule run" per automation rule that matched, per rule.
    const runs = queriesOf(rendered.items).find((q) => q.name === 'automation runs')!;
    if (!runs.result.ok) throw new Error(JSON.stringify(runs.result.failure));
    const perRule = new Map<string, number>();
    for (const r of twin.result.automationRuns) perRule.set(r.rule, (perRule.get(r.rule) ?? 0) + 1);
    expect(
      new Map(runs.result.table.rows.map((r) => [String(r.SentinelResourceName), Number(r.Runs)])),
    ).toEqual(perRule);
    expect(runs.result.table.rows.every((r) => r.SentinelResourceType === 'Automation rule')).toBe(true);
  });

  it('an analyst who reopens it keeps it open: the next runs do not close it again, and the reopen syncs', async () => {
    const inc = incidentWith(groupOf((r) => String(r.AlertTitle).includes('Havex')));
    const end = twin.result.end;
    await twin.result.analyst(inc.number, { status: 'Active' }, end + 60_000);
    // The analyst leads again: sync-status syncs the reopen (this sensor-API alert has no AlertManagementUri
    // and the twin no group store, so there is nothing to write, but it is no longer skipped as an echo).
    const reopenSync = runsOf(inc)
      .filter((r) => r.playbook === 'sync-status')
      .at(-1)!;
    expect(reopenSync.outcome?.result).toBe('noop');
    expect(reopenSync.outcome?.reason).toBe('alerts follow the incident status Active');
    // … and the channel that was told of the close hears of the reopen.
    expect(cardsOf(inc)).toHaveLength(3);
    expect(cardsOf(inc)[2]).toContain('Reopened: the incident is Active again');
    const before = twin.result.playbookRuns.length;
    await twin.result.followDefender(end + 5 * 60_000);
    await twin.result.followDefender(end + 10 * 60_000);
    expect(inc.status).toBe('Active');
    expect(twin.result.playbookRuns.length).toBe(before);
  });
});
