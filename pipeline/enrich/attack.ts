/**
 * Lookups over the generated MITRE ATT&CK for ICS data (attack.generated.ts). All indexes are built once at module
 * load; every lookup is a Map hit.
 */
import {
  ATTACK_ICS_SOURCE,
  ATTACK_ICS_VERSION,
  ICS_TACTICS,
  ICS_TECHNIQUES,
  type IcsTacticShortname,
  type IcsTechniqueId,
  type SentinelIcsTactic,
} from './attack.generated.js';

export type { IcsTacticShortname, IcsTechniqueId, SentinelIcsTactic };
export { ATTACK_ICS_SOURCE, ATTACK_ICS_VERSION, ICS_TACTICS, ICS_TECHNIQUES };

export interface IcsTactic {
  readonly id: string;
  readonly name: string;
  readonly shortname: IcsTacticShortname;
  /** 1-based position in the ICS matrix. */
  readonly order: number;
  /** Microsoft Sentinel AttackTactic value. */
  readonly sentinel: SentinelIcsTactic;
}

export interface IcsTechnique {
  readonly id: IcsTechniqueId;
  readonly name: string;
  /** Tactic shortnames, in matrix order. */
  readonly tactics: readonly IcsTacticShortname[];
  readonly deprecated: boolean;
  readonly revoked: boolean;
  readonly url: string;
}

const TACTICS: readonly IcsTactic[] = ICS_TACTICS;
const TECHNIQUES: readonly IcsTechnique[] = ICS_TECHNIQUES;

/** The Sentinel tactic values of the 12 ICS tactics, in matrix order. */
export const SENTINEL_ICS_TACTICS: readonly SentinelIcsTactic[] = TACTICS.map((t) => t.sentinel);

const squash = (s: string) =>
  s
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, '');

const tacticByShortname = new Map<string, IcsTactic>(TACTICS.map((t) => [t.shortname, t]));
const sentinelOrder = new Map<string, number>(TACTICS.map((t) => [t.sentinel, t.order]));

/** Every spelling we accept → tactic: name, shortname, TA id, Sentinel value, Enterprise "Defense Evasion". */
const tacticBySpelling = new Map<string, IcsTactic>();
for (const t of TACTICS) {
  for (const k of [t.name, t.shortname, t.id, t.sentinel]) tacticBySpelling.set(squash(k), t);
}
const evasion = tacticByShortname.get('evasion');
if (evasion) tacticBySpelling.set(squash('Defense Evasion'), evasion);

const techniqueById = new Map<string, IcsTechnique>(TECHNIQUES.map((t) => [t.id, t]));
const sentinelTacticsById = new Map<string, readonly SentinelIcsTactic[]>(
  TECHNIQUES.map((t) => [t.id, t.tactics.map((s) => tacticByShortname.get(s)!.sentinel)]),
);

const TECHNIQUE_ID_PREFIX = /^\s*(T\d{4}(?:\.\d{3})?)(?![\d.])/i;

/**
 * Reads a technique id from the forms vendors print: `T0843`, `t0843`, `T0843: Program Download`,
 * `T0843 - Program Download`, `T0843 Program Download`. Returns the upper-case id (not checked against the bundle).
 */
export function parseTechniqueId(text: string): string | undefined {
  return TECHNIQUE_ID_PREFIX.exec(text)?.[1]?.toUpperCase();
}

/** The technique with this id (`T0843`, case and surrounding whitespace ignored), or undefined if not in the bundle. */
export function technique(id: string): IcsTechnique | undefined {
  return techniqueById.get(id) ?? techniqueById.get(id.trim().toUpperCase());
}

/** Sentinel tactic values of a technique, in matrix order; empty for an unknown id. */
export function tacticsOfTechnique(id: string): readonly SentinelIcsTactic[] {
  const t = technique(id);
  return t ? sentinelTacticsById.get(t.id)! : [];
}

/** True when the id is in the bundle and neither deprecated nor revoked. */
export function isActiveTechnique(id: string): boolean {
  const t = technique(id);
  return !!t && !t.deprecated && !t.revoked;
}

/** attack.mitre.org page of a technique, or undefined if not in the bundle. */
export function techniqueUrl(id: string): string | undefined {
  return technique(id)?.url;
}

/** The ICS tactic for a name, shortname, TA id or Sentinel value (case, spaces, `-`/`_` ignored). */
export function tactic(nameOrShortname: string): IcsTactic | undefined {
  return tacticBySpelling.get(squash(nameOrShortname));
}

/**
 * Sentinel tactic value for any ICS tactic spelling: "Impair Process Control", "impair-process-control",
 * "ImpairProcessControl", "TA0106"; "Evasion" and "Defense Evasion" → DefenseEvasion. Undefined when not an ICS tactic.
 */
export function sentinelTactic(nameOrShortname: string): SentinelIcsTactic | undefined {
  return tactic(nameOrShortname)?.sentinel;
}

/** Matrix position (1-based) of a Sentinel ICS tactic value; undefined for anything else. */
export function sentinelTacticOrder(sentinel: string): number | undefined {
  return sentinelOrder.get(sentinel);
}

/** Unique Sentinel tactic values sorted in matrix order. */
export function sortSentinelTactics(tactics: Iterable<SentinelIcsTactic>): SentinelIcsTactic[] {
  return [...new Set(tactics)].sort((a, b) => sentinelOrder.get(a)! - sentinelOrder.get(b)!);
}
