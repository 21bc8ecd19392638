/**
 * The 0–100 risk score of an alert: a sum of small, explainable parts (docs/configuration.md "Risk score"), so an analyst can
 * re-derive any score from the row's own columns.
 *
 *   severity (effective)      High 40 · Medium 25 · Low 10 · Informational 0
 * + asset criticality         Critical 15 · High 10 · Medium 5 · Low 0 · unknown 5
 * + Purdue level              L0 15 · L1 12 · L2 9 · L3 5 · L4 2 · L5 0 · unknown 5   (closer to the process = riskier)
 * + tactic stage (highest)    Impact / InhibitResponseFunction / ImpairProcessControl 15 ·
 *                             Execution / Persistence / PrivilegeEscalation / DefenseEvasion / LateralMovement 10 ·
 *                             InitialAccess / Collection / CommandAndControl 6 · Discovery 3 · none 0
 * + escalations               +5 per raising rule (OutsideWorkingHours, NotEngineeringStation), at most +10;
 *                             ExpectedMaintenance −20
 * + recurrence (row time)     min(5, floor(log2(Count))): 1 → 0, 2 → 1, 4 → 2, … 32+ → 5
 *   clamped to 0–100. The maxima add up to exactly 100.
 */
import type { Severity } from '../model/alert.js';
import type { Criticality } from './inventory/index.js';

export const SEVERITY_POINTS: Readonly<Record<Severity, number>> = {
  High: 40,
  Medium: 25,
  Low: 10,
  Informational: 0,
};
export const CRITICALITY_POINTS: Readonly<Record<Criticality, number>> = {
  Critical: 15,
  High: 10,
  Medium: 5,
  Low: 0,
};
/** Index = Purdue level. */
export const PURDUE_POINTS: readonly number[] = [15, 12, 9, 5, 2, 0];
/** An unknown criticality or level scores like a middle one: unknown is not safe. */
export const UNKNOWN_POINTS = 5;

export const TACTIC_POINTS: Readonly<Record<string, number>> = {
  Impact: 15,
  InhibitResponseFunction: 15,
  ImpairProcessControl: 15,
  Execution: 10,
  Persistence: 10,
  PrivilegeEscalation: 10,
  DefenseEvasion: 10,
  LateralMovement: 10,
  InitialAccess: 6,
  Collection: 6,
  CommandAndControl: 6,
  Discovery: 3,
};

export const ESCALATION_POINTS = 5;
export const MAX_ESCALATION_POINTS = 10;
export const EXPECTED_MAINTENANCE_POINTS = -20;
export const MAX_RECURRENCE_POINTS = 5;

export interface RiskInput {
  /** Effective severity (after escalations). */
  severity: Severity;
  criticality?: Criticality | undefined;
  purdueLevel?: number | undefined;
  /** Sentinel tactic names. */
  tactics: readonly string[];
  escalations: readonly { rule: string }[];
}

export interface RiskParts {
  severity: number;
  criticality: number;
  purdue: number;
  tactic: number;
  escalations: number;
}

/** The parts of the score, for explaining it. */
export function riskParts(i: RiskInput): RiskParts {
  let tactic = 0;
  for (const t of i.tactics) tactic = Math.max(tactic, TACTIC_POINTS[t] ?? 0);
  let escalations = 0;
  for (const e of i.escalations) {
    escalations += e.rule === 'ExpectedMaintenance' ? EXPECTED_MAINTENANCE_POINTS : ESCALATION_POINTS;
  }
  return {
    severity: SEVERITY_POINTS[i.severity],
    criticality: i.criticality ? CRITICALITY_POINTS[i.criticality] : UNKNOWN_POINTS,
    purdue: i.purdueLevel !== undefined ? (PURDUE_POINTS[i.purdueLevel] ?? 0) : UNKNOWN_POINTS,
    tactic,
    escalations: Math.min(escalations, MAX_ESCALATION_POINTS),
  };
}

const clamp = (n: number): number => Math.max(0, Math.min(100, Math.round(n)));

/** 0–100 from one alert's own facts (no recurrence: the group's count is not known at enrichment time). */
export function riskScore(i: RiskInput): number {
  const p = riskParts(i);
  return clamp(p.severity + p.criticality + p.purdue + p.tactic + p.escalations);
}

/** Bounded bonus for a group's recurrence: 0 for one alert, +1 per doubling, at most 5. */
export function recurrenceBonus(count: number): number {
  if (!(count > 1)) return 0;
  return Math.min(MAX_RECURRENCE_POINTS, Math.floor(Math.log2(count)));
}

/** The score a row shows for a group of `count` alerts; for the row builder, which knows the count. */
export function withRecurrence(score: number, count: number): number {
  return clamp(score + recurrenceBonus(count));
}
