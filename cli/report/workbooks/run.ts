/**
 * Runs a Notebook/1.0 workbook as the portal would at its defaults: items in order, parameters substituted,
 * each Log Analytics query sent to the local KQL engine as it is. Nothing here knows what a query means.
 */
import { failureOf, type KqlContext, type RunQuery } from '../engine.js';
import type { RenderedItem, RenderedWorkbook } from './model.js';
import { exportedParameter, type Parameters, parametersOf, substitute } from './params.js';

type Json = unknown;
type Obj = Record<string, Json>;
const obj = (v: Json): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const widthOf = (item: Obj): number | undefined => {
  const w = Number(item.customWidth);
  return Number.isFinite(w) && w > 0 && w < 100 ? w : undefined;
};

interface RunState {
  params: Parameters;
  /** Parameter name → tab id → tab label, from links items of style tabs. */
  tabs: Map<string, Map<string, string>>;
  ctx: KqlContext;
  run: RunQuery;
}

function runQueryItem(name: string, item: Obj, c: Obj, s: RunState): RenderedItem {
  const query = substitute(String(c.query ?? ''), s.params);
  let result: Extract<RenderedItem, { type: 'query' }>['result'];
  const t0 = performance.now();
  try {
    result = { ok: true, table: s.run(query, s.ctx), ms: performance.now() - t0 };
  } catch (error) {
    result = { ok: false, failure: failureOf(error) };
  }
  for (const e of Array.isArray(c.exportedParameters) ? c.exportedParameters : []) {
    const p = obj(e);
    const name = String(p.parameterName ?? '');
    if (name && !s.params.has(name))
      s.params.set(name, exportedParameter(name, String(p.defaultValue ?? '')));
  }
  const width = widthOf(item);
  return {
    type: 'query',
    name,
    ...(typeof c.title === 'string' ? { title: substitute(c.title, s.params) } : {}),
    visualization: typeof c.visualization === 'string' ? c.visualization : 'table',
    size: Number(c.size ?? 0),
    ...(width ? { width } : {}),
    query,
    ...(typeof c.noDataMessage === 'string' ? { noDataMessage: c.noDataMessage } : {}),
    ...(c.gridSettings ? { gridSettings: obj(c.gridSettings) } : {}),
    ...(c.tileSettings ? { tileSettings: obj(c.tileSettings) } : {}),
    ...(c.chartSettings ? { chartSettings: obj(c.chartSettings) } : {}),
    result,
  };
}

/** Whether a conditionally visible item shows at the current parameter values. */
function visible(v: Obj, s: RunState): boolean {
  const value = s.params.get(String(v.parameterName))?.formats[''] ?? '';
  return v.comparison === 'isNotEqualTo' ? value !== String(v.value ?? '') : value === String(v.value ?? '');
}

function runItems(items: readonly Json[], s: RunState): RenderedItem[] {
  const out: RenderedItem[] = [];
  for (const raw of items) {
    const item = obj(raw);
    const c = obj(item.content);
    const name = String(item.name ?? '');
    const width = widthOf(item);
    switch (item.type) {
      case 1:
        out.push({
          type: 'markdown',
          name,
          text: substitute(String(c.json ?? ''), s.params),
          ...(width ? { width } : {}),
        });
        break;
      case 9: {
        const list = parametersOf(c);
        for (const p of list) s.params.set(p.name, p);
        out.push({ type: 'parameters', name, parameters: list });
        break;
      }
      case 11: {
        const links = (Array.isArray(c.links) ? c.links : []).map(obj);
        for (const l of links) {
          const param = String(l.cellValue ?? '');
          const m = s.tabs.get(param) ?? new Map<string, string>();
          m.set(String(l.subTarget ?? ''), String(l.linkLabel ?? ''));
          s.tabs.set(param, m);
        }
        out.push({ type: 'tabs', name, labels: links.map((l) => String(l.linkLabel ?? '')) });
        break;
      }
      case 3:
        if (c.queryType !== 0)
          throw new Error(`workbook item ${name}: only Log Analytics queries (queryType 0) are run`);
        out.push(runQueryItem(name, item, c, s));
        break;
      case 12: {
        const v = obj(item.conditionalVisibility);
        const param = String(v.parameterName ?? '');
        const tab = s.tabs.get(param)?.get(String(v.value ?? ''));
        const base = { type: 'group' as const, name, ...(width ? { width } : {}) };
        if (!param || tab !== undefined) {
          out.push({
            ...base,
            items: runItems(Array.isArray(c.items) ? c.items : [], s),
            ...(tab ? { tab } : {}),
          });
        } else if (visible(v, s)) {
          out.push({ ...base, items: runItems(Array.isArray(c.items) ? c.items : [], s) });
        } else {
          out.push({
            ...base,
            items: [],
            hidden: `Shown in Sentinel when ${param} ${v.comparison === 'isNotEqualTo' ? 'is set' : `is ${String(v.value)}`} (select a row or tile above it); hidden at the workbook's defaults.`,
          });
        }
        break;
      }
      default:
        throw new Error(`workbook item ${name}: item type ${String(item.type)} is not rendered`);
    }
  }
  return out;
}

export function runWorkbook(
  file: string,
  title: string,
  workbook: Json,
  ctx: KqlContext,
  run: RunQuery,
): RenderedWorkbook {
  const wb = obj(workbook);
  if (wb.version !== 'Notebook/1.0') throw new Error(`${file}: not a Notebook/1.0 workbook`);
  const state: RunState = { params: new Map(), tabs: new Map(), ctx, run };
  return { file, title, items: runItems(Array.isArray(wb.items) ? wb.items : [], state) };
}
