/**
 * Generates the MITRE ATT&CK for ICS reference data and the Defender for IoT alert catalog into the repo, so the
 * product never reads `../shared` at run time.
 *
 *   npm run gen:attack -- [--bundle PATH] [--catalog PATH] [--license PATH] [--out DIR] [--check]
 *
 * Defaults (relative to the repo root): `--bundle ../shared/data/ics-attack.json`,
 * `--catalog ../shared/data/d4iot-alert-catalog.tsv`, `--license <bundle dir>/ics-attack-LICENSE.txt`,
 * `--out pipeline/enrich`. `--check` writes nothing and exits 1 when the committed files differ.
 *
 * Re-running on a newer bundle: catalog technique ids that the bundle no longer has fail the run (exit 1);
 * ids that are deprecated or revoked are reported; printed names that differ from the bundle are warned about.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { packageRoot } from '../analytics/content.js';
import { ENGINES, SEVERITIES } from '../pipeline/model/alert.js';

export const ATTACK_FILE = 'attack.generated.ts';
export const CATALOG_FILE = 'catalog.generated.ts';
export const LICENSE_FILE = 'ATTACK-ICS-LICENSE.txt';

const ICS_KILL_CHAIN = 'mitre-ics-attack';
const ID_SOURCES = new Set(['mitre-attack', 'mitre-ics-attack']);
const TECHNIQUE_ID = /^T\d{4}(?:\.\d{3})?$/;

export interface GenerateOptions {
  bundlePath: string;
  catalogPath: string;
  /** MITRE's LICENSE.txt; default `ics-attack-LICENSE.txt` next to the bundle. */
  licensePath?: string;
}

export interface GenerateResult {
  /** File name (inside the output dir) → exact contents. */
  files: Record<string, string>;
  /** Human-readable warnings (printed-name mismatches, deprecated ids, tactic disagreements). */
  warnings: string[];
  version: string;
  counts: {
    tactics: number;
    techniques: number;
    active: number;
    deprecated: number;
    revoked: number;
    alerts: number;
  };
  /** Catalog technique ids whose bundle object is deprecated or revoked, with the titles that use them. */
  deprecatedInCatalog: { id: string; name: string; titles: string[] }[];
  /** Catalog techniques whose printed name differs from the bundle's name for that id (the id is kept). */
  nameMismatches: {
    id: string;
    printed: string;
    bundleName: string;
    printedNameIsId?: string;
    titles: string[];
  }[];
}

interface Tactic {
  id: string;
  name: string;
  shortname: string;
  order: number;
  sentinel: string;
}

interface Technique {
  id: string;
  name: string;
  tactics: string[];
  deprecated: boolean;
  revoked: boolean;
  url: string;
}

interface CatalogRow {
  title: string;
  engine: string;
  severity: string;
  category?: string;
  tactics: string[];
  techniques: string[];
  threshold?: string;
  offByDefault?: true;
}

type StixObject = Record<string, unknown> & { type?: unknown; id?: unknown };

export class GenerateError extends Error {
  override name = 'GenerateError';
}

function fail(message: string): never {
  throw new GenerateError(message);
}

/** Code-unit order: deterministic regardless of locale/ICU. */
function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** evasion → DefenseEvasion (Sentinel has no Evasion value); every other shortname → PascalCase. */
export function sentinelNameForShortname(shortname: string): string {
  if (shortname === 'evasion') return 'DefenseEvasion';
  return shortname
    .split('-')
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');
}

function str(o: StixObject, key: string): string | undefined {
  const v = o[key];
  return typeof v === 'string' ? v : undefined;
}

function attackReference(o: StixObject): { id: string; url: string } | undefined {
  const refs = o.external_references;
  if (!Array.isArray(refs)) return undefined;
  for (const r of refs) {
    if (r && typeof r === 'object' && ID_SOURCES.has((r as StixObject).source_name as string)) {
      const id = str(r as StixObject, 'external_id');
      const url = str(r as StixObject, 'url');
      if (id) return { id, url: url ?? '' };
    }
  }
  return undefined;
}

interface ParsedBundle {
  version: string;
  bundleId: string;
  collectionModified?: string;
  copyright?: string;
  tactics: Tactic[];
  techniques: Technique[];
}

function parseBundle(text: string, bundlePath: string): ParsedBundle {
  let bundle: unknown;
  try {
    bundle = JSON.parse(text);
  } catch (e) {
    fail(`${bundlePath}: not valid JSON (${(e as Error).message})`);
  }
  const b = bundle as StixObject;
  if (b?.type !== 'bundle' || !Array.isArray(b.objects)) {
    fail(`${bundlePath}: not a STIX bundle (expected {"type":"bundle","objects":[...]})`);
  }
  const objects = (b.objects as unknown[]).filter((o): o is StixObject => !!o && typeof o === 'object');

  // Version: the x-mitre-collection's x_mitre_version is the ATT&CK release. The matrix's x_mitre_version is the
  // matrix object's own version (1.0), so it is not used; the file name (ics-attack-18.1.json) is the fallback.
  const collection = objects.find((o) => o.type === 'x-mitre-collection');
  const fromName = /(\d+\.\d+)\.json$/.exec(basename(bundlePath))?.[1];
  const version = (collection && str(collection, 'x_mitre_version')) ?? fromName;
  if (!version) {
    fail(
      `${bundlePath}: no ATT&CK version (no x-mitre-collection x_mitre_version and no version in the file name)`,
    );
  }

  const matrices = objects.filter((o) => o.type === 'x-mitre-matrix');
  const matrix =
    matrices.length === 1 ? matrices[0] : matrices.find((m) => attackReference(m)?.id === 'ics-attack');
  if (!matrix || !Array.isArray(matrix.tactic_refs)) {
    fail(`${bundlePath}: no ICS x-mitre-matrix with tactic_refs (found ${matrices.length} matrices)`);
  }
  const tacticObjects = new Map(objects.filter((o) => o.type === 'x-mitre-tactic').map((o) => [o.id, o]));
  const tactics: Tactic[] = (matrix.tactic_refs as unknown[]).map((ref, i) => {
    const o = tacticObjects.get(ref);
    if (!o) fail(`${bundlePath}: matrix tactic_ref ${String(ref)} has no x-mitre-tactic object`);
    const id = attackReference(o)?.id;
    const name = str(o, 'name');
    const shortname = str(o, 'x_mitre_shortname');
    if (!id || !name || !shortname)
      fail(`${bundlePath}: tactic ${String(ref)} lacks an id, name or shortname`);
    return { id, name, shortname, order: i + 1, sentinel: sentinelNameForShortname(shortname) };
  });
  const tacticByShort = new Map(tactics.map((t) => [t.shortname, t]));

  const techniques = new Map<string, Technique>();
  for (const o of objects) {
    if (o.type !== 'attack-pattern') continue;
    const ref = attackReference(o);
    if (!ref)
      fail(`${bundlePath}: attack-pattern ${String(o.id)} has no mitre-attack/mitre-ics-attack reference`);
    if (!TECHNIQUE_ID.test(ref.id))
      fail(`${bundlePath}: attack-pattern ${String(o.id)} has odd id ${ref.id}`);
    const phases = Array.isArray(o.kill_chain_phases) ? (o.kill_chain_phases as StixObject[]) : [];
    const shortnames = new Set<string>();
    for (const p of phases) {
      if (p?.kill_chain_name !== ICS_KILL_CHAIN || typeof p.phase_name !== 'string') continue;
      if (!tacticByShort.has(p.phase_name)) {
        fail(`${bundlePath}: technique ${ref.id} uses tactic "${p.phase_name}", which is not in the matrix`);
      }
      shortnames.add(p.phase_name);
    }
    const t: Technique = {
      id: ref.id,
      name: str(o, 'name') ?? fail(`${bundlePath}: technique ${ref.id} has no name`),
      tactics: [...shortnames].sort((a, b) => tacticByShort.get(a)!.order - tacticByShort.get(b)!.order),
      deprecated: o.x_mitre_deprecated === true,
      revoked: o.revoked === true,
      url: ref.url || `https://attack.mitre.org/techniques/${ref.id.replace('.', '/')}`,
    };
    if (techniques.has(t.id))
      fail(`${bundlePath}: technique id ${t.id} appears on two attack-pattern objects`);
    techniques.set(t.id, t);
  }
  if (techniques.size === 0) fail(`${bundlePath}: no attack-pattern objects`);

  const marking = objects.find((o) => o.type === 'marking-definition' && o.definition_type === 'statement');
  const statement = (marking?.definition as StixObject | undefined)?.statement;

  return {
    version,
    bundleId: typeof b.id === 'string' ? b.id : '',
    collectionModified: collection ? str(collection, 'modified') : undefined,
    copyright: typeof statement === 'string' ? statement : undefined,
    tactics,
    techniques: [...techniques.values()].sort((x, y) => compareStrings(x.id, y.id)),
  };
}

/** `key: value` lines of the optional `ics-attack-version.txt` kept next to the bundle (source repo/path/commit). */
function readProvenance(bundlePath: string): Record<string, string> {
  const file = join(dirname(bundlePath), 'ics-attack-version.txt');
  if (!existsSync(file)) return {};
  const out: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split(/\r?\n/)) {
    const m = /^(source_repo|source_path|source_commit):\s*(\S+)/.exec(line);
    if (m) out[m[1]!] = m[2]!;
  }
  return out;
}

/** Splits on `;` outside parentheses (the doc annotates some ids with "(… ; …)"). */
function splitTopLevel(field: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of field) {
    if (ch === '(') depth++;
    else if (ch === ')') depth = Math.max(0, depth - 1);
    if (ch === ';' && depth === 0) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  parts.push(cur);
  return parts.map((p) => p.trim()).filter(Boolean);
}

const squash = (s: string) => s.toLowerCase().replace(/\s+/g, ' ').trim();

function parseCatalog(
  text: string,
  catalogPath: string,
  tactics: Tactic[],
  techniques: Map<string, Technique>,
): { rows: CatalogRow[]; printed: Map<string, { id: string; printed: string; titles: string[] }> } {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const header = (lines.shift() ?? '').split('\t').map((h) => h.trim().toLowerCase());
  const col = (name: string) => {
    const i = header.indexOf(name);
    if (i < 0) fail(`${catalogPath}: missing column "${name}" (header: ${header.join(', ')})`);
    return i;
  };
  const [cTitle, cEngine, cSeverity, cTactics, cTechniques, cDescription] = [
    col('title'),
    col('engine'),
    col('severity'),
    col('tactics'),
    col('techniques'),
    col('description'),
  ];

  // Tactic names as the doc prints them → Sentinel value, via the bundle's tactic names, shortnames and ids.
  const tacticByText = new Map<string, Tactic>();
  for (const t of tactics) {
    for (const k of [t.name, t.shortname, t.id, t.sentinel]) tacticByText.set(squash(k), t);
  }
  const evasion = tactics.find((t) => t.shortname === 'evasion');
  if (evasion) tacticByText.set('defense evasion', evasion);

  const rows: CatalogRow[] = [];
  const seen = new Map<string, number>();
  const printed = new Map<string, { id: string; printed: string; titles: string[] }>();
  const unknown: string[] = [];
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    const lineNo = i + 2;
    const f = line.split('\t');
    const title = (f[cTitle] ?? '').trim().replace(/\s+/g, ' ');
    const where = `${catalogPath}:${lineNo} "${title}"`;
    if (!title) fail(`${catalogPath}:${lineNo}: empty title`);
    const key = squash(title);
    if (seen.has(key)) fail(`${where}: duplicate title (first on line ${seen.get(key)})`);
    seen.set(key, lineNo);

    const engine = (f[cEngine] ?? '').trim();
    if (!(ENGINES as readonly string[]).includes(engine)) {
      fail(`${where}: engine "${engine}" is not one of ${ENGINES.join(', ')}`);
    }
    const severity = (f[cSeverity] ?? '').trim();
    if (!(SEVERITIES as readonly string[]).includes(severity)) {
      fail(`${where}: severity "${severity}" is not one of ${SEVERITIES.join(', ')}`);
    }

    const rowTactics = new Set<Tactic>();
    for (const name of splitTopLevel(f[cTactics] ?? '')) {
      const t = tacticByText.get(squash(name));
      if (!t) fail(`${where}: tactic "${name}" is not an ATT&CK for ICS tactic in the bundle`);
      rowTactics.add(t);
    }

    const ids = new Set<string>();
    for (const item of splitTopLevel(f[cTechniques] ?? '')) {
      const m = /^(T\d{4}(?:\.\d{3})?)\b\s*[:\-–]?\s*(.*)$/i.exec(item);
      if (!m) fail(`${where}: cannot read a technique id from "${item}"`);
      const id = m[1]!.toUpperCase();
      // A trailing "(…)" is the transcriber's annotation, not part of the printed name.
      const printedName = m[2]!.replace(/\s*\([^()]*\)\s*$/, '').trim();
      const t = techniques.get(id);
      if (!t) {
        unknown.push(`  ${id}${printedName ? ` "${printedName}"` : ''} in ${where}`);
        continue;
      }
      ids.add(id);
      if (printedName && squash(printedName) !== squash(t.name)) {
        const k = `${id}\t${printedName}`;
        const entry = printed.get(k) ?? { id, printed: printedName, titles: [] };
        entry.titles.push(title);
        printed.set(k, entry);
      }
    }

    const description = f[cDescription] ?? '';
    const category = /\bcategory=(.+?)(?:\.\s|\.?\s*$)/.exec(description)?.[1]?.trim();
    const threshold = /\bthreshold=(.+?)(?:\.\s|\.?\s*$)/.exec(description)?.[1]?.trim();
    const offByDefault = /\boff_by_default=(yes|true)\b/i.test(description);

    const row: CatalogRow = {
      title,
      engine,
      severity,
      tactics: [...rowTactics].sort((a, b) => a.order - b.order).map((t) => t.sentinel),
      techniques: [...ids].sort(compareStrings),
    };
    if (category) row.category = category;
    if (threshold) row.threshold = threshold;
    if (offByDefault) row.offByDefault = true;
    rows.push(row);
  });
  if (unknown.length) {
    fail(
      `${catalogPath}: ${unknown.length} catalog technique id(s) are not in the ATT&CK for ICS bundle ` +
        `(retired or mistyped; fix the catalog or map them to their successors):\n${unknown.join('\n')}`,
    );
  }
  rows.sort((a, b) => compareStrings(a.title, b.title));
  return { rows, printed };
}

const q = (s: string) => JSON.stringify(s);
const qa = (a: readonly string[]) => `[${a.map(q).join(', ')}]`;

function commentBlock(text: string): string {
  return text
    .replace(/\*\//g, '* /')
    .split(/\r?\n/)
    .map((l) => ` * ${l}`.trimEnd())
    .join('\n');
}

export function generate(options: GenerateOptions): GenerateResult {
  const { bundlePath, catalogPath } = options;
  const licensePath = options.licensePath ?? join(dirname(bundlePath), 'ics-attack-LICENSE.txt');
  for (const [what, p] of [
    ['bundle', bundlePath],
    ['catalog', catalogPath],
    ['MITRE licence', licensePath],
  ] as const) {
    if (!existsSync(p)) fail(`${what} not found: ${p}`);
  }
  const bundleBuf = readFileSync(bundlePath);
  const catalogBuf = readFileSync(catalogPath);
  const license = readFileSync(licensePath, 'utf8');

  const parsed = parseBundle(bundleBuf.toString('utf8'), bundlePath);
  const techniqueById = new Map(parsed.techniques.map((t) => [t.id, t]));
  const { rows, printed } = parseCatalog(
    catalogBuf.toString('utf8'),
    catalogPath,
    parsed.tactics,
    techniqueById,
  );

  const warnings: string[] = [];
  const byName = new Map(parsed.techniques.map((t) => [squash(t.name), t.id]));
  const nameMismatches = [...printed.values()]
    .map((m) => {
      const printedNameIsId = byName.get(squash(m.printed));
      return {
        id: m.id,
        printed: m.printed,
        bundleName: techniqueById.get(m.id)!.name,
        ...(printedNameIsId ? { printedNameIsId } : {}),
        titles: [...m.titles].sort(compareStrings),
      };
    })
    .sort((a, b) => compareStrings(a.id, b.id) || compareStrings(a.printed, b.printed));
  if (nameMismatches.length) {
    warnings.push(
      `${nameMismatches.length} catalog technique(s) printed with a name that differs from the bundle (id kept):\n` +
        nameMismatches
          .map(
            (m) =>
              `  ${m.id} printed "${m.printed}", bundle "${m.bundleName}"` +
              `${m.printedNameIsId ? ` (the printed name is ${m.printedNameIsId}: likely a wrong id in the doc)` : ' (renamed?)'}` +
              ` in: ${m.titles.join('; ')}`,
          )
          .join('\n'),
    );
  }

  const deprecatedUse = new Map<string, string[]>();
  for (const r of rows) {
    for (const id of r.techniques) {
      const t = techniqueById.get(id)!;
      if (t.deprecated || t.revoked) deprecatedUse.set(id, [...(deprecatedUse.get(id) ?? []), r.title]);
    }
  }
  const deprecatedInCatalog = [...deprecatedUse.entries()]
    .sort(([a], [b]) => compareStrings(a, b))
    .map(([id, titles]) => ({ id, name: techniqueById.get(id)!.name, titles }));
  if (deprecatedInCatalog.length) {
    warnings.push(
      `${deprecatedInCatalog.length} catalog technique(s) are deprecated/revoked in ATT&CK ${parsed.version}:\n` +
        deprecatedInCatalog
          .map((d) => {
            const t = techniqueById.get(d.id)!;
            const state = [t.deprecated && 'deprecated', t.revoked && 'revoked'].filter(Boolean).join(', ');
            return `  ${d.id} ${d.name} (${state}) in: ${d.titles.join('; ')}`;
          })
          .join('\n'),
    );
  }

  const sentinelOf = new Map(parsed.tactics.map((t) => [t.shortname, t.sentinel]));
  const disagreements: string[] = [];
  for (const r of rows) {
    const carried = new Set(
      r.techniques.flatMap((id) => techniqueById.get(id)!.tactics.map((s) => sentinelOf.get(s)!)),
    );
    const extra = r.tactics.filter((t) => !carried.has(t));
    if (extra.length)
      disagreements.push(`  ${r.title}: ${extra.join(', ')} (techniques ${r.techniques.join(', ')})`);
  }
  if (disagreements.length) {
    warnings.push(
      `${disagreements.length} catalog row(s) list a tactic that none of their techniques carries in the bundle:\n` +
        disagreements.join('\n'),
    );
  }

  const prov = readProvenance(bundlePath);
  const bundleSha = sha256(bundleBuf);
  const counts = {
    tactics: parsed.tactics.length,
    techniques: parsed.techniques.length,
    active: parsed.techniques.filter((t) => !t.deprecated && !t.revoked).length,
    deprecated: parsed.techniques.filter((t) => t.deprecated).length,
    revoked: parsed.techniques.filter((t) => t.revoked).length,
    alerts: rows.length,
  };

  const attackHeader = [
    '/**',
    ' * GENERATED FILE: DO NOT EDIT. Re-generate with `npm run gen:attack` (scripts/gen-attack.ts).',
    ' *',
    ` * MITRE ATT&CK for ICS ${parsed.version}, parsed from the STIX 2.1 bundle ${basename(bundlePath)}`,
    ` *   bundle id: ${parsed.bundleId}`,
    ...(parsed.collectionModified ? [` *   collection modified: ${parsed.collectionModified}`] : []),
    ...(prov.source_repo
      ? [` *   source: ${prov.source_repo}${prov.source_path ? ` ${prov.source_path}` : ''}`]
      : []),
    ...(prov.source_commit ? [` *   commit: ${prov.source_commit}`] : []),
    ` *   sha256: ${bundleSha}`,
    ` *   ${counts.tactics} tactics; ${counts.techniques} techniques = ${counts.active} active + ${counts.deprecated} deprecated + ${counts.revoked} revoked`,
    ' *',
    ...(parsed.copyright ? [commentBlock(parsed.copyright), ' *'] : []),
    ` * MITRE ATT&CK licence (also in ${LICENSE_FILE}):`,
    ' *',
    commentBlock(license.trim()),
    ' */',
  ].join('\n');

  const attack = `${attackHeader}

export const ATTACK_ICS_VERSION = ${q(parsed.version)};

export const ATTACK_ICS_SOURCE = {
  file: ${q(basename(bundlePath))},
  bundleId: ${q(parsed.bundleId)},
  collectionModified: ${q(parsed.collectionModified ?? '')},
  repo: ${q(prov.source_repo ?? '')},
  path: ${q(prov.source_path ?? '')},
  commit: ${q(prov.source_commit ?? '')},
  sha256: ${q(bundleSha)},
} as const;

/** ICS tactics in matrix order; \`sentinel\` is the Microsoft Sentinel AttackTactic value. */
export const ICS_TACTICS = [
${parsed.tactics
  .map(
    (t) =>
      `  { id: ${q(t.id)}, name: ${q(t.name)}, shortname: ${q(t.shortname)}, order: ${t.order}, sentinel: ${q(t.sentinel)} },`,
  )
  .join('\n')}
] as const;

/** Every attack-pattern in the bundle, sorted by id; \`tactics\` are shortnames in matrix order. */
export const ICS_TECHNIQUES = [
${parsed.techniques
  .map(
    (t) =>
      `  { id: ${q(t.id)}, name: ${q(t.name)}, tactics: ${qa(t.tactics)}, deprecated: ${t.deprecated}, revoked: ${t.revoked}, url: ${q(t.url)} },`,
  )
  .join('\n')}
] as const;

export type IcsTacticShortname = (typeof ICS_TACTICS)[number]['shortname'];
export type SentinelIcsTactic = (typeof ICS_TACTICS)[number]['sentinel'];
export type IcsTechniqueId = (typeof ICS_TECHNIQUES)[number]['id'];
`;

  const catalog = `/**
 * GENERATED FILE: DO NOT EDIT. Re-generate with \`npm run gen:attack\` (scripts/gen-attack.ts).
 *
 * Microsoft Defender for IoT (OT) alert catalog: ${rows.length} alerts from ${basename(catalogPath)}
 *   sha256: ${sha256(catalogBuf)}
 * Tactics are Microsoft Sentinel AttackTactic values (ICS "Evasion"/"Defense Evasion" → DefenseEvasion), in matrix
 * order; techniques are the ATT&CK for ICS ${parsed.version} ids as the doc prints them, sorted. Rows sorted by title.
 */
import type { Engine, Severity } from '../model/alert.js';
import type { IcsTechniqueId, SentinelIcsTactic } from './attack.generated.js';

export interface D4IoTCatalogEntry {
  readonly title: string;
  readonly engine: Engine;
  /** Default severity (Azure scale). */
  readonly severity: Severity;
  readonly category?: string;
  readonly tactics: readonly SentinelIcsTactic[];
  readonly techniques: readonly IcsTechniqueId[];
  readonly threshold?: string;
  /** Off by default on the sensor (an admin enables it on the sensor Support page). */
  readonly offByDefault?: true;
}

export const D4IOT_CATALOG: readonly D4IoTCatalogEntry[] = [
${rows
  .map((r) => {
    const parts = [
      `title: ${q(r.title)}`,
      `engine: ${q(r.engine)}`,
      `severity: ${q(r.severity)}`,
      ...(r.category ? [`category: ${q(r.category)}`] : []),
      `tactics: ${qa(r.tactics)}`,
      `techniques: ${qa(r.techniques)}`,
      ...(r.threshold ? [`threshold: ${q(r.threshold)}`] : []),
      ...(r.offByDefault ? ['offByDefault: true'] : []),
    ];
    return `  { ${parts.join(', ')} },`;
  })
  .join('\n')}
];
`;

  return {
    files: { [ATTACK_FILE]: attack, [CATALOG_FILE]: catalog, [LICENSE_FILE]: license },
    warnings,
    version: parsed.version,
    counts,
    deprecatedInCatalog,
    nameMismatches,
  };
}

/** CLI entry: returns the exit code (1 with a message on stderr when generation fails or `--check` finds drift). */
export function main(argv: string[] = process.argv.slice(2)): number {
  try {
    return run(argv);
  } catch (e) {
    const usage = String((e as { code?: unknown }).code ?? '').startsWith('ERR_PARSE_ARGS');
    const message =
      e instanceof GenerateError || usage ? (e as Error).message : ((e as Error).stack ?? String(e));
    console.error(`gen-attack: ${message}`);
    return 1;
  }
}

function run(argv: string[]): number {
  const root = packageRoot();
  const { values } = parseArgs({
    args: argv,
    options: {
      bundle: { type: 'string' },
      catalog: { type: 'string' },
      license: { type: 'string' },
      out: { type: 'string' },
      check: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(
      'usage: gen-attack [--bundle PATH] [--catalog PATH] [--license PATH] [--out DIR] [--check]\n' +
        'defaults (repo-relative): ../shared/data/ics-attack.json, ../shared/data/d4iot-alert-catalog.tsv, ' +
        '<bundle dir>/ics-attack-LICENSE.txt, pipeline/enrich',
    );
    return 0;
  }
  const bundlePath = resolve(root, values.bundle ?? '../shared/data/ics-attack.json');
  const catalogPath = resolve(root, values.catalog ?? '../shared/data/d4iot-alert-catalog.tsv');
  const licensePath = values.license ? resolve(root, values.license) : undefined;
  const outDir = resolve(root, values.out ?? 'pipeline/enrich');

  const result = generate({ bundlePath, catalogPath, ...(licensePath ? { licensePath } : {}) });
  for (const w of result.warnings) console.warn(`warning: ${w}`);

  const c = result.counts;
  const changed: string[] = [];
  if (!values.check) mkdirSync(outDir, { recursive: true });
  for (const [name, content] of Object.entries(result.files)) {
    const target = join(outDir, name);
    const current = existsSync(target) ? readFileSync(target, 'utf8') : undefined;
    if (current === content) continue;
    changed.push(name);
    if (!values.check) writeFileSync(target, content);
  }
  console.log(
    `ATT&CK for ICS ${result.version}: ${c.tactics} tactics, ${c.techniques} techniques ` +
      `(${c.active} active, ${c.deprecated} deprecated, ${c.revoked} revoked); ${c.alerts} catalog alerts. ` +
      (changed.length
        ? `${values.check ? 'out of date' : 'wrote'}: ${changed.join(', ')} in ${outDir}`
        : `${outDir} is up to date`),
  );
  return values.check && changed.length ? 1 : 0;
}

function invokedDirectly(): boolean {
  const arg = process.argv[1];
  if (!arg) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(arg)).href;
  } catch {
    return false;
  }
}

if (invokedDirectly()) process.exitCode = main();
