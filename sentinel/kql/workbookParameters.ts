/**
 * The text a workbook puts in place of `{Param}` when every parameter has its default value, for runQuery's
 * KqlContext.parameters:
 * - time range (type 4) with `value.durationMs` D: `{T}` -> `> ago(D)`; `{T:grain}` -> `1h` up to 7 days, `1d`
 *   beyond (the grain is this helper's choice: the workbook picks one from the range);
 * - multi-select drop-down whose default is "all" (`value::all`): the select-all value, quoted (`'*'`);
 *   other defaults: the values quoted and delimited as the parameter says; single-select: the bare value;
 * - text parameters and parameters exported by a grid click: their `defaultValue` (or "").
 */
import { forEachWorkbookItem } from '../../analytics/workbook.js';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function timespan(ms: number): string {
  for (const [unit, size] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ] as const) {
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

function parameterDefaults(p: Json, out: Record<string, string>): void {
  const name = p.name as string;
  if (p.type === 4) {
    const ms = isObject(p.value) && typeof p.value.durationMs === 'number' ? p.value.durationMs : 86_400_000;
    out[name] = `> ago(${timespan(ms)})`;
    out[`${name}:grain`] = ms <= 7 * 86_400_000 ? '1h' : '1d';
    return;
  }
  const values = Array.isArray(p.value)
    ? p.value.map(String)
    : p.value === undefined
      ? []
      : [String(p.value)];
  if (p.type === 2 && p.multiSelect === true) {
    const q = typeof p.quote === 'string' ? p.quote : "'";
    const d = typeof p.delimiter === 'string' ? p.delimiter : ',';
    const ts = isObject(p.typeSettings) ? p.typeSettings : {};
    const all = typeof ts.selectAllValue === 'string' ? ts.selectAllValue : '*';
    out[name] = values.map((v) => `${q}${v === 'value::all' ? all : v}${q}`).join(d);
    return;
  }
  out[name] = values[0] ?? (typeof p.defaultValue === 'string' ? p.defaultValue : '');
}

/** Default parameter texts of a Notebook/1.0 workbook (parameter items, exported grid values, nested groups). */
export function workbookDefaultParameters(workbook: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  forEachWorkbookItem(workbook, (item, c) => {
    if (item.type === 9 && Array.isArray(c.parameters)) {
      for (const p of c.parameters) if (isObject(p) && typeof p.name === 'string') parameterDefaults(p, out);
    }
    if (item.type === 3 && Array.isArray(c.exportedParameters)) {
      for (const e of c.exportedParameters) {
        if (isObject(e) && typeof e.parameterName === 'string' && !(e.parameterName in out)) {
          out[e.parameterName] = typeof e.defaultValue === 'string' ? e.defaultValue : '';
        }
      }
    }
  });
  return out;
}
