// Exactly one owning rule per Defender for IoT alert type, proved by executing every shipped rule's own KQL (local
// KQL engine) over one Revision 1 row of each of the 202 catalog titles, plus titles the catalog does not know.
// Late rows: lateRows.test.ts (the local Sentinel's scheduler).
import { beforeAll, describe, expect, it } from 'vitest';
import {
  CATCH_ALL_RULE,
  CHAIN_CONSUMER,
  CHAIN_ROWS,
  CHAIN_RULE,
  COMMAND_FAMILIES,
  CONTROLLER_FAMILIES,
  CORRELATION_RULES,
  MALWARE_RULE,
  ownerOf,
  owningRules,
} from '../../analytics/routing.js';
import { D4IOT_CATALOG } from '../../pipeline/enrich/catalog.generated.js';
import { alertRow, type Delivered, execute, type Row, type ShippedRule, shippedRules } from './contentRun.js';

let rules: ShippedRule[];
beforeAll(() => {
  rules = shippedRules();
});

const T = new Date('2026-11-18T02:10:00Z');
const at = (ms: number) => new Date(T.getTime() + ms);
const MIN = 60_000;

/** The rules whose query returns a result for this row alone, run just after the row was accepted. */
function alerting(row: Row): string[] {
  const delivered: Delivered[] = [{ row, ingested: at(30_000) }];
  return rules.filter((r) => execute(r.rule, delivered, at(MIN)).rows.length > 0).map((r) => r.name);
}

const catalogRow = (e: (typeof D4IOT_CATALOG)[number], i: number, over: Row = {}) =>
  alertRow({
    AlertId: `group-${i}`,
    AlertTitle: e.title,
    Category: e.category ?? '',
    Engine: e.engine,
    Severity: e.severity,
    Tactics: [...e.tactics],
    Techniques: [...e.techniques],
    TimeGenerated: T,
    ...over,
  });

describe('routing: one owning rule per alert type, executed', () => {
  it('ships the rules the routing table names, and at least 25 rules', () => {
    const names = rules.map((r) => r.name);
    for (const r of [...owningRules(), ...CORRELATION_RULES]) expect(names).toContain(r);
    expect(names.length).toBeGreaterThanOrEqual(25);
  });

  it("the Purdue correlation leaves the chain rule's rows by the condition the workbook lists them by (CHAIN_ROWS)", () => {
    const purdue = rules.find((r) => r.name === CHAIN_CONSUMER)!;
    expect(purdue.rule.query).toContain(`where not(${CHAIN_ROWS})`);
  });

  it('every one of the 202 catalog titles reaches exactly one rule, the one analytics/routing.ts names', () => {
    expect(D4IOT_CATALOG).toHaveLength(202);
    const wrong: string[] = [];
    const byRule = new Map<string, number>();
    D4IOT_CATALOG.forEach((e, i) => {
      const got = alerting(catalogRow(e, i));
      const want = ownerOf({ title: e.title, category: e.category, engine: e.engine });
      if (got.length !== 1 || got[0] !== want)
        wrong.push(`${e.title}: ${got.join(' + ') || 'no rule'} (want ${want})`);
      for (const g of got) byRule.set(g, (byRule.get(g) ?? 0) + 1);
    });
    expect(wrong).toEqual([]);
    // no owning rule is dead weight (the chain and catch-all rules are proved below)
    for (const r of owningRules().filter((x) => x !== CHAIN_RULE && x !== CATCH_ALL_RULE))
      expect(byRule.get(r), r).toBeGreaterThan(0);
  }, 300_000);

  it('aimed at a controller in the inventory, the controller families go to the attack-chain rule, alone', () => {
    const wrong: string[] = [];
    let chain = 0;
    D4IOT_CATALOG.forEach((e, i) => {
      // from the SCADA server: the command families stay their own rules'
      const row = catalogRow(e, i, {
        DestinationAssetType: 'PLC',
        DestinationAssetName: 'PLC-7',
        SourceAssetType: 'SCADAServer',
      });
      const got = alerting(row);
      const family = ownerOf({ title: e.title, category: e.category, engine: e.engine });
      const want = (CONTROLLER_FAMILIES as readonly string[]).includes(family) ? CHAIN_RULE : family;
      expect(ownerOf({ ...e, destinationAssetType: 'PLC', sourceAssetType: 'SCADAServer' })).toBe(want);
      if (got.length !== 1 || got[0] !== want)
        wrong.push(`${e.title}: ${got.join(' + ') || 'no rule'} (want ${want})`);
      if (want === CHAIN_RULE) chain++;
    });
    expect(wrong).toEqual([]);
    expect(chain).toBeGreaterThan(40);
  }, 300_000);

  it('aimed at a controller by a device outside the process, the command families go to the attack-chain rule too', () => {
    const wrong: string[] = [];
    let commands = 0;
    D4IOT_CATALOG.forEach((e, i) => {
      const family = ownerOf({ title: e.title, category: e.category, engine: e.engine });
      const isCommand = (COMMAND_FAMILIES as readonly string[]).includes(family);
      const chainFamily = (CONTROLLER_FAMILIES as readonly string[]).includes(family);
      // a laptop (typed) and a device of unknown type; a peer controller and an HMI are the process's own
      for (const [source, outside] of [
        ['Workstation', true],
        ['', true],
        ['RTU', false],
        ['hmi', false],
      ] as const) {
        const row = catalogRow(e, i, {
          DestinationAssetType: 'RTU',
          DestinationAssetName: 'RTU-1',
          SourceAssetType: source,
        });
        const want = chainFamily || (isCommand && outside) ? CHAIN_RULE : family;
        expect(ownerOf({ ...e, destinationAssetType: 'RTU', sourceAssetType: source }), e.title).toBe(want);
        // a workstation aimed at a controller may also be a Purdue crossing (a correlation), but never beside the chain
        const got = alerting(row).filter(
          (r) => want === CHAIN_RULE || !(CORRELATION_RULES as readonly string[]).includes(r),
        );
        if (got.length !== 1 || got[0] !== want)
          wrong.push(
            `${e.title} from ${source || 'unknown'}: ${got.join(' + ') || 'no rule'} (want ${want})`,
          );
        if (isCommand && outside) commands++;
      }
    });
    expect(wrong).toEqual([]);
    // both command families' titles, from two kinds of source
    expect(commands).toBeGreaterThan(100);
  }, 600_000);

  it('titles the catalog does not know: by engine and category, else the catch-all; nothing is dropped', () => {
    const cases: [Row, string][] = [
      [
        { AlertTitle: 'Brand New Alert Type', Category: 'Something New', Engine: 'Policy violation' },
        CATCH_ALL_RULE,
      ],
      [{ AlertTitle: 'Brand New Alert Type', Category: '', Engine: '' }, CATCH_ALL_RULE],
      [
        {
          AlertTitle: 'Siemens S7 Firmware Rolled Back',
          Category: 'Firmware change',
          Engine: 'Policy violation',
        },
        'OtFirmwareChange',
      ],
      [{ AlertTitle: 'Suspicion of New Worm', Category: 'Something New', Engine: 'Malware' }, MALWARE_RULE],
      [
        { AlertTitle: 'Outstation Rebooted', Category: 'Restart/ Stop Commands', Engine: 'Operational' },
        'OtControllerStopRestart',
      ],
      // a catalog title spelt in another case is still its owner's
      [
        { AlertTitle: 'unauthorized ssh access', Category: 'Remote Access', Engine: 'Policy violation' },
        'OtUnauthorizedRemoteAccess',
      ],
    ];
    for (const [over, want] of cases) {
      const row = alertRow({ AlertId: 'g', TimeGenerated: T, ...over } as Row & {
        AlertId: string;
        AlertTitle: string;
        TimeGenerated: Date;
      });
      expect(alerting(row), String(over.AlertTitle)).toEqual([want]);
    }
  });
});
