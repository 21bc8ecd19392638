/**
 * One device as enrichment knows it, and the normalisation of its values (types, criticality, Purdue level, MAC,
 * IP).
 */
import { canonicalIp } from '../../util/ip.js';

export const CRITICALITIES = ['Low', 'Medium', 'High', 'Critical'] as const;
export type Criticality = (typeof CRITICALITIES)[number];

/** One device as the enrichment stage knows it. Only known fields are present (never `undefined` values). */
export interface Asset {
  name?: string;
  ip?: string;
  mac?: string;
  /** Normalized: one of ASSET_TYPES when recognised, else the text as given. */
  type?: string;
  vendor?: string;
  model?: string;
  firmware?: string;
  /** Purdue level 0–5 (the DMZ, "3.5", counts as 3: the column is an int). */
  purdueLevel?: number;
  criticality?: Criticality;
  owner?: string;
  otTeam?: string;
  site?: string;
  zone?: string;
  productionLine?: string;
  /**
   * The sensor that sees it (Defender for IoT's device inventory export names it): no watchlist column; `ot-soc
   * inventory` places each sensor at its devices' site and zone for `enrichment.sensors`.
   */
  sensor?: string;
}

// ---------------------------------------------------------------------------------------------------------------
// Value normalization

export const squash = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]/g, '');

/** Canonical asset type → spellings seen in inventories and in Defender for IoT (compared squashed). */
export const TYPE_SPELLINGS: Record<string, readonly string[]> = {
  PLC: ['plc', 'programmablelogiccontroller', 'controller', 'plccontroller'],
  RTU: ['rtu', 'remoteterminalunit', 'outstation'],
  DCS: ['dcs', 'dcscontroller', 'distributedcontrolsystem'],
  SIS: ['sis', 'safetyinstrumentedsystem', 'safetycontroller', 'safetyplc'],
  IED: ['ied', 'intelligentelectronicdevice', 'protectionrelay', 'relay'],
  HMI: ['hmi', 'humanmachineinterface', 'operatorpanel', 'operatorstation', 'operatorworkstation'],
  EngineeringStation: ['engineeringstation', 'engineeringworkstation', 'ews', 'engineering'],
  Historian: ['historian', 'datahistorian'],
  SCADAServer: ['scada', 'scadaserver'],
  OPCServer: ['opc', 'opcserver'],
  Workstation: ['workstation', 'laptop', 'pc', 'desktop', 'computer'],
  Server: ['server'],
  NetworkDevice: ['networkdevice', 'switch', 'router', 'accesspoint'],
  Firewall: ['firewall'],
  IODevice: ['io', 'iodevice', 'remoteio', 'iomodule'],
  Drive: ['drive', 'vfd', 'variablefrequencydrive'],
  FieldDevice: ['fielddevice', 'sensor', 'actuator', 'transmitter', 'meter'],
};
export const ASSET_TYPES = Object.keys(TYPE_SPELLINGS);
export const typeBySpelling = new Map<string, string>();
for (const [type, spellings] of Object.entries(TYPE_SPELLINGS)) {
  typeBySpelling.set(squash(type), type);
  for (const s of spellings) typeBySpelling.set(s, type);
}

/** Controllers: the device an attack on the process ends at. Such a destination is "the asset" of an alert. */
export const CONTROLLER_TYPES: ReadonlySet<string> = new Set(['PLC', 'RTU', 'DCS', 'SIS', 'IED']);

/** "Engineering Station", "EWS", "engineering-workstation" → EngineeringStation; unknown types are kept as given. */
export function normalizeAssetType(s: string): string {
  const t = s.trim();
  return typeBySpelling.get(squash(t)) ?? t;
}

export const CRITICALITY_SPELLINGS: Record<string, Criticality> = {
  low: 'Low',
  minor: 'Low',
  medium: 'Medium',
  moderate: 'Medium',
  normal: 'Medium', // Defender for IoT device importance: Low / Normal / High
  high: 'High',
  major: 'High',
  critical: 'Critical',
  crownjewel: 'Critical',
};

/** A vocabulary entry by squashed spelling; own keys only (`constructor` must not find Object's). */
export const own = <T>(table: Record<string, T>, key: string): T | undefined =>
  Object.hasOwn(table, key) ? table[key] : undefined;

export function parseCriticality(s: string): Criticality | undefined {
  return own(CRITICALITY_SPELLINGS, squash(s));
}

/** Words some inventories (and Defender for IoT's "Purdue layer") use instead of a number. */
export const PURDUE_WORDS: Record<string, number> = {
  process: 0,
  field: 0,
  basiccontrol: 1,
  control: 1,
  processcontrol: 1,
  supervisory: 2,
  supervisorycontrol: 2,
  operations: 3,
  siteoperations: 3,
  dmz: 3,
  enterprise: 4,
  business: 4,
};
export const PURDUE_PREFIX = /^(?:purdue\s*)?(?:level|lvl|l)?\s*/;
export const PURDUE_NUMBER = /^\d(?:\.5)?$/;

/** "Level 1", "L1", "1", 1 → 1; "3.5"/"DMZ" → 3. Undefined when not a level 0–5. */
export function parsePurdueLevel(v: string | number): number | undefined {
  if (typeof v === 'number') return purdueNumber(v);
  const s = v.trim().toLowerCase();
  const word = own(PURDUE_WORDS, squash(s));
  if (word !== undefined) return word;
  const n = s.replace(PURDUE_PREFIX, '');
  return PURDUE_NUMBER.test(n) ? purdueNumber(Number(n)) : undefined;
}

export function purdueNumber(n: number): number | undefined {
  if (n === 3.5) return 3; // the DMZ between levels 3 and 4
  return Number.isInteger(n) && n >= 0 && n <= 5 ? n : undefined;
}

export const HEX = /^[0-9a-f]+$/;

/** `aa:bb:cc:dd:ee:ff` from colon, dash, Cisco-dotted or bare forms; undefined when not a MAC. */
export function normalizeMac(s: string): string | undefined {
  // Parsers already emit the canonical form: keep the per-alert path to one comparison.
  if (s.length === 17 && s[2] === ':' && s === s.toLowerCase() && HEX.test(s.replaceAll(':', ''))) return s;
  const hex = s.trim().toLowerCase().replace(/[:.-]/g, '');
  if (hex.length !== 12 || !HEX.test(hex)) return undefined;
  return hex.match(/../g)!.join(':');
}

/** IPv4/IPv6 literal in its canonical form (the same text the parsers give an alert's device), or undefined. */
export const normalizeIp = canonicalIp;
