import { z } from 'zod';
import { PlaybookConfigError } from './errors.js';
import { CLASSIFICATIONS, INCIDENT_SEVERITIES } from './sentinel/incident.js';

/**
 * The playbooks' configuration (the `OTSOC_PLAYBOOK_CONFIG` app setting, or a file for the CLI). Secrets are
 * never values here: only the NAMES of app settings, which in Azure are Key Vault references
 * (`@Microsoft.KeyVault(SecretUri=…)`) resolved by the platform into the Function's environment.
 */
const settingName = z
  .string()
  .regex(
    /^[A-Za-z_][A-Za-z0-9_]{0,127}$/,
    'must be the NAME of an app setting (a Key Vault reference), never the secret or URL itself',
  );
const httpsUrl = z.url({ protocol: /^https$/, error: 'must be an https:// URL' });
const severity = z.enum(INCIDENT_SEVERITIES);
const nonEmpty = z.string().trim().min(1);

const otTeamSchema = z
  .object({
    /** Entra group object id: the incident owner (ownerType Group). */
    groupId: z.uuid().optional(),
    /** Display name: shown on cards; resolved to an id through Graph when `groupId` is not given. */
    groupName: nonEmpty.optional(),
  })
  .refine((t) => t.groupId || t.groupName, 'give groupId, groupName or both');

const serviceNowSchema = z.object({
  kind: z.literal('serviceNow'),
  instanceUrl: httpsUrl,
  table: z
    .string()
    .regex(/^[a-z_][a-z0-9_]*$/)
    .default('incident'),
  auth: z.discriminatedUnion('type', [
    z.object({ type: z.literal('basic'), usernameSetting: settingName, passwordSetting: settingName }),
    z.object({ type: z.literal('bearer'), tokenSetting: settingName }),
  ]),
  category: nonEmpty.default('security'),
  subcategory: nonEmpty.optional(),
  assignmentGroup: nonEmpty.optional(),
  callerId: nonEmpty.optional(),
  /**
   * Resolution code (`close_code`) set when the Sentinel incident is closed: the base data policy makes it and the
   * resolution notes mandatory for Resolved. One of the instance's choices (sys_choice incident.close_code): the
   * default is the base choice for "the caller resolved it", the SOC that raised the ticket.
   */
  resolveCode: nonEmpty.default('Resolved by caller'),
});

const jiraLabel = z.string().regex(/^[^\s]{1,255}$/, 'Jira labels have no spaces');
const jiraSchema = z.object({
  kind: z.literal('jira'),
  baseUrl: httpsUrl,
  projectKey: z.string().regex(/^[A-Z][A-Z0-9_]{0,254}$/, 'a Jira project key (OT, SECOPS)'),
  issueType: nonEmpty.default('Task'),
  auth: z.discriminatedUnion('type', [
    z.object({ type: z.literal('basic'), emailSetting: settingName, tokenSetting: settingName }),
    /** OAuth 2.0 (3LO) access token: Atlassian serves it only at api.atlassian.com/ex/jira/{cloudId}. */
    z.object({
      type: z.literal('bearer'),
      tokenSetting: settingName,
      /** The site's cloud id (https://<site>.atlassian.net/_edge/tenant_info, or accessible-resources). */
      cloudId: z.uuid({ error: 'the Jira site cloud id (a UUID) is required for bearer (OAuth 2.0) auth' }),
    }),
  ]),
  priorities: z
    .object({ High: nonEmpty, Medium: nonEmpty, Low: nonEmpty, Informational: nonEmpty })
    .default({ High: 'High', Medium: 'Medium', Low: 'Low', Informational: 'Lowest' }),
  labels: z.array(jiraLabel).default(['ot-soc']),
  /**
   * The transition (its name, or the name of the status it leads to) taken when the Sentinel incident is closed;
   * default: the first transition into a status of the Done category.
   */
  doneTransition: nonEmpty.optional(),
  /** Resolution set when that transition's screen requires one. */
  resolution: nonEmpty.default('Done'),
});

export const ticketSystemSchema = z.discriminatedUnion('kind', [serviceNowSchema, jiraSchema]);
export type TicketSystemConfig = z.infer<typeof ticketSystemSchema>;
export type ServiceNowConfig = z.infer<typeof serviceNowSchema>;
export type JiraConfig = z.infer<typeof jiraSchema>;

const siteSchema = z.object({
  otTeam: otTeamSchema.optional(),
  /** Name of an entry in `ticketSystems`, or 'none'. */
  ticketSystem: nonEmpty.optional(),
  /** App setting holding this site's Teams Workflows webhook URL (overrides `teams.webhookUrlSetting`). */
  teamsWebhookSetting: settingName.optional(),
});
export type SiteConfig = z.infer<typeof siteSchema>;

const instant = z.iso.datetime({
  offset: true,
  error: 'an ISO 8601 instant with offset (2026-11-18T10:00:00+01:00)',
});

export const maintenanceRuleSchema = z
  .object({
    name: nonEmpty,
    site: nonEmpty,
    zones: z.array(nonEmpty).optional(),
    /** IP addresses or asset names allowed to work in the window (the engineering station, the vendor laptop). */
    sources: z.array(nonEmpty).min(1),
    start: instant,
    end: instant,
    /** Restrict to these alert titles; all titles when absent. */
    alertTitles: z.array(nonEmpty).optional(),
  })
  .refine((r) => Date.parse(r.end) > Date.parse(r.start), {
    message: 'end must be after start',
    path: ['end'],
  });

export const knownBenignSchema = z.object({
  /** Site name, or '*' for every site. */
  site: nonEmpty,
  alertTitles: z.array(nonEmpty).min(1),
  /** Only from these sources (IPs or asset names); any source when absent. */
  sources: z.array(nonEmpty).optional(),
  classification: z.enum(['BenignPositive', 'FalsePositive']).default('BenignPositive'),
  comment: nonEmpty.default('Known benign alert type for this site'),
});

const learnedFalsePositivesSchema = z.object({
  enabled: z.boolean().default(false),
  lookbackDays: z.int().min(1).max(730).default(90),
  /** Closed incidents of the alert type needed before history is trusted. */
  minClosed: z.int().min(1).default(20),
  /**
   * Share of them that analysts found not malicious: FalsePositive and BenignPositive both count (one rule:
   * the question is whether a person needs to look, docs/playbooks.md). TruePositive and Undetermined do not.
   */
  minRatio: z.number().gt(0.5).max(1).default(0.9),
  /** Never learn-close above this severity. */
  maxSeverity: severity.default('Medium'),
});

export const playbookConfigSchema = z.object({
  /** Workspace ARM ids the playbooks may act on; empty = any the identity can reach. */
  workspaces: z
    .array(
      z
        .string()
        .regex(
          /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.OperationalInsights\/workspaces\/[^/]+$/i,
        ),
    )
    .default([]),
  /** Settings for sites without an entry in `sites`. */
  defaults: siteSchema.prefault({}),
  sites: z.record(nonEmpty, siteSchema).default({}),
  /** Entra group display name → object id, for OT teams named by the asset inventory (OTTeam); Graph otherwise. */
  groupIds: z.record(nonEmpty, z.uuid()).default({}),
  ticketSystems: z.record(z.string().regex(/^[A-Za-z0-9_-]{1,64}$/), ticketSystemSchema).default({}),
  teams: z
    .object({
      webhookUrlSetting: settingName.default('OTSOC_TEAMS_WEBHOOK_URL'),
      /** An update card is sent when the alert count first reaches one of these. */
      countThresholds: z.array(z.int().positive()).default([10, 100, 1000]),
      /** Incidents below this severity post no card. */
      minSeverity: severity.default('Low'),
      /**
       * A channel that had a card about an incident gets one more when it is closed (how and why), and one when a
       * closed incident is reopened.
       */
      notifyOnClose: z.boolean().default(true),
      /** Extra webhook hosts besides Logic Apps and Power Platform (sovereign clouds). */
      webhookHosts: z.array(nonEmpty).default([]),
      /** How long a card being sent blocks another run for the same incident (then the run's outcome is judged). */
      leaseSeconds: z.int().min(10).max(3600).default(120),
    })
    .prefault({}),
  tickets: z
    .object({
      minSeverity: severity.default('Medium'),
      /** How long a ticket creation in progress blocks another run for the same incident. */
      leaseSeconds: z.int().min(10).max(3600).default(120),
      /** Resolve an incident's ticket when the incident is closed (sync-status; create-ticket for a late close). */
      resolveWithIncident: z.boolean().default(true),
      /**
       * Classifications whose ticket stays open when the incident is closed: a confirmed attack is closed in the
       * SOC when it is contained, while the plant's remediation (a PLC reloaded, a firmware restored) is the OT
       * team's ticket to close.
       */
      keepOpenWhen: z.array(z.enum(CLASSIFICATIONS)).default(['TruePositive']),
    })
    .prefault({}),
  autoClose: z
    .object({
      maintenance: z.array(maintenanceRuleSchema).default([]),
      /** Close when the pipeline tagged every alert ExpectedMaintenance (its own calendar, docs/configuration.md). */
      trustPipelineMaintenanceTag: z.boolean().default(true),
      knownBenign: z.array(knownBenignSchema).default([]),
      /**
       * Sentinel watchlists read on each run (Log Analytics, `_GetWatchlist`), added to the rules above, which stay
       * the fallback when a watchlist cannot be read. Formats: docs/content.md "Watchlists". Empty name: not read.
       */
      watchlists: z
        .object({
          maintenance: z
            .string()
            .regex(/^[A-Za-z0-9_-]{0,64}$/)
            .default('OTSocMaintenance'),
          knownBenign: z
            .string()
            .regex(/^[A-Za-z0-9_-]{0,64}$/)
            .default('OTSocKnownBenign'),
        })
        .prefault({}),
      learnedFalsePositives: learnedFalsePositivesSchema.prefault({}),
      /** Never auto-close when any alert carries one of these escalations or asset criticalities. */
      neverClose: z
        .object({
          escalations: z.array(nonEmpty).default(['NotEngineeringStation', 'OutsideWorkingHours']),
          /** e.g. ['Critical'] to keep every incident on a crown-jewel asset for a person (none by default:
           *  maintenance on critical PLCs is exactly what the maintenance rule is for). */
          criticalities: z.array(nonEmpty).default([]),
          severities: z.array(severity).default([]),
        })
        .prefault({}),
      /** PATCH the Defender for IoT alert to Closed as well (AlertManagementUri). */
      syncDefenderForIoT: z.boolean().default(true),
      /** Close the ot-soc dedup group so the next occurrence opens a new alert, as in Defender for IoT. */
      closeDedupGroup: z.boolean().default(true),
    })
    .prefault({}),
  reassign: z
    .object({
      maxPurdueLevel: z.int().min(0).max(5).default(3),
      otTactics: z.array(nonEmpty).default(['ImpairProcessControl', 'InhibitResponseFunction']),
      otProducts: z
        .array(nonEmpty)
        .default([
          'Microsoft Defender for IoT',
          'Azure Defender for IoT',
          'Azure Security Center for IoT',
          'IoTSecurity',
        ]),
      label: nonEmpty.default('OT'),
      /** Raise the incident to at least this severity by the asset's criticality (never lowers). */
      severityFloor: z
        .object({
          Critical: severity.optional(),
          High: severity.optional(),
          Medium: severity.optional(),
          Low: severity.optional(),
        })
        .default({ Critical: 'High', High: 'Medium' }),
      /** Replace an owner that is a person (an analyst took it); by default only empty or group owners change. */
      overrideUserOwner: z.boolean().default(false),
    })
    .prefault({}),
  defenderForIoT: z
    .object({
      /** sync-status sets every Defender for IoT alert of an incident to the incident's status (Security Admin). */
      syncStatus: z.boolean().default(true),
      /**
       * The defender-status timer: open incidents follow their ot-soc groups' Defender for IoT status (all
       * Closed → Closed as Undetermined; In progress or Closed while New → Active). Needs the workspace settings.
       */
      followStatus: z.boolean().default(true),
      /** How far back the timer looks for incidents, alerts and group revisions (days). */
      followLookbackDays: z.number().int().min(1).max(90).default(14),
      /** ARM hosts besides the public and sovereign clouds' (Azure Stack, private endpoints) for AlertManagementUri. */
      armHosts: z.array(z.string().regex(/^[a-z0-9.-]+$/, 'a host name')).default([]),
    })
    .prefault({}),
  /** Optional Entra token check on top of the function key (the shim sends its managed identity's token). */
  auth: z
    .object({
      tenantId: z.uuid(),
      audience: z.union([nonEmpty, z.array(nonEmpty).min(1)]),
      /** Defaults to the tenant's v1 and v2 issuers. */
      issuers: z.array(nonEmpty).optional(),
      jwksUri: httpsUrl.optional(),
      /** Object ids (oid) of the callers allowed: the shims' managed identities (logicAppPrincipalId). Required. */
      allowedCallers: z.array(nonEmpty).default([]),
    })
    .optional(),
});

export type PlaybookConfig = z.infer<typeof playbookConfigSchema>;
export type PlaybookConfigInput = z.input<typeof playbookConfigSchema>;

export function formatZodIssues(error: z.ZodError): string[] {
  return error.issues.map((i) => `${i.path.length ? i.path.map(String).join('.') : '(root)'}: ${i.message}`);
}

/** Validates a configuration; every problem is named by its path. */
export function parsePlaybookConfig(value: unknown, where = 'playbook config'): PlaybookConfig {
  const result = playbookConfigSchema.safeParse(value ?? {});
  if (!result.success)
    throw new PlaybookConfigError(formatZodIssues(result.error).map((p) => `${where}: ${p}`));
  const config = result.data;
  const problems: string[] = [];
  const check = (path: string, s: SiteConfig) => {
    if (s.ticketSystem && s.ticketSystem !== 'none' && !config.ticketSystems[s.ticketSystem])
      problems.push(`${where}: ${path}.ticketSystem: no ticketSystems entry named "${s.ticketSystem}"`);
  };
  // Secure by default: with Entra validation on, a token of the audience alone is not enough, and the incident's
  // workspace must be one we serve (a valid token of any identity could otherwise act on any workspace).
  if (config.auth && !config.auth.allowedCallers.length)
    problems.push(
      `${where}: auth.allowedCallers: required when auth is set: the object ids of the shim identities (infra/playbook-shim.json output logicAppPrincipalId)`,
    );
  if (config.auth && !config.workspaces.length)
    problems.push(
      `${where}: workspaces: required when auth is set: the ARM ids of the Sentinel workspaces the playbooks may act on`,
    );
  check('defaults', config.defaults);
  for (const [name, s] of Object.entries(config.sites)) check(`sites.${name}`, s);
  if (problems.length) throw new PlaybookConfigError(problems);
  return config;
}

/** A site's settings over the defaults (case-insensitive site names, as sensors spell them variously). */
export function siteConfig(config: PlaybookConfig, site: string | undefined): SiteConfig {
  const entry = site
    ? Object.entries(config.sites).find(([name]) => name.toLowerCase() === site.toLowerCase())?.[1]
    : undefined;
  return { ...config.defaults, ...entry };
}
