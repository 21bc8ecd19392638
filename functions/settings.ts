import { z } from 'zod';
import { ConfigError, formatIssues, type OtSocConfig, parseConfig } from '../pipeline/config/config.js';
import { DEFAULT_CACHE_ENTRIES } from '../pipeline/dedup/cachingGroupStore.js';

/**
 * App settings of the Function App, validated once at cold start. A bad setting fails with its name.
 * The Event Hubs connection itself (`OTSOC_EVENTHUB` or, identity-based, `OTSOC_EVENTHUB__fullyQualifiedNamespace`)
 * is read by the host, not here.
 */
export const settingsSchema = z.object({
  OTSOC_LOGS_ENDPOINT: z
    .url({ protocol: /^https$/, error: 'must be the https:// logs ingestion endpoint of the DCR or DCE' })
    .optional()
    .describe("The DCR's logs ingestion endpoint (or a DCE), `https://…`. Required in Azure."),
  OTSOC_DCR_ID: z
    .string()
    .regex(/^dcr-[0-9a-f]{32}$/, 'must be the DCR immutable id (dcr-<32 hex>)')
    .optional()
    .describe('The DCR immutable id, `dcr-<32 hex>`. Required in Azure.'),
  OTSOC_STREAM: z
    .string()
    .regex(/^Custom-[A-Za-z0-9_]+$/)
    .default('Custom-OTAlerts_CL')
    .describe('The DCR stream the rows are posted to.'),
  OTSOC_CONFIG: z
    .string()
    .optional()
    .describe('The ot-soc configuration document as JSON (grouping, enrichment); see docs/configuration.md.'),
  OTSOC_LOCAL_WORKSPACE_DIR: z
    .string()
    .min(1)
    .optional()
    .describe(
      'Local runs and tests: write rows to this directory through the local workspace instead of Azure.',
    ),
  OTSOC_DEADLETTER_DIR: z
    .string()
    .min(1)
    .optional()
    .describe('Local runs and tests: dead letters as NDJSON in this directory.'),
  OTSOC_DEADLETTER_BLOB_URL: z
    .url({ protocol: /^https?$/ })
    .optional()
    .describe(
      'Dead letters in Blob Storage with the managed identity (`https://<account>.blob.core.windows.net`); ' +
        'without it (or a connection or dir) dead letters live in instance memory. Recommended.',
    ),
  OTSOC_DEADLETTER_CONNECTION: z
    .string()
    .min(1)
    .optional()
    .describe('Dead letters with a connection string instead of the URL (local development, Azurite).'),
  OTSOC_DEADLETTER_CONTAINER: z
    .string()
    .regex(
      /^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/,
      'Blob container names are 3-63 lower-case letters, digits and dashes',
    )
    .default('ot-soc-deadletters')
    .describe('The dead-letter container.'),
  OTSOC_REDRIVE_LIMIT: z.coerce
    .number()
    .int()
    .min(1)
    .max(500)
    .default(200)
    .describe('Dead letters one run of the `redrive` timer (every 5 minutes) takes at most.'),
  OTSOC_GROUP_TABLE_URL: z
    .url({ protocol: /^https?$/ })
    .optional()
    .describe(
      "Group state in Table Storage with the Function's managed identity " +
        '(`https://<account>.table.core.windows.net`); without it, state is per-instance memory. Recommended.',
    ),
  OTSOC_GROUP_TABLE_CONNECTION: z
    .string()
    .min(1)
    .optional()
    .describe(
      'Group state with a connection string (local development, Azurite). Prefer the URL and managed identity.',
    ),
  OTSOC_GROUP_TABLE_NAME: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9]{2,62}$/, 'Table names are 3-63 letters and digits, starting with a letter')
    .default('otsocgroups')
    .describe('The group-state table.'),
  OTSOC_GROUP_CACHE_ENTRIES: z.coerce
    .number()
    .int()
    .min(0)
    .max(1_000_000)
    .default(DEFAULT_CACHE_ENTRIES)
    .describe(
      'Group-state entities an instance keeps with their ETags, per kind (heads, archived groups, id entries), so ' +
        'a batch reads only what it has not seen: a head is about 3 KB, so the default holds about 30 MB of heads. ' +
        '0 turns the cache off (every batch reads its keys).',
    ),
  OTSOC_FLUSH_GRACE_MS: z.coerce
    .number()
    .int()
    .min(0)
    .max(3_600_000)
    .default(120_000)
    .describe('How long after a window ends (wall clock) the flush timer writes its final row.'),
  OTSOC_LOGS_CA_FILE: z
    .string()
    .min(1)
    .optional()
    .describe(
      'Extra CA certificates (PEM file) to trust for the ingestion endpoint: TLS-inspecting proxies, tests.',
    ),
  OTSOC_SINK_RETRY_DELAY_MS: z.coerce
    .number()
    .int()
    .min(10)
    .max(60_000)
    .default(1000)
    .describe("First delay of the sink's exponential retry (5xx, network); 429 waits for Retry-After."),
  OTSOC_SINK_DEADLINE_MS: z.coerce
    .number()
    .int()
    .min(1000)
    .max(600_000)
    .default(60_000)
    .describe("Upper bound for one batch's sink retries, well inside the function timeout."),
});
export type Settings = z.infer<typeof settingsSchema> & { config: OtSocConfig };

export function readSettings(env: NodeJS.ProcessEnv): Settings {
  const result = settingsSchema.safeParse(env);
  if (!result.success) throw new ConfigError('app settings', formatIssues(result.error));
  const s = result.data;
  if (!s.OTSOC_LOCAL_WORKSPACE_DIR && (!s.OTSOC_LOGS_ENDPOINT || !s.OTSOC_DCR_ID)) {
    throw new ConfigError('app settings', [
      'OTSOC_LOGS_ENDPOINT and OTSOC_DCR_ID are required (or OTSOC_LOCAL_WORKSPACE_DIR for a local run)',
    ]);
  }
  let configValue: unknown = {};
  if (s.OTSOC_CONFIG) {
    try {
      configValue = JSON.parse(s.OTSOC_CONFIG);
    } catch (e) {
      throw new ConfigError('app settings', [`OTSOC_CONFIG: not valid JSON: ${(e as Error).message}`]);
    }
  }
  return { ...s, config: parseConfig(configValue, 'OTSOC_CONFIG') };
}
