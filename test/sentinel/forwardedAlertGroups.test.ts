/**
 * Uncatalogued alerts (custom sensor rules, a newer sensor's titles) forwarded over syslog carry the *alert group*
 * spelled as Defender for IoT's forwarding docs list them. Through the real path (replay → OTAlerts_CL → the local
 * Sentinel running the shipped rules) each must reach its family's rule, not the catch-all, and a stop command must
 * be judged an engineering operation (pipeline/enrich/alertGroups.ts, analytics/routing.ts).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ownerOf } from '../../analytics/routing.js';
import { runFile } from '../../cli/commands/runFile.js';
import { runSentinelTwin } from '../../cli/sentinelTwin.js';
import { shippedRules } from '../analytics/contentRun.js';
import { tempDirSync } from '../helpers/tempDirs.js';

/** The default alert groups as the forwarding docs print them (how-to-forward-alert-information-to-partners). */
const FORWARDED_GROUPS = [
  'Abnormal communication behavior',
  'Custom alerts',
  'Remote access',
  'Abnormal HTTP communication behavior',
  'Discovery',
  'Restart and stop commands',
  'Authentication',
  'Firmware change',
  'Scan',
  'Unauthorized communication behavior',
  'Illegal commands',
  'Sensor traffic',
  'Bandwidth anomalies',
  'Internet access',
  'Suspicion of malware',
  'Buffer overflow',
  'Operation failures',
  'Suspicion of malicious activity',
  'Command failures',
  'Operational issues',
  'Configuration changes',
  'Programming',
];

const cef = (group: string, i: number) =>
  `<9>2026-11-18T02:${String(10 + i).padStart(2, '0')}:00Z sensor-x CEF:0|Microsoft Defender for IoT/CyberX|site-sensor|23.1.2|Microsoft Defender for IoT Alert|Site rule ${i} (${group.length} chars)|8|msg=custom rule ${i} protocol=S7 severity=Major type=Policy Violation start=2026-11-18T02:${String(10 + i).padStart(2, '0')}:00Z src_ip=10.9.${i}.1 dst_ip=10.9.${i}.2 cat=${group}`;

const ndjson = async (file: string) =>
  (await readFile(file, 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('forwarded alert groups of uncatalogued alerts, through replay and the shipped rules', () => {
  it('each reaches its family’s rule, none the catch-all; a stop command is escalated', async () => {
    const dir = tempDirSync('ot-soc-alert-groups-');
    const input = join(dir, 'groups.log');
    await writeFile(input, `${FORWARDED_GROUPS.map(cef).join('\n')}\n`);
    const config = join(dir, 'config.json');
    await writeFile(
      config,
      JSON.stringify({ enrichment: { sensors: { 'site-sensor': { site: 'Gent', zone: 'Line 1' } } } }),
    );
    const out = join(dir, 'out');
    const summary = await runFile({ input, out, config, partitions: 1, batchSize: 50, progress: false });
    expect(summary).toMatchObject({ alertsParsed: 22, deadLettered: 0, groups: 22 });

    const rows = await ndjson(join(out, 'OTAlerts_CL.ndjson'));
    const byTitle = new Map(rows.map((r) => [String(r.AlertTitle), r]));
    const rowOf = (group: string) =>
      byTitle.get(`Site rule ${FORWARDED_GROUPS.indexOf(group)} (${group.length} chars)`)!;
    // Written in the catalog's spelling, so rules and escalations compare one text.
    expect(rowOf('Restart and stop commands')).toMatchObject({
      Category: 'Restart/Stop Commands',
      Severity: 'High',
    });
    expect(JSON.stringify(rowOf('Restart and stop commands').Escalations)).toContain('NotEngineeringStation');
    expect(rowOf('Firmware change').Category).toBe('Firmware Change');
    expect(rowOf('Operation failures').Category).toBe('Operation failures');
    // ATT&CK for ICS: what the category's catalogued alerts share (pipeline/enrich/catalog.ts categoryResult).
    expect(rowOf('Firmware change')).toMatchObject({ AttackMapping: 'Category', Techniques: ['T0857'] });
    expect(rowOf('Restart and stop commands')).toMatchObject({
      AttackMapping: 'Category',
      Techniques: [],
      Tactics: ['InhibitResponseFunction'],
    });
    expect(rowOf('Custom alerts')).toMatchObject({ AttackMapping: 'Unmapped', Techniques: [] });

    await runSentinelTwin(out, join(process.cwd(), 'samples', 'playbooks.config.json'), config);
    const fileOf = new Map(shippedRules().map((r) => [r.rule.name, r.name]));
    const raisedBy = new Map<string, string[]>();
    for (const a of await ndjson(join(out, 'sentinel', 'alerts.ndjson'))) {
      for (const id of a.AlertIds as string[]) {
        raisedBy.set(id, [...(raisedBy.get(id) ?? []), fileOf.get(String(a.RuleName)) ?? String(a.RuleName)]);
      }
    }
    const wrong: string[] = [];
    for (const group of FORWARDED_GROUPS) {
      const row = rowOf(group);
      const got = raisedBy.get(String(row.AlertId)) ?? [];
      const want = ownerOf({
        title: String(row.AlertTitle),
        category: String(row.Category),
        engine: 'Policy violation',
      });
      if (got.length !== 1 || got[0] !== want || want === 'OtUncataloguedAlert')
        wrong.push(`${group}: ${got.join(' + ') || 'no rule'} (want ${want})`);
    }
    expect(wrong).toEqual([]);
    expect(raisedBy.get(String(rowOf('Restart and stop commands').AlertId))).toEqual([
      'OtControllerStopRestart',
    ]);
    expect(raisedBy.get(String(rowOf('Operation failures').AlertId))).toEqual(['OtOperationalHealth']);
  }, 120_000);
});
