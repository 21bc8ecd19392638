/**
 * Reading Sentinel workbooks (Notebook/1.0 JSON, item types per docs/contracts.md#workbooks) for validation: every
 * Log Analytics query in the workbook (query items, parameter queries, nested groups) and every parameter a query can
 * reference, and the substitution of `{Param}` placeholders by type-correct stand-ins so the KQL can be type-checked.
 *
 * Stand-ins (what the workbook engine would put there):
 * - time range (type 4): `{T}`, `{T:query}`, `{T:value}` → `> ago(1d)`; `{T:start}`/`{T:end}` → `datetime(…)`;
 *   `{T:grain}` → `1h`; `{T:label}` → text;
 * - drop-down (type 2): multi-select → the values quoted and delimited as the parameter says (`'v1','v2'`);
 *   single-select → the bare value (the query supplies the quotes);
 * - text (type 1), tabs (LinkItem `cellValue`) and parameters exported by a grid/tile click → bare text.
 * The bare text contains a `-`, so a placeholder that should have been quoted but was not fails type-checking.
 */

export interface WorkbookParameterInfo {
  readonly name: string;
  /** 1 text, 2 drop-down, 4 time range, 10 options; 'exported' from a query item, 'link' from a tab link. */
  readonly kind: number | 'exported' | 'link';
  readonly multiSelect?: boolean;
  readonly quote?: string;
  readonly delimiter?: string;
}

export interface WorkbookQuery {
  /** JSON path of the query string inside the workbook. */
  readonly path: (string | number)[];
  /** Item or parameter name, for messages. */
  readonly label: string;
  readonly query: string;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isLogAnalytics = (c: Json) => c.queryType === undefined || c.queryType === 0;

/**
 * Calls `visit` for every item that has a content object, in document order, entering groups (type 12): the one
 * walk over a workbook's items that parameters, queries and the local engine's defaults share.
 */
export function forEachWorkbookItem(
  workbook: unknown,
  visit: (item: Json, content: Json, path: (string | number)[], index: number) => void,
): void {
  const walk = (items: unknown, path: (string | number)[]): void => {
    if (!Array.isArray(items)) return;
    items.forEach((item: unknown, i) => {
      if (!isObject(item) || !isObject(item.content)) return;
      visit(item, item.content, path, i);
      if (item.type === 12) walk(item.content.items, [...path, i, 'content', 'items']);
    });
  };
  if (isObject(workbook)) walk(workbook.items, ['items']);
}

/** Parameters declared anywhere in the workbook (parameter items, exported grid values, tab links). */
export function workbookParameters(workbook: unknown): Map<string, WorkbookParameterInfo> {
  const params = new Map<string, WorkbookParameterInfo>();
  forEachWorkbookItem(workbook, (item, c) => {
    if (item.type === 9 && Array.isArray(c.parameters)) {
      for (const p of c.parameters) {
        if (!isObject(p) || typeof p.name !== 'string') continue;
        params.set(p.name, {
          name: p.name,
          kind: typeof p.type === 'number' ? p.type : 1,
          multiSelect: p.multiSelect === true,
          quote: typeof p.quote === 'string' ? p.quote : undefined,
          delimiter: typeof p.delimiter === 'string' ? p.delimiter : undefined,
        });
      }
    }
    if (item.type === 3) {
      const exported = Array.isArray(c.exportedParameters) ? c.exportedParameters : [];
      for (const e of exported) {
        if (isObject(e) && typeof e.parameterName === 'string') {
          params.set(e.parameterName, { name: e.parameterName, kind: 'exported' });
        }
      }
      if (typeof c.exportParameterName === 'string') {
        params.set(c.exportParameterName, { name: c.exportParameterName, kind: 'exported' });
      }
    }
    if (item.type === 11 && Array.isArray(c.links)) {
      for (const l of c.links) {
        if (isObject(l) && l.linkTarget === 'parameter' && typeof l.cellValue === 'string') {
          params.set(l.cellValue, { name: l.cellValue, kind: 'link' });
        }
      }
    }
  });
  return params;
}

/** Every Log Analytics query of the workbook, with its JSON path. Azure Resource Graph queries are skipped. */
export function workbookQueries(workbook: unknown): WorkbookQuery[] {
  const out: WorkbookQuery[] = [];
  forEachWorkbookItem(workbook, (item, c, path, i) => {
    const here = [...path, i, 'content'];
    const name = typeof item.name === 'string' ? item.name : `item ${i}`;
    if (item.type === 3 && typeof c.query === 'string' && isLogAnalytics(c)) {
      out.push({ path: [...here, 'query'], label: name, query: c.query });
    }
    if (item.type === 9 && Array.isArray(c.parameters)) {
      c.parameters.forEach((p, j) => {
        if (isObject(p) && typeof p.query === 'string' && isLogAnalytics(p)) {
          out.push({
            path: [...here, 'parameters', j, 'query'],
            label: `${name} parameter ${String(p.name)}`,
            query: p.query,
          });
        }
      });
    }
  });
  return out;
}

export const STAND_IN = {
  timeRange: '> ago(1d)',
  start: 'datetime(2026-11-17T00:00:00Z)',
  end: 'datetime(2026-11-18T00:00:00Z)',
  grain: '1h',
  label: 'Last 24 hours',
  text: 'stand-in',
} as const;

function standIn(p: WorkbookParameterInfo, format: string | undefined): string | undefined {
  if (p.kind === 4) {
    switch (format) {
      case undefined:
      case 'query':
      case 'value':
        return STAND_IN.timeRange;
      case 'start':
        return STAND_IN.start;
      case 'end':
        return STAND_IN.end;
      case 'grain':
        return STAND_IN.grain;
      case 'label':
        return STAND_IN.label;
      default:
        return undefined;
    }
  }
  if (format === 'label' || format === 'escape') return STAND_IN.text;
  if (format !== undefined) return undefined;
  if (p.kind === 2 && p.multiSelect) {
    const q = p.quote ?? "'";
    const d = p.delimiter ?? ',';
    return [`${q}${STAND_IN.text}-1${q}`, `${q}${STAND_IN.text}-2${q}`].join(d);
  }
  return STAND_IN.text;
}

/** A query with placeholders replaced, and the way back from an offset in it to the original query. */
export interface ReplacedText {
  readonly text: string;
  /** Offset in `text` → offset in the original query (inside a replacement: the placeholder's start). */
  readonly toOriginal: (offset: number) => number;
}

export interface Substitution extends ReplacedText {
  /** Placeholders that name no parameter, or use a format the parameter has not got. */
  readonly unknown: readonly {
    readonly offset: number;
    readonly placeholder: string;
    readonly reason: string;
  }[];
}

const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_]*)(?::([A-Za-z]+))?\}/g;

/**
 * Replaces every `{Name}` / `{Name:format}` for which `replacement` gives a text, as the workbook engine does before
 * a query runs; the others stay as written. Used by validation (type-correct stand-ins) and by the local KQL
 * engine (the parameters' values), so both map error positions back to the query as written.
 */
export function replacePlaceholders(
  query: string,
  replacement: (
    name: string,
    format: string | undefined,
    at: number,
    placeholder: string,
  ) => string | undefined,
): ReplacedText {
  const segments: { outStart: number; outEnd: number; origStart: number; origEnd: number }[] = [];
  let text = '';
  let last = 0;
  for (const m of query.matchAll(PLACEHOLDER)) {
    const [whole, name, format] = m;
    const at = m.index;
    const value = replacement(name!, format, at, whole);
    if (value === undefined) continue;
    text += query.slice(last, at);
    segments.push({
      outStart: text.length,
      outEnd: text.length + value.length,
      origStart: at,
      origEnd: at + whole.length,
    });
    text += value;
    last = at + whole.length;
  }
  text += query.slice(last);
  const toOriginal = (offset: number): number => {
    let delta = 0;
    for (const s of segments) {
      if (offset < s.outStart) break;
      if (offset < s.outEnd) return s.origStart;
      delta = s.origEnd - s.outEnd;
    }
    return offset + delta;
  };
  return { text, toOriginal };
}

/** Replaces every `{Param}` / `{Param:format}` of a known parameter by its stand-in. */
export function substituteParameters(
  query: string,
  params: ReadonlyMap<string, WorkbookParameterInfo>,
): Substitution {
  const unknown: { offset: number; placeholder: string; reason: string }[] = [];
  const replaced = replacePlaceholders(query, (name, format, at, placeholder) => {
    const p = params.get(name);
    const value = p ? standIn(p, format) : undefined;
    if (value === undefined) {
      unknown.push({
        offset: at,
        placeholder,
        reason: p ? `parameter ${name} has no format '${format}'` : `no workbook parameter named ${name}`,
      });
    }
    return value;
  });
  return { ...replaced, unknown };
}
