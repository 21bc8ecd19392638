/** The text of the generated modules: pipeline/enrich/attack.generated.ts and catalog.generated.ts. */
import { basename } from 'node:path';
import type { CatalogRow } from './alertCatalog.js';
import type { ParsedBundle } from './stixBundle.js';

export const ATTACK_FILE = 'attack.generated.ts';
export const CATALOG_FILE = 'catalog.generated.ts';
export const LICENSE_FILE = 'ATTACK-ICS-LICENSE.txt';

export interface AttackCounts {
  tactics: number;
  techniques: number;
  active: number;
  deprecated: number;
  revoked: number;
  alerts: number;
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

/** attack.generated.ts: provenance and licence in its header, tactics and techniques as const arrays. */
export function renderAttackModule(a: {
  parsed: ParsedBundle;
  bundlePath: string;
  bundleSha: string;
  prov: Record<string, string>;
  counts: AttackCounts;
  license: string;
}): string {
  const { parsed, bundlePath, bundleSha, prov, counts, license } = a;
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

  return `${attackHeader}

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
}

/** catalog.generated.ts: one entry per catalog row, sorted by title. */
export function renderCatalogModule(a: {
  rows: readonly CatalogRow[];
  catalogPath: string;
  catalogSha: string;
  version: string;
}): string {
  const { rows, catalogPath, catalogSha, version } = a;
  return `/**
 * GENERATED FILE: DO NOT EDIT. Re-generate with \`npm run gen:attack\` (scripts/gen-attack.ts).
 *
 * Microsoft Defender for IoT (OT) alert catalog: ${rows.length} alerts from ${basename(catalogPath)}
 *   sha256: ${catalogSha}
 * Tactics are Microsoft Sentinel AttackTactic values (ICS "Evasion"/"Defense Evasion" → DefenseEvasion), in matrix
 * order; techniques are the ATT&CK for ICS ${version} ids as the doc prints them, sorted. Rows sorted by title.
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
}
