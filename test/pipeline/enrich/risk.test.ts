import { describe, expect, it } from 'vitest';
import { CRITICALITIES, type Criticality } from '../../../pipeline/enrich/inventory/index.js';
import {
  MAX_RECURRENCE_POINTS,
  type RiskInput,
  recurrenceBonus,
  riskParts,
  riskScore,
  TACTIC_POINTS,
  withRecurrence,
} from '../../../pipeline/enrich/risk.js';
import { SEVERITIES, type Severity } from '../../../pipeline/model/alert.js';

// Ordered from least to most risky along each dimension.
const SEVERITY_ORDER: Severity[] = [...SEVERITIES].reverse(); // Informational … High
const CRITICALITY_ORDER: (Criticality | undefined)[] = ['Low', undefined, 'Medium', 'High', 'Critical'];
const PURDUE_ORDER: (number | undefined)[] = [5, 4, 3, undefined, 2, 1, 0];
const TACTIC_ORDER: string[][] = [
  [],
  ['Discovery'],
  ['Collection'],
  ['LateralMovement'],
  ['Discovery', 'Impact'],
];
const ESCALATION_ORDER: { rule: string }[][] = [
  [{ rule: 'ExpectedMaintenance' }],
  [],
  [{ rule: 'OutsideWorkingHours' }],
  [{ rule: 'OutsideWorkingHours' }, { rule: 'NotEngineeringStation' }],
];

function* allInputs(): Generator<RiskInput> {
  for (const severity of SEVERITY_ORDER)
    for (const criticality of CRITICALITY_ORDER)
      for (const purdueLevel of PURDUE_ORDER)
        for (const tactics of TACTIC_ORDER)
          for (const escalations of ESCALATION_ORDER)
            yield { severity, criticality, purdueLevel, tactics, escalations };
}

describe('riskScore', () => {
  it('is an integer between 0 and 100 for every combination', () => {
    for (const i of allInputs()) {
      const s = riskScore(i);
      expect(Number.isInteger(s)).toBe(true);
      expect(s).toBeGreaterThanOrEqual(0);
      expect(s).toBeLessThanOrEqual(100);
    }
  });

  it('reaches both ends: 0 for the least and 100 for the most risky alert of a large group', () => {
    expect(
      riskScore({
        severity: 'Informational',
        criticality: 'Low',
        purdueLevel: 5,
        tactics: [],
        escalations: [{ rule: 'ExpectedMaintenance' }],
      }),
    ).toBe(0);
    const worst: RiskInput = {
      severity: 'High',
      criticality: 'Critical',
      purdueLevel: 0,
      tactics: ['Impact'],
      escalations: [{ rule: 'OutsideWorkingHours' }, { rule: 'NotEngineeringStation' }, { rule: 'X' }],
    };
    expect(riskScore(worst)).toBe(95);
    expect(withRecurrence(riskScore(worst), 10_000)).toBe(100);
  });

  const dimensions: [string, (i: RiskInput, k: number) => RiskInput, number][] = [
    ['severity', (i, k) => ({ ...i, severity: SEVERITY_ORDER[k]! }), SEVERITY_ORDER.length],
    ['criticality', (i, k) => ({ ...i, criticality: CRITICALITY_ORDER[k] }), CRITICALITY_ORDER.length],
    [
      'Purdue level (lower is riskier)',
      (i, k) => ({ ...i, purdueLevel: PURDUE_ORDER[k] }),
      PURDUE_ORDER.length,
    ],
    ['tactic stage', (i, k) => ({ ...i, tactics: TACTIC_ORDER[k]! }), TACTIC_ORDER.length],
    ['escalations', (i, k) => ({ ...i, escalations: ESCALATION_ORDER[k]! }), ESCALATION_ORDER.length],
  ];

  it.each(dimensions)('never decreases when %s gets worse, all else equal', (_, set, n) => {
    for (const base of allInputs()) {
      let previous = -1;
      for (let k = 0; k < n; k++) {
        const s = riskScore(set(base, k));
        expect(s).toBeGreaterThanOrEqual(previous);
        previous = s;
      }
    }
  });

  it('strictly increases along each dimension for a mid-range alert (unknown scores like Medium / level 3)', () => {
    const mid: RiskInput = {
      severity: 'Low',
      criticality: 'Medium',
      purdueLevel: 3,
      tactics: [],
      escalations: [],
    };
    for (const [name, set, n] of dimensions) {
      const scores = Array.from({ length: n }, (_, k) => set(mid, k))
        .filter((i) => i.criticality !== undefined && i.purdueLevel !== undefined)
        .map(riskScore);
      expect(new Set(scores).size, `${name}: ${JSON.stringify(scores)}`).toBe(scores.length);
    }
    expect(riskScore({ ...mid, criticality: undefined })).toBe(riskScore(mid));
    expect(riskScore({ ...mid, purdueLevel: undefined })).toBe(riskScore(mid));
  });

  it('takes the highest tactic, counts an unknown criticality or level as a middle one', () => {
    expect(
      riskParts({ severity: 'Low', tactics: ['Discovery', 'InhibitResponseFunction'], escalations: [] }),
    ).toEqual({
      severity: 10,
      criticality: 5,
      purdue: 5,
      tactic: 15,
      escalations: 0,
    });
    expect(Object.values(TACTIC_POINTS)).toHaveLength(12);
    expect(riskParts({ severity: 'Low', tactics: ['NotATactic'], escalations: [] }).tactic).toBe(0);
  });

  it('the worked example in docs/configuration.md: the night-time S7 stop from the laptop', () => {
    const input: RiskInput = {
      severity: 'High', // Low from the sensor, raised by the escalations
      criticality: 'Critical', // RTM-PKG-PLC-01, the destination controller
      purdueLevel: 1,
      tactics: ['Execution', 'DefenseEvasion', 'LateralMovement', 'InhibitResponseFunction'],
      escalations: [{ rule: 'OutsideWorkingHours' }, { rule: 'NotEngineeringStation' }],
    };
    expect(riskParts(input)).toEqual({
      severity: 40,
      criticality: 15,
      purdue: 12,
      tactic: 15,
      escalations: 10,
    });
    expect(riskScore(input)).toBe(92);
    expect(withRecurrence(92, 3)).toBe(93);
  });

  it('the contrast in docs/configuration.md: the Lyon firmware change inside its maintenance window', () => {
    const input: RiskInput = {
      severity: 'Medium',
      criticality: 'Critical',
      purdueLevel: 1,
      tactics: ['Persistence', 'InhibitResponseFunction'],
      escalations: [{ rule: 'ExpectedMaintenance' }],
    };
    expect(riskScore(input)).toBe(47);
  });
});

describe('recurrence bonus', () => {
  it.each([
    [0, 0],
    [1, 0],
    [2, 1],
    [3, 1],
    [4, 2],
    [8, 3],
    [16, 4],
    [32, 5],
    [1_000_000, 5],
    [Number.NaN, 0],
    [-3, 0],
  ])('count %d → +%d', (count, bonus) => {
    expect(recurrenceBonus(count)).toBe(bonus);
  });

  it('is bounded and monotone, and keeps the score within 0–100', () => {
    let previous = 0;
    for (let c = 1; c < 5000; c++) {
      const b = recurrenceBonus(c);
      expect(b).toBeGreaterThanOrEqual(previous);
      expect(b).toBeLessThanOrEqual(MAX_RECURRENCE_POINTS);
      previous = b;
    }
    expect(withRecurrence(99, 1000)).toBe(100);
    expect(withRecurrence(0, 1)).toBe(0);
  });

  it('every criticality has points', () => {
    for (const c of CRITICALITIES) {
      expect(
        riskParts({ severity: 'Low', criticality: c, tactics: [], escalations: [] }).criticality,
      ).toBeTypeOf('number');
    }
  });
});
