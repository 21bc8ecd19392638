/**
 * Small statistics for benchmarks on shared, noisy machines: every figure is a median of several runs, and a
 * ratio is the median of per-run ratios (a subject run and its baseline run back to back, so load that comes
 * and goes hits both).
 */
import type { Figure } from './types.js';

/** Value at quantile `q` (0–1) of `values`, nearest-rank on the sorted copy. NaN when empty. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil(q * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))]!;
}

/** Median (mean of the two middle values for an even count). NaN when empty. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export const p50 = (values: readonly number[]): number => quantile(values, 0.5);
export const p99 = (values: readonly number[]): number => quantile(values, 0.99);

export interface Summary {
  runs: number;
  median: number;
  min: number;
  max: number;
}

export function summarize(values: readonly number[]): Summary {
  return {
    runs: values.length,
    median: median(values),
    min: values.length ? Math.min(...values) : Number.NaN,
    max: values.length ? Math.max(...values) : Number.NaN,
  };
}

/**
 * Runs both once, `subject` first in even rounds and `baseline` first in odd ones, so neither always runs on the
 * warmer/colder side of a GC (or of a loaded machine's quieter moment).
 */
export async function alternate<S, B>(
  round: number,
  subject: () => S | Promise<S>,
  baseline: () => B | Promise<B>,
): Promise<[S, B]> {
  if (round % 2 === 0) {
    const s = await subject();
    return [s, await baseline()];
  }
  const b = await baseline();
  return [await subject(), b];
}

/** Runs `subject` and `baseline` alternately `runs` times (after one untimed warm-up of each). */
export async function paired(
  runs: number,
  subject: () => number | Promise<number>,
  baseline: () => number | Promise<number>,
): Promise<{ subject: number[]; baseline: number[]; ratios: number[] }> {
  await subject();
  await baseline();
  const out = { subject: [] as number[], baseline: [] as number[], ratios: [] as number[] };
  for (let i = 0; i < runs; i++) {
    const [s, b] = await alternate(i, subject, baseline);
    out.subject.push(s);
    out.baseline.push(b);
    out.ratios.push(s / b);
  }
  return out;
}

/** Rounds to `digits` significant digits for printing and JSON (keeps figures readable, not falsely precise). */
export function sig(n: number, digits = 3): number {
  if (!Number.isFinite(n) || n === 0) return n;
  const scale = 10 ** (digits - 1 - Math.floor(Math.log10(Math.abs(n))));
  return Math.round(n * scale) / scale;
}

/** `123456.7` → `123,457`; small numbers keep 3 significant digits. */
export function fmt(n: number, digits = 3): string {
  if (!Number.isFinite(n)) return String(n);
  const v = sig(n, digits);
  return Math.abs(v) >= 1000
    ? Math.round(v).toLocaleString('en-US')
    : v.toLocaleString('en-US', { maximumSignificantDigits: digits });
}

export const MIB = 1024 * 1024;

/** A figure from the values of several runs: their median, with the run count and the spread. */
export function figure(name: string, values: number[], unit: string, extra: Partial<Figure> = {}): Figure {
  const s = summarize(values);
  return { name, value: s.median, unit, runs: s.runs, min: s.min, max: s.max, ...extra };
}
