/**
 * Records (CSV rows, JSON objects, inline config) → Asset, with the problems of each record and the error that
 * lists them.
 */
import {
  type Asset,
  normalizeAssetType,
  normalizeIp,
  normalizeMac,
  parseCriticality,
  parsePurdueLevel,
  squash,
} from './assetValues.js';

// ---------------------------------------------------------------------------------------------------------------
// Records (CSV rows, JSON objects, inline config) → Asset

export type Field = keyof Asset | 'searchKey';

/** Header/key spellings per field, compared squashed: "IPAddress", "ip_address", "IP" all mean `ip`. */
export const FIELD_SPELLINGS: Record<Field, readonly string[]> = {
  searchKey: ['searchkey'],
  // "IPv4 Address": Defender for IoT's device inventory export (Azure portal); its "IPv6 Address" column is left out.
  // "ipAddresses"/"macAddresses": the on-premises management console's device list (`/external/v1/devices`).
  ip: ['ip', 'ipaddress', 'ipaddr', 'ipv4', 'ipv4address', 'address', 'ipaddresses'],
  mac: ['mac', 'macaddress', 'macaddr', 'macaddresses'],
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
  sensor: ['sensor', 'sensorname'],
};
export const fieldBySpelling = new Map<string, Field>();
for (const [field, spellings] of Object.entries(FIELD_SPELLINGS) as [Field, readonly string[]][]) {
  for (const s of spellings) fieldBySpelling.set(s, field);
}

/** The field a column header or JSON key stands for (case, spaces, `_`/`-` ignored), or undefined. */
export function fieldOf(header: string): Field | undefined {
  return fieldBySpelling.get(squash(header));
}

export const KNOWN_HEADERS =
  'SearchKey, IPAddress, MACAddress, AssetName, AssetType, Vendor, Model, Firmware, PurdueLevel, Criticality, Owner, ' +
  'OTTeam, Site, Zone, ProductionLine, Sensor';

/** A problem with one record; `label` is the column/key it is about (absent: the record as a whole). */
export interface RecordProblem {
  label?: string;
  message: string;
}

export interface Entry {
  label: string;
  field: Field;
  raw: unknown;
}

export type FieldParse = (s: string) => { value: string | number } | { error: string };

export const plain: FieldParse = (s) => ({ value: s });
export const FIELD_PARSERS: Record<Field, FieldParse> = {
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
  sensor: plain,
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

export function textOf(raw: unknown): string | undefined {
  if (typeof raw === 'string') return raw.trim();
  if (typeof raw === 'number' && Number.isFinite(raw)) return String(raw);
  return undefined;
}

/** Fields a device may have several of (one NIC each): a list in one cell, or a JSON array. */
const MULTI: ReadonlySet<Field> = new Set(['ip', 'mac']);

/** Defender for IoT writes `N/A` where it knows no value (the console's firmware modules, syslog MACs). */
const isUnknown = (s: string) => s === '' || s.toUpperCase() === 'N/A';

/**
 * The texts of one raw value: several addresses of a device with more than one NIC ("10.0.0.1, 10.0.1.1" in an
 * export's cell, `ipAddresses` arrays), the first firmware module's version or model of the management console's
 * `firmware` array, else the one text. Undefined when the value is no text (the problem to report).
 */
function textsOf(field: Field, raw: unknown): string[] | undefined {
  if (Array.isArray(raw)) {
    if (MULTI.has(field)) {
      const texts = raw.map(textOf);
      return texts.every((t) => t !== undefined) ? texts.filter((t) => !isUnknown(t)) : undefined;
    }
    if (field === 'firmware' || field === 'model') return moduleValue(raw, field);
    return undefined;
  }
  const text = textOf(raw);
  if (text === undefined) return undefined;
  if (MULTI.has(field)) return text.split(/[\s,;]+/).filter((t) => !isUnknown(t));
  return isUnknown(text) ? [] : [text];
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** `firmware: [{firmwareVersion, model, …}]` (management console): the first module's known value. */
function moduleValue(modules: readonly unknown[], field: 'firmware' | 'model'): string[] | undefined {
  if (!modules.every(isRecord)) return undefined;
  const key = field === 'firmware' ? 'firmwareVersion' : 'model';
  for (const m of modules) {
    const text = textOf(m[key]);
    if (text !== undefined && !isUnknown(text)) return [text];
  }
  return [];
}

/** A watchlist SearchKey is the row's key column: use it as IP, MAC or name when that column is missing. */
export function applySearchKey(asset: Asset, key: string | undefined): void {
  if (!key || asset.ip || asset.mac || asset.name) return;
  const ip = normalizeIp(key);
  const mac = ip ? undefined : normalizeMac(key);
  if (ip) asset.ip = ip;
  else if (mac) asset.mac = mac;
  else asset.name = key;
}

/**
 * One record (a CSV row or JSON object, already mapped to fields) → its assets, or the problems with it: one asset,
 * or one per address of a device with several (each with the same fields: an alert names one of them), the first
 * IP with the first MAC, and so on.
 */
export function toAssets(entries: readonly Entry[]): { assets: Asset[]; problems: RecordProblem[] } {
  const asset: Record<string, string | number> = {};
  const more: Partial<Record<Field, (string | number)[]>> = {};
  const problems: RecordProblem[] = [];
  for (const { label, field, raw } of entries) {
    if (raw === undefined || raw === null) continue;
    const texts = textsOf(field, raw);
    if (texts === undefined) {
      problems.push({ label, message: `expected text, got ${Array.isArray(raw) ? 'an array' : typeof raw}` });
      continue;
    }
    const values: (string | number)[] = [];
    for (const text of texts) {
      const r = FIELD_PARSERS[field](text);
      if ('error' in r) problems.push({ label, message: r.error });
      else values.push(r.value);
    }
    if (!values.length || asset[field] !== undefined) continue;
    asset[field] = values[0]!;
    if (values.length > 1) more[field] = values.slice(1);
  }
  const { searchKey, ...rest } = asset;
  const out = rest as Asset;
  applySearchKey(out, searchKey as string | undefined);
  if (!out.ip && !out.mac && !out.name && !problems.length) {
    problems.push({
      message: 'no IPAddress, MACAddress, AssetName or SearchKey: the device cannot be matched',
    });
  }
  const extra = Math.max(more.ip?.length ?? 0, more.mac?.length ?? 0);
  const assets = [out];
  for (let i = 0; i < extra; i++) {
    const nic: Asset = { ...out };
    delete nic.ip;
    delete nic.mac;
    if (more.ip?.[i] !== undefined) nic.ip = String(more.ip[i]);
    if (more.mac?.[i] !== undefined) nic.mac = String(more.mac[i]);
    assets.push(nic);
  }
  return { assets, problems };
}

/** JSON object → entries; unknown keys are ignored (exports carry extra columns), or reported when `strict`. */
export function objectEntries(
  o: Record<string, unknown>,
  strict: boolean,
): { entries: Entry[]; unknown: string[] } {
  const entries: Entry[] = [];
  const unknown: string[] = [];
  const modules: Entry[] = [];
  for (const [label, raw] of Object.entries(o)) {
    const field = fieldOf(label);
    if (field) entries.push({ label, field, raw });
    else if (strict) unknown.push(label);
    // the console's firmware modules name the model too: after the record's own model, which wins
    if (field === 'firmware' && Array.isArray(raw) && raw.every(isRecord))
      modules.push({ label, field: 'model', raw });
  }
  return { entries: [...entries, ...modules], unknown };
}

// ---------------------------------------------------------------------------------------------------------------
// Errors

export const MAX_LISTED = 25;

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
export function duplicateProblems(
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
