/**
 * A string → string function with its results remembered, for inputs drawn from a small vocabulary that recurs on
 * every record (alert titles, MACs of a plant's devices, sensor names). Bounded: past `max` distinct inputs the
 * memory is dropped and refilled, so hostile or high-cardinality input cannot grow it. `fn` must be pure.
 */
export function memoize(fn: (s: string) => string, max = 4096): (s: string) => string {
  const memo = new Map<string, string>();
  return (s) => {
    let out = memo.get(s);
    if (out === undefined) {
      out = fn(s);
      if (memo.size >= max) memo.clear();
      memo.set(s, out);
    }
    return out;
  };
}
