// Lists kept for a whole compile, one or more per pod, are held at their exact size: growing a
// list by push leaves 16 spare slots, 70 MB over the 600k per-pod lists of a kube-scale
// resolution, which the collector copies and marks with the rest.

/** The list at its exact size: itself when empty (no spare slots), else a copy. */
export function exactSize<T>(list: T[]): T[] {
  return list.length === 0 ? list : list.slice();
}

/**
 * Appends to a long-lived list. Short lists are copied to their exact size; long ones (a pod many
 * policies select) grow by push, whose spare slots are then a small share.
 */
export function appendExact<T>(list: T[], item: T): T[] {
  if (list.length >= 16) {
    list.push(item);
    return list;
  }
  const out = new Array<T>(list.length + 1);
  for (let i = 0; i < list.length; i++) out[i] = list[i]!;
  out[list.length] = item;
  return out;
}
