/** String helpers of the generator: deterministic order and loose comparison of printed names. */

/** Code-unit order: deterministic regardless of locale/ICU. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export const squash = (s: string) => s.toLowerCase().replace(/\s+/g, ' ').trim();
