/**
 * Every shipped analytics rule, hunting query and workbook query runs through the engine over the replayed plant
 * scenario, at several clock positions across it: none may fail, and the rules and hunting queries must find
 * something (the scenario is built to trigger them).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { loadContent } from '../../../analytics/content.js';
import { parseDuration } from '../../../analytics/duration.js';
import { workbookQueries } from '../../../analytics/workbook.js';
import { runQuery } from '../../../sentinel/kql/index.js';
import { inventory, unsupportedIn } from '../../../sentinel/kql/inventory.js';
import { workbookDefaultParameters } from '../../../sentinel/kql/workbookParameters.js';
import { INGESTION_DELAY_MS, replayWorkspace, type Workspace } from './dataset.js';

const content = loadContent();
const yamlQuery = (doc: { toJS(): unknown }) => (doc.toJS() as { query: string }).query;

let ws: Workspace;
beforeAll(async () => {
  ws = await replayWorkspace();
}, 120_000);

/**
 * Clock positions every `step` ms, on the step's grid as Sentinel schedules, from the first row until one position
 * after the last row was ingested: rules look back by ingestion time, so a row written just before a boundary and
 * ingested after it is seen by the next position only (an hourly rule missed it when the replay ran at hh:59).
 */
function runs(step: number): Date[] {
  const out: Date[] = [];
  const start = Math.ceil(ws.first.getTime() / step) * step;
  const lastIngested = ws.last.getTime() + INGESTION_DELAY_MS;
  for (let t = start; out.length === 0 || out.at(-1)!.getTime() < lastIngested; t += step)
    out.push(new Date(t));
  return out;
}

describe('shipped content through the local KQL engine', () => {
  it('the dataset is the replayed scenario', () => {
    expect(ws.ctx.tables.OTAlerts_CL!.rows.length).toBeGreaterThan(50);
  });

  const fired: string[] = [];
  for (const src of content.rules) {
    const name = src.file.split('/').pop()!;
    it(`rule ${name} executes at every run over the scenario`, () => {
      const rule = src.doc.toJS() as { query: string; queryFrequency?: string };
      // NRT rules have no frequency: every 5 minutes is enough to cover the scenario here.
      const every = parseDuration(rule.queryFrequency ?? '5m')!;
      let found = 0;
      for (const now of runs(every)) found += runQuery(rule.query, { ...ws.ctx, now }).rows.length;
      if (found) fired.push(name);
    });
  }

  for (const src of content.hunting) {
    const name = src.file.split('/').pop()!;
    it(`hunting ${name} executes at every clock position`, () => {
      const query = yamlQuery(src.doc);
      for (const now of runs(3 * 3_600_000)) runQuery(query, { ...ws.ctx, now });
    });
  }

  it('the inventory of every shipped query (operators and functions, from the parsed trees) is all implemented', () => {
    const queries = [
      ...content.rules.map((s) => yamlQuery(s.doc)),
      ...content.hunting.map((s) => yamlQuery(s.doc)),
      ...content.workbooks.flatMap((s) => {
        const wb: unknown = JSON.parse(s.text);
        return workbookQueries(wb).map((q) => q.query);
      }),
    ];
    const operators = new Set<string>();
    const functions = new Set<string>();
    for (const q of queries) {
      const inv = inventory(q);
      for (const o of inv.operators) operators.add(o);
      for (const f of inv.functions) functions.add(f);
    }
    expect(unsupportedIn({ operators, functions })).toEqual([]);
    // The surface is not trivial: the content uses joins, summarize, mv-expand and a watchlist.
    expect([...operators]).toEqual(
      expect.arrayContaining(['JoinOperator', 'SummarizeOperator', 'MvExpandOperator']),
    );
    expect([...functions]).toEqual(expect.arrayContaining(['arg_max', '_GetWatchlist', 'ago']));
  });

  it('a third of the rules fire somewhere in the scenario (the data are not trivial)', () => {
    // a third: the scenario aims most of its activity at controllers, which one rule (the attack chain) owns
    expect(fired.length, `fired: ${fired.join(', ')}`).toBeGreaterThanOrEqual(content.rules.length / 3);
  });

  for (const src of content.workbooks) {
    const name = src.file.split('/').pop()!;
    it(`workbook ${name}: every query executes with the default parameters`, () => {
      const wb: unknown = JSON.parse(src.text);
      const parameters = workbookDefaultParameters(wb);
      const queries = workbookQueries(wb);
      expect(queries.length).toBeGreaterThan(0);
      for (const q of queries) {
        const t = runQuery(q.query, { ...ws.ctx, parameters });
        expect(t.columns.length, q.label).toBeGreaterThan(0);
      }
    });
  }
});
