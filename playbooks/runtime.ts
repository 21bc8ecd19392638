import type { TokenCredential } from '@azure/core-auth';
import type { TableClient } from '@azure/data-tables';
import { z } from 'zod';
import type { GroupStore } from '../pipeline/dedup/groupState.js';
import { createTokenValidator, type TokenValidator } from './auth.js';
import { formatZodIssues, type PlaybookConfig, parsePlaybookConfig } from './config.js';
import { graphDirectory } from './directory.js';
import { PlaybookConfigError } from './errors.js';
import { MAX_PLAYBOOK_BODY_BYTES } from './handler.js';
import {
  createLogAnalyticsQuery,
  logAnalyticsAlertFacts,
  logAnalyticsClassificationHistory,
} from './logAnalytics.js';
import { createArmD4IoTAlertClient } from './sentinel/d4iotAlert.js';
import { createArmIncidentClient } from './sentinel/incidentClient.js';
import { memoryNotifyState, tableNotifyState } from './state/playbookState.js';
import { memoryTicketMap, tableTicketMap } from './state/ticketMap.js';
import { createWorkflowPoster } from './teams/webhook.js';
import type { TicketSystem } from './tickets/fields.js';
import { createJira } from './tickets/jira.js';
import { createServiceNow } from './tickets/serviceNow.js';
import type { PlaybookDeps } from './types.js';
import { logAnalyticsWatchlists } from './watchlists.js';

const tableName = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9]{2,62}$/, 'Table names are 3-63 letters and digits, starting with a letter');

/** The playbook Function's app settings (secrets appear here only as Key Vault references the platform resolves). */
export const playbookSettingsSchema = z.object({
  /** The playbook configuration document (playbooks/config.ts) as JSON. */
  OTSOC_PLAYBOOK_CONFIG: z.string().optional(),
  /** Table Storage for PlaybookState and TicketMap with the managed identity; defaults to the group state account. */
  OTSOC_PLAYBOOK_TABLE_URL: z.url({ protocol: /^https?$/ }).optional(),
  OTSOC_PLAYBOOK_TABLE_CONNECTION: z.string().min(1).optional(),
  OTSOC_PLAYBOOK_STATE_TABLE: tableName.default('PlaybookState'),
  OTSOC_TICKET_MAP_TABLE: tableName.default('TicketMap'),
  OTSOC_GROUP_TABLE_URL: z.url({ protocol: /^https?$/ }).optional(),
  OTSOC_GROUP_TABLE_CONNECTION: z.string().min(1).optional(),
  OTSOC_GROUP_TABLE_NAME: tableName.default('otsocgroups'),
  /** Query Log Analytics for OTAlerts_CL facts and classification history (Log Analytics Reader). */
  OTSOC_PLAYBOOK_LOG_QUERIES: z.enum(['true', 'false']).default('true'),
  /** Largest request body a playbook accepts (bytes); bigger requests get 413 before they are parsed. */
  OTSOC_PLAYBOOK_MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(100 * 1024 * 1024)
    .default(MAX_PLAYBOOK_BODY_BYTES),
});

/** Problems of the app settings and OTSOC_PLAYBOOK_CONFIG, each naming its setting and path (none: valid). */
export function playbookSettingsProblems(env: Record<string, string | undefined>): string[] {
  const parsed = playbookSettingsSchema.safeParse(env);
  if (!parsed.success) return formatZodIssues(parsed.error).map((p) => `app settings: ${p}`);
  if (!parsed.data.OTSOC_PLAYBOOK_CONFIG) return [];
  try {
    parsePlaybookConfig(JSON.parse(parsed.data.OTSOC_PLAYBOOK_CONFIG), 'OTSOC_PLAYBOOK_CONFIG');
    return [];
  } catch (e) {
    return e instanceof PlaybookConfigError
      ? [...e.problems]
      : [`app settings: OTSOC_PLAYBOOK_CONFIG: not valid JSON: ${(e as Error).message}`];
  }
}

export interface PlaybookRuntime {
  deps: PlaybookDeps;
  validateToken?: TokenValidator;
  /** Request body limit (default `MAX_PLAYBOOK_BODY_BYTES`). */
  maxBodyBytes?: number;
  /** 'memory' means idempotency holds only within one instance: configure a table in Azure. */
  stateKind: 'table' | 'memory';
}

export interface RuntimeOverrides {
  credential?: TokenCredential;
}

async function tableClient(
  url: string | undefined,
  connection: string | undefined,
  name: string,
  credential: TokenCredential,
) {
  const { TableClient } = await import('@azure/data-tables');
  if (url)
    return new TableClient(url, name, credential, { allowInsecureConnection: url.startsWith('http:') });
  return TableClient.fromConnectionString(connection!, name, { allowInsecureConnection: true });
}

/** Builds the playbooks' dependencies from app settings: Azure clients with the managed identity. */
export async function playbookRuntimeFromEnv(
  env: Record<string, string | undefined>,
  overrides: RuntimeOverrides = {},
): Promise<PlaybookRuntime> {
  const parsed = playbookSettingsSchema.safeParse(env);
  if (!parsed.success)
    throw new PlaybookConfigError(formatZodIssues(parsed.error).map((p) => `app settings: ${p}`));
  const s = parsed.data;
  let configValue: unknown = {};
  if (s.OTSOC_PLAYBOOK_CONFIG) {
    try {
      configValue = JSON.parse(s.OTSOC_PLAYBOOK_CONFIG);
    } catch (e) {
      throw new PlaybookConfigError([
        `app settings: OTSOC_PLAYBOOK_CONFIG: not valid JSON: ${(e as Error).message}`,
      ]);
    }
  }
  const config: PlaybookConfig = parsePlaybookConfig(configValue, 'OTSOC_PLAYBOOK_CONFIG');
  const credential =
    overrides.credential ?? (await import('../pipeline/sink/logsIngestionSink.js')).defaultCredential();

  const stateUrl =
    s.OTSOC_PLAYBOOK_TABLE_URL ?? (s.OTSOC_PLAYBOOK_TABLE_CONNECTION ? undefined : s.OTSOC_GROUP_TABLE_URL);
  const stateConnection =
    s.OTSOC_PLAYBOOK_TABLE_CONNECTION ?? (stateUrl ? undefined : s.OTSOC_GROUP_TABLE_CONNECTION);
  const durable = !!(stateUrl || stateConnection);
  const stateTable = (name: string): Promise<TableClient> =>
    tableClient(stateUrl, stateConnection, name, credential);

  let groups: GroupStore | undefined;
  if (s.OTSOC_GROUP_TABLE_URL || s.OTSOC_GROUP_TABLE_CONNECTION) {
    const { TableGroupStore } = await import('../pipeline/dedup/tableGroupStore.js');
    groups = new TableGroupStore(
      await tableClient(
        s.OTSOC_GROUP_TABLE_URL,
        s.OTSOC_GROUP_TABLE_CONNECTION,
        s.OTSOC_GROUP_TABLE_NAME,
        credential,
      ),
    );
  }

  const query = createLogAnalyticsQuery({ credential });
  const systems = new Map<string, TicketSystem>();
  const ticketSystem = (name: string): TicketSystem => {
    const cfg = config.ticketSystems[name];
    if (!cfg) throw new PlaybookConfigError([`no ticketSystems entry named "${name}"`]);
    let system = systems.get(name);
    if (!system) {
      system =
        cfg.kind === 'serviceNow' ? createServiceNow({ config: cfg, env }) : createJira({ config: cfg, env });
      systems.set(name, system);
    }
    return system;
  };

  const deps: PlaybookDeps = {
    config,
    incidents: createArmIncidentClient({ credential }),
    teams: createWorkflowPoster({ config, env }),
    notifyState: durable
      ? tableNotifyState(await stateTable(s.OTSOC_PLAYBOOK_STATE_TABLE))
      : memoryNotifyState(),
    ticketMap: durable ? tableTicketMap(await stateTable(s.OTSOC_TICKET_MAP_TABLE)) : memoryTicketMap(),
    ticketSystem,
    directory: graphDirectory(credential),
    d4iot: createArmD4IoTAlertClient({ credential }),
    ...(s.OTSOC_PLAYBOOK_LOG_QUERIES === 'true'
      ? {
          facts: logAnalyticsAlertFacts(query),
          history: logAnalyticsClassificationHistory(query),
          watchlists: logAnalyticsWatchlists(query),
        }
      : {}),
    ...(groups ? { groups } : {}),
  };
  return {
    deps,
    ...(config.auth ? { validateToken: createTokenValidator(config.auth) } : {}),
    maxBodyBytes: s.OTSOC_PLAYBOOK_MAX_BODY_BYTES,
    stateKind: durable ? 'table' : 'memory',
  };
}
