// Grouping rows by a key, keeping their order (Map.groupBy arrives with Node 21; we run on 20).

/** The items grouped by `key`, groups in order of first appearance, items in their order. */
export function groupBy<T, K>(items: Iterable<T>, key: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}
