// What single rules do with their rows, executed: the internet rule's notion of a public address, and the attack-chain
// rule's incidents in the local Sentinel (one per controller, however many steps).
import { describe, expect, it } from 'vitest';
import { ASSET_WATCHLIST, WATCHLIST_COLUMNS } from '../../analytics/schemas.js';
import { loadTwinRules } from '../../sentinel/rules.js';
import { runTwin } from '../../sentinel/twin.js';
import { TwinWorkspace } from '../../sentinel/workspace.js';
import { alertRow, execute, shippedRules } from './contentRun.js';

const T = new Date('2026-11-18T02:10:00Z');

describe('OtInternetAccess: what is the internet', () => {
  it('public unicast IPv4 only: not private, loopback, link-local, multicast or reserved', () => {
    const rule = shippedRules().find((r) => r.name === 'OtInternetAccess')!.rule;
    const cases: [string, string][] = [
      ['8.8.8.8', '8.8.8.8'],
      ['169.254.10.20', ''],
      ['224.0.0.251', ''],
      ['239.255.255.250', ''],
      ['255.255.255.255', ''],
      ['127.0.0.1', ''],
      ['0.0.0.0', ''],
      ['192.168.1.10', ''],
      ['2001:db8::1', ''],
    ];
    for (const [ip, want] of cases) {
      const row = alertRow({
        AlertId: `g-${ip}`,
        AlertTitle: 'Internet Access Detected',
        Category: 'Internet Access',
        Engine: 'Policy violation',
        TimeGenerated: T,
        SourceIP: '10.1.1.5',
        DestinationIP: ip,
      });
      const out = execute(
        rule,
        [{ row, ingested: new Date(T.getTime() + 30_000) }],
        new Date(T.getTime() + 60_000),
      );
      expect(
        out.rows.map((r) => r.PublicAddress),
        ip,
      ).toEqual([want]);
    }
  });
});

describe('OtControllerAttackChain in the local Sentinel', () => {
  it('one incident per controller: two controllers attacked the same night are two incidents, steps in order', async () => {
    const steps: [string, string, string][] = [
      ['Port Scan Detected', 'Scan', 'Anomaly'],
      ['PLC Scan Detected', 'Scan', 'Anomaly'],
      ['Unauthorized PLC Programming', 'Programming', 'Policy violation'],
      ['An S7 Stop PLC Command was Sent', 'Restart/ Stop Commands', 'Operational'],
    ];
    const ws = new TwinWorkspace();
    const ids: Record<string, string[]> = { 'PLC-A': [], 'PLC-B': [] };
    for (const [c, plc] of [
      [0, 'PLC-A'],
      [1, 'PLC-B'],
    ] as const) {
      steps.forEach(([title, category, engine], i) => {
        const t = new Date(T.getTime() + c * 20 * 60_000 + i * 5 * 60_000);
        const id = `${plc}-${i}`;
        ids[plc]!.push(id);
        ws.ingest(
          {
            TimeGenerated: t.toISOString(),
            AlertId: id,
            Revision: 1,
            RowReason: 'Created',
            AlertTitle: title,
            Description: title,
            Engine: engine,
            Category: category,
            Severity: 'Medium',
            Status: 'New',
            Protocol: 'S7',
            SourceIP: '10.10.1.66',
            SourceName: 'LAPTOP-7Q2K',
            DestinationIP: plc === 'PLC-A' ? '10.10.2.21' : '10.10.2.22',
            DestinationAssetName: plc,
            DestinationAssetType: 'PLC',
            Site: 'Rotterdam',
            Zone: 'Packaging',
            Count: 1,
            FirstSeen: t.toISOString(),
            LastSeen: t.toISOString(),
            Sensors: ['rtm-pkg-sensor-01'],
            InBusinessHours: false,
            InMaintenanceWindow: false,
          },
          new Date(t.getTime() + 40_000),
        );
      });
    }
    const result = await runTwin({
      rules: loadTwinRules(),
      workspace: ws,
      watchlists: {
        [ASSET_WATCHLIST]: { columns: WATCHLIST_COLUMNS.map(([name, type]) => ({ name, type })), rows: [] },
      },
      start: T.getTime() - 5 * 60_000,
      end: T.getTime() + 3 * 3_600_000,
    });
    for (const plc of ['PLC-A', 'PLC-B']) {
      const mine = ids[plc]!;
      const incidents = result.incidents.filter((i) =>
        i.alerts.some((a) => a.alertIds.some((x) => mine.includes(x))),
      );
      expect(incidents, plc).toHaveLength(1);
      const order = incidents[0]!.alerts.flatMap((a) => a.alertIds);
      expect(order, plc).toEqual(mine);
      // off-hours from a laptop: the changes are High, with the step in the custom details
      const steps = incidents[0]!.alerts.map((a) => a.customDetails.Step?.[0]);
      expect(steps).toEqual(['reconnaissance', 'reconnaissance', 'change', 'stop or restart']);
      expect(incidents[0]!.alerts.every((a) => a.severity === 'High')).toBe(true);
    }
    // nothing else alerted on those rows
    const others = result.alerts.filter((a) => !a.ruleName.startsWith('OT attack chain'));
    expect(others.map((a) => a.ruleName)).toEqual([]);
  }, 300_000);
});

describe('OtTechniqueSpreadAcrossZones: one technique in three zones within a day of sensor time', () => {
  const rule = () => shippedRules().find((r) => r.name === 'OtTechniqueSpreadAcrossZones')!.rule;
  const now = new Date('2026-11-20T12:00:00Z');
  /** A Medium group of T0866 in `zone`, detected at `seen`, accepted by the workspace at `ingested`. */
  const group = (zone: string, seen: Date, ingested: Date) => ({
    row: alertRow({
      AlertId: `spread-${zone}-${seen.toISOString()}`,
      AlertTitle: 'Unauthorized Remote Access',
      TimeGenerated: ingested,
      Zone: zone,
      FirstSeen: seen,
      LastSeen: seen,
      Techniques: ['T0866'],
      TechniqueNames: ['Exploitation of Remote Services'],
      Tactics: ['InitialAccess', 'LateralMovement'],
    }),
    ingested,
  });
  const hours = (h: number) => new Date(now.getTime() - h * 3_600_000);

  it('alerts on three zones a few hours apart, as they arrive (the newest within the last run)', () => {
    const out = execute(
      rule(),
      [
        group('Line1', hours(5), hours(5)),
        group('Line2', hours(3), hours(3)),
        group('Line3', hours(0.5), hours(0.5)),
      ],
      now,
    );
    expect(out.rows.map((r) => [r.Technique, r.Zones])).toEqual([['T0866', 3]]);
  });

  it('not on two zones, nor when the newest group arrived before this run', () => {
    expect(
      execute(rule(), [group('Line1', hours(5), hours(5)), group('Line2', hours(0.5), hours(0.5))], now).rows,
    ).toEqual([]);
    const old = [
      group('Line1', hours(5), hours(5)),
      group('Line2', hours(4), hours(4)),
      group('Line3', hours(3), hours(3)),
    ];
    expect(execute(rule(), old, now).rows).toEqual([]);
  });

  it("not on three zones days apart that reach the workspace together (an air-gapped site's week sent at once)", () => {
    const sent = hours(0.5);
    const week = [
      group('Line1', hours(24 * 6), sent),
      group('Line2', hours(24 * 3), sent),
      group('Line3', hours(2), sent),
    ];
    expect(execute(rule(), week, now).rows).toEqual([]);
    // The same upload with the three zones within a day of each other is the spread, however late it came.
    const day = [
      group('Line1', hours(24 * 5), sent),
      group('Line2', hours(24 * 5 - 6), sent),
      group('Line3', hours(24 * 4 - 1), sent),
    ];
    expect(execute(rule(), day, now).rows.map((r) => r.Zones)).toEqual([3]);
  });
});
