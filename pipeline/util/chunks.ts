/** `list` in consecutive pieces of at most `size` (transactions of ≤ 100 actions, journals of ≤ 98 items). */
export function chunks<T>(list: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}
