/**
 * The tables the workbooks read besides OTAlerts_CL, from the local Sentinel twin (sentinel/): SecurityAlert,
 * SecurityIncident and SentinelHealth as the twin computed them (its alerts, incidents and automation rule runs,
 * Sentinel's column names), and the
 * `OTAssetInventory` watchlist (the inventory CSV the run's config names, in Sentinel's upload format).
 */

import { readFile } from 'node:fs/promises';
import {
  SECURITY_ALERT_COLUMNS,
  SECURITY_INCIDENT_COLUMNS,
  SENTINEL_HEALTH_COLUMNS,
} from '../../analytics/schemas.js';
import { securityAlertTable, securityIncidentTable, sentinelHealthTable } from '../../sentinel/tables.js';
import type { TwinResult } from '../../sentinel/twin.js';
import { ASSET_WATCHLIST, inventoryOfConfig, watchlistTable } from '../../sentinel/watchlists.js';
import type { KqlTable, KqlType } from './engine.js';

export interface SentinelTables {
  tables: Record<string, KqlTable>;
  /** Per table, the Sentinel columns the twin does not compute: present here as null, so queries compile. */
  nullColumns: Record<string, string[]>;
}

/** Adds the columns of Sentinel's schema (analytics/schemas.ts) that `t` lacks, as nulls. */
function withSchema(
  t: KqlTable,
  schema: readonly (readonly [string, string])[],
): { table: KqlTable; added: string[] } {
  const have = new Set(t.columns.map((c) => c.name));
  const extra = schema
    .filter(([name]) => !have.has(name))
    .map(([name, type]) => ({ name, type: (type === 'boolean' ? 'bool' : type) as KqlType }));
  const nulls = Object.fromEntries(extra.map((c) => [c.name, null]));
  return {
    table: { columns: [...t.columns, ...extra], rows: t.rows.map((r) => ({ ...nulls, ...r })) },
    added: extra.map((c) => c.name),
  };
}

export function sentinelTables(r: TwinResult): SentinelTables {
  const alerts = withSchema(securityAlertTable(r.alerts), SECURITY_ALERT_COLUMNS);
  const incidents = withSchema(securityIncidentTable(r.store), SECURITY_INCIDENT_COLUMNS);
  const health = withSchema(sentinelHealthTable(r.automationRuns, r.store), SENTINEL_HEALTH_COLUMNS);
  return {
    tables: { SecurityAlert: alerts.table, SecurityIncident: incidents.table, SentinelHealth: health.table },
    nullColumns: {
      SecurityAlert: alerts.added,
      SecurityIncident: incidents.added,
      SentinelHealth: health.added,
    },
  };
}

/** The watchlists of a run (none when its config names no inventory CSV). */
export async function watchlistsOf(configFile: string | undefined): Promise<Record<string, KqlTable>> {
  const file = configFile ? await inventoryOfConfig(configFile) : undefined;
  if (!file?.toLowerCase().endsWith('.csv')) return {};
  return { [ASSET_WATCHLIST]: watchlistTable(await readFile(file, 'utf8'), file) };
}
