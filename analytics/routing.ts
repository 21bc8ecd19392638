/**
 * Which analytics rule owns which Defender for IoT alert type: every OTAlerts_CL alert group raises exactly one
 * alert from exactly one owning rule. The table is written once, here; each owning rule's query carries the lists
 * it needs in a generated block (`// routing:begin` … `// routing:end`, rewritten by analytics/package.ts), and
 * test/analytics/routing.test.ts executes every rule's KQL over one row per catalog title to prove it.
 *
 * owner(row) =
 *   1. the rule a title override names, when the title is overridden (compared case-insensitively);
 *   2. else the malware rule when Engine is "Malware";
 *   3. else the rule that owns the row's Category;
 *   4. else the catch-all rule (a title and category the routing does not know, e.g. a new sensor version).
 * Then, for the controller families (scan, program/config change, firmware, operating mode, stop/restart, controller
 * data collection), a row whose destination is a controller in the asset inventory (DestinationAssetType PLC, RTU,
 * DCS, SIS or IED) goes to the attack-chain rule instead, so everything aimed at one controller is one incident; so
 * does a row of the command families (unauthorized protocol commands, protocol violations) aimed at a controller by
 * a device that is no process system (not a controller, HMI, engineering station, SCADA or OPC server, historian):
 * a laptop's DNP3 commands between its scan of an RTU and the RTU's restart are a step of that attack, while the
 * SCADA server's own polling that trips a rule stays one incident per zone and protocol.
 *
 * Categories are the catalog's, plus the spellings sensors use ("Restart/ Stop Commands"; the enricher writes the
 * catalog's spelling of a forwarded alert group such as "Restart and stop commands": pipeline/enrich/alertGroups.ts),
 * and "Operation Failures", a category no catalogued title has. Correlation rules
 * (CORRELATION_RULES) own nothing: they raise an alert only when several groups or inventory context line up.
 */
export const CONTROLLER_TYPES = ['PLC', 'RTU', 'DCS', 'SIS', 'IED'] as const;

export const CHAIN_RULE = 'OtControllerAttackChain';
export const CATCH_ALL_RULE = 'OtUncataloguedAlert';
export const MALWARE_RULE = 'OtMalware';

/** Rule families whose rows aimed at a known controller belong to the chain rule. */
export const CONTROLLER_FAMILIES = [
  'OtNetworkScan',
  'OtUnauthorizedPlcChange',
  'OtFirmwareChange',
  'OtPlcOperatingModeChange',
  'OtControllerStopRestart',
  'OtControllerDataCollection',
] as const;

/** Rule families of commands to a device, whose rows aimed at a controller from outside the process are the chain's. */
export const COMMAND_FAMILIES = ['OtUnauthorizedProtocolCommands', 'OtProtocolViolations'] as const;

/**
 * Device types (as the pipeline normalises them) whose protocol commands to a controller are the process's own
 * traffic: its masters, its operators' and engineers' stations, and peer controllers.
 */
export const PROCESS_SOURCE_TYPES = [
  ...CONTROLLER_TYPES,
  'HMI',
  'EngineeringStation',
  'SCADAServer',
  'OPCServer',
  'Historian',
] as const;

/** Rules that correlate several groups or inventory context; they own no alert type. */
export const CORRELATION_RULES = [
  'OtPurdueBoundaryCrossing',
  'OtSensorSilenceDuringActivity',
  'OtTechniqueSpreadAcrossZones',
] as const;

/** Category (lower case) → owning rule. */
export const CATEGORY_OWNERS: Readonly<Record<string, string>> = {
  'abnormal communication behavior': 'OtCommandAndControl',
  'abnormal http communication behavior': 'OtCommandAndControl',
  authentication: 'OtExcessiveLoginAttempts',
  backup: 'OtOperationalHealth',
  'bandwidth anomalies': 'OtHighBandwidth',
  'buffer overflow': 'OtOperationalHealth',
  'command failures': 'OtOperationalHealth',
  'configuration changes': 'OtUnauthorizedPlcChange',
  'custom alerts': 'OtUnauthorizedProtocolCommands',
  discovery: 'OtUnauthorizedDevice',
  'firmware change': 'OtFirmwareChange',
  'illegal commands': 'OtProtocolViolations',
  'internet access': 'OtInternetAccess',
  'operational issues': 'OtOperationalHealth',
  // a category and alert group of the portal and the forwarding docs that no catalogued title uses
  'operation failures': 'OtOperationalHealth',
  programming: 'OtUnauthorizedPlcChange',
  'remote access': 'OtUnauthorizedRemoteAccess',
  'restart/stop commands': 'OtControllerStopRestart',
  'restart/ stop commands': 'OtControllerStopRestart',
  scan: 'OtNetworkScan',
  'sensor traffic': 'OtSensorNoTraffic',
  'suspicion of malicious activity': MALWARE_RULE,
  'suspicion of malware': MALWARE_RULE,
  'unauthorized communication behavior': 'OtUnauthorizedProtocolCommands',
  unresponsive: 'OtDeviceUnresponsive',
};

/** Titles whose owner is not their category's (why, in a word, next to each group). */
export const TITLE_OVERRIDES: Readonly<Record<string, string>> = {
  // abnormal communication: the native rules' choices (bandwidth, sessions), and what the title really is
  'ARP Spoofing': 'OtHighBandwidth',
  'ICMP Flooding': 'OtHighBandwidth',
  'Excessive Number of Sessions': 'OtExcessiveLoginAttempts',
  'Abnormal Exception Pattern in Slave': 'OtProtocolViolations',
  'Abnormal Periodic Behavior In Communication Channel': 'OtOperationalHealth',
  'Abnormal Termination of Applications': 'OtOperationalHealth',
  'HTTP Client Error': 'OtOperationalHealth',
  'Illegal IP Address': 'OtUnauthorizedNetworkConfiguration',
  'Unauthorized Multicast/Broadcast Connection': 'OtUnauthorizedProtocolCommands',
  'Unauthorized Database Operation': 'OtControllerDataCollection',
  'Unauthorized Windows Process': 'OtUnauthorizedWindowsActivity',
  'Unauthorized Windows Service': 'OtUnauthorizedWindowsActivity',
  // remote logins are remote access, not brute force
  'Unauthorized SMB Login': 'OtUnauthorizedRemoteAccess',
  'Unauthorized Database Login': 'OtUnauthorizedRemoteAccess',
  // command failures that mean something else (native DHCP, PLC stop and illegal-function-code rules)
  'Device Failed to Receive a Dynamic IP Address': 'OtUnauthorizedNetworkConfiguration',
  'Slave Device Unrecoverable Failure': 'OtControllerStopRestart',
  'Function Code Raised Unauthorized Exception': 'OtUnauthorizedProtocolCommands',
  'EtherNet/IP Encapsulation Protocol Command Failed': 'OtControllerDataCollection',
  // configuration changes that are reads, mode changes or new devices
  'PLC Operating Mode Changed': 'OtPlcOperatingModeChange',
  'Unauthorized PLC Configuration Read': 'OtControllerDataCollection',
  'New LLDP Device Configuration': 'OtUnauthorizedDevice',
  // operational issues the native PLC-stop rule and the controller rules cover
  'Suspicion of Hardware Problems in Outstation': 'OtControllerStopRestart',
  'Honeywell Controller Unexpected Status': 'OtPlcOperatingModeChange',
  "OPC UA Server Raised an Event That Requires User's Attention": 'OtUnauthorizedPlcChange',
  // programming that collects instead of changes
  'Unauthorized PLC Program Upload': 'OtControllerDataCollection',
  // sensor traffic resumed: low-value, the silence rule already alerted
  'Traffic Detected on Sensor Interface': 'OtOperationalHealth',
  // malicious-activity engine finding that is a denial of service (native DoS rule)
  'Suspicion of Denial Of Service Attack': 'OtDenialOfService',
  // unauthorized communication that reads or changes controller logic
  'Unauthorized Access to Siemens S7 Data Block': 'OtUnauthorizedPlcChange',
  'Unauthorized Siemens S7 Plus Block Access': 'OtUnauthorizedPlcChange',
  'Unauthorized Access to Siemens S7 Plus Object': 'OtUnauthorizedPlcChange',
  'Unauthorized Siemens S7 Execution of Control Function': 'OtUnauthorizedPlcChange',
  'Unauthorized Access to Wonderware Tag': 'OtControllerDataCollection',
  'New Activity Detected - Ovation Data Request': 'OtControllerDataCollection',
  'Unauthorized GE SRTP File Access': 'OtControllerDataCollection',
};

/** Every rule that owns alert types (the chain and catch-all rules included). */
export function owningRules(): string[] {
  const set = new Set<string>([
    ...Object.values(CATEGORY_OWNERS),
    ...Object.values(TITLE_OVERRIDES),
    CHAIN_RULE,
    CATCH_ALL_RULE,
    MALWARE_RULE,
  ]);
  return [...set].sort();
}

export interface RouteInput {
  readonly title: string;
  readonly category?: string;
  readonly engine?: string;
  readonly destinationAssetType?: string;
  readonly sourceAssetType?: string;
}

const lower = (s: string | undefined) => (s ?? '').toLowerCase();
const overrides = new Map(Object.entries(TITLE_OVERRIDES).map(([t, r]) => [t.toLowerCase(), r]));

/** The owning rule of a row, by the table above (what the rules' KQL implements; the routing test compares them). */
export function ownerOf(row: RouteInput): string {
  const owner =
    overrides.get(lower(row.title)) ??
    (lower(row.engine) === 'malware' ? MALWARE_RULE : undefined) ??
    CATEGORY_OWNERS[lower(row.category)] ??
    CATCH_ALL_RULE;
  const toController = (CONTROLLER_TYPES as readonly string[]).includes(
    (row.destinationAssetType ?? '').toUpperCase(),
  );
  if (!toController) return owner;
  if ((CONTROLLER_FAMILIES as readonly string[]).includes(owner)) return CHAIN_RULE;
  const fromProcess = PROCESS_SOURCE_TYPES.some((t) => t.toLowerCase() === lower(row.sourceAssetType));
  return !fromProcess && (COMMAND_FAMILIES as readonly string[]).includes(owner) ? CHAIN_RULE : owner;
}

// ---------------------------------------------------------------------------------------------------------------
// The generated KQL block

const kqlString = (s: string) => JSON.stringify(s);
const list = (xs: readonly string[]) => `dynamic([${xs.map(kqlString).join(', ')}])`;

/** Titles and categories a rule owns before the controller split (the chain rule: all its families'). */
function ownedBy(rule: string): { titles: string[]; categories: string[] } {
  return ownedByAny(rule === CHAIN_RULE ? [...CONTROLLER_FAMILIES] : [rule]);
}

/** Titles and categories these rules own before the controller split. */
function ownedByAny(rules: readonly string[]): { titles: string[]; categories: string[] } {
  const titles = Object.entries(TITLE_OVERRIDES)
    .filter(([, r]) => rules.includes(r))
    .map(([t]) => t)
    .sort();
  const categories = Object.entries(CATEGORY_OWNERS)
    .filter(([, r]) => rules.includes(r))
    .map(([c]) => c)
    .sort();
  return { titles, categories };
}

const routedLet = () => `let Routed = ${list(Object.keys(TITLE_OVERRIDES).sort())};`;

/** The KQL condition on a row the `Own`-style lets `own` and `categories` name (titles, else the category). */
const ownedRows = (own: string, categories: string) =>
  `AlertTitle in~ (${own}) or (AlertTitle !in~ (Routed) and Engine !~ "Malware" and Category in~ (${categories}))`;

/** The KQL condition on a row of the command families sent by a device that is no process system (lets: commandLets). */
export const COMMANDS_FROM_OUTSIDE = `not(SourceAssetType in~ (ProcessSources)) and (${ownedRows('CommandOwn', 'CommandCategories')})`;

/** The `let` statements {@link COMMANDS_FROM_OUTSIDE} reads, besides `Routed`. */
export function commandLets(): string[] {
  const commands = ownedByAny(COMMAND_FAMILIES);
  return [
    `let CommandOwn = ${list(commands.titles)};`,
    `let CommandCategories = ${list(commands.categories)};`,
    `let ProcessSources = ${list(PROCESS_SOURCE_TYPES)};`,
  ];
}

/** The KQL condition on the rows the chain rule takes when their destination is a controller (as ownerOf decides). */
export const CHAIN_ROWS = `${ownedRows('ChainOwn', 'ChainCategories')} or (${COMMANDS_FROM_OUTSIDE})`;

/**
 * The `let` statements {@link CHAIN_ROWS} reads (`Routed`, `ChainOwn`, `ChainCategories` and the command lets): for
 * the correlation that leaves those rows to the chain rule (OtPurdueBoundaryCrossing's `where not(…)`), and the
 * workbook that lists their untyped targets.
 */
export function chainLets(): string[] {
  const chain = ownedBy(CHAIN_RULE);
  return [
    routedLet(),
    `let ChainOwn = ${list(chain.titles)};`,
    `let ChainCategories = ${list(chain.categories)};`,
    ...commandLets(),
  ];
}

/** Words by which a scan's title names a controller ("PLC Scan Detected"); a scan that names none is a sweep. */
const CONTROLLER_WORDS = ['PLC', 'Controller', 'Outstation', 'RTU'] as const;
const CONTROLLER_WORD = new RegExp(`\\b(${CONTROLLER_WORDS.join('|')})\\b`, 'i');

/**
 * A scan that names no controller (a port or address sweep): every host of a subnet is its target, so a device that
 * only such scans reached is the weakest hint of a controller (the summary's and the workbook's untyped targets).
 */
export const isNetworkScan = (title: string, category: string): boolean =>
  category.toLowerCase() === 'scan' && !CONTROLLER_WORD.test(title);

/** {@link isNetworkScan} as a KQL condition on OTAlerts_CL (`has_any`: whole terms, any case, as the regex). */
export const NETWORK_SCAN = `Category =~ "Scan" and not(AlertTitle has_any (${CONTROLLER_WORDS.map(kqlString).join(', ')}))`;

/** The correlation rule whose routing block names the chain rule's types (it must not raise them again). */
export const CHAIN_CONSUMER = 'OtPurdueBoundaryCrossing';

export const ROUTING_BEGIN = '// routing:begin';
export const ROUTING_END = '// routing:end';

/**
 * The `let` statements of a rule's routing block: `Routed` (every overridden title), `Own` and `OwnCategories` (what
 * this rule owns), `KnownCategories` (for the catch-all), `ControllerTypes`, and for the chain rule and the command
 * families what {@link COMMANDS_FROM_OUTSIDE} reads. Undefined for a rule that owns nothing.
 */
export function routingLets(rule: string): string[] | undefined {
  const lines = [
    `${ROUTING_BEGIN} (generated from analytics/routing.ts by analytics/package.ts: do not edit by hand)`,
  ];
  if (rule === CHAIN_CONSUMER) {
    // a correlation over controller destinations that leaves the attack-chain rule's rows to it
    lines.push(...chainLets(), ROUTING_END);
    return lines;
  }
  lines.push(routedLet());
  if (!owningRules().includes(rule)) return undefined;
  const { titles, categories } = ownedBy(rule);
  if (rule === CATCH_ALL_RULE) {
    lines.push(`let KnownCategories = ${list(Object.keys(CATEGORY_OWNERS).sort())};`);
  } else {
    lines.push(`let Own = ${list(titles)};`, `let OwnCategories = ${list(categories)};`);
  }
  if (rule === CHAIN_RULE) lines.push(...commandLets());
  if ((COMMAND_FAMILIES as readonly string[]).includes(rule))
    lines.push(`let ProcessSources = ${list(PROCESS_SOURCE_TYPES)};`);
  if (
    rule === CHAIN_RULE ||
    (CONTROLLER_FAMILIES as readonly string[]).includes(rule) ||
    (COMMAND_FAMILIES as readonly string[]).includes(rule)
  ) {
    lines.push(`let ControllerTypes = ${list(CONTROLLER_TYPES)};`);
  }
  lines.push(ROUTING_END);
  return lines;
}

/** `text` (a rule YAML) with its routing block regenerated; unchanged when it has none. */
export function withRoutingBlock(text: string, rule: string): string {
  const lets = routingLets(rule);
  const begin = text.indexOf(ROUTING_BEGIN);
  const endMarker = text.indexOf(ROUTING_END, begin);
  if (!lets || begin < 0 || endMarker < 0) return text;
  const lineStart = text.lastIndexOf('\n', begin) + 1;
  const indent = text.slice(lineStart, begin);
  const lineEnd = text.indexOf('\n', endMarker);
  const block = lets.map((l) => `${indent}${l}`).join('\n');
  return text.slice(0, lineStart) + block + (lineEnd < 0 ? '' : text.slice(lineEnd));
}

// ---------------------------------------------------------------------------------------------------------------
// The routing table as documentation (docs/routing.md, generated by analytics/package.ts)

export interface CatalogTitle {
  readonly title: string;
  readonly category?: string | undefined;
  readonly engine: string;
}

/** Markdown: every catalog title with its owning rule, and where it goes when aimed at a known controller. */
export function routingMarkdown(catalog: readonly CatalogTitle[]): string {
  const rows = [...catalog]
    .sort((a, b) => a.title.localeCompare(b.title))
    .map((e) => {
      const owner = ownerOf(e);
      const atController = ownerOf({ ...e, destinationAssetType: 'PLC' });
      const fromProcess = ownerOf({ ...e, destinationAssetType: 'PLC', sourceAssetType: 'SCADAServer' });
      const cell = (s: string) => s.replace(/\|/g, '\\|');
      const chain =
        atController === owner
          ? ''
          : fromProcess === owner
            ? `${atController} (from outside the process)`
            : atController;
      return `| ${cell(e.title)} | ${cell(e.category ?? '')} | ${e.engine} | ${owner} | ${chain} |`;
    });
  return `# Alert routing: which rule owns each Defender for IoT alert type

Generated from \`analytics/routing.ts\` by \`analytics/package.ts\` (do not edit; see docs/content.md). Every
alert group raises exactly one alert, from the rule below; aimed at a controller in the asset inventory (PLC, RTU, DCS,
SIS, IED), the controller families go to ${CHAIN_RULE}, and so do the command families' (unauthorized protocol
commands, protocol violations) when the source is outside the process: a device whose type is none of
${PROCESS_SOURCE_TYPES.join(', ')} (unknown included), e.g. a laptop sending DNP3 commands to an RTU. For a title listed here the pipeline writes the category and
engine below, whatever the sensor sent (pipeline/enrich/enricher.ts), so the title always reaches this rule. A title
not listed here goes by its engine (Malware → ${MALWARE_RULE}) and category as the sensor sent them, a forwarded
alert group in the catalog's spelling ("Restart and stop commands" → Restart/Stop Commands; the table in
analytics/routing.ts), else to ${CATCH_ALL_RULE}.

| Alert title | Category | Engine | Owning rule | Aimed at a controller |
|---|---|---|---|---|
${rows.join('\n')}
`;
}
