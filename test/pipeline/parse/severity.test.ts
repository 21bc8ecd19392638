import { describe, expect, it } from 'vitest';
import { toEngine, toSeverity, toStatus } from '../../../pipeline/parse/severity.js';

describe('toSeverity', () => {
  it.each([
    ['Critical', 'High'],
    ['Major', 'Medium'],
    ['Minor', 'Low'],
    ['Warning', 'Low'],
    ['critical', 'High'],
    [' MAJOR ', 'Medium'],
    ['High', 'High'],
    ['Medium', 'Medium'],
    ['Low', 'Low'],
    ['Informational', 'Informational'],
    ['Very-High', 'High'],
    [10, 'High'],
    [8, 'Medium'],
    [4, 'Low'],
    [1, 'Low'],
    ['10', 'High'],
    ['8', 'Medium'],
    ['4', 'Low'],
    ['1', 'Low'],
    [9, 'High'],
    [7, 'Medium'],
    [5, 'Low'],
    [0, 'Informational'],
  ])('%j → %s', (input, expected) => {
    expect(toSeverity(input)).toBe(expected);
  });

  it.each(['Severe', '', '11', '-1', '4.5', 4.5, 11, null, undefined, {}])('%j is unknown', (input) => {
    expect(toSeverity(input)).toBeUndefined();
  });
});

describe('toEngine', () => {
  it.each([
    ['Policy Violation', 'Policy violation'],
    ['POLICY_VIOLATION', 'Policy violation'],
    ['policy violation', 'Policy violation'],
    ['policy-violation', 'Policy violation'],
    ['Protocol Violation', 'Protocol violation'],
    ['PROTOCOL_VIOLATION', 'Protocol violation'],
    ['MALWARE', 'Malware'],
    ['Anomaly', 'Anomaly'],
    ['OPERATIONAL', 'Operational'],
  ])('%s → %s', (input, expected) => {
    expect(toEngine(input)).toBe(expected);
  });

  it('returns undefined for other values', () => {
    expect(toEngine('0')).toBeUndefined();
    expect(toEngine('Custom')).toBeUndefined();
    expect(toEngine(3)).toBeUndefined();
  });
});

describe('toStatus', () => {
  it.each([
    ['New', 'New'],
    ['Unacknowledged', 'New'],
    ['unhandled', 'New'],
    ['Active', 'Active'],
    ['InProgress', 'Active'],
    ['In progress', 'Active'],
    ['Closed', 'Closed'],
    ['handled', 'Closed'],
    ['Acknowledged', 'Closed'],
    ['Muted', 'Closed'],
    ['Resolved', 'Closed'],
    ['Dismissed', 'Closed'],
    [true, 'Closed'],
    [false, 'New'],
    [undefined, 'New'],
    ['Whatever', 'New'],
  ])('%j → %s', (input, expected) => {
    expect(toStatus(input)).toBe(expected);
  });
});
