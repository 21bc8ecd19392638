/**
 * The scenario's seeded randomness: one generator for the whole run, so the scenario is the same on every run as
 * long as the draws happen in the same order.
 */

export function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
export const rand = mulberry32(20261118);
export const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
const DAY = Date.parse('2026-11-18T00:00:00Z');
export const at = (hhmm: string, jitterSec = 0): number => {
  const [h, m] = hhmm.split(':').map(Number);
  return DAY + (h! * 60 + m!) * 60_000 + Math.floor(rand() * jitterSec * 1000);
};
let uuidCounter = 0;
export const uuid = (): string => {
  uuidCounter++;
  const hex = (n: number, w: number) =>
    Math.floor(rand() * 16 ** w)
      .toString(16)
      .padStart(w, '0') + n.toString(16);
  return `${hex(uuidCounter, 7).slice(-8)}-${hex(0, 4).slice(0, 4)}-4${hex(0, 3).slice(0, 3)}-8${hex(0, 3).slice(0, 3)}-${hex(uuidCounter, 11).slice(-12)}`;
};
