/**
 * Appends every item of `items` to `target`. `target.push(...items)` passes each item as an
 * argument and overflows the stack beyond ~100k items (a 150k-document YAML file did).
 */
export function appendAll<T>(target: T[], items: Iterable<T>): T[] {
  for (const item of items) target.push(item);
  return target;
}
