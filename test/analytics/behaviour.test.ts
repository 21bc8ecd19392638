// What single rules do with their rows, executed: the internet rule's notion of a public address, the attack-chain
// rule's incidents in the local Sentinel (one per controller, however many steps), and the correlations no
// single-row test reaches (technique spread, Purdue crossing, sensor silence during activity).
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

describe('OtPurdueBoundaryCrossing: traffic to a controller from too far up', () => {
  const rule = () => shippedRules().find((r) => r.name === 'OtPurdueBoundaryCrossing')!.rule;
  const now = new Date('2026-11-18T03:00:00Z');
  const at = new Date(now.getTime() - 20 * 60_000);
  /** A group of a family the chain rule does not own (an unauthorized SMB login) to a level-1 PLC. */
  const to = (id: string, source: string, over: Record<string, unknown> = {}) => ({
    row: alertRow({
      AlertId: id,
      AlertTitle: 'Unauthorized SMB Login',
      Category: 'Authentication',
      Engine: 'Policy violation',
      TimeGenerated: at,
      SourceIP: source,
      DestinationIP: '10.10.2.21',
      DestinationAssetType: 'PLC',
      PurdueLevel: 1,
      ...over,
    }),
    ingested: at,
  });
  const inventory = [
    {
      SearchKey: '10.10.4.5',
      IPAddress: '10.10.4.5',
      AssetName: 'MES-01',
      AssetType: 'Server',
      PurdueLevel: 'L4',
    },
    {
      SearchKey: '10.10.2.5',
      IPAddress: '10.10.2.5',
      AssetName: 'EWS-01',
      AssetType: 'EWS',
      PurdueLevel: 'L2',
    },
  ];

  it('names the crossing: an internet address, a host two levels up, an IT host; not a neighbour level', () => {
    const out = execute(
      rule(),
      [
        to('public', '8.8.4.4'),
        to('level4', '10.10.4.5'),
        to('it', '10.10.9.9', { SourceAssetType: 'Workstation' }),
        to('level2', '10.10.2.5'),
        to('unknown', '10.10.7.7'),
      ],
      now,
      inventory,
    );
    expect(out.rows.map((r) => [r.AlertId, r.Crossing]).sort()).toEqual([
      ['it', 'Workstation directly to a controller'],
      ['level4', 'level 4 host to a level 1 controller'],
      ['public', 'internet address to a controller'],
    ]);
  });

  it("leaves the chain rule's rows (a PLC programming from level 4 is a step of its attack incident)", () => {
    const programming = to('program', '10.10.4.5', {
      AlertTitle: 'Unauthorized PLC Programming',
      Category: 'Programming',
    });
    expect(execute(rule(), [programming], now, inventory).rows).toEqual([]);
  });
});

describe('OtSensorSilenceDuringActivity: a sensor goes quiet while its site is busy', () => {
  const rule = () => shippedRules().find((r) => r.name === 'OtSensorSilenceDuringActivity')!.rule;
  const now = new Date('2026-11-18T03:00:00Z');
  const min = (m: number) => new Date(now.getTime() - m * 60_000);
  const silence = (seen: Date, ingested: Date) => ({
    row: alertRow({
      AlertId: 'silence',
      AlertTitle: 'No Traffic Detected on Sensor Interface',
      Engine: 'Operational',
      TimeGenerated: ingested,
      FirstSeen: seen,
      LastSeen: seen,
      Sensors: ['sensor-1'],
    }),
    ingested,
  });
  const activity = (id: string, seen: Date, zone = 'Line1', severity = 'High') => ({
    row: alertRow({
      AlertId: id,
      AlertTitle: 'Unauthorized PLC Programming',
      Engine: 'Policy violation',
      Severity: severity,
      TimeGenerated: seen,
      FirstSeen: seen,
      LastSeen: seen,
      Zone: zone,
    }),
    ingested: seen,
  });

  it('High with activity in its own zone within an hour, Medium with activity only in another zone', () => {
    const same = execute(rule(), [silence(min(10), min(5)), activity('a', min(40))], now);
    expect(same.rows.map((r) => [r.SilenceAlertId, r.Severity, r.ActivityGroups])).toEqual([
      ['silence', 'High', 1],
    ]);
    const other = execute(rule(), [silence(min(10), min(5)), activity('b', min(40), 'Line2')], now);
    expect(other.rows.map((r) => r.Severity)).toEqual(['Medium']);
  });

  it('nothing for activity more than an hour away in sensor time, Low activity, or a silence of an earlier run', () => {
    expect(execute(rule(), [silence(min(10), min(5)), activity('far', min(75))], now).rows).toEqual([]);
    expect(
      execute(rule(), [silence(min(10), min(5)), activity('low', min(40), 'Line1', 'Low')], now).rows,
    ).toEqual([]);
    expect(execute(rule(), [silence(min(30), min(20)), activity('a', min(40))], now).rows).toEqual([]);
  });

  it('pairs a late-delivered silence with the activity of its own time, not of its arrival', () => {
    // Seen 2 h ago, delivered now (an air-gapped site's upload): the activity 10 min before it in sensor time counts.
    const late = execute(rule(), [silence(min(120), min(5)), activity('then', min(130))], now);
    expect(late.rows.map((r) => r.Severity)).toEqual(['High']);
  });
});
