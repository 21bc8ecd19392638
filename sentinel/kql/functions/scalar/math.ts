/**
 * bin()/floor() and round() (https://learn.microsoft.com/kusto/query/bin-function, …/round-function).
 * Datetime bins are aligned on Kusto's datetime origin, 0001-01-01 (not the Unix epoch), which matters for bin
 * sizes that do not divide a day count evenly (e.g. 7d).
 */
import { fail } from '../../engine/env.js';
import type { ScalarImpl } from './registry.js';

/** Milliseconds from 0001-01-01 to 1970-01-01. */
const ORIGIN = 62_135_596_800_000;

export function binValue(v: number, size: number, type: string | undefined): number {
  if (type === 'datetime') return Math.floor((v + ORIGIN) / size) * size - ORIGIN;
  return Math.floor(v / size) * size;
}

const bin: ScalarImpl = ({ args: [x, s], nodes, call }) => {
  const type = nodes[0]!.type;
  return (r) => {
    const v = x!(r);
    const size = s!(r);
    if (v === null || size === null) return null;
    if ((size as number) <= 0) return fail('bin(): the bin size must be positive', call);
    return binValue(v as number, size as number, type);
  };
};

/** Half away from zero, at `digits` decimal places (negative digits round to tens, hundreds…). */
export function roundHalfAway(x: number, digits: number): number {
  if (!Number.isFinite(x)) return x;
  const sign = x < 0 ? -1 : 1;
  const shifted = Number(`${Math.abs(x)}e${digits}`);
  const r = Number(`${Math.round(shifted)}e${-digits}`);
  return sign * r || 0;
}

const round: ScalarImpl =
  ({ args: [x, d] }) =>
  (r) => {
    const v = x!(r);
    const digits = d ? d(r) : 0;
    if (v === null || digits === null) return null;
    return roundHalfAway(v as number, digits as number);
  };

export const MATH: Record<string, ScalarImpl> = { bin, floor: bin, round };
