import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  ATTACK_ICS_SOURCE,
  ATTACK_ICS_VERSION,
  ICS_TACTICS,
  ICS_TECHNIQUES,
  isActiveTechnique,
  parseTechniqueId,
  SENTINEL_ICS_TACTICS,
  sentinelTactic,
  sortSentinelTactics,
  tactic,
  tacticsOfTechnique,
  technique,
  techniqueUrl,
} from '../../../pipeline/enrich/attack.js';

/** Microsoft Sentinel AttackTactic enum (Azure-Sentinel AttackTactic.cs + ARM PreAttack). */
const SENTINEL_ATTACK_TACTIC_ENUM = [
  'InitialAccess',
  'Execution',
  'Persistence',
  'PrivilegeEscalation',
  'DefenseEvasion',
  'CredentialAccess',
  'Discovery',
  'LateralMovement',
  'Collection',
  'Exfiltration',
  'CommandAndControl',
  'Impact',
  'Reconnaissance',
  'ResourceDevelopment',
  'ImpairProcessControl',
  'InhibitResponseFunction',
  'PreAttack',
];

const SHARED = fileURLToPath(new URL('../../../../shared/data/', import.meta.url));
const hasShared = existsSync(`${SHARED}ics-attack-techniques.tsv`);

describe('generated ATT&CK for ICS data', () => {
  it('is v18.1 with provenance', () => {
    expect(ATTACK_ICS_VERSION).toBe('18.1');
    expect(ATTACK_ICS_SOURCE.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(ATTACK_ICS_SOURCE.commit).toBe('7ad8a86f41edc91dd37de0487b0c2f44ae3a3af7');
  });

  it('has 12 tactics, 95 techniques: 83 active, 12 deprecated, 0 revoked', () => {
    expect(ICS_TACTICS).toHaveLength(12);
    expect(ICS_TECHNIQUES).toHaveLength(95);
    expect(ICS_TECHNIQUES.filter((t) => isActiveTechnique(t.id))).toHaveLength(83);
    expect(ICS_TECHNIQUES.filter((t) => t.deprecated)).toHaveLength(12);
    expect(ICS_TECHNIQUES.filter((t) => t.revoked)).toHaveLength(0);
    expect(
      ICS_TECHNIQUES.filter((t) => t.deprecated)
        .map((t) => t.id)
        .join(' '),
    ).toBe('T0808 T0810 T0818 T0824 T0825 T0833 T0841 T0844 T0850 T0854 T0870 T0875');
  });

  it('orders tactics by the matrix and maps them to Sentinel values', () => {
    expect(ICS_TACTICS.map((t) => t.order)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(ICS_TACTICS.map((t) => `${t.id} ${t.shortname}`)).toEqual([
      'TA0108 initial-access',
      'TA0104 execution',
      'TA0110 persistence',
      'TA0111 privilege-escalation',
      'TA0103 evasion',
      'TA0102 discovery',
      'TA0109 lateral-movement',
      'TA0100 collection',
      'TA0101 command-and-control',
      'TA0107 inhibit-response-function',
      'TA0106 impair-process-control',
      'TA0105 impact',
    ]);
    expect(SENTINEL_ICS_TACTICS).toEqual([
      'InitialAccess',
      'Execution',
      'Persistence',
      'PrivilegeEscalation',
      'DefenseEvasion',
      'Discovery',
      'LateralMovement',
      'Collection',
      'CommandAndControl',
      'InhibitResponseFunction',
      'ImpairProcessControl',
      'Impact',
    ]);
    for (const t of SENTINEL_ICS_TACTICS) expect(SENTINEL_ATTACK_TACTIC_ENUM).toContain(t);
  });

  it('keeps techniques sorted, unique, each with at least one known tactic', () => {
    const ids = ICS_TECHNIQUES.map((t) => t.id);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    const shortnames = new Set<string>(ICS_TACTICS.map((t) => t.shortname));
    for (const t of ICS_TECHNIQUES) {
      expect(t.id).toMatch(/^T08\d\d$/);
      expect(t.tactics.length).toBeGreaterThan(0);
      for (const s of t.tactics) expect(shortnames.has(s)).toBe(true);
      expect(t.url).toBe(`https://attack.mitre.org/techniques/${t.id}`);
    }
  });

  it.skipIf(!hasShared)('equals the reference TSV extractions in ../shared/data', () => {
    const rows = (file: string) =>
      readFileSync(`${SHARED}${file}`, 'utf8')
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => l.split('\t'));
    expect(rows('ics-attack-techniques.tsv')).toEqual(
      ICS_TECHNIQUES.map((t) => [
        t.id,
        t.name,
        t.tactics.join(','),
        `${t.deprecated}`,
        `${t.revoked}`,
        t.url,
      ]),
    );
    expect(rows('ics-attack-tactics.tsv')).toEqual(
      ICS_TACTICS.map((t) => [t.id, t.name, t.shortname, `${t.order}`]),
    );
    expect(rows('sentinel-ics-tactics.tsv')).toEqual(
      ICS_TACTICS.map((t) => [t.shortname, t.name, t.sentinel]),
    );
  });
});

describe('lookups', () => {
  it('technique(id) tolerates case and whitespace; unknown ids are undefined', () => {
    expect(technique('T0843')?.name).toBe('Program Download');
    expect(technique(' t0843 ')?.id).toBe('T0843');
    expect(technique('T0999')).toBeUndefined();
    expect(technique('T1071')).toBeUndefined();
    expect(technique('')).toBeUndefined();
  });

  it('tacticsOfTechnique returns Sentinel values in matrix order', () => {
    expect(tacticsOfTechnique('T0858')).toEqual(['Execution', 'DefenseEvasion']);
    expect(tacticsOfTechnique('T0857')).toEqual(['Persistence', 'InhibitResponseFunction']);
    expect(tacticsOfTechnique('T0836')).toEqual(['ImpairProcessControl']);
    expect(tacticsOfTechnique('T0818')).toEqual(['InitialAccess']);
    expect(tacticsOfTechnique('T0999')).toEqual([]);
  });

  it('isActiveTechnique', () => {
    expect(isActiveTechnique('T0843')).toBe(true);
    expect(isActiveTechnique('T0895')).toBe(true);
    expect(isActiveTechnique('T0818')).toBe(false);
    expect(isActiveTechnique('T0841')).toBe(false);
    expect(isActiveTechnique('T0876')).toBe(false);
  });

  it('techniqueUrl', () => {
    expect(techniqueUrl('T0855')).toBe('https://attack.mitre.org/techniques/T0855');
    expect(techniqueUrl('T0999')).toBeUndefined();
  });

  it.each([
    ['Impair Process Control', 'ImpairProcessControl'],
    ['ImpairProcessControl', 'ImpairProcessControl'],
    ['impair-process-control', 'ImpairProcessControl'],
    ['TA0106', 'ImpairProcessControl'],
    ['Evasion', 'DefenseEvasion'],
    ['evasion', 'DefenseEvasion'],
    ['Defense Evasion', 'DefenseEvasion'],
    ['DefenseEvasion', 'DefenseEvasion'],
    ['Command And Control', 'CommandAndControl'],
    ['command_and_control', 'CommandAndControl'],
    ['  inhibit response function ', 'InhibitResponseFunction'],
    ['Initial Access', 'InitialAccess'],
  ])('sentinelTactic(%j) = %s', (input, expected) => {
    expect(sentinelTactic(input)).toBe(expected);
  });

  it('sentinelTactic rejects non-ICS and empty values', () => {
    expect(sentinelTactic('CredentialAccess')).toBeUndefined();
    expect(sentinelTactic('Exfiltration')).toBeUndefined();
    expect(sentinelTactic('')).toBeUndefined();
    expect(tactic('Evasion')?.id).toBe('TA0103');
  });

  it('sortSentinelTactics dedupes and orders by matrix', () => {
    expect(sortSentinelTactics(['Impact', 'InitialAccess', 'Impact', 'DefenseEvasion'])).toEqual([
      'InitialAccess',
      'DefenseEvasion',
      'Impact',
    ]);
  });

  it.each([
    ['T0843', 'T0843'],
    ['t0843', 'T0843'],
    ['T0843: Program Download', 'T0843'],
    ['T0843 - Program Download', 'T0843'],
    [' T0843 Program Download', 'T0843'],
    ['T1693.001', 'T1693.001'],
    ['T08431', undefined],
    ['Program Download', undefined],
  ])('parseTechniqueId(%j) = %j', (input, expected) => {
    expect(parseTechniqueId(input)).toBe(expected);
  });
});
