import type { KqlTable, QueryFailure } from '../engine.js';
import type { WorkbookParameter } from './params.js';

/** A workbook item after its parameters were substituted and its query ran: what the HTML is drawn from. */
export type RenderedItem =
  | { type: 'markdown'; name: string; text: string; width?: number }
  | { type: 'parameters'; name: string; parameters: WorkbookParameter[] }
  | { type: 'tabs'; name: string; labels: string[] }
  | {
      type: 'group';
      name: string;
      items: RenderedItem[];
      width?: number;
      /** A tab's panel: every tab is drawn, headed by its label (a static page cannot switch tabs). */
      tab?: string;
      /** Hidden at the defaults (e.g. until a row is selected): why, instead of its items. */
      hidden?: string;
    }
  | RenderedQuery;

export interface RenderedQuery {
  type: 'query';
  name: string;
  title?: string;
  visualization: string;
  size: number;
  width?: number;
  /** The query text as sent: the workbook's text with the parameters substituted. */
  query: string;
  noDataMessage?: string;
  gridSettings?: Record<string, unknown>;
  tileSettings?: Record<string, unknown>;
  chartSettings?: Record<string, unknown>;
  result: { ok: true; table: KqlTable; ms: number } | { ok: false; failure: QueryFailure };
}

export interface RenderedWorkbook {
  file: string;
  title: string;
  items: RenderedItem[];
}

/** Every query item, depth first, in workbook order. */
export function queriesOf(items: readonly RenderedItem[]): RenderedQuery[] {
  return items.flatMap((i) => (i.type === 'query' ? [i] : i.type === 'group' ? queriesOf(i.items) : []));
}
