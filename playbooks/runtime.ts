import type { TokenCredential } from '@azure/core-auth';
import type { TableClient } from '@azure/data-tables';
import { z } from 'zod';
import type { GroupStore } from '../pipeline/dedup/groupState.js';
import { createTokenValidator, type TokenValidator } from './auth.js';
import { formatZodIssues, type PlaybookConfig, parsePlaybookConfig } from './config.js';
import type { FollowedWorkspace } from './defenderStatus/run.js';
import { graphDirectory } from './directory.js';
import { PlaybookConfigError } from './errors.js';
import { MAX_PLAYBOOK_BODY_BYTES } from './handler.js';
import {
  createLogAnalyticsQuery,
  type LogAnalyticsQuery,
  logAnalyticsAlertFacts,
  logAnalyticsClassificationHistory,
} from './logAnalytics.js';
import { createArmD4IoTAlertClient } from './sentinel/d4iotAlert.js';
import { createArmIncidentClient } from './sentinel/incidentClient.js';
import { memoryDefenderStatus, tableDefenderStatus } from './state/defenderStatus.js';
import { memoryNotifyState, tableNotifyState } from './state/playbookState.js';
import { memoryTicketMap, tableTicketMap } from './state/ticketMap.js';
import { createWorkflowPoster } from './teams/webhook.js';
import type { TicketSystem } from './tickets/fields.js';
import { createJira } from './tickets/jira.js';
import { createServiceNow } from './tickets/serviceNow.js';
import type { PlaybookDeps } from './types.js';
import { logAnalyticsWatchlists } from './watchlists.js';

const WORKSPACE_ARM_ID =
  /^\/subscriptions\/[0-9a-fA-F-]{36}\/resourceGroups\/[-\w._()]+\/providers\/Microsoft\.OperationalInsights\/workspaces\/[A-Za-z0-9-]{4,63}$/i;

const tableName = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9]{2,62}$/, 'Table names are 3-63 letters and digits, starting with a letter');

/** The playbook Function's app settings (secrets appear here only as Key Vault references the platform resolves). */
export const playbookSettingsSchema = z.object({
  OTSOC_PLAYBOOK_CONFIG: z
    .string()
    .optional()
    .describe('The playbook configuration document (playbooks/config.ts) as JSON; see docs/playbooks.md.'),
  OTSOC_PLAYBOOK_TABLE_URL: z
    .url({ protocol: /^https?$/ })
    .optional()
    .describe(
      'Table Storage for PlaybookState and TicketMap with the managed identity; default: the group state account.',
    ),
  OTSOC_PLAYBOOK_TABLE_CONNECTION: z
    .string()
    .min(1)
    .optional()
    .describe('The playbook state tables with a connection string (local development, Azurite).'),
  OTSOC_PLAYBOOK_STATE_TABLE: tableName
    .default('PlaybookState')
    .describe('Per-incident playbook state: Teams cards, what the defender-status timer set.'),
  OTSOC_TICKET_MAP_TABLE: tableName.default('TicketMap').describe('Incident → ticket map of create-ticket.'),
  OTSOC_GROUP_TABLE_URL: z
    .url({ protocol: /^https?$/ })
    .optional()
    .describe('The dedup group state (auto-close and sync-status set group status there).'),
  OTSOC_GROUP_TABLE_CONNECTION: z
    .string()
    .min(1)
    .optional()
    .describe('The group state with a connection string.'),
  OTSOC_GROUP_TABLE_NAME: tableName.default('otsocgroups').describe('The group-state table.'),
  OTSOC_PLAYBOOK_LOG_QUERIES: z
    .enum(['true', 'false'])
    .default('true')
    .describe(
      'Query Log Analytics for OTAlerts_CL facts, classification history and watchlists (Log Analytics Reader).',
    ),
  OTSOC_PLAYBOOK_MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(100 * 1024 * 1024)
    .default(MAX_PLAYBOOK_BODY_BYTES)
    .describe(
      'Largest request body a playbook accepts (bytes); bigger requests get 413 before they are parsed.',
    ),
  OTSOC_SENTINEL_WORKSPACE_RESOURCE_ID: z
    .string()
    .regex(
      WORKSPACE_ARM_ID,
      'must be a workspace resource id (/subscriptions/…/providers/Microsoft.OperationalInsights/workspaces/<name>)',
    )
    .optional()
    .describe(
      'The Sentinel workspace the `defender-status` timer follows (incident ids). With the id below; neither: the timer does nothing.',
    ),
  OTSOC_SENTINEL_WORKSPACE_ID: z
    .guid({ error: "must be the workspace's customer id (a GUID), the id the Log Analytics query API takes" })
    .optional()
    .describe("That workspace's customer id (GUID) for the Log Analytics query API."),
});

/** Problems of the app settings and OTSOC_PLAYBOOK_CONFIG, each naming its setting and path (none: valid). */
export function playbookSettingsProblems(env: Record<string, string | undefined>): string[] {
  const parsed = playbookSettingsSchema.safeParse(env);
  if (!parsed.success) return formatZodIssues(parsed.error).map((p) => `app settings: ${p}`);
  const pairing = workspacePairingProblem(parsed.data);
  if (!parsed.data.OTSOC_PLAYBOOK_CONFIG) return pairing ? [pairing] : [];
  try {
    const config = parsePlaybookConfig(
      JSON.parse(parsed.data.OTSOC_PLAYBOOK_CONFIG),
      'OTSOC_PLAYBOOK_CONFIG',
    );
    const listed = workspaceListedProblem(parsed.data, config);
    return [pairing, listed].filter((p): p is string => !!p);
  } catch (e) {
    return e instanceof PlaybookConfigError
      ? [...e.problems]
      : [`app settings: OTSOC_PLAYBOOK_CONFIG: not valid JSON: ${(e as Error).message}`];
  }
}

type PlaybookSettings = z.infer<typeof playbookSettingsSchema>;

/** The timer needs both halves of the workspace (incident ids, query API) or neither. */
function workspacePairingProblem(s: PlaybookSettings): string | undefined {
  if (!!s.OTSOC_SENTINEL_WORKSPACE_RESOURCE_ID === !!s.OTSOC_SENTINEL_WORKSPACE_ID) return undefined;
  return 'app settings: OTSOC_SENTINEL_WORKSPACE_RESOURCE_ID and OTSOC_SENTINEL_WORKSPACE_ID go together (the defender-status timer needs both)';
}

/** With `workspaces` configured, the followed workspace must be one of them (the playbooks refuse others). */
function workspaceListedProblem(s: PlaybookSettings, config: PlaybookConfig): string | undefined {
  const ws = s.OTSOC_SENTINEL_WORKSPACE_RESOURCE_ID?.toLowerCase();
  if (!ws || !config.workspaces.length || config.workspaces.some((w) => w.toLowerCase() === ws))
    return undefined;
  return 'app settings: OTSOC_SENTINEL_WORKSPACE_RESOURCE_ID: not one of OTSOC_PLAYBOOK_CONFIG workspaces';
}

export interface PlaybookRuntime {
  deps: PlaybookDeps;
  /** The Log Analytics query API with the managed identity (the defender-status timer's query). */
  query?: LogAnalyticsQuery;
  /** The workspace the defender-status timer follows (both workspace settings given). */
  followed?: FollowedWorkspace;
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
  const workspaceProblems = [workspacePairingProblem(s), workspaceListedProblem(s, config)].filter(
    (p): p is string => !!p,
  );
  if (workspaceProblems.length) throw new PlaybookConfigError(workspaceProblems);
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
    defenderStatus: durable
      ? tableDefenderStatus(await stateTable(s.OTSOC_PLAYBOOK_STATE_TABLE))
      : memoryDefenderStatus(),
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
    query,
    ...(s.OTSOC_SENTINEL_WORKSPACE_RESOURCE_ID && s.OTSOC_SENTINEL_WORKSPACE_ID
      ? {
          followed: {
            resourceId: s.OTSOC_SENTINEL_WORKSPACE_RESOURCE_ID,
            workspaceId: s.OTSOC_SENTINEL_WORKSPACE_ID,
          },
        }
      : {}),
    ...(config.auth ? { validateToken: createTokenValidator(config.auth) } : {}),
    maxBodyBytes: s.OTSOC_PLAYBOOK_MAX_BODY_BYTES,
    stateKind: durable ? 'table' : 'memory',
  };
}
