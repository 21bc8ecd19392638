/**
 * Asset inventory: the devices of the plant, from a CSV file (the Sentinel watchlist CSV shape works), a JSON file or
 * inline in the config, with the IoTDevice entities of SecurityAlert rows as a lower-precedence fallback.
 *
 * Everything is parsed and indexed once at start; a lookup per alert is a few Map hits (IP, then MAC, then name).
 * Values are normalized on the way in (asset types, Purdue levels, criticality, MACs), so rows carry one spelling.
 */
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { z } from 'zod';
import type { Device, EntityAsset } from '../model/alert.js';
import { canonicalIp } from '../util/ip.js';

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
}

// ---------------------------------------------------------------------------------------------------------------
// Value normalization

const squash = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]/g, '');

/** Canonical asset type → spellings seen in inventories and in Defender for IoT (compared squashed). */
const TYPE_SPELLINGS: Record<string, readonly string[]> = {
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
const typeBySpelling = new Map<string, string>();
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

const CRITICALITY_SPELLINGS: Record<string, Criticality> = {
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
const own = <T>(table: Record<string, T>, key: string): T | undefined =>
  Object.hasOwn(table, key) ? table[key] : undefined;

export function parseCriticality(s: string): Criticality | undefined {
  return own(CRITICALITY_SPELLINGS, squash(s));
}

/** Words some inventories (and Defender for IoT's "Purdue layer") use instead of a number. */
const PURDUE_WORDS: Record<string, number> = {
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
const PURDUE_PREFIX = /^(?:purdue\s*)?(?:level|lvl|l)?\s*/;
const PURDUE_NUMBER = /^\d(?:\.5)?$/;

/** "Level 1", "L1", "1", 1 → 1; "3.5"/"DMZ" → 3. Undefined when not a level 0–5. */
export function parsePurdueLevel(v: string | number): number | undefined {
  if (typeof v === 'number') return purdueNumber(v);
  const s = v.trim().toLowerCase();
  const word = own(PURDUE_WORDS, squash(s));
  if (word !== undefined) return word;
  const n = s.replace(PURDUE_PREFIX, '');
  return PURDUE_NUMBER.test(n) ? purdueNumber(Number(n)) : undefined;
}

function purdueNumber(n: number): number | undefined {
  if (n === 3.5) return 3; // the DMZ between levels 3 and 4
  return Number.isInteger(n) && n >= 0 && n <= 5 ? n : undefined;
}

const HEX = /^[0-9a-f]+$/;

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

// ---------------------------------------------------------------------------------------------------------------
// Records (CSV rows, JSON objects, inline config) → Asset

type Field = keyof Asset | 'searchKey';

/** Header/key spellings per field, compared squashed: "IPAddress", "ip_address", "IP" all mean `ip`. */
const FIELD_SPELLINGS: Record<Field, readonly string[]> = {
  searchKey: ['searchkey'],
  ip: ['ip', 'ipaddress', 'ipaddr', 'ipv4', 'address'],
  mac: ['mac', 'macaddress', 'macaddr'],
  name: ['name', 'assetname', 'devicename', 'hostname', 'host'],
  type: ['type', 'assettype', 'devicetype'],
  vendor: ['vendor', 'manufacturer'],
  model: ['model', 'devicemodel'],
  firmware: ['firmware', 'firmwareversion', 'fwversion'],
  purdueLevel: ['purduelevel', 'purdue', 'purduelayer', 'level'],
  criticality: ['criticality', 'assetcriticality', 'importance', 'businesscriticality'],
  owner: ['owner', 'assetowner', 'owners', 'contact'],
  otTeam: ['otteam', 'team', 'supportteam'],
  site: ['site', 'sitename', 'plant'],
  zone: ['zone', 'zonename'],
  productionLine: ['productionline', 'line', 'processline'],
};
const fieldBySpelling = new Map<string, Field>();
for (const [field, spellings] of Object.entries(FIELD_SPELLINGS) as [Field, readonly string[]][]) {
  for (const s of spellings) fieldBySpelling.set(s, field);
}

/** The field a column header or JSON key stands for (case, spaces, `_`/`-` ignored), or undefined. */
export function fieldOf(header: string): Field | undefined {
  return fieldBySpelling.get(squash(header));
}

const KNOWN_HEADERS =
  'SearchKey, IPAddress, MACAddress, AssetName, AssetType, Vendor, Model, Firmware, PurdueLevel, Criticality, Owner, ' +
  'OTTeam, Site, Zone, ProductionLine';

/** A problem with one record; `label` is the column/key it is about (absent: the record as a whole). */
export interface RecordProblem {
  label?: string;
  message: string;
}

interface Entry {
  label: string;
  field: Field;
  raw: unknown;
}

type FieldParse = (s: string) => { value: string | number } | { error: string };

const plain: FieldParse = (s) => ({ value: s });
const FIELD_PARSERS: Record<Field, FieldParse> = {
  searchKey: plain,
  name: plain,
  vendor: plain,
  model: plain,
  firmware: plain,
  owner: plain,
  otTeam: plain,
  site: plain,
  zone: plain,
  productionLine: plain,
  type: (s) => ({ value: normalizeAssetType(s) }),
  ip: (s) => {
    const ip = normalizeIp(s);
    return ip ? { value: ip } : { error: `"${s}" is not an IP address` };
  },
  mac: (s) => {
    const mac = normalizeMac(s);
    return mac ? { value: mac } : { error: `"${s}" is not a MAC address` };
  },
  purdueLevel: (s) => {
    const n = parsePurdueLevel(s);
    return n !== undefined
      ? { value: n }
      : { error: `"${s}" is not a Purdue level (0–5: "Level 1", "L1" or "1")` };
  },
  criticality: (s) => {
    const c = parseCriticality(s);
    return c ? { value: c } : { error: `"${s}" is not a criticality (Low, Medium, High or Critical)` };
  },
};

function textOf(raw: unknown): string | undefined {
  if (typeof raw === 'string') return raw.trim();
  if (typeof raw === 'number' && Number.isFinite(raw)) return String(raw);
  return undefined;
}

/** A watchlist SearchKey is the row's key column: use it as IP, MAC or name when that column is missing. */
function applySearchKey(asset: Asset, key: string | undefined): void {
  if (!key || asset.ip || asset.mac || asset.name) return;
  const ip = normalizeIp(key);
  const mac = ip ? undefined : normalizeMac(key);
  if (ip) asset.ip = ip;
  else if (mac) asset.mac = mac;
  else asset.name = key;
}

/** One record (a CSV row or JSON object, already mapped to fields) → an Asset, or the problems with it. */
function toAsset(entries: readonly Entry[]): { asset: Asset; problems: RecordProblem[] } {
  const asset: Record<string, string | number> = {};
  const problems: RecordProblem[] = [];
  for (const { label, field, raw } of entries) {
    if (raw === undefined || raw === null) continue;
    const text = textOf(raw);
    if (text === undefined) {
      problems.push({ label, message: `expected text, got ${Array.isArray(raw) ? 'an array' : typeof raw}` });
      continue;
    }
    if (!text) continue;
    const r = FIELD_PARSERS[field](text);
    if ('error' in r) problems.push({ label, message: r.error });
    else if (asset[field] === undefined) asset[field] = r.value;
  }
  const { searchKey, ...rest } = asset;
  const out = rest as Asset;
  applySearchKey(out, searchKey as string | undefined);
  if (!out.ip && !out.mac && !out.name && !problems.length) {
    problems.push({
      message: 'no IPAddress, MACAddress, AssetName or SearchKey: the device cannot be matched',
    });
  }
  return { asset: out, problems };
}

/** JSON object → entries; unknown keys are ignored (exports carry extra columns), or reported when `strict`. */
function objectEntries(o: Record<string, unknown>, strict: boolean): { entries: Entry[]; unknown: string[] } {
  const entries: Entry[] = [];
  const unknown: string[] = [];
  for (const [label, raw] of Object.entries(o)) {
    const field = fieldOf(label);
    if (field) entries.push({ label, field, raw });
    else if (strict) unknown.push(label);
  }
  return { entries, unknown };
}

// ---------------------------------------------------------------------------------------------------------------
// Errors

const MAX_LISTED = 25;

/** An inventory that cannot be used; `problems` name the file and line (or device index) of each. */
export class InventoryError extends Error {
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    const listed = problems.slice(0, MAX_LISTED);
    const more = problems.length > MAX_LISTED ? [`… and ${problems.length - MAX_LISTED} more`] : [];
    super(`invalid inventory ${source}:\n${[...listed, ...more].map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'InventoryError';
  }
}

/** Same IP or MAC twice at the same site (or both without a site) is a data error; the same name is not (NICs). */
function duplicateProblems(
  assets: readonly Asset[],
  labels: readonly string[],
): { index: number; message: string }[] {
  const seen = new Map<string, number>();
  const out: { index: number; message: string }[] = [];
  assets.forEach((a, i) => {
    for (const [kind, value] of [
      ['IP', a.ip],
      ['MAC', a.mac],
    ] as const) {
      if (!value) continue;
      const key = `${kind}|${value}|${a.site?.toLowerCase() ?? ''}`;
      const first = seen.get(key);
      if (first === undefined) seen.set(key, i);
      else {
        const where = a.site ? ` at site ${a.site}` : '';
        out.push({ index: i, message: `${kind} ${value}${where} is already on ${labels[first]}` });
      }
    }
  });
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// CSV (RFC 4180)

export interface CsvRecord {
  /** 1-based line the record starts on (a quoted field may span lines). */
  line: number;
  fields: string[];
}

/**
 * A small RFC 4180 reader: comma-separated, fields optionally in double quotes, `""` is a quote inside a quoted
 * field, quoted fields may hold commas and line breaks, CRLF or LF line ends, a UTF-8 BOM is skipped, blank lines are
 * ignored. A quote inside an unquoted field is kept as text (spreadsheets write `12" panel`); text after a closing
 * quote and an unclosed quote are errors. Written here rather than adding a dependency: it is 50 lines.
 */
export function readCsv(text: string, source = 'CSV'): CsvRecord[] {
  const out: CsvRecord[] = [];
  const n = text.length;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  const fail = (at: number, message: string): never => {
    throw new InventoryError(source, [`${source}:${at}: ${message}`]);
  };
  while (i < n) {
    const start = line;
    const fields: string[] = [];
    for (;;) {
      let value = '';
      if (text[i] === '"') {
        i++;
        for (;;) {
          if (i >= n) fail(start, 'quoted field is not closed (missing ")');
          const c = text[i]!;
          if (c === '"') {
            if (text[i + 1] !== '"') break;
            value += '"';
            i += 2;
            continue;
          }
          if (c === '\n') line++;
          value += c;
          i++;
        }
        i++;
        const after = text[i];
        if (i < n && after !== ',' && after !== '\n' && after !== '\r') {
          fail(line, 'text after a closing quote (a quote inside a quoted field is written "")');
        }
      } else {
        const from = i;
        while (i < n && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') i++;
        value = text.slice(from, i);
      }
      fields.push(value);
      if (text[i] !== ',') break;
      i++;
    }
    if (text[i] === '\r') i++;
    if (text[i] === '\n') i++;
    line++;
    if (fields.length > 1 || fields[0]!.trim() !== '') out.push({ line: start, fields });
  }
  return out;
}

/** Inventory CSV (header row + one device per row) → assets. Collects every bad row before failing. */
export function parseInventoryCsv(text: string, source = 'inventory.csv'): Asset[] {
  const [header, ...rows] = readCsv(text, source);
  if (!header)
    throw new InventoryError(source, [`${source}: empty file (expected a header row: ${KNOWN_HEADERS})`]);
  const problems: string[] = [];
  const columns = header.fields.map((h) => ({ label: h.trim(), field: fieldOf(h) }));
  const taken = new Map<Field, string>();
  for (const c of columns) {
    if (!c.field) continue;
    const other = taken.get(c.field);
    if (other)
      problems.push(`${source}:${header.line}: columns "${other}" and "${c.label}" mean the same field`);
    else taken.set(c.field, c.label);
  }
  if (!['ip', 'mac', 'name', 'searchKey'].some((f) => taken.has(f as Field))) {
    problems.push(
      `${source}:${header.line}: no column to match devices by (expected IPAddress, MACAddress, AssetName or SearchKey)`,
    );
  }
  if (problems.length) throw new InventoryError(source, problems);

  const assets: Asset[] = [];
  const labels: string[] = [];
  const lines: number[] = [];
  for (const row of rows) {
    if (row.fields.length !== columns.length) {
      problems.push(`${source}:${row.line}: ${row.fields.length} fields, the header has ${columns.length}`);
      continue;
    }
    const entries: Entry[] = [];
    columns.forEach((c, i) => {
      if (c.field) entries.push({ label: c.label, field: c.field, raw: row.fields[i] });
    });
    const r = toAsset(entries);
    for (const p of r.problems)
      problems.push(`${source}:${row.line}: ${p.label ? `${p.label}: ` : ''}${p.message}`);
    if (r.problems.length) continue;
    assets.push(r.asset);
    labels.push(`line ${row.line}`);
    lines.push(row.line);
  }
  for (const d of duplicateProblems(assets, labels))
    problems.push(`${source}:${lines[d.index]}: ${d.message}`);
  if (problems.length) throw new InventoryError(source, problems);
  return assets;
}

/** Inventory JSON: an array of device objects, or `{"devices"|"assets"|"value": [...]}`. Unknown keys are ignored. */
export function parseInventoryJson(text: string, source = 'inventory.json'): Asset[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new InventoryError(source, [`${source}: not valid JSON: ${(e as Error).message}`]);
  }
  const list = Array.isArray(value) ? value : listIn(value);
  if (!list)
    throw new InventoryError(source, [`${source}: expected an array of devices or {"devices": [...]}`]);
  const problems: string[] = [];
  const assets: Asset[] = [];
  const labels: string[] = [];
  list.forEach((item, i) => {
    const where = `${source}[${i}]`;
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      problems.push(`${where}: expected an object`);
      return;
    }
    const r = toAsset(objectEntries(item as Record<string, unknown>, false).entries);
    for (const p of r.problems) problems.push(`${where}: ${p.label ? `${p.label}: ` : ''}${p.message}`);
    if (r.problems.length) return;
    assets.push(r.asset);
    labels.push(`[${i}]`);
  });
  for (const d of duplicateProblems(assets, labels))
    problems.push(`${source}${labels[d.index]}: ${d.message}`);
  if (problems.length) throw new InventoryError(source, problems);
  return assets;
}

function listIn(v: unknown): unknown[] | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const o = v as Record<string, unknown>;
  const list = o.devices ?? o.assets ?? o.value;
  return Array.isArray(list) ? list : undefined;
}

/** By extension (.json, else CSV); a file without one is JSON when it starts with `[` or `{`. */
export function parseInventory(text: string, source: string): Asset[] {
  const ext = extname(source).toLowerCase();
  const json = ext === '.json' || (ext !== '.csv' && /^\uFEFF?\s*[[{]/.test(text));
  return json ? parseInventoryJson(text, source) : parseInventoryCsv(text, source);
}

/** Reads and parses an inventory file once at start. */
export async function loadInventoryFile(path: string): Promise<Asset[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new InventoryError(path, [
      `${path}: cannot read the file: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    ]);
  }
  return parseInventory(text, path);
}

// ---------------------------------------------------------------------------------------------------------------
// Config: `enrichment.inventory`

/** One inline device: the same keys as the CSV columns (any case), unknown keys rejected; parsed to an Asset. */
const inlineDeviceSchema = z.record(z.string(), z.unknown()).transform((o, ctx): Asset => {
  const { entries, unknown } = objectEntries(o, true);
  for (const key of unknown) {
    ctx.addIssue({ code: 'custom', path: [key], message: `unknown device field (known: ${KNOWN_HEADERS})` });
  }
  const r = toAsset(entries);
  for (const p of r.problems)
    ctx.addIssue({ code: 'custom', path: p.label ? [p.label] : [], message: p.message });
  return unknown.length || r.problems.length ? z.NEVER : r.asset;
});

/**
 * `{"file": "inventory.csv", "devices": [{"IPAddress": "10.0.0.1", "AssetType": "PLC", ...}]}`. A relative `file` is
 * read relative to the configuration file (see loadEnrichment); inline devices take precedence over the file's.
 */
export const inventoryConfigSchema = z
  .object({
    file: z.string().trim().min(1).optional(),
    devices: z
      .array(inlineDeviceSchema)
      .superRefine((assets, ctx) => {
        const labels = assets.map((_, i) => `device ${i}`);
        for (const d of duplicateProblems(assets, labels))
          ctx.addIssue({ code: 'custom', path: [d.index], message: d.message });
      })
      .optional(),
  })
  .strict();
export type InventoryConfig = z.output<typeof inventoryConfigSchema>;

// ---------------------------------------------------------------------------------------------------------------
// SecurityAlert entities (fallback)

/** An IoTDevice entity → Asset, leniently: a value that does not normalize is dropped, not an error. */
export function entityAsset(e: EntityAsset): Asset {
  const a: Asset = {};
  if (e.name) a.name = e.name;
  const ip = e.ip ? normalizeIp(e.ip) : undefined;
  if (ip) a.ip = ip;
  const mac = e.mac ? normalizeMac(e.mac) : undefined;
  if (mac) a.mac = mac;
  if (e.type) a.type = normalizeAssetType(e.type);
  if (e.vendor) a.vendor = e.vendor;
  if (e.model) a.model = e.model;
  if (e.firmware) a.firmware = e.firmware;
  const level = e.purdueLevel ? parsePurdueLevel(e.purdueLevel) : undefined;
  if (level !== undefined) a.purdueLevel = level;
  const criticality = e.importance ? parseCriticality(e.importance) : undefined;
  if (criticality) a.criticality = criticality;
  if (e.owners?.length) a.owner = e.owners.join(', ');
  if (e.site) a.site = e.site;
  if (e.zone) a.zone = e.zone;
  return a;
}

/** The entity describing a device of the alert: same IP, else same MAC, else same name. */
export function findEntity(entities: readonly EntityAsset[], d: Device): EntityAsset | undefined {
  if (d.ip) for (const e of entities) if (e.ip === d.ip) return e;
  const mac = d.mac ? normalizeMac(d.mac) : undefined;
  if (mac) for (const e of entities) if (e.mac && normalizeMac(e.mac) === mac) return e;
  const name = d.name?.toLowerCase();
  if (name) for (const e of entities) if (e.name?.toLowerCase() === name) return e;
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Index and lookup

interface Indexed {
  asset: Asset;
  /** Lower-cased site, for telling apart devices with the same address at two plants. */
  site: string | undefined;
}

export interface AssetIndex {
  readonly size: number;
  /**
   * The inventory asset for a device: by IP, then MAC, then name (case-insensitive). `siteKey` (lower case) picks
   * among devices sharing an address at different sites; an asset of another site never matches.
   */
  find(d: Device, siteKey: string | undefined): Asset | undefined;
}

function add(map: Map<string, Indexed[]>, key: string, e: Indexed): void {
  const list = map.get(key);
  if (!list) {
    map.set(key, [e]);
    return;
  }
  // A later source (inline config after the file) replaces the same device at the same site.
  const same = list.findIndex((x) => x.site === e.site);
  if (same >= 0) list[same] = e;
  else list.push(e);
}

function pick(list: readonly Indexed[] | undefined, siteKey: string | undefined): Asset | undefined {
  if (!list) return undefined;
  let loose: Asset | undefined;
  for (const e of list) {
    if (siteKey !== undefined && e.site === siteKey) return e.asset;
    // Without an alert site the first device wins (file order); a site-less device matches any site.
    if (siteKey === undefined || e.site === undefined) loose ??= e.asset;
  }
  return loose;
}

/** Builds the IP/MAC/name maps once; later assets replace earlier ones with the same key and site. */
export function buildAssetIndex(assets: readonly Asset[]): AssetIndex {
  const byIp = new Map<string, Indexed[]>();
  const byMac = new Map<string, Indexed[]>();
  const byName = new Map<string, Indexed[]>();
  for (const asset of assets) {
    const e: Indexed = { asset, site: asset.site?.toLowerCase() };
    if (asset.ip) add(byIp, asset.ip, e);
    if (asset.mac) add(byMac, asset.mac, e);
    if (asset.name) add(byName, asset.name.toLowerCase(), e);
  }
  return {
    size: assets.length,
    find(d, siteKey) {
      if (!assets.length) return undefined;
      const byAddress = d.ip ? pick(byIp.get(d.ip), siteKey) : undefined;
      if (byAddress) return byAddress;
      const mac = d.mac ? normalizeMac(d.mac) : undefined;
      const byMacAddress = mac ? pick(byMac.get(mac), siteKey) : undefined;
      if (byMacAddress) return byMacAddress;
      return d.name ? pick(byName.get(d.name.toLowerCase()), siteKey) : undefined;
    },
  };
}

/**
 * The asset behind one device of an alert: the inventory entry, with the alert's own entity (SecurityAlert rows)
 * filling the fields the inventory leaves empty; the entity alone when the inventory does not know the device.
 */
export function resolveAsset(
  index: AssetIndex,
  d: Device,
  siteKey: string | undefined,
  entities: readonly EntityAsset[] | undefined,
): Asset | undefined {
  const known = index.find(d, siteKey);
  const entity = entities?.length ? findEntity(entities, d) : undefined;
  if (!entity) return known;
  if (!known) return entityAsset(entity);
  return lacksEntityFields(known, entity) ? { ...entityAsset(entity), ...known } : known;
}

/** True when the entity knows something the inventory entry does not (rare: merging allocates, so check first). */
function lacksEntityFields(a: Asset, e: EntityAsset): boolean {
  return (
    (!a.type && !!e.type) ||
    (!a.vendor && !!e.vendor) ||
    (!a.model && !!e.model) ||
    (!a.firmware && !!e.firmware) ||
    (a.purdueLevel === undefined && !!e.purdueLevel) ||
    (!a.criticality && !!e.importance) ||
    (!a.owner && !!e.owners?.length) ||
    (!a.site && !!e.site) ||
    (!a.zone && !!e.zone) ||
    (!a.name && !!e.name) ||
    (!a.ip && !!e.ip) ||
    (!a.mac && !!e.mac)
  );
}

export function isController(a: Asset | undefined): boolean {
  return a?.type !== undefined && CONTROLLER_TYPES.has(a.type);
}

/**
 * The asset an alert is about: the destination when it is a controller (the attack's target, closest to the
 * process), else the source (the actor on the network), else whatever is known of the destination.
 */
export function primaryAsset(source: Asset | undefined, destination: Asset | undefined): Asset | undefined {
  if (isController(destination)) return destination;
  return source ?? destination;
}
