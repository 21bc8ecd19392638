import { type JsonObject, p, x } from './arm.js';

/** The template's parameters: what an operator chooses at deployment (docs/deploy.md). */
export function parameters(): JsonObject {
  return {
    location: {
      type: 'string',
      defaultValue: x('resourceGroup().location'),
      metadata: {
        description: 'Region of the ot-soc resources. Flex Consumption is not offered in every region.',
      },
    },
    namePrefix: {
      type: 'string',
      defaultValue: 'otsoc',
      minLength: 3,
      maxLength: 11,
      metadata: {
        description:
          'Lower-case letters and digits, starting with a letter; every resource name is this prefix plus a hash of the resource group.',
      },
    },
    tags: { type: 'object', defaultValue: {}, metadata: { description: 'Tags for every resource.' } },
    workspaceName: {
      type: 'string',
      metadata: {
        description: 'Existing Log Analytics workspace with Microsoft Sentinel (receives OTAlerts_CL).',
      },
    },
    workspaceResourceGroup: {
      type: 'string',
      defaultValue: x('resourceGroup().name'),
      metadata: { description: 'Resource group of the Sentinel workspace.' },
    },
    workspaceSubscriptionId: {
      type: 'string',
      defaultValue: x('subscription().subscriptionId'),
      metadata: { description: 'Subscription of the Sentinel workspace.' },
    },
    workspaceLocation: {
      type: 'string',
      defaultValue: x(p('location')),
      metadata: {
        description: "Region of the Sentinel workspace: the DCR (and DCE) must be in the workspace's region.",
      },
    },
    tableRetentionInDays: {
      type: 'int',
      defaultValue: 90,
      minValue: 4,
      maxValue: 730,
      metadata: { description: 'Interactive retention of OTAlerts_CL (Sentinel includes 90 days).' },
    },
    tableTotalRetentionInDays: {
      type: 'int',
      defaultValue: 365,
      minValue: 4,
      maxValue: 4383,
      metadata: { description: 'Total retention of OTAlerts_CL including long-term retention.' },
    },
    eventHubThroughputUnits: {
      type: 'int',
      defaultValue: 1,
      minValue: 1,
      maxValue: 40,
      metadata: {
        description: 'Standard throughput units (1 TU: 1 MB/s or 1,000 events/s in). docs/deploy.md: sizing.',
      },
    },
    eventHubAutoInflate: {
      type: 'bool',
      defaultValue: true,
      metadata: {
        description: 'Let Event Hubs add TUs during an alert storm (it never scales back down by itself).',
      },
    },
    eventHubMaxThroughputUnits: {
      type: 'int',
      defaultValue: 4,
      minValue: 1,
      maxValue: 40,
      metadata: { description: 'Auto-inflate ceiling.' },
    },
    eventHubPartitions: {
      type: 'int',
      defaultValue: 4,
      minValue: 1,
      maxValue: 32,
      metadata: {
        description:
          'Partitions of the alert hub; fixed after creation on Standard. At most one Function instance reads a partition. docs/deploy.md: sizing.',
      },
    },
    eventHubRetentionDays: {
      type: 'int',
      defaultValue: 7,
      minValue: 1,
      maxValue: 7,
      metadata: { description: 'How long unread alerts stay in the hub (Standard: at most 7 days).' },
    },
    eventHubLocalAuth: {
      type: 'bool',
      defaultValue: true,
      metadata: {
        description:
          'Keep SAS (a send-only rule on the hub) for the on-site forwarder and workspace data export. The Function never uses SAS.',
      },
    },
    forwarderPrincipalId: {
      type: 'string',
      defaultValue: '',
      metadata: {
        description:
          'Object id of an on-site forwarder identity (service principal, Arc machine) to grant Event Hubs Data Sender on the hub.',
      },
    },
    exportSecurityAlertsToHub: {
      type: 'bool',
      defaultValue: false,
      metadata: {
        description:
          'Create a workspace data export rule that sends the SecurityAlert table (cloud-connected Defender for IoT sensors) to the export hub; the relay Function republishes it to the alert hub keyed by zone.',
      },
    },
    functionInstanceMemoryMB: {
      type: 'int',
      defaultValue: 2048,
      allowedValues: [512, 2048, 4096],
      metadata: { description: 'Flex Consumption instance memory.' },
    },
    functionMaximumInstanceCount: {
      type: 'int',
      defaultValue: 40,
      minValue: 40,
      maxValue: 1000,
      metadata: {
        description:
          'Flex scale-out ceiling; the Event Hubs trigger never uses more instances than partitions.',
      },
    },
    ingestAlwaysReadyInstances: {
      type: 'int',
      defaultValue: 0,
      minValue: 0,
      maxValue: 10,
      metadata: {
        description: 'Always-ready instances for the ingest function (no cold start; billed while idle).',
      },
    },
    otsocConfig: {
      type: 'object',
      defaultValue: {},
      metadata: {
        description: 'The ot-soc configuration document (OTSOC_CONFIG); see samples/ot-soc.config.json.',
      },
    },
    playbookConfig: {
      type: 'object',
      defaultValue: {},
      metadata: {
        description:
          'The playbooks configuration (OTSOC_PLAYBOOK_CONFIG, playbooks/config.ts): ticket systems, Teams, OT teams. Secrets appear only as app setting NAMES.',
      },
    },
    extraAppSettings: {
      type: 'object',
      defaultValue: {},
      metadata: {
        description:
          'More app settings (name → value), e.g. OTSOC_FLUSH_GRACE_MS. They override the generated ones.',
      },
    },
    keyVaultReferences: {
      type: 'object',
      defaultValue: {},
      metadata: {
        description:
          'App setting name → Key Vault secret name; each becomes @Microsoft.KeyVault(VaultName=…;SecretName=…). Set the secrets after deployment.',
      },
    },
    keyVaultPurgeProtection: {
      type: 'bool',
      defaultValue: true,
      metadata: { description: 'Purge protection (cannot be turned off again once on).' },
    },
    keyVaultSecretsOfficerPrincipalId: {
      type: 'string',
      defaultValue: '',
      metadata: {
        description:
          'Object id of the operator (user or group) who sets the secrets: Key Vault Secrets Officer.',
      },
    },
    useDataCollectionEndpoint: {
      type: 'bool',
      defaultValue: false,
      metadata: {
        description:
          "Also create a DCE and send through it (private link). Otherwise the DCR's own logsIngestion endpoint is used.",
      },
    },
  };
}
