import { formatZodIssues, knownBenignSchema, maintenanceRuleSchema, type PlaybookConfig } from './config.js';
import { kqlString, type LogAnalyticsQuery } from './logAnalytics.js';

type AutoClose = PlaybookConfig['autoClose'];
export type MaintenanceRule = AutoClose['maintenance'][number];
export type KnownBenignRule = AutoClose['knownBenign'][number];

/** Maintenance windows and known-benign types as SOCs keep them: Sentinel watchlists (docs/content.md). */
export interface WatchlistSource {
  rows(workspaceId: string, alias: string): Promise<Record<string, unknown>[]>;
}

export function logAnalyticsWatchlists(query: LogAnalyticsQuery): WatchlistSource {
  return { rows: (workspaceId, alias) => query(workspaceId, `_GetWatchlist(${kqlString(alias)})`) };
}

const list = (v: unknown): string[] | undefined => {
  const xs = String(v ?? '')
    .split(';')
    .map((x) => x.trim())
    .filter(Boolean);
  return xs.length ? xs : undefined;
};
const text = (v: unknown): string | undefined => {
  const s = String(v ?? '').trim();
  return s || undefined;
};

/** One `OTSocMaintenance` row as a maintenance rule (the config schema's checks), or the problems. */
export function maintenanceOfRow(r: Record<string, unknown>) {
  return maintenanceRuleSchema.safeParse({
    name: text(r.Name),
    site: text(r.Site),
    zones: list(r.Zones),
    sources: list(r.Sources) ?? [],
    start: text(r.Start),
    end: text(r.End),
    alertTitles: list(r.AlertTitles),
  });
}

/** One `OTSocKnownBenign` row as a known-benign rule, or the problems. */
export function knownBenignOfRow(r: Record<string, unknown>) {
  return knownBenignSchema.safeParse({
    site: text(r.Site),
    alertTitles: [text(r.AlertTitle) ?? ''],
    sources: list(r.Sources),
    classification: text(r.Classification),
    comment: text(r.Comment),
  });
}

/**
 * The auto-close configuration with the watchlists' rules added to the app setting's. A watchlist that cannot
 * be read leaves the app setting's rules alone (noted); a row that does not parse is skipped and named.
 */
export async function withWatchlists(
  cfg: AutoClose,
  source: WatchlistSource | undefined,
  workspaceId: string | null | undefined,
  notes: string[],
): Promise<AutoClose> {
  if (!source || !workspaceId) return cfg;
  const read = async <T>(
    alias: string,
    parse: (
      r: Record<string, unknown>,
    ) => { success: true; data: T } | { success: false; error: import('zod').ZodError },
  ): Promise<T[]> => {
    if (!alias) return [];
    let rows: Record<string, unknown>[];
    try {
      rows = await source.rows(workspaceId, alias);
    } catch (e) {
      notes.push(`watchlist ${alias} not read (${(e as Error).message}); app setting rules only`);
      return [];
    }
    const out: T[] = [];
    for (const [i, r] of rows.entries()) {
      const p = parse(r);
      if (p.success) out.push(p.data);
      else
        notes.push(
          `watchlist ${alias} row ${i + 1} (${String(r.SearchKey ?? '').slice(0, 60)}) skipped: ${formatZodIssues(p.error).join('; ')}`,
        );
    }
    return out;
  };
  const [maintenance, knownBenign] = await Promise.all([
    read(cfg.watchlists.maintenance, maintenanceOfRow),
    read(cfg.watchlists.knownBenign, knownBenignOfRow),
  ]);
  return {
    ...cfg,
    maintenance: [...cfg.maintenance, ...maintenance],
    knownBenign: [...cfg.knownBenign, ...knownBenign],
  };
}
