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
import { workbookDefaultParameters } from '../../../sentinel/kql/workbookParameters.js';
import { replayWorkspace, type Workspace } from './dataset.js';

const content = loadContent();
const yamlQuery = (doc: { toJS(): unknown }) => (doc.toJS() as { query: string }).query;

let ws: Workspace;
beforeAll(async () => {
  ws = await replayWorkspace();
}, 120_000);

/** Clock positions every `step` ms from the first row to one step after the last. */
function runs(step: number): Date[] {
  const out: Date[] = [];
  const start = Math.ceil(ws.first.getTime() / step) * step;
  for (let t = start; t <= ws.last.getTime() + step; t += step) out.push(new Date(t));
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

  it('most rules fire somewhere in the scenario (the data are not trivial)', () => {
    console.log(`FIRED ${fired.length}/${content.rules.length}: ${fired.join(' ')}`);
    // a third: the scenario aims most of its activity at controllers, which one rule (the attack chain) owns
    expect(fired.length).toBeGreaterThanOrEqual(content.rules.length / 3);
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
