/**
 * Orders strings by UTF-16 code units whatever the locale (never `localeCompare`), and numbers
 * or bigints by value: the order every deterministic output of the project is sorted in.
 */
export function compareValues<T extends string | number | bigint>(a: T, b: T): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Whether two lists hold the same items in the same order: the same objects, or items `equal`
 * calls equal. A loop, not `every`: the pods of a kube-scale program are 150k.
 */
export function sameItems<T>(a: readonly T[], b: readonly T[], equal?: (x: T, y: T) => boolean): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i] && !equal?.(a[i]!, b[i]!)) return false;
  return true;
}
