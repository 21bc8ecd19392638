/** Items by key, each list in the items' order, keys in order of first appearance (Node 20 has no Map.groupBy). */
export function groupBy<T, K>(items: Iterable<T>, keyOf: (item: T, index: number) => K): Map<K, T[]> {
  const by = new Map<K, T[]>();
  let i = 0;
  for (const item of items) {
    const key = keyOf(item, i++);
    const list = by.get(key);
    if (list) list.push(item);
    else by.set(key, [item]);
  }
  return by;
}
