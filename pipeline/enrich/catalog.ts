/**
 * Defender for IoT alert title → ATT&CK for ICS tactics/techniques, over the generated catalog
 * (catalog.generated.ts). Indexes are built once at module load; a lookup is a normalization plus a few Map hits.
 *
 * Precedence in {@link mapAttack}: custom config mapping (exact normalized title) > catalog (tolerant title match) >
 * tactics/techniques the vendor stated on the alert > Unmapped.
 */
import type { Engine, Severity } from '../model/alert.js';
import { groupBy } from '../util/groupBy.js';
import { memoize } from '../util/memoize.js';
import { canonicalCategory } from './alertGroups.js';
import {
  type IcsTechniqueId,
  parseTechniqueId,
  type SentinelIcsTactic,
  sentinelTactic,
  sortSentinelTactics,
  tacticsOfTechnique,
  technique,
} from './attack.js';
import { D4IOT_CATALOG, type D4IoTCatalogEntry } from './catalog.generated.js';
import type { AttackSource } from './enriched.js';

export { D4IOT_CATALOG, type D4IoTCatalogEntry };

// ---------------------------------------------------------------------------------------------------------------
// Title normalization and lookup

const APOSTROPHES = /[\u2018\u2019\u201A\u201B\u2032\u00B4`]/g;
const QUOTES = /[\u201C\u201D\u201E\u201F\u2033]/g;
const DASHES = /[\u2010-\u2015\u2212\uFE58\uFE63\uFF0D]/g;
const INVISIBLES = /[\u200B-\u200D\u2060\uFEFF]/g;
const SPACES = /\s+/g;
const OPEN_PAREN = /\s*\(\s*/g;
const CLOSE_PAREN = /\s*\)/g;
const SPACED_DASH = /\s+-\s*|\s*-\s+/g;
const EDGE_JUNK = /^[\s'"]+|[\s.,;:!?'"-]+$/g;

/**
 * Canonical form of an alert title for matching: Unicode-compatible form, lower case, typographic quotes and dashes
 * made ASCII, whitespace collapsed, " - " and " (" spaced consistently, surrounding quotes and trailing punctuation
 * removed. "  Suspicion of  Malicious Activity(Havex). " → "suspicion of malicious activity (havex)".
 */
export const normalizeTitle: (title: string) => string = memoize((title) =>
  title
    .normalize('NFKC')
    .replace(INVISIBLES, '')
    .replace(APOSTROPHES, "'")
    .replace(QUOTES, '"')
    .replace(DASHES, '-')
    .toLowerCase()
    .replace(SPACES, ' ')
    .replace(OPEN_PAREN, ' (')
    .replace(CLOSE_PAREN, ')')
    .replace(SPACED_DASH, ' - ')
    .replace(EDGE_JUNK, ''),
);

/**
 * Drops the right-most detail suffix of a normalized title: a trailing "(…)" group, or the text after the last
 * " - " or ": ". Undefined when there is nothing to drop.
 */
function dropSuffix(n: string): string | undefined {
  let cut = -1;
  if (n.endsWith(')')) {
    let depth = 0;
    for (let i = n.length - 1; i >= 0; i--) {
      const c = n[i];
      if (c === ')') depth++;
      else if (c === '(' && --depth === 0) {
        cut = i;
        break;
      }
    }
  }
  cut = Math.max(cut, n.lastIndexOf(' - '), n.lastIndexOf(': '));
  if (cut <= 0) return undefined;
  const base = n.slice(0, cut).replace(EDGE_JUNK, '');
  return base && base !== n ? base : undefined;
}

/** At most this many suffixes are dropped ("Title (Family) - detail: more"). */
const MAX_SUFFIX_DROPS = 4;

const catalogByTitle = new Map<string, D4IoTCatalogEntry>();
for (const entry of D4IOT_CATALOG) {
  const key = normalizeTitle(entry.title);
  if (!catalogByTitle.has(key)) catalogByTitle.set(key, entry);
}

/** Number of distinct normalized catalog titles (equals the catalog size when normalization causes no collision). */
export const CATALOG_INDEX_SIZE = catalogByTitle.size;

function catalogLookupNormalized(n: string): { entry: D4IoTCatalogEntry; exact: boolean } | undefined {
  const exact = catalogByTitle.get(n);
  if (exact) return { entry: exact, exact: true };
  let cur: string | undefined = n;
  for (let i = 0; i < MAX_SUFFIX_DROPS; i++) {
    cur = dropSuffix(cur);
    if (!cur) return undefined;
    const entry = catalogByTitle.get(cur);
    if (entry) return { entry, exact: false };
  }
  return undefined;
}

export type TitleMatch =
  | {
      source: 'Config';
      /** The custom mapping's key as configured. */
      key: string;
      mapping: CompiledCustomMapping;
      /** The catalog entry for the same title, if any (engine, category, default severity). */
      entry?: D4IoTCatalogEntry;
    }
  | {
      source: 'Catalog';
      entry: D4IoTCatalogEntry;
      /** False when found only after dropping a "(…)"/" - …"/": …" suffix. */
      exact: boolean;
    };

/**
 * Finds the custom mapping (exact normalized title) or else the catalog entry for an alert title. Catalog matching
 * tolerates case, whitespace, trailing punctuation and detail suffixes: "Suspicion of Malicious Activity (Havex) -
 * 10.1.2.3" → the Havex entry; "Suspicion of Malicious Activity (Industroyer)" → "Suspicion of Malicious Activity".
 */
export function lookupTitle(title: string, custom?: CustomMappingsInput): TitleMatch | undefined {
  const { config, catalog } = find(normalizeTitle(title), custom);
  if (config) {
    return {
      source: 'Config',
      key: config.key,
      mapping: config.mapping,
      ...(catalog ? { entry: catalog.entry } : {}),
    };
  }
  return catalog ? { source: 'Catalog', entry: catalog.entry, exact: catalog.exact } : undefined;
}

function find(
  n: string,
  custom: CustomMappingsInput | undefined,
): {
  config?: CompiledEntry | undefined;
  catalog?: { entry: D4IoTCatalogEntry; exact: boolean } | undefined;
} {
  return { config: custom ? compileCustom(custom).get(n) : undefined, catalog: catalogLookupNormalized(n) };
}

// ---------------------------------------------------------------------------------------------------------------
// Custom mappings (config)

/** Parsed config (customMappingSchema.ts) or the same shape with unvalidated spellings; unknown entries are ignored. */
export type CustomMappingsInput = Readonly<
  Record<string, { readonly tactics?: readonly string[] | undefined; readonly techniques: readonly string[] }>
>;

export interface CompiledCustomMapping {
  readonly tactics?: readonly SentinelIcsTactic[];
  readonly techniques: readonly string[];
}

interface CompiledEntry {
  key: string;
  mapping: CompiledCustomMapping;
  result: Frozen;
}

const compiledCustom = new WeakMap<object, Map<string, CompiledEntry>>();

/** Normalized title → mapping, built once per config object (cached while the object lives). */
function compileCustom(custom: CustomMappingsInput): Map<string, CompiledEntry> {
  let index = compiledCustom.get(custom);
  if (index) return index;
  index = new Map();
  for (const [key, value] of Object.entries(custom)) {
    const n = normalizeTitle(key);
    if (index.has(n)) continue;
    const mapping: CompiledCustomMapping = {
      ...(value.tactics ? { tactics: resolveTactics(value.tactics) } : {}),
      techniques: resolveTechniques(value.techniques),
    };
    index.set(n, { key, mapping, result: build(mapping.tactics ?? [], mapping.techniques) });
  }
  compiledCustom.set(custom, index);
  return index;
}

// ---------------------------------------------------------------------------------------------------------------
// Mapping

export interface AttackMapping {
  /** Sentinel AttackTactic values, unique, in ICS matrix order. */
  tactics: SentinelIcsTactic[];
  /** ATT&CK for ICS ids that exist in the bundle, unique, sorted. */
  techniques: IcsTechniqueId[];
  /** Names of `techniques`, same order. */
  techniqueNames: string[];
  source: AttackSource;
  /** From the catalog entry for the title, when there is one. */
  engine?: Engine;
  category?: string;
  defaultSeverity?: Severity;
  /** Members of `techniques` that are deprecated or revoked in the bundle. */
  deprecated: IcsTechniqueId[];
}

export interface AttackMappingInput {
  title: string;
  /** The category (alert group) the record names, in any documented spelling. */
  category?: string | undefined;
  vendorTactics?: readonly string[] | undefined;
  vendorTechniques?: readonly string[] | undefined;
}

interface Frozen {
  readonly tactics: readonly SentinelIcsTactic[];
  readonly techniques: readonly IcsTechniqueId[];
  readonly techniqueNames: readonly string[];
  readonly deprecated: readonly IcsTechniqueId[];
}

const LIST_SEPARATORS = /[,;|]/;

function resolveTactics(values: Iterable<string>): SentinelIcsTactic[] {
  const out: SentinelIcsTactic[] = [];
  for (const v of values) {
    for (const part of v.split(LIST_SEPARATORS)) {
      const t = part.trim() ? sentinelTactic(part) : undefined;
      if (t) out.push(t);
    }
  }
  return out;
}

function resolveTechniques(values: Iterable<string>): IcsTechniqueId[] {
  const out: IcsTechniqueId[] = [];
  for (const v of values) {
    for (const part of v.split(LIST_SEPARATORS)) {
      const id = parseTechniqueId(part);
      const t = id ? technique(id) : undefined;
      if (t) out.push(t.id);
    }
  }
  return out;
}

/**
 * Unique sorted techniques (bundle ids only); tactics = the given ones plus, for every active technique none of whose
 * tactics is present, that technique's tactics from the bundle. Deprecated/revoked techniques add no tactics.
 */
function build(tactics: Iterable<SentinelIcsTactic>, techniqueIds: Iterable<string>): Frozen {
  const ids = [...new Set(resolveTechniques(techniqueIds))].sort();
  const set = new Set(tactics);
  const deprecated: IcsTechniqueId[] = [];
  const names: string[] = [];
  for (const id of ids) {
    const t = technique(id)!;
    names.push(t.name);
    if (t.deprecated || t.revoked) {
      deprecated.push(t.id);
      continue;
    }
    const own = tacticsOfTechnique(id);
    if (!own.some((x) => set.has(x))) for (const x of own) set.add(x);
  }
  return Object.freeze({
    tactics: Object.freeze(sortSentinelTactics(set)),
    techniques: Object.freeze(ids),
    techniqueNames: Object.freeze(names),
    deprecated: Object.freeze(deprecated),
  });
}

const catalogResult = new Map<D4IoTCatalogEntry, Frozen>(
  D4IOT_CATALOG.map((e) => [e, build(e.tactics, e.techniques)]),
);

/**
 * What every catalogued alert of a category has in common: the techniques and the tactics all of them map to (in
 * categories of two or more entries; one entry says nothing about the others). This is the mapping of a title the
 * catalog does not know in a known category: a custom sensor rule or a newer sensor's title filed under "Firmware
 * Change" is a System Firmware (T0857) change whatever its wording; under "Restart/Stop Commands" it inhibits
 * response, though the category's alerts share no technique. Derived from the catalog, so it moves with it.
 */
const categoryResult = new Map<string, Frozen>();
{
  const common = <T>(lists: readonly (readonly T[])[]): T[] =>
    lists.reduce<T[]>((acc, l) => acc.filter((x) => l.includes(x)), [...(lists[0] ?? [])]);
  for (const [category, entries] of groupBy(D4IOT_CATALOG, (e) => e.category)) {
    if (!category || entries.length < 2) continue;
    const tactics = common(entries.map((e) => e.tactics));
    const techniques = common(entries.map((e) => e.techniques));
    if (tactics.length || techniques.length) categoryResult.set(category, build(tactics, techniques));
  }
}

const UNMAPPED: Frozen = build([], []);

function result(frozen: Frozen, source: AttackSource, entry: D4IoTCatalogEntry | undefined): AttackMapping {
  return {
    tactics: [...frozen.tactics],
    techniques: [...frozen.techniques],
    techniqueNames: [...frozen.techniqueNames],
    source,
    ...(entry
      ? {
          engine: entry.engine,
          ...(entry.category ? { category: entry.category } : {}),
          defaultSeverity: entry.severity,
        }
      : {}),
    deprecated: [...frozen.deprecated],
  };
}

/**
 * ATT&CK for ICS tactics (Sentinel values) and techniques for an alert. Precedence: custom mapping for the exact
 * normalized title ('Config') > catalog entry, tolerant title match ('Catalog') > the tactics/techniques the vendor
 * stated ('Vendor'; spellings such as "Impair Process Control", "ImpairProcessControl", "Evasion", "T0843",
 * "T0843: Program Download"; ids not in the bundle are dropped) > what every catalogued alert of the record's
 * category shares ('Category', see categoryResult) > 'Unmapped' (empty arrays). For every source, an
 * active technique none of whose tactics is in the list adds its bundle tactics. Engine, category and default
 * severity come from the catalog entry whenever the title matches one. The custom-mapping index is built once per
 * config object (WeakMap); do not mutate the object after first use.
 */
export function mapAttack(alert: AttackMappingInput, custom?: CustomMappingsInput): AttackMapping {
  const { config, catalog } = find(normalizeTitle(alert.title), custom);
  if (config) return result(config.result, 'Config', catalog?.entry);
  if (catalog) return result(catalogResult.get(catalog.entry)!, 'Catalog', catalog.entry);

  if (alert.vendorTactics?.length || alert.vendorTechniques?.length) {
    const vendor = build(resolveTactics(alert.vendorTactics ?? []), alert.vendorTechniques ?? []);
    if (vendor.tactics.length || vendor.techniques.length) return result(vendor, 'Vendor', undefined);
  }
  const category = canonicalCategory(alert.category);
  const shared = category === undefined ? undefined : categoryResult.get(category);
  if (shared) return result(shared, 'Category', undefined);
  return result(UNMAPPED, 'Unmapped', undefined);
}
