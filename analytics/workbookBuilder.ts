/**
 * A small typed builder for Sentinel workbooks (Notebook/1.0, item types per docs/contracts.md#workbooks):
 * 1 markdown, 3 Log Analytics query (KqlItem/1.0), 9 parameters (KqlParameterItem/1.0), 11 links/tabs (LinkItem/1.0),
 * 12 group (NotebookGroup/1.0). Ids are derived from names, so the generated JSON is byte-for-byte reproducible.
 */
import { createHash } from 'node:crypto';

export type Json = string | number | boolean | null | Json[] | { [k: string]: Json | undefined };

export interface Visibility {
  readonly parameterName: string;
  readonly comparison: 'isEqualTo' | 'isNotEqualTo';
  readonly value: string;
}

export interface WorkbookItem {
  readonly type: 1 | 3 | 9 | 11 | 12;
  readonly content: { [k: string]: Json | undefined };
  readonly name: string;
  readonly customWidth?: string;
  readonly conditionalVisibility?: Visibility;
  readonly styleSettings?: { [k: string]: Json };
}

export interface Workbook {
  readonly version: 'Notebook/1.0';
  readonly items: WorkbookItem[];
  readonly fallbackResourceIds: string[];
  readonly fromTemplateId: string;
  readonly $schema: string;
}

export const WORKBOOK_SCHEMA =
  'https://github.com/Microsoft/Application-Insights-Workbooks/blob/master/schema/workbook.json';

const LOG_ANALYTICS = { queryType: 0, resourceType: 'microsoft.operationalinsights/workspaces' } as const;

/** A GUID derived from a seed (SHA-1, RFC 4122 variant bits, version 5 nibble): stable across runs. */
export function stableGuid(seed: string): string {
  const h = createHash('sha1').update(seed).digest('hex');
  const variant = ((Number.parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function workbook(templateId: string, items: WorkbookItem[]): Workbook {
  return {
    version: 'Notebook/1.0',
    items,
    fallbackResourceIds: [],
    fromTemplateId: templateId,
    $schema: WORKBOOK_SCHEMA,
  };
}

export interface ItemOptions {
  readonly width?: number;
  readonly visibleWhen?: Visibility;
  readonly border?: boolean;
}

function place(item: WorkbookItem, o: ItemOptions = {}): WorkbookItem {
  return {
    ...item,
    ...(o.width !== undefined ? { customWidth: String(o.width) } : {}),
    ...(o.visibleWhen ? { conditionalVisibility: o.visibleWhen } : {}),
    ...(o.border ? { styleSettings: { showBorder: true } } : {}),
  };
}

export const when = (parameterName: string, value: string): Visibility => ({
  parameterName,
  comparison: 'isEqualTo',
  value,
});
export const whenSet = (parameterName: string): Visibility => ({
  parameterName,
  comparison: 'isNotEqualTo',
  value: '',
});

export function markdown(name: string, text: string, o?: ItemOptions): WorkbookItem {
  return place({ type: 1, content: { json: text }, name }, o);
}

export interface ExportedParameter {
  readonly field: string;
  readonly parameter: string;
  readonly defaultValue?: string;
}

export interface QueryOptions extends ItemOptions {
  readonly title?: string;
  readonly query: string;
  readonly visualization?:
    | 'table'
    | 'tiles'
    | 'barchart'
    | 'piechart'
    | 'timechart'
    | 'categoricalbar'
    | 'areachart';
  /** 0 medium, 1 small, 3 tiny, 4 large (workbook sizes). */
  readonly size?: 0 | 1 | 3 | 4;
  readonly timeContext?: boolean;
  readonly noDataMessage?: string;
  readonly exported?: readonly ExportedParameter[];
  readonly gridSettings?: { [k: string]: Json };
  readonly tileSettings?: { [k: string]: Json };
  readonly chartSettings?: { [k: string]: Json };
  readonly sortBy?: readonly { itemKey: string; sortOrder: 1 | 2 }[];
}

export function query(name: string, o: QueryOptions): WorkbookItem {
  const content: WorkbookItem['content'] = {
    version: 'KqlItem/1.0',
    query: o.query,
    size: o.size ?? 0,
    ...(o.title ? { title: o.title } : {}),
    ...(o.noDataMessage ? { noDataMessage: o.noDataMessage } : {}),
    ...(o.timeContext === false ? {} : { timeContextFromParameter: 'TimeRange' }),
    ...(o.exported?.length
      ? {
          exportedParameters: o.exported.map((e) => ({
            fieldName: e.field,
            parameterName: e.parameter,
            parameterType: 1,
            defaultValue: e.defaultValue ?? '',
          })),
        }
      : {}),
    ...LOG_ANALYTICS,
    visualization: o.visualization ?? 'table',
    ...(o.gridSettings ? { gridSettings: o.gridSettings } : {}),
    ...(o.tileSettings ? { tileSettings: o.tileSettings } : {}),
    ...(o.chartSettings ? { chartSettings: o.chartSettings } : {}),
    ...(o.sortBy ? { sortBy: o.sortBy.map((s) => ({ ...s })) } : {}),
  };
  return place({ type: 3, content, name }, o);
}

export interface Parameter {
  readonly name: string;
  readonly [k: string]: Json | undefined;
}

/** The time-range picker every query's time context comes from. */
export function timeRangeParameter(workbookId: string, defaultMs: number = 7 * 86_400_000): Parameter {
  const h = 3_600_000;
  const d = 24 * h;
  return {
    id: stableGuid(`${workbookId}/TimeRange`),
    version: 'KqlParameterItem/1.0',
    name: 'TimeRange',
    label: 'Time range',
    type: 4,
    isRequired: true,
    value: { durationMs: defaultMs },
    typeSettings: {
      selectableValues: [h, 4 * h, 12 * h, d, 2 * d, 3 * d, 7 * d, 14 * d, 30 * d, 90 * d].map(
        (durationMs) => ({
          durationMs,
        }),
      ),
      allowCustom: true,
    },
  };
}

/** A multi-select drop-down filled by a query, with "All" = `*` (queries use `X in ({P}) or '*' in ({P})`). */
export function queryDropdownParameter(
  workbookId: string,
  name: string,
  label: string,
  kql: string,
  description: string,
): Parameter {
  return {
    id: stableGuid(`${workbookId}/${name}`),
    version: 'KqlParameterItem/1.0',
    name,
    label,
    description,
    type: 2,
    isRequired: true,
    multiSelect: true,
    quote: "'",
    delimiter: ',',
    query: kql,
    typeSettings: { additionalResourceOptions: ['value::all'], selectAllValue: '*', showDefault: false },
    defaultValue: 'value::all',
    value: ['value::all'],
    timeContextFromParameter: 'TimeRange',
    ...LOG_ANALYTICS,
  };
}

/** A multi-select drop-down with fixed values and "All" = `*`. */
export function staticDropdownParameter(
  workbookId: string,
  name: string,
  label: string,
  values: readonly string[],
): Parameter {
  return {
    id: stableGuid(`${workbookId}/${name}`),
    version: 'KqlParameterItem/1.0',
    name,
    label,
    type: 2,
    isRequired: true,
    multiSelect: true,
    quote: "'",
    delimiter: ',',
    jsonData: JSON.stringify(values.map((v) => ({ value: v, label: v }))),
    typeSettings: { additionalResourceOptions: ['value::all'], selectAllValue: '*', showDefault: false },
    defaultValue: 'value::all',
    value: ['value::all'],
  };
}

export function parameters(name: string, params: readonly Parameter[], o?: ItemOptions): WorkbookItem {
  return place(
    {
      type: 9,
      content: {
        version: 'KqlParameterItem/1.0',
        parameters: params.map((p) => ({ ...p }) as Json),
        style: 'pills',
        ...LOG_ANALYTICS,
      },
      name,
    },
    o,
  );
}

/** Tabs that set `parameter` to a tab id; groups show with `when(parameter, id)`. */
export function tabs(
  name: string,
  parameter: string,
  list: readonly { id: string; label: string }[],
): WorkbookItem {
  return {
    type: 11,
    content: {
      version: 'LinkItem/1.0',
      style: 'tabs',
      links: list.map((t) => ({
        id: stableGuid(`${name}/${t.id}`),
        cellValue: parameter,
        linkTarget: 'parameter',
        linkLabel: t.label,
        subTarget: t.id,
        style: 'link',
      })),
    },
    name,
  };
}

export function group(name: string, items: WorkbookItem[], o?: ItemOptions): WorkbookItem {
  return place(
    {
      type: 12,
      content: { version: 'NotebookGroup/1.0', groupType: 'editable', items: items as unknown as Json[] },
      name,
    },
    o,
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Grid and tile formatting helpers (workbook formatter ids: 1 text, 4 bar, 8 heatmap, 18 thresholds)

export const heatmap = (columnMatch: string, palette = 'greenRed') => ({
  columnMatch,
  formatter: 8,
  formatOptions: { palette },
});
export const bar = (columnMatch: string, palette = 'blue') => ({
  columnMatch,
  formatter: 4,
  formatOptions: { palette },
});

export function tilesFor(
  title: string,
  value: string,
  subtitle?: string,
  palette = 'greenRed',
): { [k: string]: Json } {
  return {
    titleContent: { columnMatch: title, formatter: 1 },
    leftContent: {
      columnMatch: value,
      formatter: 12,
      formatOptions: { palette },
      numberFormat: { unit: 17, options: { style: 'decimal', maximumFractionDigits: 1 } },
    },
    ...(subtitle ? { subtitleContent: { columnMatch: subtitle, formatter: 1 } } : {}),
    showBorder: true,
  };
}

/** Serializes a workbook the way it is committed (2-space JSON, trailing newline). */
export function serializeWorkbook(wb: Workbook): string {
  return `${JSON.stringify(wb, null, 2)}\n`;
}
