import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadContent } from '../../analytics/content.js';
import {
  type Coverage,
  catalogReach,
  computeCoverage,
  formatCoverage,
  LAYER_FORMAT_VERSION,
  navigatorLayer,
  writeNavigatorLayer,
} from '../../analytics/coverage.js';
import { parseContent } from '../../analytics/package.js';
import { ICS_TACTICS } from '../../pipeline/enrich/attack.js';
import { tempDirSync } from '../helpers/tempDirs.js';

let coverage: Coverage;
beforeAll(() => {
  coverage = computeCoverage(parseContent(loadContent()));
});

describe('ATT&CK for ICS coverage of the shipped rules', () => {
  it('covers every tactic the Defender for IoT alert catalog reaches (all 12)', () => {
    const reach = catalogReach();
    expect(reach.tactics).toHaveLength(12);
    for (const t of reach.tactics) expect(coverage.tacticsCovered, t).toContain(t);
    expect(coverage.catalogTacticsCovered).toEqual(reach.tactics);
    expect(coverage.tacticsCovered).toHaveLength(12);
  });

  it('covers every active technique the alert catalog can produce', () => {
    expect(coverage.catalogTechniques).toHaveLength(45);
    expect(coverage.catalogCovered).toEqual(coverage.catalogTechniques);
  });

  it('reports the numbers against the 83 active techniques', () => {
    expect(coverage.activeTechniques).toHaveLength(83);
    expect(coverage.covered.length).toBe(50);
    expect(coverage.ruleCount).toBe(26);
    expect(coverage.huntingCount).toBe(17);
    const sum = coverage.tactics.reduce((n, t) => n + t.techniques, 0);
    expect(sum).toBe(94); // techniques with several tactics count in each
    for (const t of coverage.tactics) {
      expect(t.covered).toBeLessThanOrEqual(t.techniques);
      expect(t.catalogCovered).toBe(t.catalog);
      expect(t.rules).toBeGreaterThan(0);
    }
  });

  it('prints a table with a row per tactic and the totals', () => {
    const text = formatCoverage(coverage);
    for (const t of ICS_TACTICS) expect(text).toContain(t.name);
    expect(text).toContain('Tactics covered:     12 of 12');
    expect(text).toContain(`Techniques covered:  ${coverage.covered.length} of 83 active`);
    expect(text).toContain('Catalog-reachable:   45 of 45 covered (100%)');
  });
});

describe('ATT&CK Navigator layer', () => {
  it('has the current layer format, the ICS domain, ATT&CK 18 and one scored entry per active technique', () => {
    const layer = navigatorLayer(coverage);
    expect(layer.domain).toBe('ics-attack');
    expect(layer.versions).toEqual({ attack: '18', navigator: '5.2.0', layer: LAYER_FORMAT_VERSION });
    expect(LAYER_FORMAT_VERSION).toBe('4.5');
    expect(layer.techniques).toHaveLength(83);
    for (const t of layer.techniques) {
      expect(t.techniqueID).toMatch(/^T08\d\d$/);
      expect(typeof t.score).toBe('number');
      expect(typeof t.comment).toBe('string');
      expect(t.links[0]!.url).toBe(`https://attack.mitre.org/techniques/${t.techniqueID}`);
    }
    const program = layer.techniques.find((t) => t.techniqueID === 'T0843')!;
    expect(program.score).toBe(coverage.rulesByTechnique.get('T0843')!.length);
    expect(program.color).toMatch(/^#[0-9a-f]{6}$/);
    expect(program.comment).toMatch(/^Rules: /);
    const uncovered = layer.techniques.find((t) => t.techniqueID === 'T0880')!; // Loss of Safety
    expect(uncovered.score).toBe(0);
    expect(layer.gradient.maxValue).toBeGreaterThan(layer.gradient.minValue);
    expect(layer.legendItems.length).toBeGreaterThan(2);
  });

  it('is written as JSON the Navigator can load', () => {
    const file = join(tempDirSync('ot-soc-layer-'), 'sub', 'layer.json');
    writeNavigatorLayer(file, navigatorLayer(coverage));
    const back = JSON.parse(readFileSync(file, 'utf8')) as { name: string; techniques: unknown[] };
    expect(back.name).toBe('ot-soc analytics rule coverage');
    expect(back.techniques).toHaveLength(83);
  });
});
