/**
 * ATT&CK for ICS coverage of the analytics rules: per tactic and overall, against the active techniques of the bundle
 * (83 in v18.1) and against what the Defender for IoT alert catalog can produce (the techniques and tactics its alert
 * titles map to), plus an ATT&CK Navigator layer (layer format 4.5, domain ics-attack) to look at it.
 *
 * A technique is covered when a rule lists it in `relevantTechniques` (the validator guarantees it belongs to one of
 * the rule's tactics); a tactic is covered when a covered technique belongs to it. Hunting queries are reported apart.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  ATTACK_ICS_VERSION,
  ICS_TACTICS,
  ICS_TECHNIQUES,
  isActiveTechnique,
  tacticsOfTechnique,
} from '../pipeline/enrich/attack.js';
import { D4IOT_CATALOG } from '../pipeline/enrich/catalog.js';
import type { ParsedContent } from './package.js';

export interface TacticCoverage {
  /** Sentinel tactic value. */
  readonly tactic: string;
  readonly name: string;
  readonly shortname: string;
  /** Active techniques of the tactic. */
  readonly techniques: number;
  readonly covered: number;
  /** Active techniques of the tactic the alert catalog can produce. */
  readonly catalog: number;
  readonly catalogCovered: number;
  /** Rules with a covered technique in this tactic. */
  readonly rules: number;
  readonly hunting: number;
}

export interface Coverage {
  readonly attackVersion: string;
  readonly ruleCount: number;
  readonly huntingCount: number;
  readonly tactics: readonly TacticCoverage[];
  readonly tacticsCovered: readonly string[];
  readonly catalogTactics: readonly string[];
  readonly catalogTacticsCovered: readonly string[];
  readonly activeTechniques: readonly string[];
  readonly covered: readonly string[];
  readonly catalogTechniques: readonly string[];
  readonly catalogCovered: readonly string[];
  /** Active techniques only hunting queries list. */
  readonly huntingOnly: readonly string[];
  /** Technique → names of the rules that list it. */
  readonly rulesByTechnique: ReadonlyMap<string, readonly string[]>;
  readonly huntingByTechnique: ReadonlyMap<string, readonly string[]>;
}

const ACTIVE = ICS_TECHNIQUES.filter((t) => !t.deprecated && !t.revoked);

/** Tactics and active techniques the Defender for IoT alert catalog maps its alerts to. */
export function catalogReach(): { tactics: string[]; techniques: string[] } {
  const tactics = new Set<string>();
  const techniques = new Set<string>();
  for (const e of D4IOT_CATALOG) {
    for (const t of e.tactics) tactics.add(t);
    for (const t of e.techniques) if (isActiveTechnique(t)) techniques.add(t);
  }
  return {
    tactics: ICS_TACTICS.map((t) => t.sentinel).filter((t) => tactics.has(t)),
    techniques: [...techniques].sort(),
  };
}

function index(items: readonly { name: string; techniques: readonly string[] }[]): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const it of items) {
    for (const t of it.techniques) {
      if (!isActiveTechnique(t)) continue;
      const list = m.get(t) ?? [];
      if (!list.includes(it.name)) list.push(it.name);
      m.set(t, list);
    }
  }
  return m;
}

export function computeCoverage(parsed: ParsedContent): Coverage {
  const rulesByTechnique = index(
    parsed.rules.map(({ rule }) => ({ name: rule.name, techniques: rule.relevantTechniques })),
  );
  const huntingByTechnique = index(
    parsed.hunting.map(({ query }) => ({ name: query.name, techniques: query.relevantTechniques })),
  );
  const reach = catalogReach();
  const catalogSet = new Set(reach.techniques);
  const activeIds = ACTIVE.map((t) => t.id as string);
  const covered = activeIds.filter((id) => rulesByTechnique.has(id));
  const coveredSet = new Set(covered);

  const tactics = ICS_TACTICS.map((tactic): TacticCoverage => {
    const own = ACTIVE.filter((t) => (t.tactics as readonly string[]).includes(tactic.shortname)).map(
      (t) => t.id as string,
    );
    const ruleNames = new Set<string>();
    const huntNames = new Set<string>();
    for (const id of own) {
      for (const r of rulesByTechnique.get(id) ?? []) ruleNames.add(r);
      for (const h of huntingByTechnique.get(id) ?? []) huntNames.add(h);
    }
    return {
      tactic: tactic.sentinel,
      name: tactic.name,
      shortname: tactic.shortname,
      techniques: own.length,
      covered: own.filter((id) => coveredSet.has(id)).length,
      catalog: own.filter((id) => catalogSet.has(id)).length,
      catalogCovered: own.filter((id) => catalogSet.has(id) && coveredSet.has(id)).length,
      rules: ruleNames.size,
      hunting: huntNames.size,
    };
  });
  const tacticsCovered = tactics.filter((t) => t.covered > 0).map((t) => t.tactic);
  return {
    attackVersion: ATTACK_ICS_VERSION,
    ruleCount: parsed.rules.length,
    huntingCount: parsed.hunting.length,
    tactics,
    tacticsCovered,
    catalogTactics: reach.tactics,
    catalogTacticsCovered: reach.tactics.filter((t) => tacticsCovered.includes(t)),
    activeTechniques: activeIds,
    covered,
    catalogTechniques: reach.techniques,
    catalogCovered: reach.techniques.filter((id) => coveredSet.has(id)),
    huntingOnly: activeIds.filter((id) => !coveredSet.has(id) && huntingByTechnique.has(id)),
    rulesByTechnique,
    huntingByTechnique,
  };
}

const pct = (n: number, of: number) => (of === 0 ? '0%' : `${Math.round((100 * n) / of)}%`);

/** The coverage table `ot-soc coverage` prints. */
export function formatCoverage(c: Coverage): string {
  const header = ['Tactic', 'Techniques', 'Covered', 'Catalog', 'Catalog covered', 'Rules', 'Hunting'];
  const rows = c.tactics.map((t) => [
    t.name,
    String(t.techniques),
    String(t.covered),
    String(t.catalog),
    String(t.catalogCovered),
    String(t.rules),
    String(t.hunting),
  ]);
  rows.push([
    'All (unique techniques)',
    String(c.activeTechniques.length),
    String(c.covered.length),
    String(c.catalogTechniques.length),
    String(c.catalogCovered.length),
    String(c.ruleCount),
    String(c.huntingCount),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  const uncoveredCatalog = c.catalogTechniques.filter((id) => !c.covered.includes(id));
  const out = [
    `ATT&CK for ICS ${c.attackVersion} coverage: ${c.ruleCount} analytics rules, ${c.huntingCount} hunting queries`,
    '',
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.slice(0, -1).map(line),
    line(widths.map((w) => '-'.repeat(w))),
    line(rows[rows.length - 1]!),
    '',
    `Tactics covered:     ${c.tacticsCovered.length} of ${c.tactics.length}` +
      ` (the alert catalog reaches ${c.catalogTactics.length}; ${c.catalogTacticsCovered.length} of them covered)`,
    `Techniques covered:  ${c.covered.length} of ${c.activeTechniques.length} active (${pct(c.covered.length, c.activeTechniques.length)})`,
    `Catalog-reachable:   ${c.catalogCovered.length} of ${c.catalogTechniques.length} covered (${pct(c.catalogCovered.length, c.catalogTechniques.length)})`,
    `Hunting only:        ${c.huntingOnly.length ? c.huntingOnly.join(', ') : 'none'}`,
    `Catalog, no rule:    ${uncoveredCatalog.length ? uncoveredCatalog.join(', ') : 'none'}`,
  ];
  return out.join('\n');
}

// ---------------------------------------------------------------------------------------------------------------
// ATT&CK Navigator layer (format 4.5)

export const NAVIGATOR_VERSION = '5.2.0';
export const LAYER_FORMAT_VERSION = '4.5';

const COLOR = {
  oneRule: '#a1d99b',
  someRules: '#41ab5d',
  manyRules: '#006d2c',
  huntingOnly: '#9ecae1',
  catalogGap: '#fd8d3c',
} as const;

export interface NavigatorTechnique {
  techniqueID: string;
  score: number;
  color: string;
  comment: string;
  enabled: boolean;
  metadata: { name: string; value: string }[];
  links: { label: string; url: string }[];
  showSubtechniques: boolean;
}

export interface NavigatorLayer {
  name: string;
  versions: { attack: string; navigator: string; layer: string };
  domain: 'ics-attack';
  description: string;
  sorting: number;
  layout: Record<string, string | boolean>;
  hideDisabled: boolean;
  techniques: NavigatorTechnique[];
  gradient: { colors: string[]; minValue: number; maxValue: number };
  legendItems: { label: string; color: string }[];
  showTacticRowBackground: boolean;
  tacticRowBackground: string;
  selectTechniquesAcrossTactics: boolean;
  selectSubtechniquesWithParent: boolean;
  selectVisibleTechniques: boolean;
  metadata: { name: string; value: string }[];
}

/**
 * One entry per active technique (no `tactic`, so it shows under every tactic it belongs to): score = number of
 * rules listing it; color = green by rule count, blue when only hunting queries list it, orange when Defender for IoT
 * can raise it but no rule lists it, none otherwise.
 */
export function navigatorLayer(c: Coverage): NavigatorLayer {
  const catalog = new Set(c.catalogTechniques);
  const maxRules = Math.max(1, ...[...c.rulesByTechnique.values()].map((r) => r.length));
  const techniques = ICS_TECHNIQUES.filter((t) => !t.deprecated && !t.revoked).map(
    (t): NavigatorTechnique => {
      const rules = c.rulesByTechnique.get(t.id) ?? [];
      const hunting = c.huntingByTechnique.get(t.id) ?? [];
      const reachable = catalog.has(t.id);
      const color =
        rules.length >= 4
          ? COLOR.manyRules
          : rules.length >= 2
            ? COLOR.someRules
            : rules.length === 1
              ? COLOR.oneRule
              : hunting.length
                ? COLOR.huntingOnly
                : reachable
                  ? COLOR.catalogGap
                  : '';
      const comment = rules.length
        ? `Rules: ${rules.join('; ')}`
        : hunting.length
          ? 'No analytics rule; hunting queries only'
          : reachable
            ? 'Defender for IoT can raise it, but no rule lists it'
            : 'Not covered (no Defender for IoT alert maps to it)';
      return {
        techniqueID: t.id,
        score: rules.length,
        color,
        comment,
        enabled: true,
        metadata: [
          { name: 'tactics', value: tacticsOfTechnique(t.id).join(', ') },
          { name: 'rules', value: String(rules.length) },
          { name: 'hunting queries', value: hunting.length ? hunting.join('; ') : 'none' },
          { name: 'Defender for IoT catalog', value: reachable ? 'yes' : 'no' },
        ],
        links: [{ label: `${t.id} ${t.name}`, url: t.url }],
        showSubtechniques: false,
      };
    },
  );
  return {
    name: 'ot-soc analytics rule coverage',
    versions: {
      attack: ATTACK_ICS_VERSION.split('.')[0]!,
      navigator: NAVIGATOR_VERSION,
      layer: LAYER_FORMAT_VERSION,
    },
    domain: 'ics-attack',
    description: `ATT&CK for ICS ${c.attackVersion} techniques covered by the ot-soc Sentinel analytics rules (score = number of rules). ${c.covered.length}/${c.activeTechniques.length} active techniques, ${c.catalogCovered.length}/${c.catalogTechniques.length} of those the Defender for IoT alert catalog can raise, ${c.tacticsCovered.length}/${c.tactics.length} tactics.`,
    sorting: 3,
    layout: {
      layout: 'side',
      showID: true,
      showName: true,
      showAggregateScores: false,
      countUnscored: false,
      aggregateFunction: 'max',
      expandedSubtechniques: 'none',
    },
    hideDisabled: false,
    techniques,
    gradient: { colors: ['#ffffff', COLOR.someRules], minValue: 0, maxValue: maxRules },
    legendItems: [
      { label: 'Covered by 1 rule', color: COLOR.oneRule },
      { label: 'Covered by 2-3 rules', color: COLOR.someRules },
      { label: 'Covered by 4 or more rules', color: COLOR.manyRules },
      { label: 'Hunting queries only', color: COLOR.huntingOnly },
      { label: 'Defender for IoT can raise it, no rule', color: COLOR.catalogGap },
    ],
    showTacticRowBackground: true,
    tacticRowBackground: '#dddddd',
    selectTechniquesAcrossTactics: true,
    selectSubtechniquesWithParent: false,
    selectVisibleTechniques: false,
    metadata: [
      { name: 'generator', value: 'ot-soc coverage' },
      { name: 'rules', value: String(c.ruleCount) },
      { name: 'hunting queries', value: String(c.huntingCount) },
    ],
  };
}

export function writeNavigatorLayer(file: string, layer: NavigatorLayer): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(layer, null, 2)}\n`);
}
