/**
 * Workbook parameters at their defaults, substituted into query and markdown text the way the workbook
 * renderer expands them before a query is sent (Azure Monitor workbooks docs, "time parameters" and
 * "drop down parameters"):
 * - a time range `{TimeRange}` (also `:query`, `:value`) → `> ago(7d)`; `:label` → `Last 7 days`;
 *   `:grain` → a bin size (see {@link grainOf});
 * - a multi-select drop-down whose default is "All" (`value::all`) → its `selectAllValue`, quoted: `'*'`;
 * - a parameter a grid or tile exports on selection → its `defaultValue` (usually empty) until something is selected.
 */
import { replacePlaceholders } from '../../../analytics/workbook.js';

export interface WorkbookParameter {
  name: string;
  /** Text per format (`''` is the plain `{Name}`). */
  formats: Record<string, string>;
  /** Shown in the report next to the section heading. */
  label: string;
}

export type Parameters = Map<string, WorkbookParameter>;

type Json = unknown;
const obj = (v: Json): Record<string, Json> =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, Json>) : {};

const DAY = 86_400_000;
const HOUR = 3_600_000;
const MINUTE = 60_000;

/** A KQL timespan literal: `7d`, `4h`, `30m`, or milliseconds. */
export function timespanLiteral(ms: number): string {
  if (ms % DAY === 0) return `${ms / DAY}d`;
  if (ms % HOUR === 0) return `${ms / HOUR}h`;
  if (ms % MINUTE === 0) return `${ms / MINUTE}m`;
  return `${ms}ms`;
}

function rangeLabel(ms: number): string {
  if (ms % DAY === 0) return ms === DAY ? 'Last 24 hours' : `Last ${ms / DAY} days`;
  if (ms % HOUR === 0) return ms === HOUR ? 'Last hour' : `Last ${ms / HOUR} hours`;
  return `Last ${timespanLiteral(ms)}`;
}

/**
 * The portal picks `{TimeRange:grain}` itself and does not document how. The report uses the same rule as the
 * engine's workbookDefaultParameters (sentinel/kql): 1 hour up to 7 days, 1 day beyond.
 */
export function grainOf(rangeMs: number): number {
  return rangeMs <= 7 * DAY ? HOUR : DAY;
}

function timeRange(name: string, p: Record<string, Json>): WorkbookParameter {
  const ms = Number(obj(p.value).durationMs);
  if (!Number.isFinite(ms) || ms <= 0)
    throw new Error(`parameter ${name}: time range without a default duration`);
  const query = `> ago(${timespanLiteral(ms)})`;
  return {
    name,
    label: rangeLabel(ms),
    formats: { '': query, query, value: query, label: rangeLabel(ms), grain: timespanLiteral(grainOf(ms)) },
  };
}

function dropDown(name: string, p: Record<string, Json>): WorkbookParameter {
  const value = Array.isArray(p.value) ? p.value.map(String) : p.value === undefined ? [] : [String(p.value)];
  const all = String(obj(p.typeSettings).selectAllValue ?? '');
  const quote = typeof p.quote === 'string' ? p.quote : '';
  const delimiter = typeof p.delimiter === 'string' ? p.delimiter : ',';
  const picked = value.map((v) => (v === 'value::all' ? all : v));
  const text = picked.map((v) => `${quote}${v}${quote}`).join(delimiter);
  return {
    name,
    label: value.includes('value::all') ? 'All' : picked.join(', '),
    formats: { '': text, value: text, label: value.includes('value::all') ? 'All' : picked.join(', ') },
  };
}

/** The defaults of one parameters item (type 9). */
export function parametersOf(content: Record<string, Json>): WorkbookParameter[] {
  const list = Array.isArray(content.parameters) ? content.parameters : [];
  return list.map((raw) => {
    const p = obj(raw);
    const name = String(p.name ?? '');
    switch (p.type) {
      case 4:
        return timeRange(name, p);
      case 2:
        return dropDown(name, p);
      default: {
        const v = p.value === undefined ? '' : String(p.value);
        return { name, label: v || '(empty)', formats: { '': v, value: v, label: v } };
      }
    }
  });
}

/** A parameter that a grid or tiles item sets when a row is selected (empty until then). */
export function exportedParameter(name: string, defaultValue = ''): WorkbookParameter {
  return {
    name,
    label: defaultValue || '(none selected)',
    formats: { '': defaultValue, value: defaultValue, label: defaultValue },
  };
}

/**
 * Replaces `{Name}` and `{Name:format}` of known parameters; anything else in braces (a dynamic literal,
 * an unknown name) is left as written, as the workbook renderer does.
 */
export function substitute(text: string, params: Parameters): string {
  return replacePlaceholders(text, (name, format) => params.get(name)?.formats[format ?? '']).text;
}
