// Ingestion delay, through the local Sentinel (sentinel/twin: its scheduler, NRT and Scheduled windows, alert and
// incident model) running ALL shipped rules: rows whose Revision 1 reaches the workspace 40 s, 2 h or 20 h after
// its TimeGenerated raise exactly one alert each, from their owning rule (analytics/routing.ts).
import { describe, expect, it } from 'vitest';
import { CHAIN_RULE, CONTROLLER_FAMILIES, ownerOf, owningRules } from '../../analytics/routing.js';
import { ASSET_WATCHLIST, WATCHLIST_COLUMNS } from '../../analytics/schemas.js';
import { D4IOT_CATALOG } from '../../pipeline/enrich/catalog.generated.js';
import { loadTwinRules } from '../../sentinel/rules.js';
import { runTwin } from '../../sentinel/twin.js';
import { TwinWorkspace } from '../../sentinel/workspace.js';

const T = Date.parse('2026-11-18T02:10:00Z');
const MIN = 60_000;
const HOUR = 60 * MIN;

/** One catalog title per owning rule (the first it owns), plus the chain rule's at a PLC and an unknown title. */
function samples(): { title: string; category: string; engine: string; dst?: string; owner: string }[] {
  const out: { title: string; category: string; engine: string; dst?: string; owner: string }[] = [];
  for (const rule of owningRules()) {
    const e = D4IOT_CATALOG.find(
      (x) => ownerOf({ title: x.title, category: x.category, engine: x.engine }) === rule,
    );
    if (e) out.push({ title: e.title, category: e.category ?? '', engine: e.engine, owner: rule });
  }
  const family = D4IOT_CATALOG.find((x) =>
    (CONTROLLER_FAMILIES as readonly string[]).includes(
      ownerOf({ title: x.title, category: x.category, engine: x.engine }),
    ),
  )!;
  out.push({
    title: family.title,
    category: family.category ?? '',
    engine: family.engine,
    dst: 'PLC',
    owner: CHAIN_RULE,
  });
  out.push({
    title: 'Brand New Alert Type',
    category: 'Something New',
    engine: 'Policy violation',
    owner: 'OtUncataloguedAlert',
  });
  return out;
}

describe('late rows alert exactly once (local Sentinel, every shipped rule)', () => {
  it.each([
    ['40 s', 40_000],
    ['2 h', 2 * HOUR],
    ['20 h', 20 * HOUR],
  ])(
    'accepted %s after TimeGenerated',
    async (_label, delay) => {
      const rules = loadTwinRules();
      const ws = new TwinWorkspace();
      const cases = samples();
      cases.forEach((c, i) => {
        ws.ingest(
          {
            TimeGenerated: new Date(T).toISOString(),
            AlertId: `late-${i}`,
            Revision: 1,
            RowReason: 'Created',
            AlertTitle: c.title,
            Description: c.title,
            Engine: c.engine,
            Category: c.category,
            Severity: 'Medium',
            Status: 'New',
            Protocol: 'TCP',
            // one site and zone per row: the correlation rules see no site-wide activity
            SourceIP: '10.1.1.5',
            DestinationIP: `10.1.2.${i + 1}`,
            DestinationAssetType: c.dst ?? '',
            DestinationAssetName: c.dst ? `PLC-${i}` : '',
            Site: `Site-${i}`,
            Zone: 'Line1',
            Count: 1,
            FirstSeen: new Date(T).toISOString(),
            LastSeen: new Date(T).toISOString(),
            Sensors: [`sensor-${i}`],
            InBusinessHours: true,
            InMaintenanceWindow: false,
          },
          new Date(T + delay),
        );
      });
      const result = await runTwin({
        rules,
        workspace: ws,
        watchlists: {
          [ASSET_WATCHLIST]: { columns: WATCHLIST_COLUMNS.map(([name, type]) => ({ name, type })), rows: [] },
        },
        start: T - 10 * MIN,
        end: T + delay + 2 * HOUR,
      });
      const wrong: string[] = [];
      cases.forEach((c, i) => {
        const hits = result.alerts.filter((a) => a.alertIds.includes(`late-${i}`));
        const by = hits.map((a) => rules.find((r) => r.id === a.ruleId)!.file.replace(/^.*\/|\.yaml$/g, ''));
        if (by.length !== 1 || by[0] !== c.owner)
          wrong.push(`${c.title}: ${by.join(' + ') || 'no alert'} (want ${c.owner})`);
      });
      expect(wrong).toEqual([]);
      expect(cases.length).toBeGreaterThan(20);
    },
    600_000,
  );
});
