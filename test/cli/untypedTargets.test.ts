/**
 * The summary's "untyped targets": devices that controller-family alerts (scans, programming, stops…) were aimed at
 * with no device type. Syslog carries none, so without an inventory the attack-chain rule cannot see the controller
 * and each step is an incident of its own; the summary names the device to add. Unit, then through `replay` and the
 * local Sentinel on a CEF attack of an uninventoried site, before and after the controller is in the inventory.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../analytics/content.js';
import { WORKBOOKS } from '../../analytics/workbooks/index.js';
import { runFile } from '../../cli/commands/runFile.js';
import { queriesOf } from '../../cli/report/workbooks/model.js';
import { runWorkbook } from '../../cli/report/workbooks/run.js';
import { workspaceContext } from '../../cli/report/workspace.js';
import { runSentinelTwin } from '../../cli/sentinelTwin.js';
import { formatSummary } from '../../cli/summary.js';
import { untypedLines, untypedTargets } from '../../cli/untypedTargets.js';
import { runQuery } from '../../sentinel/kql/index.js';
import { samples } from '../sentinel/helpers.js';

const row = (title: string, category: string, count: number, dest: Record<string, string>) => ({
  AlertTitle: title,
  Category: category,
  Engine: 'Policy Violation',
  Count: count,
  Site: 'Hamburg',
  Zone: 'Presswerk',
  ...dest,
});

describe('untyped targets', () => {
  it('lists the untyped destinations of controller-family alerts only, per device, most alerts first', () => {
    const found = untypedTargets([
      row('Unauthorized PLC Programming', 'Programming', 2, { DestinationIP: '10.1.0.21' }),
      row('Controller Stop', 'Restart/ Stop Commands', 1, { DestinationIP: '10.1.0.21' }),
      row('PLC Scan Detected', 'Scan', 5, { DestinationName: 'HAM-RTU-7', DestinationIP: '10.1.0.30' }),
      // typed: the chain rule or the family rule already knows what it is
      row('Unauthorized PLC Programming', 'Programming', 9, {
        DestinationIP: '10.1.0.40',
        DestinationAssetType: 'HMI',
      }),
      row('Controller Stop', 'Restart/ Stop Commands', 9, {
        DestinationIP: '10.1.0.41',
        DestinationAssetType: 'PLC',
      }),
      // not a controller family
      row('Unauthorized SSH Access', 'Remote access', 9, { DestinationIP: '10.1.0.21' }),
      // no destination to name
      row('PLC Scan Detected', 'Scan', 9, {}),
    ]);
    expect(found).toEqual([
      {
        device: 'HAM-RTU-7',
        site: 'Hamburg',
        zone: 'Presswerk',
        alerts: 5,
        titles: ['PLC Scan Detected'],
        onlyNetworkScans: false,
      },
      {
        device: '10.1.0.21',
        site: 'Hamburg',
        zone: 'Presswerk',
        alerts: 3,
        titles: ['Unauthorized PLC Programming', 'Controller Stop'],
        onlyNetworkScans: false,
      },
    ]);
    expect(untypedLines(found)).toEqual([
      '      HAM-RTU-7 at Hamburg/Presswerk: 5 alerts; PLC Scan Detected',
      '      10.1.0.21 at Hamburg/Presswerk: 3 alerts; Unauthorized PLC Programming, Controller Stop',
    ]);
  });

  it('lists a device protocol commands were aimed at from outside the process, not from the SCADA server', () => {
    const unpermitted = 'Unpermitted Usage of Modbus Function Code';
    const category = 'Unauthorized Communication Behavior';
    const found = untypedTargets([
      // an unknown device's commands: were 10.1.0.50 a controller, a step of an attack on it
      row(unpermitted, category, 4, { DestinationIP: '10.1.0.50' }),
      // the SCADA server's own polling stays its rule's, whatever the destination is
      row(unpermitted, category, 9, { DestinationIP: '10.1.0.51', SourceAssetType: 'SCADAServer' }),
    ]);
    expect(found.map((t) => [t.device, t.alerts])).toEqual([['10.1.0.50', 4]]);
  });

  it("lists a port sweep's hosts after the devices something else was aimed at, however many scans they had", () => {
    const sweep = Array.from({ length: 10 }, (_, k) =>
      row('Port Scan Detected', 'Scan', 5, { DestinationIP: `10.1.2.${10 + k}` }),
    );
    const found = untypedTargets([
      ...sweep,
      row('Address Scan Detected', 'Scan', 2, { DestinationIP: '10.1.0.21' }),
      row('Unauthorized PLC Programming', 'Programming', 1, { DestinationIP: '10.1.0.21' }),
    ]);
    const hosts = Array.from({ length: 10 }, (_, k) => `10.1.2.${10 + k}`);
    expect(found.map((t) => t.device)).toEqual(['10.1.0.21', ...hosts]);
    // the sweep's hosts in one line after the device that was programmed
    expect(untypedLines(found)).toEqual([
      '      10.1.0.21 at Hamburg/Presswerk: 3 alerts; Address Scan Detected, Unauthorized PLC Programming',
      '      10 more devices only a network scan reached (Port Scan Detected): 10.1.2.10, 10.1.2.11, 10.1.2.12, …',
    ]);
    expect(untypedLines(found.slice(1, 2))).toEqual([
      '      1 device only a network scan reached (Port Scan Detected): 10.1.2.10',
    ]);
  });

  it("the sites and assets workbook's grid lists them in the same order, saying which only a sweep reached", () => {
    const now = new Date();
    const rows = [
      ...[10, 11, 12].map((k) => row('Port Scan Detected', 'Scan', 5, { DestinationIP: `10.1.2.${k}` })),
      row('Address Scan Detected', 'Scan', 2, { DestinationIP: '10.1.0.21' }),
      row('Unauthorized PLC Programming', 'Programming', 1, { DestinationIP: '10.1.0.21' }),
    ].map((r, i) => ({ ...r, AlertId: `g${i}`, Revision: 1, TimeGenerated: now.toISOString() }));
    const wb = WORKBOOKS.find((w) => w.file === 'ot-soc-sites-assets.json')!;
    const content = JSON.parse(readFileSync(join(packageRoot(), 'workbooks', wb.file), 'utf8')) as unknown;
    const rendered = runWorkbook(wb.file, wb.displayName, content, workspaceContext(rows, now, {}), runQuery);
    const grid = queriesOf(rendered.items).find((q) => q.name === 'untyped targets')!;
    if (!grid.result.ok) throw new Error(JSON.stringify(grid.result.failure));
    expect(grid.result.table.rows.map((r) => [r.Device, Number(r.RawAlerts), r.OnlyNetworkScans])).toEqual([
      ['10.1.0.21', 3, false],
      ['10.1.2.10', 5, true],
      ['10.1.2.11', 5, true],
      ['10.1.2.12', 5, true],
    ]);
  });

  it('lists eight devices at most, then how many more', () => {
    const rows = Array.from({ length: 11 }, (_, k) =>
      row('PLC Scan Detected', 'Scan', 11 - k, { DestinationIP: `10.1.0.${k}` }),
    );
    const lines = untypedLines(untypedTargets(rows));
    expect(lines).toHaveLength(9);
    expect(lines[0]).toContain('10.1.0.0 at Hamburg/Presswerk: 11 alerts');
    expect(lines[8]).toBe('      and 3 more devices');
  });
});

const T0 = Date.parse('2026-11-21T02:10:00Z');
const cef = (minute: number, title: string, sev: number, cat: string, n: number) =>
  `<9>Nov 21 02:${String(10 + minute).padStart(2, '0')}:00 ham-sensor-07 CEF:0|Microsoft Defender for IoT/CyberX|ham-sensor-07|24.1.3|Microsoft Defender for IoT Alert|${title}|${sev}|msg=${title} on 172.16.4.21 from 172.16.9.99. protocol=S7 severity=Major type=Policy Violation UUID=0b8e6a2c-1111-4c2d-9a55-00000000000${n} start=${T0 + minute * 60_000} src_ip=172.16.9.99 dst_ip=172.16.4.21 cat=${cat}`;

describe('an attack on an uninventoried controller, through replay and the local Sentinel', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ot-soc-untyped-'));
    await writeFile(
      join(dir, 'attack.log'),
      `${[
        cef(0, 'PLC Scan Detected', 6, 'Scan', 1),
        cef(9, 'Unauthorized PLC Programming', 8, 'Programming', 2),
        cef(15, 'Controller Stop', 8, 'Restart/ Stop Commands', 3),
      ].join('\n')}\n`,
    );
    const sensors = { 'ham-sensor-07': { site: 'Hamburg', zone: 'Presswerk' } };
    await writeFile(join(dir, 'placed.json'), JSON.stringify({ enrichment: { sensors } }));
    await writeFile(
      join(dir, 'inventoried.json'),
      JSON.stringify({
        enrichment: {
          sensors,
          inventory: {
            devices: [
              { IPAddress: '172.16.4.21', AssetName: 'HAM-PRS-PLC-01', AssetType: 'PLC', Site: 'Hamburg' },
            ],
          },
        },
      }),
    );
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const run = async (config: string) => {
    const out = join(dir, `out-${config}`);
    const summary = await runFile({
      input: join(dir, 'attack.log'),
      out,
      config: join(dir, config),
      partitions: 1,
      batchSize: 100,
      progress: false,
    });
    const twin = await runSentinelTwin(out, samples('playbooks.config.json'), join(dir, config));
    return { summary, twin, workbook: await untypedInWorkbook(out) };
  };

  /** The sites and assets workbook's "untyped targets" grid over the rows written, as the report renders it. */
  const untypedInWorkbook = async (out: string) => {
    const rows = (await readFile(join(out, 'OTAlerts_CL.ndjson'), 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const wb = WORKBOOKS.find((w) => w.file === 'ot-soc-sites-assets.json')!;
    const content = JSON.parse(readFileSync(join(packageRoot(), 'workbooks', wb.file), 'utf8')) as unknown;
    const ctx = workspaceContext(rows, new Date(), {});
    const rendered = runWorkbook(wb.file, wb.displayName, content, ctx, runQuery);
    const grid = queriesOf(rendered.items).find((q) => q.name === 'untyped targets')!;
    if (!grid.result.ok) throw new Error(JSON.stringify(grid.result.failure));
    return grid.result.table.rows.map((r) => [
      r.Site,
      r.Zone,
      r.Device,
      Number(r.Groups),
      Number(r.RawAlerts),
    ]);
  };

  it('names the controller to add while the inventory lacks it, and the attack is one incident once it has it', async () => {
    const before = await run('placed.json');
    expect(before.summary.untypedTargets).toEqual([
      {
        device: '172.16.4.21',
        site: 'Hamburg',
        zone: 'Presswerk',
        alerts: 3,
        titles: ['Controller Stop', 'PLC Scan Detected', 'Unauthorized PLC Programming'],
        onlyNetworkScans: false,
      },
    ]);
    expect(formatSummary(before.summary)).toContain(
      '      172.16.4.21 at Hamburg/Presswerk: 3 alerts; Controller Stop, PLC Scan Detected, Unauthorized PLC Programming',
    );
    expect(before.twin.result.incidents).toHaveLength(3);
    // In Azure the SOC sees the same device in the sites and assets workbook.
    expect(before.workbook).toEqual([['Hamburg', 'Presswerk', '172.16.4.21', 3, 3]]);

    const after = await run('inventoried.json');
    expect(after.summary.untypedTargets).toEqual([]);
    expect(formatSummary(after.summary)).not.toContain('untyped targets');
    expect(after.workbook).toEqual([]);
    expect(after.twin.result.incidents.map((i) => i.title)).toEqual([
      'OT attack on HAM-PRS-PLC-01 in Hamburg/Presswerk: reconnaissance → change → stop or restart (3 alerts)',
    ]);
  });
});
